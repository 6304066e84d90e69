"""The PDF report's page machinery (reportlab platypus): fonts that draw any path, the styles,
a story pulled lazily from a generator, the document with its header, page numbers and table
of contents, pictures in fixed boxes and grid tables. What goes on the pages is report_pdf's."""

from __future__ import annotations

import functools
import io
from collections import deque
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from desktop.jobs.pdf_stream import StreamingCanvas

# Binary streams: ASCII85 makes pictures a quarter larger, and reportlab encodes it in pure
# Python (a third of a long report's time without its optional C accelerator).
rl_config.useA85 = 0
FONT, BOLD, MONO = "Vera", "VeraBd", "Courier"
PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
TEXT_W = PAGE_W - 2 * MARGIN
THUMB = 17 * mm  # media table picture
SECTION_PICTURE = 42 * mm
UNBLURRED = "UNBLURRED: contains images"


@cache
def _fonts() -> frozenset[int]:
    """Register reportlab's own Bitstream Vera (no system font needed); the code points it
    draws. Anything else is written as \\u+XXXX so a path is never shown wrong."""
    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))
    face = pdfmetrics.getFont(FONT).face
    return frozenset(face.charToGlyph)


def text(value: Any) -> str:
    """Any string as Paragraph markup that shows exactly that text: markup escaped (Paragraph
    would read <img src=...> and friends), characters the font lacks spelled out."""
    drawable = _fonts()
    shown = "".join(
        ch if ord(ch) in drawable or ch in "\n\t" else f"\\u+{ord(ch):04X}" for ch in str(value)
    )
    return escape(shown).replace("\n", "<br/>")


def styles() -> dict[str, ParagraphStyle]:
    _fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", base["BodyText"], fontName=FONT, fontSize=8.5, leading=10.5)
    return {
        "title": ParagraphStyle("title", body, fontName=BOLD, fontSize=18, leading=22),
        "h1": ParagraphStyle(
            "h1", body, fontName=BOLD, fontSize=14, leading=18, spaceBefore=6, spaceAfter=6
        ),  # fmt: skip
        "h2": ParagraphStyle("h2", body, fontName=BOLD, fontSize=10.5, leading=13, spaceBefore=6),
        "body": body,
        "small": ParagraphStyle("small", body, fontSize=7, leading=8.5),
        "mono": ParagraphStyle("mono", body, fontName=MONO, fontSize=5.8, leading=7.2),
        "note": ParagraphStyle("note", body, backColor=colors.HexColor("#f3f3f3"), borderPadding=3),
    }


class LazyStory:
    """The list interface platypus consumes (len, [0], del, insert, slices at the front),
    filled from a generator a few flowables at a time, so the story is never whole in memory."""

    def __init__(self, flowables: Iterator[Flowable]):
        self._buffer: deque[Flowable] = deque()
        self._source = flowables
        self._done = False

    def _fill(self, n: int) -> None:
        while not self._done and len(self._buffer) < n:
            try:
                self._buffer.append(next(self._source))
            except StopIteration:
                self._done = True

    def __len__(self) -> int:
        self._fill(2)
        return len(self._buffer) + (0 if self._done else 1)  # one more is always fetchable

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            stop = index.stop if index.stop is not None else len(self)
            self._fill(stop)
            return list(self._buffer)[index]
        self._fill(index + 1)
        return self._buffer[index]

    def __delitem__(self, index: int | slice) -> None:
        if isinstance(index, slice):
            for _ in range(len(range(*index.indices(len(self))))):
                self._buffer.popleft()
        else:
            self._fill(index + 1)
            del self._buffer[index]

    def __setitem__(self, index: slice, values: list[Flowable]) -> None:
        if not (isinstance(index, slice) and index.start in (0, None) and index.stop == 0):
            raise IndexError("only insertion at the front is supported")
        self._buffer.extendleft(reversed(values))

    def insert(self, index: int, value: Flowable) -> None:
        if index != 0:
            raise IndexError("only insertion at the front is supported")
        self._buffer.appendleft(value)


class Heading(Paragraph):
    """A section title: listed in the table of contents and as a bookmark."""

    def __init__(self, title: str, style: ParagraphStyle, level: int, key: str):
        super().__init__(text(title), style)
        self.toc = (level, title, key)


class PageCount:
    """An indexing object for the build loop: the "of N" pages, satisfied once stable."""

    def __init__(self) -> None:
        self.total, self.last_total = 0, -1

    def beforeBuild(self) -> None:  # noqa: N802 - reportlab's names
        self.last_total, self.total = self.total, 0

    def afterBuild(self) -> None:  # noqa: N802
        pass

    def isSatisfied(self) -> bool:  # noqa: N802
        return self.total == self.last_total

    def notify(self, kind: str, stuff: Any) -> None:
        pass  # told of every table-of-contents entry, like the real indexing flowables


class ReportDocument(BaseDocTemplate):
    def __init__(self, out: io.BufferedIOBase, header: str, unblurred: bool):
        super().__init__(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                         topMargin=MARGIN + 6 * mm, bottomMargin=MARGIN,
                         title=header, author="Vigil")  # fmt: skip
        self.header, self.unblurred = header, unblurred
        self.pages = PageCount()
        frame = Frame(MARGIN, MARGIN, TEXT_W, PAGE_H - 2 * MARGIN - 6 * mm, id="body")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._decorate)])

    def _decorate(self, canvas: Any, doc: Any) -> None:
        self.pages.total = max(self.pages.total, canvas.getPageNumber())
        canvas.saveState()
        top = PAGE_H - MARGIN + 2 * mm
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, top, self.header)
        if self.unblurred:  # a red band above the header line, on every page
            band = top + 4 * mm
            canvas.setFillColor(colors.HexColor("#b00000"))
            canvas.rect(MARGIN, band - 1.5 * mm, TEXT_W, 5 * mm, stroke=0, fill=1)
            canvas.setFillColor(colors.white)
            canvas.setFont(BOLD, 9)
            canvas.drawCentredString(PAGE_W / 2, band, UNBLURRED)
            canvas.setFillColor(colors.black)
        total = self.pages.last_total if self.pages.last_total > 0 else None
        number = f"Page {canvas.getPageNumber()}" + (f" of {total}" if total else "")
        canvas.setFont(FONT, 8)
        canvas.drawRightString(PAGE_W - MARGIN, top, number)
        canvas.setStrokeColor(colors.grey)
        canvas.line(MARGIN, top - 2 * mm, PAGE_W - MARGIN, top - 2 * mm)
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802
        toc = getattr(flowable, "toc", None)
        if toc is not None:
            level, title, key = toc
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)
            self.notify("TOCEntry", (level, text(title), self.page, key))

    def build_in_passes(
        self, story: Callable[[bool], Iterator[Flowable]], toc: Any, out: io.BufferedIOBase,
        on_pass: Callable[[int, bool], None],
    ) -> int:  # fmt: skip
        """reportlab's multiBuild, for a story made afresh each pass (it is consumed). Layout
        passes draw no pictures and keep no page (a StreamingCanvas without a file) until the
        contents and the page count stop changing; then one pass draws the pictures and
        writes the file page by page. Pictures sit in fixed boxes, so that pass lays the
        pages out exactly as the last layout pass did (were it not so, it runs again)."""
        self._indexingFlowables = [toc, self.pages]
        self._doSave = 0
        edits: list[Any] = []

        def remember(edit: tuple[Any, ...]) -> None:
            # platypus notes how to undo what it changed on a flowable (one postponed to the
            # next page, one kept with the next) for the next pass. The story is made afresh
            # each pass, so only the contents outlive it: keeping the rest would hold a
            # flowable a page, pictures and all, to the end.
            if edit[1] is toc:
                edits.append(edit)

        self._multiBuildEdits = remember
        passes, drawing = 0, False
        while True:
            passes += 1
            on_pass(passes, drawing)
            for each in self._indexingFlowables:
                each.beforeBuild()
            if drawing:
                out.seek(0)
                out.truncate()
            canvas = functools.partial(StreamingCanvas, out=out if drawing else None)
            self.build(LazyStory(story(drawing)), canvasmaker=canvas)  # type: ignore[arg-type]
            for each in self._indexingFlowables:
                each.afterBuild()
            if self._allSatisfied():
                if drawing:
                    self.canv.save()
                    return passes
                drawing = True
            if passes > 8:
                raise RuntimeError("the report's page numbers did not settle")
            while edits:
                edit = edits.pop(0)
                edit[0](*edit[1:])


class Jpeg(ImageReader):
    """One of our JPEGs for reportlab: passed into the PDF as it is (DCTDecode), its bytes
    naming it (reportlab would decode it to name it)."""

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self._dataA = None
        self._jpeg = data

    def getRGBData(self) -> bytes:  # noqa: N802 - reportlab's name
        return self._jpeg


class Picture(Flowable):
    """A picture in a box of fixed size whether it is drawn or not, so a layout pass without
    pictures lays the pages out as the drawing pass does: the media's own proportions (known
    from the case, no decoding) fitted in `side`, else a square. A media without a picture (a
    damaged thumbnail) says so in the box."""

    def __init__(
        self, data: bytes | None, side: float, draw: bool,
        size: tuple[int | None, int | None] = (None, None),
    ):  # fmt: skip
        super().__init__()
        self.data, self.drawing = data, draw
        width, height = size
        if width and height and width > 0 and height > 0:
            scale = min(side / width, side / height)
            self.box = (max(width * scale, side / 4), max(height * scale, side / 4))
        else:
            self.box = (side, side)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.box

    def draw(self) -> None:
        if not self.drawing:
            return
        box_w, box_h = self.box
        if self.data is None:
            self.canv.setFont(FONT, 6)
            self.canv.setFillColor(colors.grey)
            self.canv.drawString(0, box_h - 8, "no picture")
            return
        picture = Jpeg(self.data)
        width, height = picture.getSize()
        scale = min(box_w / width, box_h / height)
        shown_w, shown_h = width * scale, height * scale
        self.canv.drawImage(picture, 0, box_h - shown_h, shown_w, shown_h)


def grid(
    rows: list[list[Any]], widths: list[float], header: bool = False, mono_column: int = -1
) -> Table:
    """A table with grid lines; `mono_column` holds plain strings set in Courier (digests:
    drawn line by line, no paragraph layout, which is most of a long report's time)."""
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#aaaaaa")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
    ]
    if mono_column >= 0:
        column = (mono_column, 0), (mono_column, -1)
        style += [("FONTNAME", *column, MONO), ("FONTSIZE", *column, 5.2),
                  ("LEADING", *column, 6.6)]  # fmt: skip
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8f4")))
    table.setStyle(TableStyle(style))
    return table
