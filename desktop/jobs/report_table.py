"""The media table of a report as CSV or XLSX (openpyxl, write-only: rows go straight out)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from desktop.core.controls import printable
from desktop.jobs.report_content import ReportContent, ReportMedia

COLUMNS = (
    "media_id", "md5", "sha1", "sha256", "category", "category_name", "known", "status",
    "size", "file_type", "duration_s", "taken_at", "camera", "serial", "gps_lat", "gps_lon",
    "paths",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _values(m: ReportMedia) -> list[Any]:
    r = m.row
    return [
        r.id, r.md5, r.sha1, r.sha256, r.category, m.category_name, r.known, r.status, r.size,
        r.file_type, r.duration, r.taken_at, r.camera, r.serial, r.gps[0] if r.gps else None,
        r.gps[1] if r.gps else None, "\n".join(r.paths),
    ]  # fmt: skip


def _rows(content: ReportContent, on_media: Callable[[int], None]) -> Iterator[list[Any]]:
    for batch in content.media_batches(pictures=False):
        for media in batch:
            yield _values(media)
        on_media(len(batch))


def _inert(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (the usual
    defence against formula injection; evidence paths are absolute and never start so)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(content: ReportContent, out: IO[str], on_media: Callable[[int], None]) -> None:
    """Data for other tools: values exact (control characters too), formulas made inert."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in _rows(content, on_media):
        writer.writerow([_inert(v) for v in row])


def write_xlsx(content: ReportContent, path: Path, on_media: Callable[[int], None]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Media")

    def cells(sheet: Any, values: list[Any]) -> list[Any]:
        out = []
        for value in values:
            if isinstance(value, str):  # a sheet cannot hold most controls: spelled out
                value = printable(value, keep="\n\t")
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text: "=..." is never a formula here
            out.append(cell)
        return out

    sheet.append(COLUMNS)
    for row in _rows(content, on_media):
        sheet.append(cells(sheet, row))
    info = book.create_sheet("Case")
    for pair in (
        ["case reference", content.reference], ["scope", content.cover["scope"]],
        ["written", content.created], ["audit events", content.cover["audit"]["count"]],
        ["audit head", content.cover["audit"]["head"]],
    ):  # fmt: skip
        info.append(cells(info, pair))
    book.save(path)
