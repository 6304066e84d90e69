"""VICS export details: category schemes are never mixed, the analyst's category wins."""

from __future__ import annotations

import json
import os
import re

import pytest

from desktop.core import samples
from desktop.core.vics import name_bytes, name_text
from desktop.jobs.export_vics import export_vics
from desktop.jobs.hashset_import import import_hashset
from desktop.jobs.ingest import ingest
from desktop.jobs.match import match_media
from desktop.store import hashlibrary, items
from desktop.store.db import open_case


def uk_set(path, md5):
    doc = {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media",
        "value": [{"MD5": md5, "MediaID": 1, "Category": 1, "IsPrecategorized": True}],
    }
    path.write_text(json.dumps(doc))
    return path


def exported(db, tmp_path):
    export_vics(db, tmp_path / "out.json")
    media = json.loads((tmp_path / "out.json").read_text())["value"][0]["Media"]
    return {m["MD5"]: m for m in media}


def test_a_uk_grade_is_not_exported_as_a_us_category(tmp_path, sample_case):
    db = open_case(sample_case)
    first, second = list(items.iter_media(db))[:2]
    import_hashset(uk_set(tmp_path / "caid.json", first["md5"]), name="CAID")
    (tmp_path / "list.csv").write_text(f"md5,category\n{second['md5']},2\n")
    import_hashset(tmp_path / "list.csv", name="plain list")
    match_media(db)
    out = exported(db, tmp_path)
    assert (out[first["md5"]]["Category"], out[first["md5"]]["IsPrecategorized"]) == (None, False)
    assert (out[second["md5"]]["Category"], out[second["md5"]]["IsPrecategorized"]) == (2, True)
    assert out[second["md5"]]["PrecategorizationSource"] == "plain list"


def test_the_analysts_category_wins_over_a_hash_set(tmp_path, sample_case):
    review = pytest.importorskip("desktop.store.review")
    db = open_case(sample_case)
    first = next(items.iter_media(db))
    (tmp_path / "list.csv").write_text(f"md5,category\n{first['md5']},1\n")
    import_hashset(tmp_path / "list.csv")
    match_media(db)
    review.set_category(db, [first["id"]], 4)
    record = exported(db, tmp_path)[first["md5"]]
    assert (record["Category"], record["IsPrecategorized"]) == (4, False)
    assert record["PrecategorizationSource"] is None


# ---- what other tools read (issue 17, items 1-5) -------------------------------------------------


def test_pdq_quality_survives_the_round_trip(tmp_path, sample_case):
    """The PDQ goes out with its quality (`<hex>,<quality>`), so a library made from the export
    applies the quality rule of matching; before, every record came back without one."""
    db = open_case(sample_case)
    media = list(items.iter_media(db))
    export_vics(db, tmp_path / "out.json")
    result = import_hashset(tmp_path / "out.json", name="round trip")
    assert result.records == len(media)
    library = hashlibrary.open_library()
    stored = dict(library.execute("SELECT md5, pdq_quality FROM hash_records").fetchall())
    for m in media:
        pdq = [h for h in m["perceptual_hashes"] if h["algorithm"] == "pdq"
               and h["variant"] == "original"]  # fmt: skip
        if pdq:
            assert stored[m["md5"]] == pdq[0]["quality"] is not None


def iped_reads(doc: dict) -> bool:
    """IPED's hash-set importer takes only the Media contexts: VICS 1.3 `#Media` and 2.0
    `Default/$metadata#Media`, with `value` the list of Media records."""
    context = doc.get("@odata.context") or doc.get("odata.metadata") or ""
    media_context = context.endswith("1.3.xml#Media") or context.endswith(
        "2.0.xml/Default/$metadata#Media"
    )
    return media_context and all("MD5" in m for m in doc["value"])


def test_the_media_form_is_what_ipeds_importer_takes(tmp_path, sample_case):
    db = open_case(sample_case)
    export_vics(db, tmp_path / "cases.json")
    summary = export_vics(db, tmp_path / "media.json", form="media")
    cases, media = (json.loads((tmp_path / n).read_text()) for n in ("cases.json", "media.json"))
    assert not iped_reads(cases) and iped_reads(media)
    assert summary["form"] == "media" and len(media["value"]) == items.media_count(db)
    # the same Media records in both forms, and Vigil reads both back alike
    assert [m["MD5"] for m in media["value"]] == [m["MD5"] for m in cases["value"][0]["Media"]]
    assert import_hashset(tmp_path / "media.json", name="media").records == summary["media"]


def test_paths_say_where_copies_were_found_without_the_absolute_evidence_path(
    tmp_path, sample_case, sample_evidence
):
    db = open_case(sample_case)
    export_vics(db, tmp_path / "out.json")
    text = (tmp_path / "out.json").read_text()
    records = json.loads(text)["value"][0]["Media"]
    assert all("RelativeFilePath" not in r for r in records)
    for record, media in zip(records, items.iter_media(db), strict=True):
        for entry, f in zip(record["MediaFiles"], media["files"], strict=True):
            # a reader that joins FilePath and FileName gets the path, with the name once
            assert os.path.join(entry["FilePath"], entry["FileName"]) == f["path"]
            assert not entry["FilePath"].endswith(entry["FileName"])


def test_exifs_use_the_exif_tag_names(tmp_path, sample_case):
    db = open_case(sample_case)
    export_vics(db, tmp_path / "out.json")
    records = json.loads((tmp_path / "out.json").read_text())["value"][0]["Media"]
    properties = {(e["PropertyGroup"], e["PropertyName"]) for r in records for e in r["Exifs"]}
    assert {("IFD0", "Make"), ("IFD0", "Model"), ("ExifIFD", "BodySerialNumber"),
            ("ExifIFD", "DateTimeOriginal"), ("GPS", "GPSLatitude"),
            ("GPS", "GPSLatitudeRef")} <= properties  # fmt: skip
    names = {name for _, name in properties}
    assert not names & {"serial_number", "gps_latitude", "make", "datetime_original"}
    taken = next(e["PropertyValue"] for r in records for e in r["Exifs"]
                 if e["PropertyName"] == "DateTimeOriginal")  # fmt: skip
    assert re.fullmatch(r"\d{4}:\d\d:\d\d \d\d:\d\d:\d\d", taken)


def test_a_name_that_is_not_utf8_goes_out_losslessly(tmp_path):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    raw_name = os.fsencode(evidence) + b"/caf\xe9 100%.jpg"
    with open(raw_name, "wb") as handle:
        handle.write(samples.jpeg_bytes(samples.scene(3, (160, 120))))
    ingest(tmp_path / "c.vigil", [evidence], workers=1)
    db = open_case(tmp_path / "c.vigil")
    export_vics(db, tmp_path / "out.json")
    (record,) = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["value"][0]["Media"]
    (entry,) = record["MediaFiles"]
    assert entry["FileName"] == "caf%E9 100%25.jpg"
    folder, name = name_bytes(entry["FilePath"]), name_bytes(entry["FileName"])
    assert folder + b"/" + name == raw_name
    assert name_text("plain é.jpg".encode()) == "plain é.jpg"  # UTF-8 names are left alone
