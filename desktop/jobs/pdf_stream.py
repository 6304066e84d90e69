"""A reportlab canvas whose document writes each finished page, its content stream and its
pictures to the file when the page ends, so a PDF's memory does not grow with its length.

reportlab keeps every object of a document until `save` and then formats the whole file at
once. A PDF does not need that: objects may come in any order as long as the cross-reference
table at the end gives each one's offset. A page is final when the canvas hands it to the
document (`addPage`), and so are the pictures drawn on it; only the page tree, catalogue,
outline, fonts, annotations and destinations (a few per section, not per media) wait for the
end. A written object leaves the document's tables; its offset stays, 8 bytes an object.
"""

from __future__ import annotations

from array import array
from typing import Any, BinaryIO

from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

_FLUSHED = (pdfdoc.PDFPage, pdfdoc.PDFImageXObject)


class StreamingDocument(pdfdoc.PDFDocument):
    """PDFDocument writing finished pages and pictures to `out` as they come. With `out`
    None (a layout pass that is never saved) finished pages are dropped instead."""

    def __init__(self, out: BinaryIO | None, **kwargs: Any):
        super().__init__(**kwargs)
        self._out = out
        self._offsets = array("q")  # by object number; -1 while not written
        self._position = 0
        self._seen = self.objectcounter
        self.Reference(self.Pages)  # the page tree stays to the end: number it before any page
        if out is not None:
            self._write(pdfdoc.PDFFile(self._pdfVersion).format(self))

    def _write(self, data: bytes) -> int:
        assert self._out is not None
        at = self._position
        self._out.write(data)
        self._position += len(data)
        return at

    def _put(self, number: int, name: str, obj: Any) -> None:
        if self._out is None:
            return  # a layout pass: nothing is formatted, the object is only let go
        data = pdfdoc.PDFIndirectObject(name, obj).format(self)
        while len(self._offsets) <= number:
            self._offsets.append(-1)
        self._offsets[number] = self._write(data)

    def addPage(self, page: pdfdoc.PDFPage) -> None:  # noqa: N802 - reportlab's name
        page_name = self.thisPageName()
        super().addPage(page)
        finished = [
            (number, self.numberToId[number])
            for number in range(self._seen + 1, self.objectcounter + 1)
            if isinstance(self.idToObject[self.numberToId[number]], _FLUSHED)
        ]
        written = []
        for number, name in finished:
            first_new = self.objectcounter + 1
            self._put(number, name, self.idToObject[name])
            written.append((number, name))
            # formatting a page registers its content stream: final too, written with it
            for new in range(first_new, self.objectcounter + 1):
                if isinstance(self.idToObject[self.numberToId[new]], pdfdoc.PDFStream):
                    self._put(new, self.numberToId[new], self.idToObject[self.numberToId[new]])
                    written.append((new, self.numberToId[new]))
        for number, name in written:
            del self.idToObject[name]
            del self.numberToId[number]
            if name != page_name:  # the page keeps its number: the tree and links refer to it
                del self.idToObjectNumberAndVersion[name]
        self.Pages.pages[-1] = pdfdoc.PDFObjectReference(page_name)
        self._seen = self.objectcounter

    def SaveToFile(self, filename: Any, canvas: Any) -> None:  # noqa: N802 - reportlab's name
        """Finish the file being written (`filename` is not opened again)."""
        self.GetPDFData(canvas)

    def format(self) -> bytes:
        """Write what is left (page tree, catalogue, outline, fonts...), the cross-reference
        table and the trailer."""
        if self._out is None:
            raise RuntimeError("a layout pass is not saved")
        if self.encrypt.info():
            raise RuntimeError("the streaming document does not encrypt")
        catalog, info = self.Reference(self.Catalog), self.Reference(self.info)
        number = 0
        while number < self.objectcounter:  # formatting may register more objects
            number += 1
            if number < len(self._offsets) and self._offsets[number] >= 0:
                continue
            name = self.numberToId[number]
            self._put(number, name, self.idToObject[name])
        count = self.objectcounter
        if len(self._offsets) <= count or min(self._offsets[1 : count + 1]) < 0:
            raise RuntimeError("an object of the PDF was never written")
        lines = [f"xref\n0 {count + 1}", "0000000000 65535 f "]
        lines += [f"{self._offsets[n]:010d} 00000 n " for n in range(1, count + 1)]
        start = self._write(("\n".join(lines) + "\n").encode("ascii"))
        trailer = pdfdoc.PDFTrailer(
            startxref=start, Size=count + 1, Root=catalog, Info=info, ID=self.ID()
        )
        self._write(trailer.format(self))
        return b""


class StreamingCanvas(Canvas):
    """A canvas on a StreamingDocument (`out` None: a layout pass, never saved)."""

    def __init__(self, filename: Any, *, out: BinaryIO | None, **kwargs: Any):
        super().__init__(filename, **kwargs)
        old = self._doc
        self._doc = StreamingDocument(
            out,
            compression=old.compression,
            invariant=old.invariant,
            pdfVersion=old._pdfVersion,
            lang=kwargs.get("lang"),
        )
        self._make_preamble()  # again: the first one named its font in the old document
