"""Plain hash lists: digest lists, md5sum output, CSV, PDQ and pHash lists, with their quirks."""

from __future__ import annotations

import codecs
import hashlib

import pytest

from desktop.core.hashset_formats import detect_format, read_text_format
from desktop.core.hashsets import AmbiguousFormat, HashSetError, ReadReport, to_bool

MD5 = hashlib.md5(b"one").hexdigest()
SHA1 = hashlib.sha1(b"two").hexdigest()
SHA256 = hashlib.sha256(b"three").hexdigest()
PDQ = hashlib.sha256(b"pdq").hexdigest()


def read(tmp_path, text, name="list.txt", fmt=None, bom=False):
    path = tmp_path / name
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"))
    fmt = fmt or detect_format(path)
    report = ReadReport()
    return fmt, list(read_text_format(path, fmt, report)), report


def test_digest_list_told_apart_by_length_with_comments_bom_and_upper_case(tmp_path):
    text = f"# known files\n\n{MD5.upper()}\n{SHA1}\n{SHA256}\nnot-a-digest\n{MD5[:-1]}\n"
    fmt, records, report = read(tmp_path, text, bom=True)
    assert fmt == "digests"
    assert [(r.md5, r.sha1, r.sha256) for r in records] == [
        (MD5, None, None),
        (None, SHA1, None),
        (None, None, SHA256),
    ]
    assert report.bad == 2
    assert "line 6" in report.reasons[0] and "line 7" in report.reasons[1]


def test_md5sum_and_sha1sum_output_gnu_binary_and_bsd(tmp_path):
    text = f"{MD5}  pictures/a b.jpg\n{SHA1} *binary.jpg\nSHA256 (c.jpg) = {SHA256.upper()}\n"
    fmt, records, report = read(tmp_path, text)
    assert fmt == "md5sum"
    assert [(r.md5 or r.sha1 or r.sha256, r.label) for r in records] == [
        (MD5, "pictures/a b.jpg"),
        (SHA1, "binary.jpg"),
        (SHA256, "c.jpg"),
    ]
    assert report.bad == 0


def test_csv_with_header_category_series_flags_and_a_bad_row(tmp_path):
    text = (
        "MD5,SHA-256,Category,Series,Notes,Victim Identified\n"
        f"{MD5},{SHA256},1,Series One,seen before,true\n"
        f"{MD5[:30]},,2,,,false\n"
        f",{SHA256},x,,,\n"
        f"{MD5},,,,,\n"
    )
    fmt, records, report = read(tmp_path, text, name="set.csv")
    assert fmt == "csv"
    assert len(records) == 2
    first = records[0]
    assert (first.md5, first.sha256, first.category, first.series) == (MD5, SHA256, 1, "Series One")
    assert first.comments == "seen before" and first.victim_identified is True
    assert records[1].category is None
    assert report.bad == 2
    assert "malformed MD5" in report.reasons[0] and "category" in report.reasons[1]


def test_csv_semicolons_and_a_generic_hash_column(tmp_path):
    text = f"hash;category\n{SHA1};2\n{SHA256};1\n"
    fmt, records, _ = read(tmp_path, text, name="set.csv")
    assert fmt == "csv"
    assert (records[0].sha1, records[0].category) == (SHA1, 2)
    assert (records[1].sha256, records[1].category) == (SHA256, 1)


def test_csv_without_a_hash_column_is_refused(tmp_path):
    with pytest.raises(HashSetError, match="no hash column"):
        read(tmp_path, "name,notes\nx,y\n", name="set.csv", fmt="csv")


def test_pdq_list_with_quality_and_label(tmp_path):
    text = f"{PDQ},92,series-7\n{PDQ.upper()},40\n{PDQ}\n{PDQ[:60]},90\n{PDQ},101\n"
    fmt, records, report = read(tmp_path, text, name="hashes.pdq")
    assert fmt == "pdq"
    assert [(r.pdq, r.pdq_quality, r.label) for r in records] == [
        (PDQ, 92, "series-7"),
        (PDQ, 40, None),
        (PDQ, None, None),
    ]
    assert report.bad == 2


def test_a_bare_64_hex_list_is_not_guessed(tmp_path):
    """ThreatExchange's PDQ lists are bare 64-hex lines, like a SHA-256 list: Vigil says so and
    asks, unless the file's name says which (issue 17, item 10)."""
    with pytest.raises(AmbiguousFormat, match="SHA-256 digests or PDQ") as error:
        read(tmp_path, f"{PDQ}\n{SHA256}\n", name="list.txt")
    assert error.value.choices == ("digests", "pdq")
    assert read(tmp_path, f"{PDQ}\n", name="list.txt", fmt="pdq")[1][0].pdq == PDQ
    assert read(tmp_path, f"{PDQ}\n", name="threatexchange_pdq.txt")[0] == "pdq"
    assert read(tmp_path, f"{PDQ}\n", name="evidence.sha256.txt")[0] == "digests"
    assert read(tmp_path, f"{MD5}\n{SHA256}\n", name="list.txt")[0] == "digests"


def test_phash_list(tmp_path):
    fmt, records, report = read(tmp_path, "c3d4e5f6a7b8c9d0\nC3D4E5F6A7B8C9D1\nxyz\n")
    assert fmt == "phash"
    assert [r.phash for r in records] == ["c3d4e5f6a7b8c9d0", "c3d4e5f6a7b8c9d1"]
    assert report.bad == 1


def test_phash_list_as_imagehash_writes_it(tmp_path):
    import imagehash

    from desktop.core import samples

    hashes = [str(imagehash.phash(samples.scene(seed))) for seed in range(3)]
    fmt, records, report = read(tmp_path, "".join(f"{h}\n" for h in hashes))
    assert (fmt, [r.phash for r in records], report.bad) == ("phash", hashes, 0)


def test_detects_vics_and_sqlite_and_refuses_foreign_files(tmp_path):
    (tmp_path / "v.json").write_bytes(codecs.BOM_UTF8 + b' {"value": []}')
    assert detect_format(tmp_path / "v.json") == "vics"
    (tmp_path / "n.db").write_bytes(b"SQLite format 3\x00" + bytes(100))
    assert detect_format(tmp_path / "n.db") == "nsrl"
    (tmp_path / "pic.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(50))
    with pytest.raises(HashSetError, match="binary"):
        detect_format(tmp_path / "pic.jpg")
    (tmp_path / "prose.txt").write_text("Dear colleague, please find attached.\n")
    with pytest.raises(HashSetError, match="not a hash set"):
        detect_format(tmp_path / "prose.txt")
    (tmp_path / "empty.txt").write_text("# nothing\n\n")
    with pytest.raises(HashSetError, match="no hashes"):
        detect_format(tmp_path / "empty.txt")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), ("true", True), ("False", False), ("1", True), (0, False), (None, None)],
)
def test_string_booleans(value, expected):
    assert to_bool(value) is expected


def test_utf16_digest_list_from_powershell(tmp_path):
    path = tmp_path / "hashes.txt"
    path.write_text(f"{SHA256.upper()}\r\n{MD5}\r\n", encoding="utf-16")
    fmt = detect_format(path)
    report = ReadReport()
    records = list(read_text_format(path, fmt, report))
    assert fmt == "digests" and [r.sha256 or r.md5 for r in records] == [SHA256, MD5]


def test_csv_lines_the_csv_module_refuses_are_counted(tmp_path):
    text = f"md5,notes\n{MD5},fine\n{MD5},{'x' * 200_000}\n{MD5},after\n"
    fmt, records, report = read(tmp_path, text, name="set.csv")
    assert [r.comments for r in records] == ["fine", "after"]
    assert report.bad == 1 and "line too long" in report.reasons[0]
