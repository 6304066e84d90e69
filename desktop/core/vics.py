"""VICS 2.0/1.x JSON: stream Media records out of any size of file, and write a case as VICS."""

from __future__ import annotations

import codecs
import functools
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import ijson

from desktop.core.hashsets import (
    BadRecord,
    HashRecord,
    HashSetError,
    ReadReport,
    clean_hex,
    text_encoding,
    to_bool,
    to_category,
    to_text,
)

CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/{scheme}/$metadata#Cases"
_CONTEXT = re.compile(r"DataModels/(?P<version>[\d.]+?)\.xml(?:/(?P<scheme>[^/$#]+))?", re.I)
# Keys that only a Media record has: seeing one first at value.item means a bare Media set.
_MEDIA_KEYS = {"MD5", "MediaID", "SHA1", "IsPrecategorized", "Category", "AlternativeHashes"}
_CASE_INFO = {
    "CaseID", "CaseNumber", "ContactOrganization", "ContactName", "ContactEmail",
    "ContactPhone", "ContactTitle", "TotalMediaFiles", "TotalPrecategorized", "SeizureDate",
    "SourceApplicationName", "SourceApplicationVersion",
}  # fmt: skip
SNIFF_EVENTS = 200_000  # how far to look for the structure before calling a file foreign
_ALT_NAMES = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "PDQ": "pdq", "PHASH": "phash"}
_ALT_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64, "phash": 16}


@dataclass
class VicsLayout:
    version: str
    scheme: str
    items_prefix: str  # ijson prefix of the Media records
    info: dict[str, Any]


class _Utf8FromUtf16:
    """Gives ijson UTF-8 bytes from a UTF-16 file (as Windows tools sometimes write)."""

    def __init__(self, handle: IO[bytes]):
        self._handle = handle
        self._reader = codecs.getreader("utf-16")(handle)

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson reads nothing first, to learn whether it gets bytes or text
            return b""
        return self._reader.read(-1, size if size > 0 else -1).encode("utf-8")

    def tell(self) -> int:
        return 0

    def seek(self, offset: int) -> None:
        self._handle.seek(offset)
        self._reader.reset()

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> _Utf8FromUtf16:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open_skipping_bom(path: str | os.PathLike[str]) -> Any:
    """The file as UTF-8 bytes for ijson: a UTF-8 byte-order mark skipped, UTF-16 converted."""
    handle = open(path, "rb")
    head = handle.read(3)
    if text_encoding(head) == "utf-16":
        handle.seek(0)
        return _Utf8FromUtf16(handle)
    if head != codecs.BOM_UTF8:
        handle.seek(0)
    return handle


def sniff_layout(handle: Any) -> VicsLayout:
    """Read just enough events to learn the version, scheme and where the Media records are."""
    start = handle.tell()
    context, kind, info = "", None, {}
    try:
        for count, (prefix, event, value) in enumerate(ijson.parse(handle, use_float=True)):
            if count > SNIFF_EVENTS:
                break
            if prefix in ("@odata.context", "odata.metadata") and event == "string":
                context = value
            elif prefix == "value.item" and event == "map_key":
                if value == "Media":
                    kind = "cases"
                    break
                if value in _MEDIA_KEYS:
                    kind = "media"
                    break
            elif prefix.startswith("value.item.") and event in ("string", "number", "boolean"):
                key = prefix[len("value.item.") :]
                if key in _CASE_INFO:
                    info[key] = value
    except ijson.JSONError:
        if kind is None:
            raise HashSetError("The file is not valid JSON, so it is not a VICS file.") from None
    handle.seek(start)
    if kind is None and context.endswith("#Media"):
        kind = "media"
    if kind is None:
        raise HashSetError('The JSON file has no VICS Case or Media records under "value".')
    match = _CONTEXT.search(context)
    version = match["version"] if match else "2.0"
    scheme = (match["scheme"] if match and match["scheme"] else None) or "US"
    prefix = "value.item.Media.item" if kind == "cases" else "value.item"
    return VicsLayout(version, scheme, prefix, info if kind == "cases" else {})


@functools.lru_cache(maxsize=256)
def _hash_name(raw: Any) -> str:
    """'SHA-256', 'sha_256', 'Sha256' -> 'SHA256' (few spellings, each seen a million times)."""
    return re.sub(r"[\s_\-]", "", str(raw or "")).upper()


def _alternative_hashes(record: HashRecord, hashes: Any) -> None:
    for entry in hashes or ():
        if not isinstance(entry, dict):
            raise BadRecord("an AlternativeHashes entry is not an object")
        name = _hash_name(entry.get("HashName"))
        algorithm = _ALT_NAMES.get(name)
        if algorithm is None:
            continue  # a hash Vigil does not use (e.g. PhotoDNA written here by some tools)
        value, quality = str(entry.get("HashValue") or ""), None
        if algorithm == "pdq" and "," in value:
            value, _, quality_text = value.partition(",")
            quality = int(quality_text) if quality_text.strip().isdigit() else None
            if quality is not None and quality > 100:
                raise BadRecord(f"PDQ quality out of range: {quality_text.strip()[:20]}")
        cleaned = clean_hex(value, _ALT_LENGTHS[algorithm], name)
        if getattr(record, algorithm) is None:
            setattr(record, algorithm, cleaned)
        if algorithm == "pdq" and quality is not None:
            record.pdq_quality = quality


def _size(value: Any) -> int | None:
    if isinstance(value, Decimal):  # ijson's non-integer numbers
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or value in (float("inf"), float("-inf")) or not 0 <= value < 2**63:
        raise BadRecord(f"MediaSize out of range: {str(value)[:40]}")
    return int(value)


def media_record(media: Any) -> HashRecord:
    """A HashRecord from one VICS Media object; BadRecord when a field is malformed."""
    if not isinstance(media, dict):
        raise BadRecord("a Media entry is not an object")
    size = media.get("MediaSize")
    record = HashRecord(
        md5=clean_hex(media.get("MD5"), 32, "MD5"),
        sha1=clean_hex(media.get("SHA1"), 40, "SHA1"),
        category=to_category(media.get("Category")),
        series=to_text(media.get("Series")),
        victim_identified=to_bool(media.get("VictimIdentified")),
        offender_identified=to_bool(media.get("OffenderIdentified")),
        is_distributed=to_bool(media.get("IsDistributed")),
        tags=to_text(media.get("Tags")),
        comments=to_text(media.get("Comments")),
        label=to_text(media.get("RelativeFilePath")),
        size=_size(size),
    )
    _alternative_hashes(record, media.get("AlternativeHashes"))
    if not record.has_hash():
        raise BadRecord("no MD5, SHA-1 or other hash")
    return record


def read_vics(path: str | os.PathLike[str], report: ReadReport) -> Iterator[HashRecord]:
    """Every Media record of a VICS file, streamed (memory stays flat for any file size).

    A file cut off part-way keeps the records before the cut; report.truncated says so.
    """
    with _open_skipping_bom(path) as handle:
        layout = sniff_layout(handle)
        report.format, report.scheme = "vics", layout.scheme
        report.info.update(layout.info, vics_version=layout.version)
        index = 0
        try:
            for index, media in enumerate(ijson.items(handle, layout.items_prefix), 1):
                try:
                    record = media_record(media)
                except BadRecord as error:
                    label = media.get("MD5") if isinstance(media, dict) else None
                    report.reject(f"Media {index}" + (f" ({label})" if label else ""), str(error))
                    continue
                yield record
        except ijson.JSONError as error:
            report.truncated = True
            report.truncated_reason = (
                f"the file is cut off or damaged after Media record {index} "
                f"({str(error).splitlines()[0][:120]})"
            )


# ---- writing -----------------------------------------------------------------------------------


def write_vics(
    out: IO[str], case: dict[str, Any], media: Iterable[dict[str, Any]], scheme: str = "US"
) -> int:
    """Write one VICS 2.0 file: the Case record, then each Media record as it comes.

    `case` holds the Case fields (everything but Media); returns how many Media were written.
    """
    out.write("{\n")
    out.write(f'"@odata.context": {json.dumps(CONTEXT.format(scheme=scheme))},\n')
    out.write('"value": [{')
    for key, value in case.items():
        out.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}, ")
    out.write('"Media": [')
    count = 0
    for record in media:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        count += 1
    out.write("\n]}]\n}\n")
    return count
