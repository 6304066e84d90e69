"""Case reports: hostile text stays text, pictures blurred in the PDF as pdftoppm draws it unless
the analyst gave a reason (then sharp, with the header on every page), tables, audit, cancel."""

from __future__ import annotations

import base64
import csv
import io
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from helpers.images import detail_level
from PIL import Image

from desktop.cli import main
from desktop.core.blur import DEFAULT_BLUR
from desktop.core.regions import Region
from desktop.jobs.ingest import ingest
from desktop.jobs.report import ReportError, make_scope, write_report
from desktop.store import audit, clues, entities, links
from desktop.store.db import open_case
from desktop.store.report_rows import Scope

HOSTILE_NAME = "<script>alert(1)</script>.jpg"
HOSTILE_NOTE = 'Seen <img src=x onerror=alert(2)> and <a href="javascript:alert(3)">here</a>'


def detailed_picture(seed: int) -> Image.Image:
    """Coloured blocks of 8 px with noise: plenty of fine detail to blur away."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)
    pixels = np.kron(blocks, np.ones((8, 8, 1), dtype=np.uint8))
    return Image.fromarray(pixels, "RGB")


@pytest.fixture(scope="module")
def report_case(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("report")
    evidence = root / "evidence"
    hostile = evidence / HOSTILE_NAME  # the "/" in </script> makes a folder: the path reads so
    hostile.parent.mkdir(parents=True)
    detailed_picture(1).save(hostile, quality=95)
    detailed_picture(2).save(evidence / "plain.jpg", quality=95)
    case = root / "case.vigil"
    ingest(case, [evidence], workers=1)
    db = open_case(case)
    ids = {Path(p).name: int(i) for i, p in db.execute("SELECT media_id, path FROM files")}
    victim = entities.add_entity(db, "victim", "V-<b>7</b>", notes=HOSTILE_NOTE)
    links.link_media(db, [ids["script>.jpg"]], victim.id, "depicted", "")
    clues.add_clue(db, ids["script>.jpg"], "object", "Mug <i>logo</i>", HOSTILE_NOTE,
                   Region(20, 20, 120, 90))  # fmt: skip
    db.close()
    return case, {"hostile": ids["script>.jpg"], "plain": ids["plain.jpg"]}


def report(case: Path, out: Path, scope: Scope | None = None, **options) -> Path:
    db = open_case(case)
    try:
        write_report(db, case, out, scope, force=True, **options)
    finally:
        db.close()
    return out


def test_html_is_one_file_and_hostile_strings_are_text(report_case, tmp_path):
    case, _ = report_case
    html = report(case, tmp_path / "r.html").read_text("utf-8")
    assert "<script" not in html  # neither the file name nor any script of ours
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.jpg" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html and "V-&lt;b&gt;7&lt;/b&gt;" in html

    class Tags(HTMLParser):
        found: list[tuple[str, dict[str, str | None]]] = []

        def handle_starttag(self, tag, attrs):
            self.found.append((tag, dict(attrs)))

    parser = Tags()
    parser.feed(html)
    names = {tag for tag, _ in parser.found}
    assert not names & {"script", "a", "iframe", "object"} - {"a"} and "b" in names
    links_out = [a.get("href") for tag, a in parser.found if tag == "a"]
    assert all(h.startswith("#") for h in links_out)  # only the table of contents
    images = [a["src"] for tag, a in parser.found if tag == "img"]
    assert len(images) >= 4 and all(src.startswith("data:image/jpeg;base64,") for src in images)


def _page_text(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8").split("\f")[:-1]


def _rendered_picture(pdf: Path, tmp_path: Path) -> np.ndarray:
    """The one picture of the media table as pdftoppm draws it (the coloured part of the last
    pages, below the header band), in grey levels."""
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")], check=True)
    for page in sorted(tmp_path.glob("page-*.png"), reverse=True):
        pixels = np.asarray(Image.open(page).convert("RGB"), dtype=np.int16)
        body = pixels[150:]  # below the header band (1 inch at 150 dpi)
        colourful = (body.max(axis=2) - body.min(axis=2)) > 40
        rows, cols = np.nonzero(colourful)
        if len(rows) > 500:
            top, bottom, left, right = rows.min(), rows.max(), cols.min(), cols.max()
            crop = body[top + 3 : bottom - 2, left + 3 : right - 2]
            return np.asarray(Image.fromarray(crop.astype(np.uint8)).convert("L"), np.float64)
    raise AssertionError("no picture drawn")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils: .ci/run installs it")
def test_pdf_pictures_are_blurred_unless_the_analyst_gave_a_reason(report_case, tmp_path):
    case, ids = report_case
    only_plain = Scope("media", (ids["plain"],), "one media")  # no entity: one picture drawn
    original = np.asarray(detailed_picture(2).convert("L"), dtype=np.float64)

    def reference(shape: tuple[int, int]) -> float:
        size = (shape[1], shape[0])
        image = Image.fromarray(original.astype(np.uint8)).resize(size, Image.Resampling.LANCZOS)
        return detail_level(np.asarray(image, dtype=np.float64))

    blurred_pdf = report(case, tmp_path / "b.pdf", only_plain)
    (tmp_path / "b").mkdir()
    blurred = _rendered_picture(blurred_pdf, tmp_path / "b")
    assert detail_level(blurred) < 0.25 * reference(blurred.shape)
    assert not any("UNBLURRED" in page for page in _page_text(blurred_pdf))

    sharp_pdf = report(case, tmp_path / "s.pdf", only_plain, unblurred_reason="court order 7")
    (tmp_path / "s").mkdir()
    sharp = _rendered_picture(sharp_pdf, tmp_path / "s")
    assert detail_level(sharp) > 0.6 * reference(sharp.shape)
    pages = _page_text(sharp_pdf)
    assert len(pages) >= 3 and all("UNBLURRED: contains images" in page for page in pages)
    assert all("Page" in page for page in pages)

    whole = _page_text(report(case, tmp_path / "all.pdf"))
    flat = "".join("".join(whole).split())
    assert HOSTILE_NAME in flat and "V-<b>7</b>" in flat and "onerror=alert(2)>" in flat
    assert "Contents" in whole[0] and "Victim: V-<b>7</b>" in whole[0]  # table of contents


def test_tables_and_audit(report_case, tmp_path):
    case, ids = report_case
    rows = list(csv.reader(io.StringIO(report(case, tmp_path / "r.csv").read_text("utf-8"))))
    assert rows[0][:4] == ["media_id", "md5", "sha1", "sha256"] and len(rows) == 3
    assert any(row[-1].endswith(HOSTILE_NAME) for row in rows[1:])

    from openpyxl import load_workbook

    sheet = load_workbook(report(case, tmp_path / "r.xlsx"))["Media"]
    paths = [row[-1].value for row in sheet.iter_rows(min_row=2)]
    assert len(paths) == 2 and any(p.endswith(HOSTILE_NAME) for p in paths)

    with pytest.raises(ReportError, match="reason"):
        report(case, tmp_path / "x.pdf", unblurred_reason="  ")
    db = open_case(case)
    tagless = make_scope(db, "entity", "V-<b>7</b>")
    assert tagless.value and "victim" in tagless.label
    write_report(db, case, tmp_path / "u.html", tagless, unblurred_reason="for the court")
    last = list(audit.events(db))[-1]
    assert last.action == "report.unblurred" and json.loads(last.after)["reason"] == "for the court"
    summary = write_report(db, case, tmp_path / "c.html", cancel=lambda: True)
    assert summary.cancelled and not (tmp_path / "c.html").exists()
    steps: list[str] = []
    summary = write_report(db, case, tmp_path / "c.pdf", cancel=lambda: len(steps) > 3,
                           progress=lambda done, total, step: steps.append(step))  # fmt: skip
    assert summary.cancelled and not (tmp_path / "c.pdf").exists()
    assert "Laying out the pages (pass 1)" in steps  # the PDF says what it is doing
    assert not list(tmp_path.glob(".*.partial"))
    db.close()


def test_cli_report_refuses_unblurred_without_reason(report_case, tmp_path, capsys):
    case, _ = report_case
    assert main(["report", "--case", str(case), str(tmp_path / "r.pdf"), "--unblurred"]) == 2
    assert "reason" in capsys.readouterr().err
    assert main(["report", "--case", str(case), str(tmp_path / "r.txt")]) == 2
    assert main(["report", "--case", str(case), str(tmp_path / "r.html"), "--tag", "none"]) == 0


def test_videos_show_their_poster_frame_blurred_and_their_length(video_case_template, tmp_path):
    case = tmp_path / "videos.vigil"
    shutil.copy(video_case_template, case)
    html = report(case, tmp_path / "v.html").read_text("utf-8")
    assert "video (mp4), 0:0" in html  # the 4.5 s clip
    rows = list(csv.DictReader(io.StringIO(report(case, tmp_path / "v.csv").read_text("utf-8"))))
    clip = next(row for row in rows if row["paths"].endswith("clip.mp4"))
    assert float(clip["duration_s"]) > 4
    db = open_case(case)
    media_id = int(clip["media_id"])
    (thumb,) = db.execute("SELECT thumbnail FROM media WHERE id = ?", [media_id]).fetchone()
    db.close()
    from desktop.core.report_pictures import thumbnail

    shown = thumbnail(thumb, 128, False, DEFAULT_BLUR)  # the poster frame, blurred
    assert base64.b64encode(shown).decode() in html
    assert base64.b64encode(thumbnail(thumb, 128, True, DEFAULT_BLUR)).decode() not in html


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="poppler-utils: .ci/run installs it")
def test_every_picture_of_a_pdf_is_blurred_clue_crops_too(report_case, tmp_path):
    """Every picture the PDF holds (media table, the victim's linked media, the clue crop),
    taken out by pdfimages: blurred, each far below the same picture in a sharp report."""
    case, _ = report_case

    def pictures(pdf: Path, name: str) -> list[float]:
        folder = tmp_path / name
        folder.mkdir()
        subprocess.run(["pdfimages", "-png", str(pdf), str(folder / "i")], check=True)
        found = sorted(folder.glob("i-*.png"))
        grey = [np.asarray(Image.open(p).convert("L"), dtype=np.float64) for p in found]
        return [detail_level(g) for g in grey]

    blurred = pictures(report(case, tmp_path / "b.pdf"), "b")
    sharp = pictures(report(case, tmp_path / "s.pdf", unblurred_reason="court order 9"), "s")
    assert len(blurred) == len(sharp) == 4  # 2 in the table, the victim's media, its clue crop
    assert all(b < 0.3 * s for b, s in zip(blurred, sharp, strict=True)), (blurred, sharp)


def test_a_long_pdf_holds_no_finished_page_to_the_end(sample_case, tmp_path, monkeypatch):
    """When the PDF is finished, no picture flowable of a drawn page is still alive (platypus
    kept one a page, pictures and all, to undo its postponement in a next pass)."""
    import gc

    from desktop.jobs.pdf_layout import Picture
    from desktop.jobs.pdf_stream import StreamingDocument

    alive: list[int] = []
    finish = StreamingDocument.format

    def counting(self):
        gc.collect()
        alive.append(sum(isinstance(o, Picture) for o in gc.get_objects()))
        return finish(self)

    monkeypatch.setattr(StreamingDocument, "format", counting)
    db = open_case(sample_case)
    summary = write_report(db, sample_case, tmp_path / "long.pdf")
    db.close()
    assert summary.pages is not None and summary.pages >= 5 and alive == [0]
