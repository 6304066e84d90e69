"""Hash-set records, bounded line reading, and readers of digest, md5sum, PDQ and pHash lists."""

from __future__ import annotations

import codecs
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
FORMATS = ("vics", "digests", "md5sum", "csv", "nsrl", "pdq", "phash", "hashdeep", "md5deep",
           "certutil", "vpdq")  # fmt: skip
SQLITE_HEADER = b"SQLite format 3\x00"
HEAD_BYTES = 65536  # how much of a file detection looks at


class HashSetError(Exception):
    """A file that is not a hash set Vigil can read; the message is one sentence for the user."""


class AmbiguousFormat(HashSetError):
    """A file whose lines could be read two ways; the user says which (`choices`: formats)."""

    def __init__(self, message: str, choices: tuple[str, ...]):
        super().__init__(message)
        self.choices = choices


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
    # a frame of a known video (vPDQ lists, VICS vPDQ hashes): which video of the set, when
    video: str | None = None
    frame_time: float | None = None
    # a known video's frames carried by its record (VICS): (seconds, PDQ quality, PDQ hex)
    frames: list[tuple[float, int, str]] = field(default_factory=list)

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


# ---- line-based readers --------------------------------------------------------------------------


def open_text(path: str | os.PathLike[str]) -> IO[str]:
    """A text stream that drops a byte-order mark, reads UTF-16 files too, and survives stray
    undecodable bytes."""
    with open(path, "rb") as handle:
        encoding = text_encoding(handle.read(4))
    return open(path, encoding=encoding, errors="replace", newline="")


def raw_lines(handle: IO[str], report: ReadReport) -> Iterator[tuple[int, str]]:
    """(number, line) of every line, each read with a bound: a line longer than MAX_LINE is
    counted bad and skipped without ever being held whole (a 1 GB "line" stays a few KiB)."""
    number = 0
    while True:
        line = handle.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE and not line.endswith("\n"):
            report.reject(f"line {number}", "line too long")
            while (rest := handle.readline(MAX_LINE)) and not rest.endswith("\n"):
                pass
            continue
        yield number, line


def bounded_lines(
    handle: IO[str], report: ReadReport, comments: str | None = "#"
) -> Iterator[tuple[int, str]]:
    """(number, stripped line) of the lines that hold something, comment lines left out."""
    for number, line in raw_lines(handle, report):
        line = line.strip()
        if line and not (comments and line.startswith(comments)):
            yield number, line


def read_digests(handle: IO[str], report: ReadReport) -> Iterator[HashRecord]:
    """One MD5, SHA-1 or SHA-256 digest a line."""
    for number, line in bounded_lines(handle, report):
        try:
            yield digest_record(line.split()[0])
        except BadRecord as error:
            report.reject(f"line {number}", str(error))


_BSD = re.compile(r"^(MD5|SHA1|SHA256) \((?P<path>.*)\) = (?P<digest>[0-9a-fA-F]+)$")


def read_md5sum(handle: IO[str], report: ReadReport) -> Iterator[HashRecord]:
    """`md5sum`/`sha1sum`/`sha256sum` output (`<digest>  <path>`, or BSD `MD5 (path) = d`)."""
    for number, line in bounded_lines(handle, report):
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
    if algorithm == "pdq" and rest and rest[0].isascii() and rest[0].isdigit():
        quality_text = rest.pop(0)
        if len(quality_text) > 3 or int(quality_text) > 100:
            raise BadRecord(f"PDQ quality out of range: {quality_text[:20]}")
        quality = int(quality_text)
        record.pdq_quality = quality
    if rest:
        record.label = ",".join(rest) or None
    return record


VPDQ_LINE = re.compile(r"^\s*\d{1,9}\s*,\s*\d{1,3}\s*,\s*[0-9a-fA-F]{64}\s*,\s*\d{1,9}(\.\d*)?\s*$")


def read_vpdq(handle: IO[str], report: ReadReport) -> Iterator[HashRecord]:
    """A ThreatExchange vPDQ hash file: one video, one frame a line,
    `<frame number>,<quality>,<64 hex PDQ>,<seconds>` (what vpdq's hasher writes). Every frame
    is a record of the video named after the file."""
    video = os.path.basename(str(getattr(handle, "name", "") or "")) or "video"
    for number, line in bounded_lines(handle, report):
        if not VPDQ_LINE.match(line):
            report.reject(f"line {number}", "not a vPDQ line (frame,quality,PDQ,seconds)")
            continue
        frame, quality, value, seconds = (part.strip() for part in line.split(","))
        try:
            record = HashRecord(pdq=clean_hex(value, 64, "PDQ"), pdq_quality=int(quality))
        except BadRecord as error:
            report.reject(f"line {number}", str(error))
            continue
        if record.pdq_quality is not None and record.pdq_quality > 100:
            report.reject(f"line {number}", f"PDQ quality out of range: {quality}")
            continue
        record.video, record.frame_time = video, float(seconds)
        record.label = f"{video} frame {int(frame)}"
        yield record


def read_perceptual(handle: IO[str], report: ReadReport, algorithm: str) -> Iterator[HashRecord]:
    """PDQ lists (`<64 hex>[,<quality>][,<label>]`) and pHash lists (16 hex a line)."""
    for number, line in bounded_lines(handle, report):
        try:
            yield _perceptual_line(line, algorithm)
        except BadRecord as error:
            report.reject(f"line {number}", str(error))
