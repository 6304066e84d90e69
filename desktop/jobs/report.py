"""The report job: a case report as HTML, PDF, CSV or XLSX, written through a temporary file,
blurred unless the analyst gave a reason, and audited."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop.core.blur import DEFAULT_BLUR
from desktop.jobs.job_callbacks import Cancel, Progress
from desktop.jobs.report_content import Pictures, ReportContent
from desktop.store import audit, entities, tags
from desktop.store.investigation import check_media
from desktop.store.report_rows import Scope

FORMATS = ("html", "pdf", "csv", "xlsx")


class ReportError(Exception):
    """A report that cannot be written; the message is one sentence for the user."""


class _Stopped(Exception):
    pass


@dataclass(frozen=True)
class ReportSummary:
    path: Path
    format: str
    media: int
    pages: int | None
    unblurred: bool
    cancelled: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "format": self.format,
            "media": self.media,
            "pages": self.pages,
            "unblurred": self.unblurred,
            "cancelled": self.cancelled,
        }


def make_scope(db: Database, kind: str = "all", value: Any = None) -> Scope:
    """A scope from what the analyst chose (CLI options or the dialog), checked and labelled."""
    from desktop.jobs.report_content import category_label

    if kind == "all":
        return Scope()
    if kind == "category":
        number = int(value)
        return Scope("category", number, f"media of category {category_label(db, number)}")
    if kind == "tag":
        name = tags.normalise_tag(str(value))
        return Scope("tag", name, f"media tagged {name!r}")
    if kind == "entity":
        entity = entities.find_entity(db, str(value))
        return Scope("entity", entity.id, f"media linked to {entity.kind} {entity.name!r}")
    if kind == "media":
        ids = check_media(db, [int(i) for i in value])
        if not ids:
            raise ReportError("Choose at least one media for the report.")
        return Scope("media", tuple(ids), f"{len(ids)} chosen media")
    raise ReportError(f"Unknown report scope {kind!r}.")


def report_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ReportError(
            f"{path.name}: name the report .html, .pdf, .csv or .xlsx (the format follows it)."
        )
    return suffix


def write_report(
    db: Database,
    case_path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    scope: Scope | None = None,
    *,
    unblurred_reason: str | None = None,
    verification: dict[str, Any] | None = None,
    blur_strength: int = DEFAULT_BLUR,
    force: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ReportSummary:
    """Write the report of `scope` to `out` (format from its suffix).

    Pictures are blurred unless `unblurred_reason` says why they must not be; an unblurred
    report says so on every page and the reason goes into the audit log. `verification` is a
    fresh `verify` result to print on the cover (else the last one recorded is)."""
    progress = progress or (lambda done, total, message: None)
    cancel = cancel or (lambda: False)
    scope = scope or Scope()
    path = Path(out)
    kind = report_format(path)
    reason = (unblurred_reason or "").strip()
    if unblurred_reason is not None and not reason:
        raise ReportError("An unblurred report needs a reason; it goes into the audit log.")
    if not path.parent.is_dir():
        raise ReportError(f"The folder {path.parent} does not exist.")
    if path.exists() and not force:
        raise ReportError(f"{path} already exists; choose another name or remove it first.")
    pictures = Pictures(sharp=bool(reason), strength=blur_strength)
    content = ReportContent(db, Path(case_path), scope, pictures, verification)
    done, step = 0, "Writing the report"

    def on_media(count: int, message: str | None = None) -> None:
        nonlocal done, step
        if message is not None:
            done, step = 0, message
        done += count
        progress(done, content.total, step)
        if cancel():
            raise _Stopped

    temporary = path.with_name(f".{path.name}.partial")
    pages = None
    progress(0, content.total, "Writing the report")
    try:
        if kind in ("html", "csv"):
            with open(temporary, "w", encoding="utf-8", newline="") as handle:
                if kind == "html":
                    from desktop.jobs.report_html import write_html

                    write_html(content, handle, on_media)
                else:
                    from desktop.jobs.report_table import write_csv

                    write_csv(content, handle, on_media)
        elif kind == "pdf":
            from desktop.jobs.report_pdf import write_pdf

            with open(temporary, "wb") as binary:
                pages = write_pdf(content, binary, on_media)
        else:
            from desktop.jobs.report_table import write_xlsx

            write_xlsx(content, temporary, on_media)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
    except _Stopped:
        temporary.unlink(missing_ok=True)
        return ReportSummary(path, kind, done, None, pictures.sharp, True)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ReportError(f"Cannot write {path}: {error.strerror or error}.") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        content.close()
    with db.atomic():
        os.replace(temporary, path)
        after = {
            "path": str(path.resolve()),
            "format": kind,
            "scope": scope.label,
            "media": content.total,
            "unblurred": pictures.sharp,
            "reason": reason or None,
        }
        audit.append(db, "report.unblurred" if reason else "report.write", "case", None, after)
    progress(content.total, content.total, "Done")
    return ReportSummary(path, kind, content.total, pages, pictures.sharp, False)
