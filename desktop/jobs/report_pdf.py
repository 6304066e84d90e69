"""The PDF report (reportlab): header with the case reference on every page, page numbers,
a table of contents and bookmarks; the story is pulled lazily and each finished page goes to
the file at once (pdf_stream), so the media stream through. The page machinery is pdf_layout's;
this module says what is on the pages."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table
from reportlab.platypus.tableofcontents import TableOfContents

from desktop.jobs.pdf_layout import (
    SECTION_PICTURE,
    TEXT_W,
    THUMB,
    Heading,
    Picture,
    ReportDocument,
    grid,
    styles,
    text,
)
from desktop.jobs.report_content import (
    EntitySection,
    OnMedia,
    ReportContent,
    ReportMedia,
    verification_sentence,
)


class PdfStory:
    """The report as flowables, in document order."""

    def __init__(self, content: ReportContent, on_media: OnMedia):
        self.c = content
        self.s = styles()
        self.on_media = on_media
        self.toc = TableOfContents()
        self.toc.levelStyles = [
            ParagraphStyle("toc0", self.s["body"], fontSize=9, leftIndent=0),
            ParagraphStyle("toc1", self.s["body"], fontSize=8, leftIndent=12),
        ]

    def p(self, value: Any, style: str = "body") -> Paragraph:
        return Paragraph(text(value), self.s[style])

    def pairs(self, rows: list[tuple[str, Any]]) -> Table:
        return grid([[self.p(k), self.p(v)] for k, v in rows], [45 * mm, TEXT_W - 45 * mm])

    def __call__(self, draw: bool) -> Iterator[Flowable]:
        c = self.c
        yield self.p(f"Case report: {c.reference}", "title")
        yield self.p(f"Scope: {c.cover['scope']} · {c.total} media · pictures "
                     f"{c.cover['pictures']}")  # fmt: skip
        yield Spacer(1, 4 * mm)
        yield self.p("Contents", "h2")
        yield self.toc
        yield PageBreak()
        yield from self.cover()
        yield from self.summary()
        for section in c.entity_sections(pictures=draw):
            yield from self.entity(section, draw)
        yield from self.media_table(draw)
        yield from self.appendix()

    def cover(self) -> Iterator[Flowable]:
        cover = self.c.cover
        yield Heading("Case", self.s["h1"], 0, "cover")
        yield self.pairs([
            ("Case reference", cover["reference"]), ("Case id", cover["case_id"]),
            ("Case file", cover["case_file"]), ("Case created", cover["case_created"]),
            ("Evidence ingested", f"{cover['first_ingest'] or 'never'} to "
                                  f"{cover['last_ingest'] or '-'}"),
            ("Report written", f"{cover['report_created']} by {cover['report_by']}"),
            ("Analysts (audit log)", ", ".join(cover["analysts"])),
        ])  # fmt: skip
        yield self.p("Evidence sources", "h2")
        rows = [[self.p("Source"), self.p("Added"), self.p("Files by status")]]
        for source in cover["sources"]:
            statuses = ", ".join(f"{k} {v}" for k, v in source["statuses"].items())
            rows.append([self.p(source["path"], "small"), self.p(source["added_at"]),
                         self.p(statuses)])  # fmt: skip
        yield grid(rows, [80 * mm, 40 * mm, TEXT_W - 120 * mm], header=True)
        yield self.p("Ingest runs", "h2")
        rows = [[self.p(h) for h in ("Run", "Started", "Finished", "By", "State")]]
        for run in cover["runs"]:
            rows.append([self.p(run[k] or "") for k in
                         ("id", "started_at", "finished_at", "user", "state")])  # fmt: skip
        yield grid(rows, [12 * mm, 45 * mm, 45 * mm, 30 * mm, TEXT_W - 132 * mm], header=True)
        yield self.p("Evidence verification", "h2")
        yield self.p(verification_sentence(cover["verification"]))
        yield self.p("Audit log", "h2")
        audit = cover["audit"]
        yield self.pairs([("Events", audit["count"]), ("Head hash", audit["head"]),
                          ("Hash chain", audit["chain"])])  # fmt: skip
        yield self.p("Tools", "h2")
        yield self.pairs(cover["versions"] + [(f"hashes: {k}", v)
                                              for k, v in cover["hash_algorithms"]])  # fmt: skip

    def summary(self) -> Iterator[Flowable]:
        s = self.c.summary
        yield PageBreak()
        yield Heading("Summary", self.s["h1"], 0, "summary")
        yield self.pairs([(name, n) for name, n in s["categories"]] or [("(no media)", 0)])
        yield Spacer(1, 3 * mm)
        known = s["known"]
        yield self.pairs([
            ("known (exact match)", known["known"]),
            ("probably known (to confirm)", known["probably_known"]),
            ("known good", known["known_good"]), ("new", known["new"]),
        ])  # fmt: skip
        yield self.p(f"Near-duplicate groups: {s['groups']} groups holding {s['grouped_media']} "
                     "media of the scope.")  # fmt: skip

    def entity(self, section: EntitySection, draw: bool) -> Iterator[Flowable]:
        e = section.entity
        yield PageBreak()
        yield Heading(f"{e.kind.capitalize()}: {e.name}", self.s["h1"], 1, f"entity-{e.id}")
        yield self.pairs([*section.fields, ("linked media", section.media_count)])
        if e.notes:
            yield Spacer(1, 2 * mm)
            yield self.p(e.notes, "note")
        for batch in section.media:
            for media in batch:
                yield self.section_media(media, draw)
        yield self.p("Clues", "h2")
        found = False
        for clue in section.clues():
            found = True
            words = [self.p(f"{clue.kind}: {clue.label} (clue #{clue.id} on media "
                            f"#{clue.media_id})")]  # fmt: skip
            if clue.note:
                words.append(self.p(clue.note, "note"))
            yield grid([[Picture(clue.picture, 28 * mm, draw), words]],
                        [32 * mm, TEXT_W - 32 * mm])  # fmt: skip
        if not found:
            yield self.p("No clues.")

    def section_media(self, m: ReportMedia, draw: bool) -> Table:
        r = m.row
        lines = [self.p(f"Media #{r.id} · {m.kind} · {m.category_name} · "
                        f"{r.known.replace('_', ' ')} · {r.status}")]  # fmt: skip
        lines += [self.p(f"{k} {v}", "mono") for k, v in m.hashes]
        if r.camera or r.serial:
            lines.append(self.p(f"Camera: {r.camera or ''}" + (f" · serial {r.serial}"
                                                               if r.serial else "")))  # fmt: skip
        if r.taken_at:
            lines.append(self.p(f"Taken: {r.taken_at}"))
        if r.gps:
            lines.append(self.p(f"GPS: {r.gps[0]:.6f}, {r.gps[1]:.6f}"))
        lines += [self.p(path, "small") for path in r.paths]
        picture = Picture(m.picture, SECTION_PICTURE, draw, (r.width, r.height))
        return grid(
            [[picture, lines]], [SECTION_PICTURE + 4 * mm, TEXT_W - SECTION_PICTURE - 4 * mm]
        )

    def media_table(self, draw: bool) -> Iterator[Flowable]:
        yield PageBreak()
        yield Heading("Media table", self.s["h1"], 0, "media")
        widths = [THUMB + 3 * mm, 12 * mm, 86 * mm, 26 * mm]  # a SHA-256 line fits at 5.2 pt
        widths.append(TEXT_W - sum(widths))
        heads = ("Picture", "Media", "Hashes", "Category / status", "Paths")
        yield grid([[self.p(h, "small") for h in heads]], widths, header=True)  # "Media" fits
        for batch in self.c.media_batches(pictures=draw):
            for m in batch:
                r = m.row
                yield grid([[
                    Picture(m.picture, THUMB, draw, (r.width, r.height)),
                    self.p(f"#{r.id}\n{m.kind}", "small"),
                    "\n".join(f"{k} {v}" for k, v in m.hashes),  # hex only: safe as is
                    self.p(f"{m.category_name}\n{r.known.replace('_', ' ')}\n{r.status}"),
                    [self.p(path, "small") for path in r.paths],
                ]], widths, mono_column=2)  # fmt: skip
            self.on_media(len(batch))

    def appendix(self) -> Iterator[Flowable]:
        a = self.c.appendix()
        yield PageBreak()
        yield Heading("Appendix", self.s["h1"], 0, "appendix")
        yield self.p("Hash sets in the library", "h2")
        if a["library"]:
            rows = [[self.p(h) for h in ("Name", "Records", "Purpose", "Source SHA-256")]]
            rows += [[self.p(h["name"]), self.p(h["record_count"]), self.p(h["purpose"]),
                      self.p(h["source_sha256"], "mono")] for h in a["library"]]  # fmt: skip
            yield grid(rows, [50 * mm, 20 * mm, 25 * mm, TEXT_W - 95 * mm], header=True)
        else:
            yield self.p("No hash library on this workstation.")
        yield self.p("What matched", "h2")
        if a["matched"]:
            rows = [
                [self.p(h) for h in ("Set or package", "Kind", "On", "Media", "Source SHA-256")]
            ]
            rows += [[self.p(f"{h['set_name']} ({h['origin']}, {h['purpose']})"),
                      self.p(h["kind"]), self.p(h["matched_on"]), self.p(h["media"]),
                      self.p(h["set_source_sha256"] or "", "mono")]
                     for h in a["matched"]]  # fmt: skip
            widths = [50 * mm, 18 * mm, 18 * mm, 14 * mm]
            yield grid(rows, [*widths, TEXT_W - sum(widths)], header=True)
        else:
            yield self.p("No media of the scope matched a hash set or package.")
        yield self.p(f"Category scheme: {a['scheme'].title}", "h2")
        rows = [[self.p(h) for h in ("Value", "Key", "Name")]]
        rows += [[self.p(c.value), self.p(c.key), self.p(c.name)] for c in a["scheme"].categories]
        yield grid(rows, [20 * mm, 20 * mm, TEXT_W - 40 * mm], header=True)
        yield Spacer(1, 3 * mm)
        yield self.p(PICTURE_NOTE + ("" if self.c.pictures.sharp else " They are blurred."))


PICTURE_NOTE = (
    "Pictures in this report are cut from the case's stored 256-pixel thumbnails (a video's is "
    "its poster frame, one of its kept frames)."
)


def write_pdf(content: ReportContent, out: io.BufferedIOBase, on_media: OnMedia) -> int:
    """Write the PDF; returns its page count. `on_media(count, message)`: media laid out or
    drawn; a message starts a new pass (its count from 0)."""
    header = f"Vigil case report · {content.reference}"
    doc = ReportDocument(out, header, content.pictures.sharp)
    story = PdfStory(content, on_media)

    def on_pass(number: int, drawing: bool) -> None:
        on_media(0, "Writing the pages" if drawing else f"Laying out the pages (pass {number})")

    doc.build_in_passes(story, story.toc, out, on_pass)
    return doc.pages.total
