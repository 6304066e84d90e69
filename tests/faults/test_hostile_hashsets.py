"""Hash sets built to hurt (issue 18, item 10): every bad record counted, never fatal, memory and
time bounded. The big ones are read in a child process under an address-space cap smaller than
the hostile part of the file (tests/helpers/bounded.py), so holding it whole fails the test.
Hostile VICS (100,000-deep nesting, a 200 MB string, a huge record, AlternativeHashes as a
number or a boolean) are in tests/core/test_vics.py, read the same way."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from helpers import tool_files
from helpers.bounded import run_bounded
from helpers.tool_files import Listed

from desktop.core.hashset_formats import detect_format, read_text_format
from desktop.core.hashsets import ReadReport
from desktop.core.vics import read_vics
from desktop.store import nsrl
from faults.bounded import assert_one_sentence, run_vigil, time_limit

MD5 = [hashlib.md5(bytes([i])).hexdigest() for i in range(4)]
PDQ = hashlib.sha256(b"pdq").hexdigest()
# The readers alone (no numpy, no Qt) take about 20 MB of address space; this cap is far below
# the hostile parts of the files below, so a reader that held one whole would die of it.
SMALL_CAP = 96 << 20

_READ = """
import json, sys
from desktop.core.hashset_formats import detect_format, read_text_format
from desktop.core.hashsets import HashSetError, ReadReport
report = ReadReport()
try:
    fmt = detect_format(sys.argv[1])
    records = [r.md5 or r.sha1 or r.pdq for r in read_text_format(sys.argv[1], fmt, report)]
except HashSetError as error:
    print(json.dumps({"refused": str(error)}))
else:
    print(json.dumps({"format": fmt, "records": records, "bad": report.bad,
                      "reasons": report.reasons}))
"""


def read_bounded(path) -> dict:
    return json.loads(run_bounded(_READ, str(path), memory=SMALL_CAP, seconds=60))


def _write(path, head: str, filler: str, count: int, tail: str):
    """head, then `filler` * `count` written in pieces (never built whole here), then tail."""
    with open(path, "w", encoding="ascii") as out:
        out.write(head)
        piece = filler * (1 << 20)
        for _ in range(count >> 20):
            out.write(piece)
        out.write(filler * (count & ((1 << 20) - 1)) + tail)
    return path


def test_a_digest_list_line_larger_than_the_memory_cap_is_one_bad_record(tmp_path):
    # the line was 1 GB (peak 2.1 GB); 256 MiB against a 96 MiB cap shows the same bound
    path = _write(tmp_path / "list.txt", f"{MD5[0]}\n", "a", 256 << 20, f"\n{MD5[1]}\n")
    found = read_bounded(path)
    assert found["format"] == "digests" and found["records"] == MD5[:2]
    assert found["bad"] == 1 and "line too long" in found["reasons"][0]


def test_a_csv_header_of_10_million_columns_is_refused_in_one_sentence(tmp_path):
    # was: 1.47 GB peak
    path = _write(tmp_path / "wide.csv", "md5", ",c", 10_000_000, f"\n{MD5[0]}{',' * 9}\n")
    found = read_bounded(path)
    assert "header is longer than 64 KiB" in found["refused"]


def test_a_csv_row_of_10_million_cells_is_one_bad_record(tmp_path):
    path = _write(tmp_path / "rows.csv", f"md5,notes\n{MD5[0]},x\n{MD5[1]}", ",", 10_000_000,
                  f"\n{MD5[2]},y\n")  # fmt: skip
    found = read_bounded(path)
    assert found["format"] == "csv" and found["records"] == [MD5[0], MD5[2]]
    assert found["bad"] == 1


def test_an_nsrl_line_of_10_million_cells_is_one_bad_record(tmp_path):
    files = [Listed("A.DLL", b"a"), Listed("B.DLL", b"b")]
    text = tool_files.nsrl_rds2([(f, 3095) for f in files])
    head, last = text.rsplit("\r\n", 2)[0], text.rsplit("\r\n", 2)[1]
    path = _write(tmp_path / "NSRLFile.txt", head + "\r\n", '"",', 10_000_000, f'""\r\n{last}\r\n')
    found = read_bounded(path)
    assert found["format"] == "nsrl" and found["bad"] == 1
    assert sorted(found["records"]) == sorted(f.md5 for f in files)


def _hashdeep_with_size(size: str) -> str:
    files = [Listed("/evidence/a.jpg", b"a"), Listed("/evidence/b.jpg", b"b")]
    return tool_files.hashdeep(files).replace(f"\n1,{files[1].md5}", f"\n{size},{files[1].md5}")


@pytest.mark.parametrize(
    "name, text, good, bad",
    [
        ("list.pdq", f"{PDQ},92\n{PDQ},{'9' * 5000}\n{PDQ},101\n", 1, 2),
        ("list.csv", f"pdq,quality\n{PDQ},92\n{PDQ},{'9' * 5000}\n{PDQ},150\n{PDQ},²\n", 1, 3),
        ("sized.csv", f"md5,size\n{MD5[0]},12\n{MD5[1]},²\n{MD5[2]},{'9' * 5000}\n", 1, 2),
        ("known.hashdeep", _hashdeep_with_size("²"), 1, 1),
    ],
)
def test_numbers_out_of_range_or_not_ascii_are_bad_records(tmp_path, name, text, good, bad):
    """A PDQ quality of 5,000 digits, or over 100, and a number in other digits ("²" is a digit
    to str.isdigit() and a ValueError to int(): a traceback before) are counted bad."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    report = ReadReport()
    records = list(read_text_format(path, detect_format(path), report))
    assert (len(records), report.bad) == (good, bad), report.reasons


def test_vics_numbers_in_other_digits_are_bad_records_or_left_out(tmp_path):
    alt = [{"HashName": "PDQ", "HashValue": f"{PDQ},²"}]
    doc = {"value": [{"MD5": MD5[0], "MediaSize": "²"},
                     {"MD5": MD5[1], "AlternativeHashes": alt}]}  # fmt: skip
    (tmp_path / "v.json").write_text(json.dumps(doc, ensure_ascii=False))
    report = ReadReport()
    records = list(read_vics(tmp_path / "v.json", report))
    assert [(r.md5, r.size) for r in records] == [(MD5[0], None)]
    assert report.bad == 1 and "quality" in report.reasons[0]


def _recursive_view(path, query: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE VIEW FILE AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
        + query
    )
    conn.close()


def test_an_nsrl_database_whose_file_is_an_endless_view_is_refused_at_once(tmp_path):
    path = tmp_path / "rds.db"
    _recursive_view(path, "SELECT printf('%064d', n) AS sha256, NULL AS sha1, NULL AS md5 FROM r")
    assert path.stat().st_size <= 8192
    ran = run_vigil("hashset", "import", path, timeout=30,
                    env={"VIGIL_HASH_LIBRARY": str(tmp_path / "lib.sqlite")})  # fmt: skip
    assert_one_sentence(ran, contains="without an NSRL table FILE")


def test_an_nsrl_query_that_gives_no_row_is_stopped_by_its_time_bound(tmp_path, monkeypatch):
    """Were a FILE that computes for ever ever let through, the query's time bound ends it:
    the set is marked incomplete, nothing hangs."""
    path = tmp_path / "rds.db"
    _recursive_view(path, "SELECT printf('%064d', max(n)) AS sha256 FROM r")
    monkeypatch.setattr(nsrl, "_file_table", lambda conn, path: {"sha256"})
    monkeypatch.setattr(nsrl, "STALL_SECONDS", 0.5)
    report = ReadReport()
    with time_limit(20):
        assert list(nsrl.read_nsrl(path, report)) == []
    assert report.truncated and "gave no row" in report.truncated_reason


def test_the_import_command_counts_hostile_records_and_keeps_the_rest(tmp_path):
    """Through `vigil hashset import` (memory cap, timeout): AlternativeHashes as a number or a
    boolean, a PDQ quality of 5,000 digits: each a counted bad record, the rest imported."""
    quality = [{"HashName": "PDQ", "HashValue": f"{PDQ},{'9' * 5000}"}]
    rows = [{"MD5": MD5[0]}, {"MD5": MD5[1], "AlternativeHashes": 7},
            {"MD5": MD5[2], "AlternativeHashes": True},
            {"MD5": MD5[3], "AlternativeHashes": quality}, {"MD5": MD5[0].upper()}]  # fmt: skip
    (tmp_path / "set.json").write_text(json.dumps({"value": rows}))
    ran = run_vigil("hashset", "import", tmp_path / "set.json", "--json", timeout=60,
                    env={"VIGIL_HASH_LIBRARY": str(tmp_path / "lib.sqlite")})  # fmt: skip
    assert ran.code == 0 and "Traceback" not in ran.stderr, ran.stderr
    result = json.loads(ran.stdout)
    assert (result["records"], result["bad_records"]) == (2, 3)
