"""`vigil groups` and `vigil similar`: JSON shapes, plain output, clear errors."""

from __future__ import annotations

import json

from desktop.cli import main
from desktop.core.samples import scene


def test_groups_json_shape(sample_case, capsys):
    assert main(["groups", "--case", str(sample_case), "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)
    assert groups and all(len(g) >= 2 for g in groups)
    assert [len(g) for g in groups] == sorted((len(g) for g in groups), reverse=True)
    member = groups[0][0]
    assert {"media_id", "sha256", "paths"} <= set(member)
    assert len(member["sha256"]) == 64 and member["paths"]


def test_groups_plain_and_strictness(sample_case, capsys):
    assert main(["groups", "--case", str(sample_case), "--strictness", "loose"]) == 0
    assert "strictness loose" in capsys.readouterr().out


def test_similar_from_file_and_media(sample_case, sample_evidence, tmp_path, capsys):
    probe = tmp_path / "probe.png"
    scene(3, (320, 240)).rotate(90, expand=True).save(probe)
    assert main(["similar", "--case", str(sample_case), str(probe), "--json", "--top", "3"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert len(results) == 3
    assert results[0]["near_duplicate"]
    assert any("IMG_1003" in p for p in results[0]["paths"])
    media_id = results[0]["media_id"]
    assert main(["similar", "--case", str(sample_case), f"#{media_id}", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)  # #12 as the other commands take it
    assert all(r["media_id"] != media_id for r in again)
    assert [r["distance"] for r in again] == sorted(r["distance"] for r in again)


def test_similar_errors_are_one_sentence(sample_case, capsys):
    assert main(["similar", "--case", str(sample_case), "999999"]) == 2
    assert "no media #999999" in capsys.readouterr().err
    assert main(["similar", "--case", str(sample_case), "no/such/file.jpg"]) == 2
    assert "neither a media id nor an image file" in capsys.readouterr().err


def test_set_default_strictness_is_kept_and_needs_a_value(sample_case, capsys):
    from desktop.store import groups as group_store
    from desktop.store.db import open_case

    assert main(["groups", "--case", str(sample_case), "--set-default"]) == 2
    assert "--set-default needs --strictness" in capsys.readouterr().err
    args = ["groups", "--case", str(sample_case), "--strictness", "strict", "--set-default"]
    assert main(args) == 0
    capsys.readouterr()
    db = open_case(sample_case)
    assert group_store.strictness(db) == "strict"
    db.close()
    assert main(["groups", "--case", str(sample_case)]) == 0
    assert "strictness strict" in capsys.readouterr().out


def test_similar_finds_a_crop_either_way(tmp_path, capsys):
    from desktop.core.samples import jpeg_bytes

    evidence = tmp_path / "evidence"
    evidence.mkdir()
    photo = scene(321, (480, 360))
    (evidence / "photo.jpg").write_bytes(jpeg_bytes(photo, 85))
    (evidence / "other.jpg").write_bytes(jpeg_bytes(scene(322, (480, 360)), 85))
    case = str(tmp_path / "case.vigil")
    assert main(["ingest", "--case", case, str(evidence)]) == 0
    probe = tmp_path / "crop.png"  # not in the case: keeps 77% of the photo, off centre
    photo.crop((50, 10, 470, 325)).save(probe)
    capsys.readouterr()
    assert main(["similar", "--case", case, str(probe), "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results[0]["paths"][0].endswith("photo.jpg")
    assert results[0]["explanation"].startswith("cropped") and results[0]["near_duplicate"]
    # and from the photo, the crop once it is in the case
    (evidence / "crop.jpg").write_bytes(probe.read_bytes())
    assert main(["ingest", "--case", case, str(evidence)]) == 0
    capsys.readouterr()
    media_id = results[0]["media_id"]
    assert main(["similar", "--case", case, str(media_id), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again[0]["paths"][0].endswith("crop.jpg") and again[0]["explanation"].startswith(
        "cropped"
    )
