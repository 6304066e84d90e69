"""Video review from the command line: a clue on a frame with its time, its export cut from
that frame (pixels only), and the analyst's own exposure figures."""

from __future__ import annotations

import json

import av
import numpy as np
import pytest
from PIL import Image

from desktop.cli import main
from desktop.store import exposure, items
from desktop.store.db import open_case


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _clip(case) -> int:
    db = open_case(case)
    return next(m["id"] for m in items.iter_media(db) if m["files"][0]["path"].endswith("clip.mp4"))


def _frame_at(path, seconds: float) -> np.ndarray:
    """The frame PyAV decodes at that time, by itself (what the export must match)."""
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time >= seconds - 0.05:
                return frame.to_ndarray(format="rgb24")
    raise AssertionError("no frame")


def test_a_clue_on_a_frame_round_trips_with_its_time_and_exports_that_frame(
    capsys, video_case, video_evidence, tmp_path
):
    clip = _clip(video_case)
    code, out, err = run(capsys, "clue", "add", "--case", video_case, "--media", clip, "--kind",
                         "text", "--label", "sign", "--region", "8,4,40,30", "--time", "0:02.5",
                         "--json")  # fmt: skip
    assert code == 0, err
    clue = json.loads(out)
    assert clue["time"] == 2.5 and clue["region"] == {"x": 8, "y": 4, "w": 40, "h": 30}
    code, out, _ = run(capsys, "clues", "--case", video_case)
    assert "of the frame at 0:02.5" in out
    code, out, _ = run(capsys, "clues", "--case", video_case, "--json")
    assert json.loads(out)[0]["time"] == 2.5
    crop = tmp_path / "out" / "sign.png"
    crop.parent.mkdir()
    code, out, err = run(capsys, "clue", "export", "--case", video_case, clue["clue_id"], crop)
    assert code == 0, err
    exported = Image.open(crop)
    assert exported.size == (40, 30) and not exported.info.get("exif")
    expected = _frame_at(video_evidence / "clip.mp4", 2.5)[4:34, 8:48].astype(int)
    assert np.abs(np.asarray(exported.convert("RGB")).astype(int) - expected).mean() < 3
    sidecar = json.loads(crop.with_suffix(".json").read_text())
    assert sidecar["time"] == 2.5 and "path" not in json.dumps(sidecar).lower().replace(
        "crop_path", ""
    )
    code, _, err = run(capsys, "clue", "add", "--case", video_case, "--media", clip, "--kind",
                       "text", "--label", "x", "--time", "2:00")  # fmt: skip
    assert code != 0 and "outside video" in err and "Traceback" not in err
    with pytest.raises(SystemExit):  # argparse's own refusal, with its usage line
        run(capsys, "clue", "add", "--case", video_case, "--media", clip, "--kind", "text",
            "--label", "x", "--time", "soon")  # fmt: skip
    assert "not a time" in capsys.readouterr().err


def test_info_exposure_shows_only_the_analysts_own_figures(capsys, video_case):
    code, out, _ = run(capsys, "info", "--case", video_case, "--exposure")
    assert code == 0 and "No exposure recorded" in out
    db = open_case(video_case)
    exposure.record(db, "video", 1, 75.0, started_at="x", how="held", where="player")
    exposure.record(db, "sound", 1, 6.0, started_at="x", how="toggle", where="player")
    code, out, _ = run(capsys, "info", "--case", video_case, "--exposure")
    assert "1:15" in out and "0:06" in out
    code, out, _ = run(capsys, "info", "--case", video_case, "--exposure", "--json")
    (day,) = json.loads(out)["days"]
    assert (day["picture"], day["video"], day["sound"]) == (0.0, 75.0, 6.0)
