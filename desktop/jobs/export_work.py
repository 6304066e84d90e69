"""The work dump job: the analyst's whole work on a case as one JSON file, written streaming."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop import __version__
from desktop.core.categories import default_scheme_name, scheme
from desktop.core.clue_kinds import clue_kinds
from desktop.jobs.job_callbacks import Cancel, Progress
from desktop.store import analyst_work, audit, entities, tags
from desktop.store.db import get_info, now_iso
from desktop.store.links import media_for_entity, opted_out

WORK_FORMAT = "vigil-work"
WORK_VERSION = 1


class WorkExportError(Exception):
    """A dump that cannot be written; the message is one sentence for the user."""


@dataclass(frozen=True)
class WorkExportSummary:
    path: Path
    media: int
    entities: int
    cancelled: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "media": self.media,
            "entities": self.entities,
            "cancelled": self.cancelled,
        }


def _entities(db: Database) -> list[dict[str, Any]]:
    out = []
    for entity, _count in entities.list_entities(db):
        data = entity.as_dict()
        data["media"] = media_for_entity(db, entity.id)
        data["opted_out_media"] = opted_out(db, entity.id)
        if entity.kind == "series":
            data["victims"] = [v.id for v in entities.victims_in_series(db, entity.id)]
        out.append(data)
    return out


def _audit_head(db: Database) -> dict[str, Any]:
    """The case's audit log as the export found it (the export's own event comes after)."""
    return audit.head(db).as_json()


def _header(db: Database) -> dict[str, Any]:
    scheme_name = get_info(db, "category_scheme") or default_scheme_name()
    return {
        "format": WORK_FORMAT,
        "version": WORK_VERSION,
        "case": {
            "case_id": get_info(db, "case_id"),
            "case_number": get_info(db, "case_number"),
            "created_at": get_info(db, "created_at"),
        },
        "exported_at": now_iso(),
        "tool": f"Vigil {__version__}",
        "audit_head": _audit_head(db),
        "category_scheme": {
            "name": scheme_name,
            "categories": {c.value: c.name for c in scheme(scheme_name).categories},
        },
        "clue_kinds": {kind.key: kind.name for kind in clue_kinds()},
        "tags": [{"name": n, "media_count": c} for n, c in tags.tag_counts(db)],
        "entities": _entities(db),
    }


def export_work(
    db: Database,
    out: str | os.PathLike[str],
    *,
    worked_only: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> WorkExportSummary:
    """Write the dump to `out` (through a temporary file, so a cancelled or failed export
    leaves nothing half-written); audited as export.work."""
    progress = progress or (lambda done, total, message: None)
    cancel = cancel or (lambda: False)
    path = Path(out)
    if not path.parent.is_dir():
        raise WorkExportError(f"The folder {path.parent} does not exist.")
    if path.exists() and not force:
        raise WorkExportError(f"{path} already exists; choose another name or remove it first.")
    header = _header(db)
    total = analyst_work.media_count(db, worked_only)
    temporary = path.with_name(f".{path.name}.partial")
    done = 0
    cancelled = False
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            body = json.dumps(header, indent=1, ensure_ascii=False)
            handle.write(body[:-2] + ',\n "media": [')  # keep the header, open the media list
            for media in analyst_work.iter_media_work(db, worked_only):
                if done % 100 == 0:
                    progress(done, total, "Writing media")
                    if cancel():
                        cancelled = True
                        break
                handle.write(",\n  " if done else "\n  ")
                handle.write(json.dumps(media, ensure_ascii=False))
                done += 1
            handle.write("\n ]\n}\n")
            handle.flush()
            os.fsync(handle.fileno())
        if cancelled:
            temporary.unlink()
        else:
            with db.atomic():
                os.replace(temporary, path)
                after = {"path": str(path.resolve()), "media": done, "worked_only": worked_only}
                audit.append(db, "export.work", "case", None, after)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise WorkExportError(f"Cannot write {path}: {error.strerror or error}.") from None
    progress(done, total, "Done")
    return WorkExportSummary(path, done, len(header["entities"]), cancelled)
