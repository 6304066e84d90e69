"""Reports of a case whose names and labels are hostile: every format is written, people's
formats (HTML, XLSX, PDF) show control characters spelled out, the CSV keeps them exact."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest

from desktop.core import samples
from desktop.jobs.ingest import ingest
from desktop.store import clues, entities, links
from desktop.store.db import open_case
from faults.bounded import run_vigil

ESCAPES = "\x1b]0;owned\x07\x1b[2J"  # set the window title, clear the screen
REVERSED = "\u202egpj.exe"  # reads "exe.jpg" where bidirectional text is laid out
NAME = f"holiday{ESCAPES}\x01\x0b{REVERSED}"
RAW = ("\x1b", "\x07", "\x01", "\x0b", "\u202e")


@pytest.fixture(scope="module")
def hostile_case(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile_report")
    evidence = root / "evidence"
    evidence.mkdir()
    (evidence / NAME).write_bytes(samples.jpeg_bytes(samples.scene(4, (96, 72))))
    case = root / "case.vigil"
    ingest(case, [evidence], workers=1)
    db = open_case(case)
    victim = entities.add_entity(db, "victim", f"V{ESCAPES}", notes=f"first line\n{ESCAPES}\x01")
    links.link_media(db, [1], victim.id, "depicted", f"note{ESCAPES}")
    clues.add_clue(db, 1, "text", f"sign{ESCAPES}{REVERSED}", "", None)
    db.close()
    return case


def _report(case, out):
    ran = run_vigil("report", "--case", case, out, timeout=60)
    assert ran.code == 0 and "Traceback" not in ran.stderr, ran.stderr
    return out


def test_html_shows_controls_spelled_out(hostile_case, tmp_path):
    html = _report(hostile_case, tmp_path / "r.html").read_text("utf-8")
    assert not any(ch in html for ch in RAW)
    assert "holiday\\x1b]0;owned\\x07\\x1b[2J\\x01\\x0b\\u202egpj.exe" in html
    assert "sign\\x1b]0;owned" in html and "V\\x1b]0;owned" in html
    assert "first line\n\\x1b]0;owned" in html  # notes keep their line ends


def test_xlsx_is_written_with_controls_spelled_out(hostile_case, tmp_path):
    from openpyxl import load_workbook

    sheet = load_workbook(_report(hostile_case, tmp_path / "r.xlsx"))["Media"]
    (path,) = [row[-1].value for row in sheet.iter_rows(min_row=2)]
    assert path.endswith("holiday\\x1b]0;owned\\x07\\x1b[2J\\x01\\x0b\\u202egpj.exe")


def test_csv_keeps_names_exact(hostile_case, tmp_path):
    text = _report(hostile_case, tmp_path / "r.csv").read_text("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][-1].endswith(NAME)  # data for other tools: exact, like JSON


def test_pdf_is_written_and_draws_controls_spelled_out(hostile_case, tmp_path):
    pdf = _report(hostile_case, tmp_path / "r.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        return  # poppler-utils (.ci/run installs it) reads the drawn text back
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    shown = text.decode("utf-8")
    assert not any(ch in shown for ch in RAW)
    assert "\\u+001B" in shown and "\\u+202E" in shown
