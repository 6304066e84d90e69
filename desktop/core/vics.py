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
    VPDQ_LINE,
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
from desktop.core.json_guard import BoundedJson, JsonLimitError

CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/{scheme}/$metadata#{kind}"
# The two shapes of a VICS file: "cases" (Case records holding Media lists; Griffeye, GLEAPP)
# and "media" (a bare hash set, the form IPED's importer and Project VIC's sets use).
FORMS = ("cases", "media")
_CONTEXT = re.compile(r"DataModels/(?P<version>[\d.]+?)\.xml(?:/(?P<scheme>[^/$#]+))?", re.I)
# Keys that only a Media record has: seeing one first at value.item means a bare Media set.
_MEDIA_KEYS = {"MD5", "MediaID", "SHA1", "IsPrecategorized", "Category", "AlternativeHashes"}
_CASE_INFO = {
    "CaseID", "CaseNumber", "ContactOrganization", "ContactName", "ContactEmail",
    "ContactPhone", "ContactTitle", "TotalMediaFiles", "TotalPrecategorized", "SeizureDate",
    "SourceApplicationName", "SourceApplicationVersion",
}  # fmt: skip
# ijson's reads: 1 MiB rather than its 64 KiB halves the cost of json_guard's scan per byte
READ_CHUNK = 1 << 20
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
    except JsonLimitError as error:
        if kind is None:
            raise HashSetError(f"The file cannot be read as VICS: {error}.") from None
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


# A frame of a video, as Vigil writes it among AlternativeHashes: HashName "vPDQ", HashValue
# one line of a vPDQ file ("<frame number>,<quality>,<64 hex PDQ>,<seconds>").
VPDQ_NAME = "vPDQ"
MAX_FRAMES = 4096  # frames read of one Media (Vigil keeps at most 600)


def _vpdq_frame(value: str) -> tuple[float, int, str]:
    """(seconds, quality, PDQ hex) of one vPDQ AlternativeHashes value."""
    if not VPDQ_LINE.match(value):
        raise BadRecord("a vPDQ hash is not <frame>,<quality>,<PDQ>,<seconds>")
    _, quality, pdq, seconds = (part.strip() for part in value.split(","))
    cleaned = clean_hex(pdq, 64, "vPDQ")
    if cleaned is None or int(quality) > 100:
        raise BadRecord(f"a vPDQ hash with no PDQ or a quality out of range: {quality}")
    return float(seconds), int(quality), cleaned


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also takes "²", which int() refuses."""
    return text.isascii() and text.isdigit()


@functools.lru_cache(maxsize=256)
def _hash_name(raw: Any) -> str:
    """'SHA-256', 'sha_256', 'Sha256' -> 'SHA256' (few spellings, each seen a million times)."""
    return re.sub(r"[\s_\-]", "", str(raw or "")).upper()


def _alternative_hashes(record: HashRecord, hashes: Any) -> None:
    if hashes is None:
        return
    if not isinstance(hashes, list):
        raise BadRecord("AlternativeHashes is not a list")
    for entry in hashes:
        if not isinstance(entry, dict):
            raise BadRecord("an AlternativeHashes entry is not an object")
        name = _hash_name(str(entry.get("HashName") or "")[:40])
        if name == VPDQ_NAME.upper():
            if len(record.frames) >= MAX_FRAMES:
                raise BadRecord(f"more than {MAX_FRAMES} vPDQ frames in one Media")
            record.frames.append(_vpdq_frame(str(entry.get("HashValue") or "")[:200]))
            continue
        algorithm = _ALT_NAMES.get(name)
        if algorithm is None:
            continue  # a hash Vigil does not use (e.g. PhotoDNA written here by some tools)
        value, quality = str(entry.get("HashValue") or ""), None
        if algorithm == "pdq" and "," in value:
            value, _, quality_text = value.partition(",")
            quality_text = quality_text.strip()
            quality = int(quality_text) if _digits(quality_text) and len(quality_text) < 4 else None
            if quality is None and quality_text:
                raise BadRecord(f"PDQ quality is not a number 0-100: {quality_text[:20]!r}")
            if quality is not None and quality > 100:
                raise BadRecord(f"PDQ quality out of range: {quality_text[:20]}")
        cleaned = clean_hex(value, _ALT_LENGTHS[algorithm], name)
        if getattr(record, algorithm) is None:
            setattr(record, algorithm, cleaned)
        if algorithm == "pdq" and quality is not None:
            record.pdq_quality = quality


def _size(value: Any) -> int | None:
    if isinstance(value, Decimal):  # ijson's non-integer numbers
        value = float(value)
    if isinstance(value, str) and _digits(value.strip()):  # several writers quote it
        value = int(value.strip()) if len(value.strip()) <= 19 else float("inf")
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


def _case_fields(tail: bytes | None) -> dict[str, Any]:
    """The Case fields in the text a Case record has after its Media list (`, "K": v ...`)."""
    if not tail or not tail.strip().startswith(b","):
        return {}
    try:
        fields = json.loads(b'{"_": 0' + tail + b"}")
    except ValueError:
        return {}
    return {k: v for k, v in fields.items() if k in _CASE_INFO and not isinstance(v, dict | list)}


def read_vics(path: str | os.PathLike[str], report: ReadReport) -> Iterator[HashRecord]:
    """Every Media record of a VICS file, streamed (memory stays flat for any file size).

    A file cut off part-way keeps the records before the cut; report.truncated says so. So
    does a file that passes a bound of json_guard (depth, string or record size): the record
    at fault is counted bad and reading stops there.
    """
    with BoundedJson(_open_skipping_bom(path)) as handle:
        layout = sniff_layout(handle)
        cases = layout.items_prefix.startswith("value.item.Media")
        handle.expect(record_depth=5 if cases else 3, keep_case_tail=cases)
        report.format, report.scheme = "vics", layout.scheme
        report.info.update(layout.info, vics_version=layout.version)
        index = 0
        try:
            records = ijson.items(handle, layout.items_prefix, buf_size=READ_CHUNK)
            for index, media in enumerate(records, 1):
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
        except JsonLimitError as error:
            report.reject(f"Media {index + 1}", str(error))
            report.truncated = True
            report.truncated_reason = f"reading stopped after Media record {index}: {error}"
        for key, value in _case_fields(handle.case_tail).items():
            report.info.setdefault(key, value)


# ---- writing -----------------------------------------------------------------------------------

_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def name_text(raw: bytes) -> str:
    """A file name or folder as VICS text, losslessly.

    UTF-8 names are written as they are. A name that is not UTF-8, or that already holds a
    `%XX` sequence, is written percent-encoded as RFC 3986 does for URIs: every byte outside
    printable ASCII, and every `%`, as `%XX` (b"caf\\xe9.jpg" -> "caf%E9.jpg"). So a name holds
    a `%XX` sequence exactly when it is encoded, and name_bytes gives the bytes back."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and not _PERCENT_ESCAPE.search(text):
        return text
    return "".join(chr(b) if 0x20 <= b < 0x7F and b != 0x25 else f"%{b:02X}" for b in raw)


def name_bytes(text: str) -> bytes:
    """The bytes of a name written by name_text."""
    if not _PERCENT_ESCAPE.search(text):
        return text.encode("utf-8")
    parts = re.split(r"(%[0-9A-Fa-f]{2})", text)
    return b"".join(
        bytes([int(part[1:], 16)]) if _PERCENT_ESCAPE.fullmatch(part) else part.encode("utf-8")
        for part in parts
    )


def context(scheme: str, form: str) -> str:
    """The @odata.context of a VICS 2.0 file of this scheme and form. A bare Media set of the
    US numbering is written under `Default` (read as US numbering), the segment IPED accepts."""
    if form == "media":
        return CONTEXT.format(scheme="Default" if scheme == "US" else scheme, kind="Media")
    return CONTEXT.format(scheme=scheme, kind="Cases")


def write_vics(
    out: IO[str],
    case: dict[str, Any],
    media: Iterable[dict[str, Any]],
    scheme: str = "US",
    form: str = "cases",
) -> int:
    """Write one VICS 2.0 file: the Case record, then each Media record as it comes (form
    "cases"), or the Media records alone as a hash set (form "media", `case` unused).

    `case` holds the Case fields (everything but Media); returns how many Media were written.
    """
    if form not in FORMS:
        raise ValueError(form)
    out.write("{\n")
    out.write(f'"@odata.context": {json.dumps(context(scheme, form))},\n')
    if form == "cases":
        out.write('"value": [{')
        for key, value in case.items():
            out.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}, ")
        out.write('"Media": [')
    else:
        out.write('"value": [')
    count = 0
    for record in media:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        count += 1
    out.write("\n]}]\n}\n" if form == "cases" else "\n]\n}\n")
    return count
