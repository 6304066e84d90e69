"""The HTML report: one self-contained file (pictures inside) from an autoescaping template."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from importlib import resources
from typing import IO

import jinja2
from markupsafe import Markup

from desktop.core.controls import printable
from desktop.jobs.report_content import ReportContent, ReportMedia, verification_sentence


def _template(name: str) -> str:
    return resources.files("desktop.resources").joinpath("report", name).read_text("utf-8")


def _shown(value: object) -> object:
    """Every value the template writes: control characters and bidirectional overrides spelled
    out (a name holding \\u202e must not read backwards); line ends and tabs kept (notes)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value, keep="\n\t")
    return value


def _environment() -> jinja2.Environment:
    # Autoescape everything: file names, labels and notes are hostile input.
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template),
        autoescape=True,
        finalize=_shown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    return env


def write_html(content: ReportContent, out: IO[str], on_media: Callable[[int], None]) -> None:
    """Render streaming: the template pulls media batches as it writes them."""

    def media() -> Iterator[list[ReportMedia]]:
        for batch in content.media_batches():
            yield batch
            on_media(len(batch))

    template = _environment().get_template("report.html.j2")
    sections = list(content.entity_sections())
    parts = template.generate(
        c=content,
        sections=sections,
        media=media(),
        appendix=content.appendix,
        verification=verification_sentence,
    )
    for chunk in parts:
        out.write(chunk)
