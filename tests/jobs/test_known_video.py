"""Known video: a case video's frames against PDQ lists, ThreatExchange vPDQ files and VICS
sets carrying vPDQ frames; exact digests of videos; what the VICS export writes of a video."""

from __future__ import annotations

import json
import shutil

import av
import numpy as np
import pytest
from helpers.videos import small_video

from desktop.core.pdq import pdq_hash
from desktop.jobs.export_vics import export_vics
from desktop.jobs.hashset_import import import_hashset
from desktop.jobs.ingest import ingest
from desktop.jobs.match import match_media
from desktop.store import items
from desktop.store.db import open_case


def vpdq_lines(path) -> list[str]:
    """What ThreatExchange's vPDQ hasher writes for a video: a frame a second, PDQ of the whole
    frame, `<frame>,<quality>,<hex>,<seconds>` (computed here with Vigil's bit-exact PDQ)."""
    lines, next_second = [], 0.0
    with av.open(str(path)) as container:
        for number, frame in enumerate(container.decode(video=0)):
            if frame.time + 1e-6 < next_second:
                continue
            hex_, quality = pdq_hash(np.asarray(frame.to_image()))
            lines.append(f"{number},{quality},{hex_},{frame.time:.3f}")
            next_second += 1.0
    return lines


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("known_videos")
    known = small_video(folder / "known.mp4", seeds=(61, 62, 63), seconds_each=2.0)
    case_dir = tmp_path_factory.mktemp("case_evidence")
    small_video(case_dir / "reencoded.mkv", seeds=(61, 62, 63), seconds_each=2.0,
                codec="libvpx-vp9", size=(80, 54))  # fmt: skip
    shutil.copy(known, case_dir / "exact_copy.mp4")
    small_video(case_dir / "other.mp4", seeds=(71, 72), seconds_each=2.0)
    return folder, known, case_dir


def _case(tmp_path, case_dir):
    case = tmp_path / "c.vigil"
    ingest(case, [case_dir], workers=1)
    return open_case(case)


def _by_name(db):
    return {m["files"][0]["path"].rsplit("/", 1)[-1]: m for m in items.iter_media(db)}


def test_a_vpdq_file_makes_its_reencode_probably_known_with_times(tmp_path, videos):
    folder, known, case_dir = videos
    listing = folder / "known.vpdq.txt"
    listing.write_text("\n".join(vpdq_lines(known)) + "\n")
    result = import_hashset(listing, name="Partner videos")
    assert result.format == "vpdq" and result.records == 6
    db = _case(tmp_path, case_dir)
    match_media(db)
    media = _by_name(db)
    status = media["reencoded.mkv"]["known"]
    assert status["status"] == "probably_known"
    (match,) = status["matches"]
    assert match["matched_on"] == "vpdq" and match["frames"] >= 4
    assert match["time"] is not None and match["known_time"] is not None
    assert media["other.mp4"]["known"]["status"] is None


def test_a_known_picture_found_among_a_videos_frames(tmp_path, videos):
    folder, known, case_dir = videos
    line = vpdq_lines(known)[3].split(",")  # the frame at 3 s, as a picture's PDQ
    listing = folder / "pictures.pdq"
    listing.write_text(f"{line[2]},{line[1]},a still\n")
    import_hashset(listing, name="Stills", fmt="pdq")
    db = _case(tmp_path, case_dir)
    match_media(db)
    (match,) = _by_name(db)["reencoded.mkv"]["known"]["matches"]
    assert match["matched_on"] == "pdq frame" and match["frames"] == 1
    assert 2.0 <= match["time"] <= 4.0 and match["known_time"] is None


def test_exact_digests_of_videos_and_the_vics_round_trip(tmp_path, videos):
    folder, known, case_dir = videos
    partner = tmp_path / "partner"
    partner.mkdir()
    shutil.copy(known, partner / "known.mp4")
    source = _case(tmp_path, partner)  # the known video in a partner's case
    out = tmp_path / "partner.json"
    export_vics(source, out)
    record = json.loads(out.read_text())["value"][0]["Media"][0]
    names = [h["HashName"] for h in record["AlternativeHashes"]]
    assert names.count("vPDQ") == 6 and "PDQ" not in names
    frame = next(h["HashValue"] for h in record["AlternativeHashes"] if h["HashName"] == "vPDQ")
    number, quality, pdq, seconds = frame.split(",")
    assert len(pdq) == 64 and 0 <= int(quality) <= 100 and float(seconds) >= 0
    duration = next(e for e in record["Exifs"] if e["PropertyName"] == "Duration")
    assert duration["PropertyGroup"] == "QuickTime" and float(duration["PropertyValue"]) == 6.0
    result = import_hashset(out, name="Partner case")
    assert result.records == 1  # the video; its frames are records of their own behind it
    (tmp_path / "mine").mkdir()
    db = _case(tmp_path / "mine", case_dir)
    match_media(db)
    media = _by_name(db)
    (exact,) = media["exact_copy.mp4"]["known"]["matches"]
    assert (exact["kind"], exact["matched_on"]) == ("exact", "sha256")
    (frames,) = media["reencoded.mkv"]["known"]["matches"]
    assert frames["matched_on"] == "vpdq" and frames["set_name"] == "Partner case"


def test_vics_vpdq_values_that_are_not_frames_are_counted_bad(tmp_path):
    good = {
        "MD5": "a" * 32,
        "MediaID": 1,
        "IsPrecategorized": False,
        "AlternativeHashes": [{"HashName": "vPDQ", "HashValue": f"0,90,{'ab' * 32},0.000"}],
    }
    bad = {"MD5": "b" * 32, "MediaID": 2, "IsPrecategorized": False,
           "AlternativeHashes": [{"HashName": "vPDQ", "HashValue": "0,900,zz,x"}]}  # fmt: skip
    data = {"@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/"
            "Default/$metadata#Media", "value": [good, bad]}  # fmt: skip
    path = tmp_path / "set.json"
    path.write_text(json.dumps(data))
    result = import_hashset(path, name="Frames")
    assert (result.records, result.bad_records) == (1, 1)
    assert "vPDQ" in result.reasons[0]
