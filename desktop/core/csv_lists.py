"""CSV hash lists: a header naming the hash column(s), optional category, series and notes."""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator
from typing import IO, Any

from desktop.core.hashsets import (
    MAX_LINE,
    PERCEPTUAL_LENGTHS,
    BadRecord,
    HashRecord,
    HashSetError,
    ReadReport,
    clean_hex,
    digest_record,
    raw_lines,
    to_bool,
    to_category,
)

MAX_COLUMNS = 1000  # a CSV header wider than this is not a hash list (10 million columns seen)


def is_csv_header(line: str) -> bool:
    for delimiter in (",", ";", "\t"):
        names = {column_key(cell) for cell in line.split(delimiter)}
        if any(CSV_COLUMNS.get(n) in _HASH_COLUMNS for n in names):
            return True
    return False


def column_key(header: str | None) -> str:
    return re.sub(r"[\s_\-\"']", "", (header or "").lower())


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
    "size": "size", "mediasize": "size", "filesize": "size",
    "path": "label",  # PowerShell's Get-FileHash
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
            if not (value.isascii() and value.isdigit()) or len(value) > 18:  # 64-bit
                raise BadRecord(f"{name} is not a number: {value[:40]!r}")
            if name == "pdq_quality" and int(value) > 100:
                raise BadRecord(f"PDQ quality out of range: {value}")
            setattr(record, name, int(value))
        else:
            setattr(record, name, value)
    if not record.has_hash():
        raise BadRecord("no hash in the row")
    return record


def _csv_lines(handle: IO[str], report: ReadReport) -> Iterator[str]:
    """The file's lines for the csv module, each bounded, with the `#TYPE ...` line Windows
    PowerShell 5.1's Export-Csv writes above the header (and `#` comments before it) left out."""
    header_seen = False
    for _, line in raw_lines(handle, report):
        if not header_seen and report.bad:
            raise HashSetError(f"The CSV header is longer than {MAX_LINE // 1024} KiB.")
        if not header_seen:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            header_seen = True
        yield line


def read_csv(handle: IO[str], report: ReadReport) -> Iterator[HashRecord]:
    """CSV (or semicolon/tab separated) with a header naming the hash column(s)."""
    lines = _csv_lines(handle, report)
    head = list(itertools.islice(lines, 50))
    try:
        dialect: Any = csv.Sniffer().sniff("".join(head)[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(itertools.chain(head, lines), dialect=dialect)
    try:
        headers = reader.fieldnames or []
    except csv.Error as error:
        raise HashSetError(f"The CSV header cannot be read ({error}).") from None
    if len(headers) > MAX_COLUMNS:
        raise HashSetError(f"The CSV header has {len(headers)} columns; a hash list has a few.")
    columns = {}
    for header in headers:
        key = column_key(header)
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
        if None in row:  # more cells than the header has columns
            report.reject(f"row {number}", "more cells than the header names")
            continue
        try:
            yield _csv_record(row, columns)
        except BadRecord as error:
            report.reject(f"row {number}", str(error))
