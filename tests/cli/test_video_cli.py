"""Videos in the case commands: items, items --json, info, status filters."""

from __future__ import annotations

import json

from desktop.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_items_show_duration_frames_and_sound(capsys, video_case_template):
    case = str(video_case_template)
    code, out, _ = run(capsys, "items", "--case", case)
    assert code == 0
    assert "0:04 h264, 10 fps, sound (aac)" in out and "frames kept" in out
    assert "no sound" in out
    code, out, _ = run(capsys, "items", "--case", case, "--json")
    media = json.loads(out)
    clip = next(m for m in media if m["files"][0]["path"].endswith("clip.mp4"))
    assert clip["video"]["has_audio"] and clip["video"]["kept_frames"] >= 3
    assert clip["video"]["frame_times"][0] == 0.0
    picture = next(m for m in media if m["file_type"] == "jpeg")
    assert picture["video"] is None and picture["duration"] is None


def test_partial_status_filter_and_info_counts_videos(capsys, video_case_template):
    case = str(video_case_template)
    code, out, _ = run(capsys, "items", "--case", case, "--status", "partial")
    assert code == 0 and "cut.mp4" in out and "frames kept up to" in out
    assert "clip.mp4" not in out
    code, out, _ = run(capsys, "info", "--case", case)
    assert "Videos (and animated pictures): 4" in out
    code, out, _ = run(capsys, "info", "--case", case, "--json")
    info = json.loads(out)
    assert info["videos"]["count"] == 4 and info["file_statuses"]["partial"] == 1


def test_a_stored_field_that_no_longer_parses_is_damage(capsys, tmp_path, video_case_template):
    import shutil
    import sqlite3

    case = tmp_path / "c.vigil"
    shutil.copy(video_case_template, case)
    conn = sqlite3.connect(case)
    conn.execute("UPDATE media SET exif = '{\"make\": br' WHERE exif IS NOT NULL")
    conn.commit()
    conn.close()
    code, _, err = run(capsys, "items", "--case", str(case))
    assert code == 2 and "is damaged" in err and "Traceback" not in err
