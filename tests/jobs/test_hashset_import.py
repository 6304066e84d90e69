"""The import job: every format into the library, bad records counted, failures change nothing."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from helpers.bounded import run_bounded

from desktop.core.hashsets import HashSetError
from desktop.jobs.hashset_import import import_hashset
from desktop.store import audit, hashlibrary


def md5(i):
    return hashlib.md5(str(i).encode()).hexdigest()


def vics_file(path, count, bad=()):
    media = [
        {"MD5": "nothex" if i in bad else md5(i), "MediaID": i, "Category": "1",
         "IsPrecategorized": "true", "Series": "S"}
        for i in range(count)
    ]  # fmt: skip
    doc = {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases",
        "value": [{"CaseID": "c", "CaseNumber": "N-1", "Media": media}],
    }
    path.write_text(json.dumps(doc))
    return path


def nsrl_file(path):
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE FILE (sha256 TEXT, sha1 TEXT, md5 TEXT, crc32 TEXT, file_name TEXT,"
        " file_size INTEGER, package_id INTEGER)"
    )
    rows = [
        (hashlib.sha256(b"a").hexdigest().upper(), hashlib.sha1(b"a").hexdigest().upper(),
         hashlib.md5(b"a").hexdigest().upper(), "0", "kernel32.dll", 10, 1),
        ("bad", None, None, "0", "broken.dll", 1, 1),
    ]  # fmt: skip
    conn.executemany("INSERT INTO FILE VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return path


def test_vics_import_counts_bad_records_and_records_provenance(tmp_path):
    path = vics_file(tmp_path / "agency.json", 50, bad={3, 7})
    result = import_hashset(path, name="Agency X")
    assert (result.records, result.bad_records, result.format) == (48, 2, "vics")
    assert result.info["CaseNumber"] == "N-1"
    db = hashlibrary.open_library()
    (found,) = hashlibrary.hash_sets(db)
    assert (found.name, found.record_count, found.bad_records, found.scheme) == (
        "Agency X",
        48,
        2,
        "US",
    )
    assert found.source_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [e.action for e in audit.events(db)] == ["hashset.import"]


def test_truncated_vics_keeps_good_records_and_is_marked_incomplete(tmp_path):
    path = vics_file(tmp_path / "cut.json", 20)
    text = path.read_text()
    path.write_text(text[: text.index(md5(15))])
    result = import_hashset(path)
    assert result.truncated and result.records == 15
    db = hashlibrary.open_library()
    assert hashlibrary.find_set(db, "cut").truncated


def test_nsrl_rds_is_known_good_and_read_without_touching_the_file(tmp_path):
    path = nsrl_file(tmp_path / "RDS_modern.db")
    before = path.read_bytes()
    result = import_hashset(path, name="NSRL")
    assert (result.format, result.records, result.bad_records) == ("nsrl", 1, 1)
    assert path.read_bytes() == before
    assert not (tmp_path / "RDS_modern.db-wal").exists()
    db = hashlibrary.open_library()
    assert hashlibrary.find_set(db, "NSRL").purpose == "known_good"
    ((digest, _, match),) = hashlibrary.exact_matches(db, "md5", [hashlib.md5(b"a").hexdigest()])
    assert match["purpose"] == "known_good"


def test_failed_imports_leave_the_library_as_it_was(tmp_path):
    good = vics_file(tmp_path / "good.json", 5)
    import_hashset(good, name="first")
    db = hashlibrary.open_library()
    snapshot = (hashlibrary.record_count(db), len(hashlibrary.hash_sets(db)))
    all_bad = tmp_path / "bad.txt"
    all_bad.write_text("a" * 32 + "\n")
    all_bad.write_text("zz" * 16 + "\n" + "a" * 31 + "\n")
    with pytest.raises(HashSetError):
        import_hashset(all_bad, fmt="digests")
    with pytest.raises(HashSetError, match="already has a set named"):
        import_hashset(vics_file(tmp_path / "other.json", 3), name="first")
    with pytest.raises(HashSetError, match="already in the hash library"):
        import_hashset(good, name="again")
    with pytest.raises(HashSetError, match="no file"):
        import_hashset(tmp_path / "missing.json")
    stopped = import_hashset(vics_file(tmp_path / "big.json", 12_000), cancel=lambda: True)
    assert stopped.cancelled
    calls = iter([False, False, True])  # passes the file check, stops after the first batch
    stopped = import_hashset(tmp_path / "big.json", cancel=lambda: next(calls, True))
    assert stopped.cancelled
    assert (hashlibrary.record_count(db), len(hashlibrary.hash_sets(db))) == snapshot


def test_every_text_format_imports(tmp_path):
    digest = hashlib.sha1(b"x").hexdigest()
    files = {
        "list.txt": f"# x\n{digest}\n",
        "sums.md5": f"{md5(1)}  a.jpg\n",
        "set.csv": f"md5,category\n{md5(2)},1\n",
        "pdq.txt": f"{'ab' * 32},90,label\n",
        "phash.txt": "0123456789abcdef\n",
    }
    formats = []
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        formats.append(import_hashset(tmp_path / name).format)
    assert formats == ["digests", "md5sum", "csv", "pdq", "phash"]


def digest_indexes(db):
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'hash_%'")
    return sorted(r[0] for r in rows)


def test_big_imports_rebuild_the_indexes_and_a_failure_keeps_them(tmp_path, monkeypatch):
    import desktop.jobs.hashset_import as job

    monkeypatch.setattr(job, "REBUILD_MIN_RECORDS", 0)  # every import counts as big
    import_hashset(vics_file(tmp_path / "a.json", 30), name="first")
    db = hashlibrary.open_library()
    expected = sorted(["hash_records_set", *hashlibrary.DIGEST_INDEXES])
    assert digest_indexes(db) == expected
    assert len(list(hashlibrary.exact_matches(db, "md5", [md5(3)]))) == 1
    (tmp_path / "bad.txt").write_text("zz" * 16 + "\n")
    with pytest.raises(HashSetError):
        import_hashset(tmp_path / "bad.txt", fmt="digests")
    assert digest_indexes(db) == expected


# ---- hostile lists (issue 18, item 10): bounded, every bad record counted, never fatal

_IMPORT = """
import json, os, sys
os.environ["VIGIL_HASH_LIBRARY"] = sys.argv[2]
from desktop.core.hashsets import HashSetError
from desktop.jobs.hashset_import import import_hashset
try:
    result = import_hashset(sys.argv[1], name="hostile", fmt=sys.argv[3] or None)
    print(json.dumps({"records": result.records, "bad": result.bad_records,
                      "reasons": result.reasons}))
except HashSetError as error:
    print(json.dumps({"refused": str(error)}))
"""


def import_bounded(path, tmp_path, fmt="", memory=256 << 20):
    library = str(tmp_path / "hostile-library.sqlite")
    return json.loads(run_bounded(_IMPORT, str(path), library, fmt, memory=memory))


def test_a_300_mb_line_is_counted_not_held(tmp_path):
    path = tmp_path / "digests.txt"
    md5 = "0123456789abcdef0123456789abcdef"
    with open(path, "w") as out:
        out.write(f"{md5}\n")
        for _ in range(300):
            out.write("f" * (1 << 20))
        out.write(f"\n{md5[::-1]}\n")
    found = import_bounded(path, tmp_path, "digests")
    assert (found["records"], found["bad"]) == (2, 1) and "too long" in found["reasons"][0]


def test_ten_million_columns(tmp_path):
    md5 = "0123456789abcdef0123456789abcdef"
    wide = tmp_path / "wide_header.csv"
    wide.write_text("md5," + ",".join(["c"] * 10_000_000) + f"\n{md5}\n")
    assert "header is longer" in import_bounded(wide, tmp_path)["refused"]
    rows = tmp_path / "wide_row.csv"
    rows.write_text(f"md5,notes\n{md5},x\n{md5[::-1]}," + ",".join(["c"] * 10_000_000) + "\n")
    found = import_bounded(rows, tmp_path)
    assert (found["records"], found["bad"]) == (1, 1)


def test_a_pdq_quality_of_5000_digits_is_a_bad_record(tmp_path):
    pdq = "ab" * 32
    path = tmp_path / "list_pdq.txt"
    path.write_text(f"{pdq},90\n{pdq},{'9' * 5000}\n{pdq},100,label\n")
    found = import_bounded(path, tmp_path)
    assert (found["records"], found["bad"]) == (2, 1) and "quality" in found["reasons"][0]
