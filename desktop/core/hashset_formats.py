"""Which reader a hash-set file needs (detected from its content), and the text readers by name."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from typing import IO

from desktop.core.csv_lists import is_csv_header, read_csv
from desktop.core.hashsets import (
    DIGEST_LENGTHS,
    HEAD_BYTES,
    HEX,
    SQLITE_HEADER,
    VPDQ_LINE,
    AmbiguousFormat,
    HashRecord,
    HashSetError,
    ReadReport,
    open_text,
    read_digests,
    read_md5sum,
    read_perceptual,
    read_vpdq,
    text_encoding,
)
from desktop.core.tool_lists import read_certutil, read_hashdeep, read_md5deep_sized, read_nsrl_text


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


_AMBIGUOUS_64 = (
    "{path} is a list of 64-hex-digit values, which could be SHA-256 digests or PDQ hashes "
    "(ThreatExchange's lists look the same); say which with --format digests or --format pdq."
)


def _all_bare_64(lines: list[str]) -> bool:
    tokens = [line.split(",")[0].strip() for line in lines]
    return all(len(t) == 64 and HEX.fullmatch(t) for t in tokens) and all(
        "," not in line and " " not in line.strip() for line in lines
    )


def detect_format(path: str | os.PathLike[str]) -> str:
    """Which reader a file needs: one of FORMATS. HashSetError when none fits, or when the
    content could be two formats (a bare list of 64-hex values: SHA-256 or PDQ)."""
    raw, text = _text_head(path)
    if raw.startswith(SQLITE_HEADER):
        return "nsrl"
    if text.lstrip().startswith("{"):
        return "vics"
    if b"\x00" in raw and text_encoding(raw) != "utf-16":
        raise HashSetError(f"{os.fspath(path)} is a binary file, not a hash set Vigil can read.")
    named = _named_tool(text)
    if named:
        return named
    lines = _content_lines(text, cut=len(raw) == HEAD_BYTES)
    if not lines:
        raise HashSetError(f"{os.fspath(path)} holds no hashes.")
    first = lines[0]
    name = os.path.basename(os.fspath(path)).lower()
    if VPDQ_LINE.match(first):
        return "vpdq"
    if re.match(r"^[0-9a-fA-F]{64}\s*,\s*\d{1,3}\b", first):
        return "pdq"
    if re.match(r"^\d+\s+[0-9a-fA-F]{32,64}(\s|$)", first):
        return "md5deep"
    if re.match(r"^[0-9a-fA-F]{32,64}(\s+\*?|\s*$)", first) and " " in first.strip():
        return "md5sum"
    if re.match(r"^(MD5|SHA1|SHA256) \(.*\) = [0-9a-fA-F]+$", first):
        return "md5sum"
    if is_csv_header(first):
        return "csv"
    token = first.split(",")[0].strip()
    if HEX.fullmatch(token) and len(token) == 16:
        return "phash"
    if _all_bare_64(lines):
        # a name that says which is the analyst's word, not a guess
        if "pdq" in name:
            return "pdq"
        if re.search(r"sha-?256", name):
            return "digests"
        raise AmbiguousFormat(_AMBIGUOUS_64.format(path=os.fspath(path)), ("digests", "pdq"))
    if HEX.fullmatch(token) and len(token) == 64 and "pdq" in name:
        return "pdq"
    if HEX.fullmatch(token) and len(token) in DIGEST_LENGTHS:
        return "digests"
    raise HashSetError(
        f"{os.fspath(path)} is not a hash set Vigil can read (expected VICS JSON, a digest list, "
        "md5sum, md5deep or hashdeep output, certutil output, CSV with a header, NSRL RDS, or a "
        "PDQ or pHash list)."
    )


def _named_tool(text: str) -> str | None:
    """Formats told by a tool's own first line, before any comment is skipped."""
    first = text.lstrip().split("\n", 1)[0].strip()
    if first.startswith("%%%% HASHDEEP-"):
        return "hashdeep"
    if first.replace(" ", "").upper().startswith('"SHA-1","MD5","CRC32","FILENAME","FILESIZE"'):
        return "nsrl"
    if any(line.strip().lower().startswith("certutil:") for line in text.splitlines()[:50]):
        return "certutil"
    return None


Reader = Callable[[IO[str], ReadReport], Iterator[HashRecord]]
TEXT_READERS: dict[str, Reader] = {
    "digests": read_digests,
    "md5sum": read_md5sum,
    "csv": read_csv,
    "pdq": lambda handle, report: read_perceptual(handle, report, "pdq"),
    "vpdq": read_vpdq,
    "phash": lambda handle, report: read_perceptual(handle, report, "phash"),
    "hashdeep": read_hashdeep,
    "md5deep": read_md5deep_sized,
    "certutil": read_certutil,
    "nsrl": read_nsrl_text,  # RDS 2.x NSRLFile.txt; RDS v3 (SQLite) is read by store.nsrl
}


def read_text_format(
    path: str | os.PathLike[str], fmt: str, report: ReadReport
) -> Iterator[HashRecord]:
    """Records of a line-based format, streamed; the caller counts the good ones."""
    reader = TEXT_READERS.get(fmt)
    if reader is None:
        raise HashSetError(f"Vigil has no text reader for the format {fmt!r}.")
    with open_text(path) as handle:
        yield from reader(handle, report)
