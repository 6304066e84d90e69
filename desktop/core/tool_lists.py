"""Readers of digest lists that named tools write: hashdeep, md5deep -z, certutil, NSRL RDS 2.x."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import IO

from desktop.core.hashsets import (
    DIGEST_LENGTHS,
    HEX,
    BadRecord,
    HashRecord,
    HashSetError,
    ReadReport,
    bounded_lines,
    digest_record,
)

HASHDEEP_MAGIC = "%%%% HASHDEEP-1.0"
# NSRL RDS 2.x NSRLFile.txt: a quoted CSV whose first line is exactly this header.
NSRL_TEXT_HEADER = (
    '"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"'
)
MAX_SIZE_DIGITS = 18  # sizes are stored as SQLite's 64-bit integers


def _size(text: str) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_SIZE_DIGITS:
        raise BadRecord(f"size is not a number: {text[:40]!r}")
    return int(text)


def read_hashdeep(handle: IO[str], report: ReadReport) -> Iterator[HashRecord]:
    """hashdeep's own format: `%%%% HASHDEEP-1.0`, `%%%% size,md5,sha256,filename` (the columns
    it was asked for, in that order), `##` comment lines, then one CSV line a file whose last
    column (the file name) may itself hold commas."""
    columns: list[str] | None = None
    for number, line in bounded_lines(handle, report, comments="##"):
        if line.startswith("%%%%"):
            if line.startswith("%%%% size") or "filename" in line:
                columns = [c.strip().lower() for c in line[4:].split(",")]
            continue
        if columns is None:
            raise HashSetError("The hashdeep file has no %%%% column line before its records.")
        cells = line.split(",", len(columns) - 1)
        if len(cells) != len(columns):
            report.reject(f"line {number}", f"expected {len(columns)} columns")
            continue
        record = HashRecord()
        try:
            for name, cell in zip(columns, cells, strict=True):
                if name == "size":
                    record.size = _size(cell)
                elif name == "filename":
                    record.label = cell or None
                elif name in ("md5", "sha1", "sha256"):
                    found = digest_record(cell.strip())
                    if getattr(found, name) is None:
                        raise BadRecord(f"malformed {name} {cell[:80]!r}")
                    setattr(record, name, getattr(found, name))
        except BadRecord as error:
            report.reject(f"line {number}", str(error))
            continue
        if record.has_hash():
            yield record
        else:
            report.reject(f"line {number}", "no MD5, SHA-1 or SHA-256 column")


_SIZED = re.compile(r"^\s*(?P<size>\d+)\s+(?P<digest>[0-9a-fA-F]+)(?:\s+(?P<name>.*))?$")


def read_md5deep_sized(handle: IO[str], report: ReadReport) -> Iterator[HashRecord]:
    """`md5deep -z` (and sha1deep/sha256deep -z): the size, right-aligned in ten places, two
    spaces, the digest, two spaces, the file name."""
    for number, line in bounded_lines(handle, report):
        found = _SIZED.match(line)
        try:
            if not found:
                raise BadRecord("not `<size>  <digest>  <name>`")
            record = digest_record(found["digest"])
            record.size = _size(found["size"])
        except BadRecord as error:
            report.reject(f"line {number}", str(error))
            continue
        record.label = found["name"] or None
        yield record


_CERTUTIL_HEADER = re.compile(r"^(?P<algorithm>\S+) hash of (?:file )?(?P<name>.*):$", re.I)


def read_certutil(handle: IO[str], report: ReadReport) -> Iterator[HashRecord]:
    """`certutil -hashfile FILE [MD5|SHA1|SHA256]` output, one or many concatenated: a header
    (`SHA256 hash of FILE:`, worded in the system's language), the digest (hex pairs separated
    by spaces on Windows 7 and older), and a `CertUtil: ...` status line."""
    label: str | None = None
    for number, line in bounded_lines(handle, report):
        if line.lower().startswith("certutil:"):
            label = None
            continue
        compact = line.replace(" ", "")
        if HEX.fullmatch(compact) and len(compact) in DIGEST_LENGTHS:
            record = digest_record(compact)
            record.label = label
            yield record
        elif line.endswith(":"):
            header = _CERTUTIL_HEADER.match(line)
            label = header["name"] if header else None
        else:
            report.reject(f"line {number}", "neither a certutil header, digest nor status line")


def read_nsrl_text(handle: IO[str], report: ReadReport) -> Iterator[HashRecord]:
    """NSRL RDS 2.x `NSRLFile.txt`: SHA-1, MD5, CRC32, file name, size, product, OS, special."""
    rows = csv.reader(line for _, line in bounded_lines(handle, report, comments=None))
    number = 0
    while True:
        number += 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            report.reject(f"row {number}", str(error))
            continue
        if number == 1 and row and row[0] == "SHA-1":
            continue
        if len(row) < 5:
            report.reject(f"row {number}", f"{len(row)} columns, not the 8 of NSRLFile.txt")
            continue
        try:
            sha1, md5 = digest_record(row[0]), digest_record(row[1])
            if sha1.sha1 is None or md5.md5 is None:
                raise BadRecord(f"malformed SHA-1 or MD5 {row[0][:40]!r} {row[1][:40]!r}")
            size = _size(row[4])
        except BadRecord as error:
            report.reject(f"row {number}", str(error))
            continue
        yield HashRecord(sha1=sha1.sha1, md5=md5.md5, label=row[3] or None, size=size)
