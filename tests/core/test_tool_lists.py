"""Hash lists other tools write, each read as the tool meant it (issue 17, items 6-10)."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from helpers import tool_files
from helpers.tool_files import Listed

from desktop.core.hashset_formats import detect_format, read_text_format
from desktop.core.hashsets import AmbiguousFormat, HashSetError, ReadReport
from desktop.store import nsrl

FILES = [
    Listed("/evidence/DCIM/IMG_0001.jpg", b"first picture"),
    Listed("/evidence/a, b and c.jpg", b"a name with commas"),
    Listed("/evidence/empty.txt", b""),
]
WINDOWS = [Listed("C:\\Users\\analyst\\Desktop\\café.jpg", b"one"),
           Listed("C:\\Evidence\\two.png", b"two")]  # fmt: skip


def read(path, fmt=None):
    fmt = fmt or detect_format(path)
    report = ReadReport()
    return fmt, list(read_text_format(path, fmt, report)), report


def test_hashdeep_native_format(tmp_path):
    path = tmp_path / "known.hashdeep"
    path.write_text(tool_files.hashdeep(FILES))
    fmt, records, report = read(path)
    assert fmt == "hashdeep" and report.bad == 0
    assert [(r.md5, r.sha256, r.size, r.label) for r in records] == [
        (f.md5, f.sha256, len(f.content), f.path) for f in FILES
    ]
    path.write_text(tool_files.hashdeep(FILES[:1], columns=("md5", "sha1", "sha256")))
    assert read(path)[1][0].sha1 == FILES[0].sha1


def test_md5deep_size_mode(tmp_path):
    path = tmp_path / "md5deep.txt"
    path.write_text(tool_files.md5deep_sized(FILES))
    fmt, records, report = read(path)
    assert fmt == "md5deep" and report.bad == 0
    assert [(r.md5, r.size, r.label) for r in records] == [
        (f.md5, len(f.content), f.path) for f in FILES
    ]
    path.write_text(tool_files.md5deep_sized(FILES, "sha256"))
    assert [r.sha256 for r in read(path)[1]] == [f.sha256 for f in FILES]


@pytest.mark.parametrize("windows7", [False, True])
@pytest.mark.parametrize("encoding", ["cp850", "utf-16"])  # cmd's redirect; PowerShell's
def test_certutil_output(tmp_path, windows7, encoding):
    path = tmp_path / "hashes.txt"
    path.write_bytes(tool_files.certutil(WINDOWS, "SHA1", windows7).encode(encoding))
    fmt, records, report = read(path)
    assert fmt == "certutil" and report.bad == 0
    assert [r.sha1 for r in records] == [f.sha1 for f in WINDOWS]
    # labels are exact where the encoding is known (an OEM code page is not: é shows as �)
    assert records[1].label == WINDOWS[1].path
    if encoding == "utf-16":
        assert records[0].label == WINDOWS[0].path


def test_nsrl_rds2_text_is_known_good_with_its_size(tmp_path):
    path = tmp_path / "NSRLFile.txt"
    path.write_text(tool_files.nsrl_rds2([(FILES[0], 3095), (FILES[1], 1200)]))
    fmt, records, report = read(path)
    assert fmt == "nsrl" and report.bad == 0
    by_sha1 = {r.sha1: r for r in records}
    assert by_sha1[FILES[0].sha1].md5 == FILES[0].md5
    assert by_sha1[FILES[0].sha1].size == len(FILES[0].content)
    assert by_sha1[FILES[1].sha1].label == FILES[1].path


@pytest.mark.parametrize("encoding", ["ascii", "utf-16"])  # 5.1's default; -Encoding Unicode
def test_powershell_get_filehash_export_csv(tmp_path, encoding):
    path = tmp_path / "hashes.csv"
    files = [Listed("C:\\Evidence\\one.jpg", b"one"), WINDOWS[1]]
    path.write_bytes(tool_files.powershell_export_csv(files).encode(encoding))
    fmt, records, report = read(path)
    assert fmt == "csv" and report.bad == 0
    assert [(r.sha256, r.label) for r in records] == [(f.sha256, f.path) for f in files]


def test_a_threatexchange_pdq_list_is_not_taken_for_sha256(tmp_path):
    hashes = [hashlib.sha256(bytes([i])).hexdigest() for i in range(5)]
    path = tmp_path / "export.txt"
    path.write_text(tool_files.threatexchange_pdq(hashes))
    with pytest.raises(AmbiguousFormat, match="--format digests or --format pdq"):
        detect_format(path)
    assert [r.pdq for r in read(path, "pdq")[1]] == hashes


def test_nsrl_file_as_a_view_is_refused(tmp_path):
    """FILE must be NSRL's table: a view can be made to run for ever (issue 18, item 10)."""
    path = tmp_path / "rds.db"
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE VIEW FILE AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"
        " SELECT printf('%064d', n) AS sha256, NULL AS sha1, NULL AS md5 FROM r"
    )
    conn.close()
    with pytest.raises(HashSetError, match="without an NSRL table FILE"):
        list(nsrl.read_nsrl(path, ReadReport()))


def test_a_statement_that_gives_no_row_is_stopped():
    conn = sqlite3.connect(":memory:")
    stall = nsrl._Stall(limit=0.2)
    conn.set_progress_handler(stall, 1000)
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        conn.execute(
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT max(n) FROM r"
        ).fetchone()
    assert stall.stalled
