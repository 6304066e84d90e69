"""VICS JSON: every scheme and version, the quirks of real files, and the writer's round trip."""

from __future__ import annotations

import codecs
import hashlib
import io
import json

import pytest
from helpers.bounded import run_bounded

from desktop.core.hashsets import HashSetError, ReadReport
from desktop.core.vics import read_vics, write_vics


def md5(i: int) -> str:
    return hashlib.md5(str(i).encode()).hexdigest()


def media(i: int, **extra) -> dict:
    record = {"MD5": md5(i), "MediaID": i, "Category": i % 3, "IsPrecategorized": True}
    record.update(extra)
    return record


def cases_doc(records, scheme="US", version="2.0"):
    context = f"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/{version}.xml/{scheme}/$metadata#Cases"
    case = {
        "CaseID": "6f1c",
        "CaseNumber": "2024-17",
        "ContactOrganization": "Unit",
        "Media": records,
    }
    return {"@odata.context": context, "value": [case]}


def write(tmp_path, doc, bom=False, name="set.json") -> str:
    path = tmp_path / name
    data = json.dumps(doc).encode("utf-8")
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return str(path)


def read(path):
    report = ReadReport()
    return list(read_vics(path, report)), report


@pytest.mark.parametrize("scheme", ["US", "UK", "CUSTOM", "Default"])
def test_cases_file_in_every_scheme(tmp_path, scheme):
    records, report = read(write(tmp_path, cases_doc([media(1), media(2)], scheme)))
    assert [r.md5 for r in records] == [md5(1), md5(2)]
    assert [r.category for r in records] == [1, 2]
    assert report.scheme == scheme
    assert report.info["CaseNumber"] == "2024-17" and report.info["vics_version"] == "2.0"


def test_bare_media_set(tmp_path):
    doc = {  # Category 1.0: some writers emit whole numbers as decimals
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media",
        "value": [media(1, Category=1.0), media(2, Category=None)],
    }
    records, report = read(write(tmp_path, doc))
    assert [r.category for r in records] == [1, None]
    assert report.scheme == "UK"


def test_version_1_with_odata_extras(tmp_path):
    item = media(5)
    item["odata.id"] = "Media('x')"
    item["AlternativeHashes@odata.navigationLinkUrl"] = "Media('x')/AlternativeHashes"
    doc = {
        "odata.metadata": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/1.3.xml#Cases",
        "value": [{"CaseID": "1", "odata.id": "Cases('1')", "Media": [item]}],
    }
    records, report = read(write(tmp_path, doc))
    assert [r.md5 for r in records] == [md5(5)]
    assert report.info["vics_version"] == "1.3" and report.scheme == "US"


def test_quirks_bom_string_booleans_upper_case_and_alternative_hashes(tmp_path):
    sha256 = hashlib.sha256(b"x").hexdigest()
    pdq = hashlib.sha256(b"p").hexdigest()
    item = media(
        1,
        MD5=md5(1).upper(),
        Category="1",
        VictimIdentified="true",
        OffenderIdentified="false",
        IsDistributed="True",
        Series="Blue Room",
        Tags="outdoor",
        SHA1=hashlib.sha1(b"x").hexdigest().upper(),
        AlternativeHashes=[
            {"MD5": md5(1), "HashName": "SHA256", "HashValue": sha256.upper()},
            {"MD5": md5(1), "HashName": "PDQ", "HashValue": pdq + ",88"},
            {"MD5": md5(1), "HashName": "pHash", "HashValue": "A1B2C3D4E5F60718"},
            {"MD5": md5(1), "HashName": "PhotoDNA", "HashValue": "AAAA"},
        ],
    )
    records, report = read(write(tmp_path, cases_doc([item]), bom=True))
    (record,) = records
    assert record.md5 == md5(1) and record.sha1 == hashlib.sha1(b"x").hexdigest()
    assert (record.sha256, record.pdq, record.pdq_quality) == (sha256, pdq, 88)
    assert record.phash == "a1b2c3d4e5f60718"
    assert (record.victim_identified, record.offender_identified, record.is_distributed) == (
        True,
        False,
        True,
    )
    assert (record.category, record.series, record.tags) == (1, "Blue Room", "outdoor")
    assert report.bad == 0


def test_malformed_records_are_counted_and_the_rest_kept(tmp_path):
    items = [
        media(1),
        media(2, MD5="12345"),
        media(3, Category="grade A"),
        media(8, Category=1.5),
        media(4, VictimIdentified="perhaps"),
        media(5, AlternativeHashes=[{"HashName": "SHA256", "HashValue": "zz"}]),
        {"MediaID": 6},
        media(7),
    ]
    records, report = read(write(tmp_path, cases_doc(items)))
    assert [r.md5 for r in records] == [md5(1), md5(7)]
    assert report.bad == 6
    assert "malformed MD5" in report.reasons[0]
    assert not report.truncated


def test_truncated_file_keeps_the_records_before_the_cut(tmp_path):
    text = json.dumps(cases_doc([media(i) for i in range(1, 11)]))
    cut = text.index(md5(8)) + 5
    path = tmp_path / "cut.json"
    path.write_text(text[:cut])
    records, report = read(str(path))
    assert [r.md5 for r in records] == [md5(i) for i in range(1, 8)]
    assert report.truncated and "cut off" in report.truncated_reason


def test_reading_streams_records_one_at_a_time(tmp_path):
    path = write(tmp_path, cases_doc([media(i) for i in range(1, 2001)]))
    records = read_vics(path, ReadReport())
    first = next(records)
    assert first.md5 == md5(1)
    assert sum(1 for _ in records) == 1999


def test_json_that_is_not_vics_is_refused(tmp_path):
    with pytest.raises(HashSetError, match="no VICS"):
        read(write(tmp_path, {"value": {"a": 1}, "other": [1, 2]}))
    path = tmp_path / "broken.json"
    path.write_text("{ this is not json")
    with pytest.raises(HashSetError, match="not valid JSON"):
        read(str(path))


def test_writer_output_reads_back_the_same(tmp_path):
    out = io.StringIO()
    records = [
        media(1, Series="S", VictimIdentified=True, Comments="ünïcode"),
        media(2, Category=None, AlternativeHashes=[{"HashName": "PDQ", "HashValue": "0" * 64}]),
    ]
    count = write_vics(out, {"CaseID": "c", "TotalMediaFiles": 2}, iter(records), scheme="UK")
    assert count == 2
    doc = json.loads(out.getvalue())
    assert doc["@odata.context"].endswith("2.0.xml/UK/$metadata#Cases")
    assert doc["value"][0]["TotalMediaFiles"] == 2
    path = tmp_path / "w.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    read_back, report = read(str(path))
    assert [(r.md5, r.category, r.series, r.victim_identified) for r in read_back] == [
        (md5(1), 1, "S", True),
        (md5(2), None, None, None),
    ]
    assert read_back[1].pdq == "0" * 64 and report.scheme == "UK"
    assert read_back[0].comments == "ünïcode"


def test_utf16_file_as_windows_tools_write_it(tmp_path):
    path = tmp_path / "u16.json"
    doc = cases_doc([media(1, Series="Éte"), media(2)])
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-16")
    records, report = read(str(path))
    assert [r.md5 for r in records] == [md5(1), md5(2)] and records[0].series == "Éte"
    assert report.info["CaseNumber"] == "2024-17"


def test_absurd_numbers_are_bad_records_not_crashes(tmp_path):
    path = tmp_path / "odd.json"
    text = json.dumps(cases_doc([media(1), media(2, MediaSize=1), media(3)]))
    path.write_text(text.replace('"MediaSize": 1', '"MediaSize": 1e400'))
    records, report = read(str(path))
    assert [r.md5 for r in records] == [md5(1), md5(3)] and report.bad == 1


# ---- what other writers do (issue 17, item 5) ----------------------------------------------------


def test_media_size_written_as_a_string_is_kept(tmp_path):
    records, report = read(write(tmp_path, cases_doc([media(1, MediaSize="52341"), media(2)])))
    assert [r.size for r in records] == [52341, None] and report.bad == 0


def test_case_details_written_after_the_media_list_are_kept(tmp_path):
    doc = cases_doc([media(1), media(2)])
    case = doc["value"][0]
    media_list = case.pop("Media")
    after = {"CaseNumber": "2024-99", "ContactOrganization": "Unit B",
             "SourceApplicationName": "Writer"}  # fmt: skip
    doc["value"][0] = {"CaseID": "6f1c", "Media": media_list, **after}
    records, report = read(write(tmp_path, doc))
    assert len(records) == 2
    assert report.info["CaseNumber"] == "2024-99" and report.info["ContactOrganization"] == "Unit B"
    assert report.info["SourceApplicationName"] == "Writer" and report.info["CaseID"] == "6f1c"


# ---- hostile files (issue 18, item 10): bounded, every bad record counted, never fatal -----------

_READ = """
import json, sys
from desktop.core.hashsets import ReadReport
from desktop.core.vics import read_vics
report = ReadReport()
md5s = [r.md5 for r in read_vics(sys.argv[1], report)]
print(json.dumps({"md5s": md5s, "bad": report.bad, "reasons": report.reasons,
                  "truncated": report.truncated_reason}))
"""


def read_bounded(path) -> dict:
    return json.loads(run_bounded(_READ, str(path)))


def hostile_doc(tmp_path, bad_record_text: str, name: str):
    """A Cases file of records 1 and 2, then the hostile record, then record 3."""
    text = json.dumps(cases_doc([media(1), media(2), {"X": 0}, media(3)]))
    path = tmp_path / name
    path.write_text(text.replace('{"X": 0}', bad_record_text))
    return path


def test_a_record_nested_100000_deep_is_counted_bad(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    path = hostile_doc(tmp_path, f'{{"MD5": "{md5(9)}", "Tags": {deep}}}', "deep.json")
    found = read_bounded(path)
    assert found["md5s"] == [md5(1), md5(2)] and found["bad"] == 1
    assert "nested deeper" in found["reasons"][0] and "stopped" in found["truncated"]


def test_a_200_mb_string_is_counted_bad(tmp_path):
    path = tmp_path / "long.json"
    head, tail = json.dumps(cases_doc([media(1), {"X": 0}])).split('{"X": 0}')
    with open(path, "w") as out:
        out.write(head + f'{{"MD5": "{md5(9)}", "Comments": "')
        for _ in range(200):
            out.write("x" * (1 << 20))
        out.write('"}' + tail)
    found = read_bounded(path)
    assert found["md5s"] == [md5(1)] and found["bad"] == 1
    assert "longer than" in found["reasons"][0]


def test_a_huge_flat_record_is_counted_bad(tmp_path):
    wide = "[" + ",".join(["1"] * 10_000_000) + "]"
    path = hostile_doc(tmp_path, f'{{"MD5": "{md5(9)}", "Tags": {wide}}}', "wide.json")
    found = read_bounded(path)
    assert found["md5s"] == [md5(1), md5(2)] and "larger than" in found["reasons"][0]


@pytest.mark.parametrize("value", [7, True, "x", {"HashName": "PDQ"}])
def test_alternative_hashes_that_are_not_a_list_are_bad_records(tmp_path, value):
    path = write(tmp_path, cases_doc([media(1), media(2, AlternativeHashes=value), media(3)]))
    records, report = read(path)
    assert [r.md5 for r in records] == [md5(1), md5(3)] and report.bad == 1


def test_a_pdq_quality_of_5000_digits_is_a_bad_record(tmp_path):
    alt = [{"HashName": "PDQ", "HashValue": "a" * 64 + "," + "9" * 5000}]
    odd_name = [{"HashName": ["PDQ"], "HashValue": "a" * 64}]
    path = write(
        tmp_path, cases_doc([media(1, AlternativeHashes=alt), media(2, AlternativeHashes=odd_name)])
    )
    records, report = read(path)
    assert [r.md5 for r in records] == [md5(2)] and report.bad == 1
    assert "quality" in report.reasons[0]


def test_escaped_quotes_and_brackets_in_strings_are_not_structure(tmp_path):
    tricky = 'a \\" [[[[ {{{{ \\\\'
    records, report = read(write(tmp_path, cases_doc([media(1, Comments=tricky * 30), media(2)])))
    assert [r.md5 for r in records] == [md5(1), md5(2)] and report.bad == 0
    assert records[0].comments == (tricky * 30).strip()
