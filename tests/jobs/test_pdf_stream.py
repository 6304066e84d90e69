"""The streaming PDF document: each finished page and its pictures leave memory for the file as
the page ends, and the file is a well-formed PDF (every cross-reference points at its object)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfdoc

from desktop.jobs.pdf_layout import Jpeg
from desktop.jobs.pdf_stream import StreamingCanvas


def _jpeg(seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (24, 32, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "JPEG")
    return out.getvalue()


def _draw(canvas: StreamingCanvas, pages: int) -> list[int]:
    """`pages` pages of text and two pictures each (one repeated on every page); the number
    of objects the document holds after each page."""
    held = []
    repeated = _jpeg(0)
    for page in range(pages):
        canvas.bookmarkPage(f"p{page}")
        canvas.addOutlineEntry(f"Page {page}", f"p{page}")
        canvas.setFont("Helvetica", 12)
        canvas.drawString(72, 720, f"page {page} ü")
        canvas.drawImage(Jpeg(_jpeg(page + 1)), 72, 500, 64, 48)
        canvas.drawImage(Jpeg(repeated), 200, 500, 64, 48)
        canvas.linkAbsolute("first", "p0", (72, 700, 200, 730))
        canvas.showPage()
        held.append(len(canvas._doc.idToObject))
    return held


def test_pages_and_pictures_leave_memory_and_the_file_is_whole(tmp_path):
    path = tmp_path / "stream.pdf"
    with open(path, "wb") as out:
        canvas = StreamingCanvas(str(path), out=out, pagesize=A4)
        held = _draw(canvas, 40)
        kept = canvas._doc.idToObject.values()
        assert not [o for o in kept if isinstance(o, (pdfdoc.PDFPage, pdfdoc.PDFImageXObject))]
        canvas.save()
    assert held[-1] - held[4] <= 36  # a link annotation and a destination a page, no more
    data = path.read_bytes()
    start = int(data[data.rindex(b"startxref") + 9 :].split()[0])
    table = data[start:].split(b"trailer")[0].split(b"\n")
    assert table[0] == b"xref" and table[1].split()[0] == b"0"
    count = int(table[1].split()[1])
    for number in range(1, count):
        offset = int(table[2 + number][:10])
        assert data[offset:].startswith(b"%d 0 obj" % number), number
    assert len(re.findall(rb"/Subtype /Image", data)) >= 41  # 40 pictures + the repeated one
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
        assert info.returncode == 0 and re.search(r"Pages:\s+40\b", info.stdout)
        assert "Error" not in info.stderr
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
        assert "page 39 ü" in text.stdout and "Error" not in text.stderr


def test_a_layout_pass_keeps_nothing_and_cannot_be_saved(tmp_path):
    canvas = StreamingCanvas(str(tmp_path / "never.pdf"), out=None, pagesize=A4)
    held = _draw(canvas, 10)
    assert held[-1] - held[2] <= 14
    with pytest.raises(RuntimeError, match="layout pass"):
        canvas.save()
