"""Hash-set records and streaming readers for plain digest, md5sum, CSV, PDQ and pHash lists."""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

HEX = re.compile(r"[0-9a-fA-F]+")  # use fullmatch: "$" would let a final newline in
DIGEST_LENGTHS = {32: "md5", 40: "sha1", 64: "sha256"}
PERCEPTUAL_LENGTHS = {"pdq": 64, "phash": 16}
MAX_REASONS = 20  # the report keeps the first few reasons; the count covers all of them
MAX_LINE = 1 << 16  # a "line" longer than this is not a hash list line (binary, minified JSON)
FORMATS = ("vics", "digests", "md5sum", "csv", "nsrl", "pdq", "phash")
SQLITE_HEADER = b"SQLite format 3\x00"
HEAD_BYTES = 65536  # how much of a file detection looks at


class HashSetError(Exception):
    """A file that is not a hash set Vigil can read; the message is one sentence for the user."""


@dataclass
class HashRecord:
    """One known item: exact digests and/or perceptual hashes, with what is known about it."""

    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    pdq: str | None = None
    pdq_quality: int | None = None
    phash: str | None = None
    category: int | None = None
    series: str | None = None
    victim_identified: bool | None = None
    offender_identified: bool | None = None
    is_distributed: bool | None = None
    tags: str | None = None
    comments: str | None = None
    label: str | None = None  # a file name or list label (NSRL file name, PDQ list label)
    size: int | None = None

    def has_hash(self) -> bool:
        return any((self.md5, self.sha1, self.sha256, self.pdq, self.phash))


@dataclass
class ReadReport:
    """What a reader saw: its format, records kept and rejected (with the first reasons)."""

    format: str = ""
    scheme: str | None = None
    good: int = 0
    bad: int = 0
    reasons: list[str] = field(default_factory=list)
    truncated: bool = False
    truncated_reason: str | None = None
    info: dict[str, Any] = field(default_factory=dict)  # case number, organisation, ...

    def reject(self, where: str, why: str) -> None:
        self.bad += 1
        if len(self.reasons) < MAX_REASONS:
            self.reasons.append(f"{where}: {why}")

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class BadRecord(ValueError):
    """A record with a malformed field; it is counted and skipped, the import goes on."""


def clean_hex(value: Any, length: int, name: str) -> str | None:
    """Lower-case hex of the given length, None when absent; BadRecord when malformed."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if len(text) != length or not HEX.fullmatch(text):
        raise BadRecord(f"malformed {name} {text[:80]!r}")
    return text.lower()


def to_bool(value: Any) -> bool | None:
    """VICS booleans: true/false, or strings ("true", "0", "yes") as real files write them."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "y", "t"):
        return True
    if text in ("false", "0", "no", "n", "f", ""):
        return False if text else None
    raise BadRecord(f"not a boolean: {str(value)[:40]!r}")


def to_category(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        real = float(str(value).strip())  # "1", 1 and 1.0 (some writers emit decimals)
    except ValueError:
        raise BadRecord(f"category is not a number: {str(value)[:40]!r}") from None
    if not real.is_integer():
        raise BadRecord(f"category is not a whole number: {str(value)[:40]!r}")
    number = int(real)
    if not 0 <= number <= 255:
        raise BadRecord(f"category out of range: {number}")
    return number


def to_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v is not None)
    text = str(value).strip()
    return text or None


def digest_record(text: str) -> HashRecord:
    """A record from one bare digest, its algorithm told by its length."""
    name = DIGEST_LENGTHS.get(len(text))
    if name is None or not HEX.fullmatch(text):
        raise BadRecord(f"not an MD5, SHA-1 or SHA-256 digest: {text[:80]!r}")
    record = HashRecord()
    setattr(record, name, text.lower())
    return record


# ---- detection ---------------------------------------------------------------------------------


def text_encoding(head: bytes) -> str:
    """UTF-16 when the file starts with its byte-order mark (Windows PowerShell writes that by
    default), else UTF-8 with an optional byte-order mark."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8-sig"


def _text_head(path: str | os.PathLike[str], size: int = HEAD_BYTES) -> tuple[bytes, str]:
    with open(path, "rb") as handle:
        raw = handle.read(size)
    encoding = text_encoding(raw)
    if encoding == "utf-16":
        raw = raw[: len(raw) // 2 * 2]
    return raw, raw.decode(encoding, errors="replace")


def _content_lines(text: str, cut: bool, limit: int = 20) -> list[str]:
    lines = []
    all_lines = text.splitlines()
    for line in all_lines[:-1] if cut and len(all_lines) > 1 else all_lines:
        line = line.strip()
        if line and not line.startswith("#"):
            lines.append(line)
        if len(lines) >= limit:
            break
    return lines


def _is_csv_header(line: str) -> bool:
    for delimiter in (",", ";", "\t"):
        names = {_column_key(cell) for cell in line.split(delimiter)}
        if any(CSV_COLUMNS.get(n) in _HASH_COLUMNS for n in names):
            return True
    return False


def _column_key(header: str | None) -> str:
    return re.sub(r"[\s_\-\"']", "", (header or "").lower())


def detect_format(path: str | os.PathLike[str]) -> str:
    """Which reader a file needs: one of FORMATS. HashSetError when none fits."""
    raw, text = _text_head(path)
    if raw.startswith(SQLITE_HEADER):
        return "nsrl"
    if text.lstrip().startswith("{"):
        return "vics"
    if b"\x00" in raw and text_encoding(raw) != "utf-16":
        raise HashSetError(f"{os.fspath(path)} is a binary file, not a hash set Vigil can read.")
    lines = _content_lines(text, cut=len(raw) == HEAD_BYTES)
    if not lines:
        raise HashSetError(f"{os.fspath(path)} holds no hashes.")
    first = lines[0]
    name = os.path.basename(os.fspath(path)).lower()
    if re.match(r"^[0-9a-fA-F]{64}\s*,\s*\d{1,3}\b", first):
        return "pdq"
    if re.match(r"^[0-9a-fA-F]{32,64}(\s+\*?|\s*$)", first) and " " in first.strip():
        return "md5sum"
    if re.match(r"^(MD5|SHA1|SHA256) \(.*\) = [0-9a-fA-F]+$", first):
        return "md5sum"
    if _is_csv_header(first):
        return "csv"
    token = first.split(",")[0].strip()
    if HEX.fullmatch(token) and len(token) == 16:
        return "phash"
    if HEX.fullmatch(token) and len(token) == 64 and "pdq" in name:
        return "pdq"
    if HEX.fullmatch(token) and len(token) in DIGEST_LENGTHS:
        return "digests"
    raise HashSetError(
        f"{os.fspath(path)} is not a hash set Vigil can read (expected VICS JSON, a digest list, "
        "md5sum output, CSV with a header, NSRL RDS, or a PDQ or pHash list)."
    )


# ---- line-based readers --------------------------------------------------------------------------


def open_text(path: str | os.PathLike[str]) -> IO[str]:
    """A text stream that drops a byte-order mark, reads UTF-16 files too, and survives stray
    undecodable bytes."""
    with open(path, "rb") as handle:
        encoding = text_encoding(handle.read(4))
    return open(path, encoding=encoding, errors="replace", newline="")


def _lines(handle: IO[str], report: ReadReport) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(handle, 1):
        if len(line) > MAX_LINE:
            report.reject(f"line {number}", "line too long")
            continue
        line = line.strip()
        if line and not line.startswith("#"):
            yield number, line


def read_digests(handle: IO[str], report: ReadReport) -> Iterator[HashRecord]:
    """One MD5, SHA-1 or SHA-256 digest a line."""
    for number, line in _lines(handle, report):
        try:
            yield digest_record(line.split()[0])
        except BadRecord as error:
            report.reject(f"line {number}", str(error))


_BSD = re.compile(r"^(MD5|SHA1|SHA256) \((?P<path>.*)\) = (?P<digest>[0-9a-fA-F]+)$")


def read_md5sum(handle: IO[str], report: ReadReport) -> Iterator[HashRecord]:
    """`md5sum`/`sha1sum`/`sha256sum` output (`<digest>  <path>`, or BSD `MD5 (path) = d`)."""
    for number, line in _lines(handle, report):
        bsd = _BSD.match(line)
        if bsd:
            digest, label = bsd["digest"], bsd["path"]
        else:
            digest, _, label = line.partition(" ")
            label = label.strip().removeprefix("*")
        try:
            record = digest_record(digest.removeprefix("\\"))
        except BadRecord as error:
            report.reject(f"line {number}", str(error))
            continue
        record.label = label or None
        yield record


def _perceptual_line(line: str, algorithm: str) -> HashRecord:
    parts = [p.strip() for p in line.split(",")]
    value = clean_hex(parts[0], PERCEPTUAL_LENGTHS[algorithm], algorithm.upper())
    record = HashRecord()
    setattr(record, algorithm, value)
    rest = parts[1:]
    if algorithm == "pdq" and rest and rest[0].isdigit():
        quality = int(rest.pop(0))
        if quality > 100:
            raise BadRecord(f"PDQ quality out of range: {quality}")
        record.pdq_quality = quality
    if rest:
        record.label = ",".join(rest) or None
    return record


def read_perceptual(handle: IO[str], report: ReadReport, algorithm: str) -> Iterator[HashRecord]:
    """PDQ lists (`<64 hex>[,<quality>][,<label>]`) and pHash lists (16 hex a line)."""
    for number, line in _lines(handle, report):
        try:
            yield _perceptual_line(line, algorithm)
        except BadRecord as error:
            report.reject(f"line {number}", str(error))


# CSV header names (lower case, spaces and dashes removed) -> HashRecord field
CSV_COLUMNS = {
    "md5": "md5", "sha1": "sha1", "sha256": "sha256", "pdq": "pdq", "phash": "phash",
    "hash": "hash", "digest": "hash", "hashvalue": "hash",
    "pdqquality": "pdq_quality", "quality": "pdq_quality",
    "category": "category", "cat": "category",
    "series": "series", "seriesname": "series",
    "notes": "comments", "comments": "comments", "comment": "comments", "note": "comments",
    "tags": "tags", "label": "label", "filename": "label", "name": "label",
    "victimidentified": "victim_identified", "offenderidentified": "offender_identified",
    "isdistributed": "is_distributed", "distributed": "is_distributed",
    "size": "size", "mediasize": "size",
}  # fmt: skip


_HASH_COLUMNS = ("md5", "sha1", "sha256", "pdq", "phash", "hash")


def _csv_record(row: dict[str, str], columns: dict[str, str]) -> HashRecord:
    record = HashRecord()
    for header, name in columns.items():
        value = (row.get(header) or "").strip()
        if not value:
            continue
        if name == "hash":
            found = digest_record(value)
            record.md5 = record.md5 or found.md5
            record.sha1 = record.sha1 or found.sha1
            record.sha256 = record.sha256 or found.sha256
        elif name in ("md5", "sha1", "sha256"):
            length = {"md5": 32, "sha1": 40, "sha256": 64}[name]
            setattr(record, name, clean_hex(value, length, name.upper()))
        elif name in PERCEPTUAL_LENGTHS:
            setattr(record, name, clean_hex(value, PERCEPTUAL_LENGTHS[name], name.upper()))
        elif name == "category":
            record.category = to_category(value)
        elif name in ("victim_identified", "offender_identified", "is_distributed"):
            setattr(record, name, to_bool(value))
        elif name in ("pdq_quality", "size"):
            if not value.isdigit() or len(value) > 18:  # SQLite stores 64-bit integers
                raise BadRecord(f"{name} is not a number: {value[:40]!r}")
            setattr(record, name, int(value))
        else:
            setattr(record, name, value)
    if not record.has_hash():
        raise BadRecord("no hash in the row")
    return record


def read_csv(handle: IO[str], report: ReadReport) -> Iterator[HashRecord]:
    """CSV (or semicolon/tab separated) with a header naming the hash column(s)."""
    sample = handle.read(8192)
    handle.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(handle, dialect=dialect)
    headers = reader.fieldnames or []
    columns = {}
    for header in headers:
        key = _column_key(header)
        if key in CSV_COLUMNS:
            columns[header] = CSV_COLUMNS[key]
    if not any(v in _HASH_COLUMNS for v in columns.values()):
        raise HashSetError(
            "The CSV header names no hash column (expected md5, sha1, sha256, pdq, phash or hash)."
        )
    report.info["columns"] = sorted(set(columns.values()))
    rows, number = iter(reader), 1
    while True:
        number += 1
        try:
            row = next(rows)  # the csv module itself refuses some lines (NUL, huge fields)
        except StopIteration:
            return
        except csv.Error as error:
            report.reject(f"row {number}", str(error))
            continue
        try:
            yield _csv_record(row, columns)
        except BadRecord as error:
            report.reject(f"row {number}", str(error))


def read_text_format(
    path: str | os.PathLike[str], fmt: str, report: ReadReport
) -> Iterator[HashRecord]:
    """Records of a line-based format, streamed; the caller counts the good ones."""
    with open_text(path) as handle:
        if fmt == "digests":
            yield from read_digests(handle, report)
        elif fmt == "md5sum":
            yield from read_md5sum(handle, report)
        elif fmt == "csv":
            yield from read_csv(handle, report)
        elif fmt in PERCEPTUAL_LENGTHS:
            yield from read_perceptual(handle, report, fmt)
        else:
            raise HashSetError(f"Vigil has no text reader for the format {fmt!r}.")
