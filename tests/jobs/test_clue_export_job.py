"""The clue export job: crop from the verified evidence, sidecar, refusals, audit event."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from desktop.core.media import decode_reduced
from desktop.core.regions import Region
from desktop.jobs.clue_export import ClueExportError, export_clue
from desktop.store import audit, clues
from desktop.store.db import open_case


@pytest.fixture
def db(sample_case):
    return open_case(sample_case)


def _picture_with_exif(db) -> tuple[int, bytes, str]:
    media_id, sha256, path = db.execute(
        "SELECT m.id, m.sha256, f.path_raw FROM media m JOIN files f ON f.media_id = m.id"
        " WHERE m.status = 'ok' AND m.file_type = 'jpeg' AND m.gps_lat IS NOT NULL"
        " ORDER BY m.id LIMIT 1"
    ).fetchone()
    return media_id, bytes(path), sha256


def test_export_writes_region_pixels_without_exif_and_a_sidecar(db, tmp_path):
    media_id, path, sha256 = _picture_with_exif(db)
    with open(path, "rb") as handle:
        source = handle.read()
    assert len(Image.open(io.BytesIO(source)).getexif()) > 0  # the evidence does carry EXIF
    clue = clues.add_clue(
        db, media_id, "object", "water bottle", "blue cap", Region(50, 40, 80, 60)
    )
    result = export_clue(db, clue.id, tmp_path / "bottle.png", [Region(50, 40, 10, 10)])
    crop = Image.open(result.crop_path)
    assert crop.size == (80, 60) and len(crop.getexif()) == 0
    assert not {"exif", "icc_profile", "xmp"} & set(crop.info)
    expected = np.asarray(decode_reduced(source, full=True).image)[40:100, 50:130].copy()
    expected[:10, :10] = 0
    assert np.array_equal(np.asarray(crop.convert("RGB")), expected)
    meta = json.loads(result.sidecar_path.read_text("utf-8"))
    assert meta["source_sha256"] == sha256
    assert (meta["kind"], meta["label"], meta["note"]) == ("object", "water bottle", "blue cap")
    assert (
        meta["case_reference"]
        == db.execute("SELECT value FROM case_info WHERE key = 'case_id'").fetchone()[0]
    )
    assert meta["crop_sha256"] == hashlib.sha256(result.crop_path.read_bytes()).hexdigest()
    assert os.fsencode(path) not in result.sidecar_path.read_bytes()
    event = list(audit.events(db))[-1].as_dict()
    assert event["action"] == "clue.export" and event["after"]["crop_sha256"] == meta["crop_sha256"]


def test_export_refuses_clue_without_region_existing_file_and_evidence_folder(db, tmp_path):
    media_id, path, _ = _picture_with_exif(db)
    bare = clues.add_clue(db, media_id, "text", "newspaper")
    with pytest.raises(ClueExportError, match="no region"):
        export_clue(db, bare.id, tmp_path / "x.png")
    clue = clues.add_clue(db, media_id, "text", "newspaper", region=Region(0, 0, 20, 20))
    (tmp_path / "taken.png").write_bytes(b"")
    with pytest.raises(ClueExportError, match="already exists"):
        export_clue(db, clue.id, tmp_path / "taken.png")
    with pytest.raises(ClueExportError, match="inside the evidence"):
        export_clue(db, clue.id, os.path.join(os.path.dirname(path), b"crop.png").decode())
    with pytest.raises(ClueExportError, match=".png or .jpg"):
        export_clue(db, clue.id, tmp_path / "x.gif")


def test_export_refuses_evidence_that_changed_since_ingest(db, tmp_path):
    media_id, path, _ = _picture_with_exif(db)
    clue = clues.add_clue(db, media_id, "text", "newspaper", region=Region(0, 0, 20, 20))
    # every copy of the media now holds other bytes (edited after ingest)
    file_ids = [r[0] for r in db.execute("SELECT id FROM files WHERE media_id = ?", [media_id])]
    for index, file_id in enumerate(file_ids):
        copy = tmp_path / f"moved{index}.jpg"
        shutil.copy(path, copy)
        copy.write_bytes(copy.read_bytes()[:-10])
        db.execute("UPDATE files SET path_raw = ? WHERE id = ?", [os.fsencode(copy), file_id])
    with pytest.raises(ClueExportError, match="content recorded at ingest"):
        export_clue(db, clue.id, tmp_path / "out.png")
    assert not (tmp_path / "out.png").exists()


def test_an_export_the_audit_log_cannot_record_leaves_no_file(db, tmp_path, monkeypatch):
    media_id, _, _ = _picture_with_exif(db)
    clue = clues.add_clue(db, media_id, "text", "newspaper", region=Region(0, 0, 20, 20))

    def broken_append(*args, **kwargs):
        raise RuntimeError("disk full while auditing")

    monkeypatch.setattr(audit, "append", broken_append)
    out = tmp_path / "exports"
    out.mkdir()
    with pytest.raises(RuntimeError):
        export_clue(db, clue.id, out / "crop.png")
    assert list(out.iterdir()) == []
