"""The viewer's facts about one media: hashes, size, EXIF with GPS as text, every location."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QTextBrowser, QWidget

from desktop.core.categories import Scheme
from desktop.core.controls import printable_html as escape  # paths and EXIF come from evidence


def _size(n: int | None) -> str:
    if n is None:
        return "?"
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def gps_text(lat: float | None, lon: float | None) -> str:
    """Coordinates as text (no map: nothing leaves the machine)."""
    if lat is None or lon is None:
        return ""
    ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
    return f"{abs(lat):.6f}° {ns}, {abs(lon):.6f}° {ew}  ({lat:.6f}, {lon:.6f})"


HASH_NAMES = {"phash": "pHash", "dhash": "dHash", "pdq": "PDQ"}


def detail_html(detail: dict[str, Any], scheme: Scheme) -> str:
    rows: list[tuple[str, str]] = []
    category = scheme.by_value(detail["category"]) if detail["category"] is not None else None
    rows.append(("Category", f"{category.key} · {category.name}" if category else "uncategorised"))
    if detail.get("category_source"):
        rows.append(("Decided by", detail["category_source"]))
    rows.append(("Reviewed", "yes" if detail["reviewed"] else "not yet"))
    status = detail["status"] + (f": {detail['reason']}" if detail.get("reason") else "")
    rows.append(("Status", status))
    rows.append(("Type", f"{detail['file_type'] or 'unknown'} ({detail['mime_type'] or '?'})"))
    rows.append(("Size", _size(detail["size"])))
    if detail["width"]:
        rows.append(("Dimensions", f"{detail['width']} × {detail['height']} px"))
    if (detail.get("frames") or 1) > 1:
        rows.append(("Frames", str(detail["frames"])))
    rows += [("SHA-256", detail["sha256"]), ("SHA-1", detail["sha1"]), ("MD5", detail["md5"])]
    # The hashes other tools and hash sets use; the engine's extra views are only counted.
    views = 0
    for h in detail["perceptual_hashes"]:
        if h["variant"] != "original":
            views += 1
            continue
        quality = f" (quality {h['quality']})" if h.get("quality") is not None else ""
        rows.append((HASH_NAMES.get(h["algorithm"], h["algorithm"]), f"{h['hash']}{quality}"))
    if views:
        rows.append(("Similarity views", f"{views} more hashes (trimmed, turned, mirrored)"))
    exif = dict(detail["exif"])
    gps = gps_text(exif.pop("gps_latitude", None), exif.pop("gps_longitude", None))
    if gps:
        rows.append(("GPS", gps))
    if "gps_altitude" in exif:
        rows.append(("Altitude", f"{exif.pop('gps_altitude')} m"))
    for key, value in sorted(exif.items()):
        rows.append((f"EXIF {key.replace('_', ' ')}", str(value)))
    if len(detail.get("stack", [])) > 1:
        rows.append(("Near-duplicate stack", f"{len(detail['stack'])} media"))
    table = "".join(
        f"<tr><td class='k'>{escape(k)}</td><td><code>{escape(v)}</code></td></tr>"
        if k in ("SHA-256", "SHA-1", "MD5", *HASH_NAMES.values())
        else f"<tr><td class='k'>{escape(k)}</td><td>{escape(v)}</td></tr>"
        for k, v in rows
    )
    files = "".join(
        f"<li>{escape(f['path'])}<br><span class='dim'>{escape(f['status'])}"
        + (f": {escape(f['reason'])}" if f.get("reason") else "")
        + (" · extension does not match content" if f["extension_mismatch"] else "")
        + "</span></li>"
        for f in detail["files"]
    )
    return (
        "<style>td{padding:1px 6px 1px 0;vertical-align:top} td.k{color:#6b7280;white-space:nowrap}"
        " code{font-size:9pt} .dim{color:#6b7280}</style>"
        f"<h3>Media {detail['id']}</h3><table>{table}</table>"
        f"<h4>Found at {len(detail['files'])} location(s)</h4><ul>{files}</ul>"
    )


class MetadataPanel(QTextBrowser):
    """Read-only, selectable text, so hashes and paths can be copied."""

    def __init__(self, scheme: Scheme, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("metadataPanel")
        self.scheme = scheme
        self.setOpenLinks(False)
        self.setPlaceholderText("Select a picture to see its details.")

    def show_detail(self, detail: dict[str, Any] | None) -> None:
        if detail is None:
            self.clear()
            return
        self.setHtml(detail_html(detail, self.scheme))
