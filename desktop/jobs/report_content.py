"""What a case report says, gathered once for every format: cover, summary, entity sections,
the media of the scope (streamed in batches with their pictures ready), appendix."""

from __future__ import annotations

import json
import platform
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Protocol

from sqlite_utils import Database

from desktop import __version__
from desktop.core import report_pictures
from desktop.core.blur import DEFAULT_BLUR
from desktop.core.categories import default_scheme_name, scheme
from desktop.core.video_meta import clock
from desktop.jobs.clue_export import case_reference
from desktop.store import audit, clues, entities, hashlibrary, report_rows
from desktop.store.browse import group_level
from desktop.store.db import get_info, now_iso
from desktop.store.report_rows import MediaRow, Scope

TABLE_SIDE = 128  # pixels of a media table thumbnail (drawn at about 100 px at 150 dpi)
SECTION_SIDE = 240  # an entity's linked media
CROP_SIDE = 160
LIBRARIES = ("Pillow", "numpy", "sqlite-utils", "av", "jinja2", "reportlab", "openpyxl")


class OnMedia(Protocol):
    """What a writer calls as it goes: `count` more media done; a `message` starts a new
    step (a PDF's layout passes), counted from 0."""

    def __call__(self, count: int, message: str | None = None) -> None: ...


def category_label(db: Database, value: int | None) -> str:
    """A category as people read it ("2 Child abuse material"), in the case's scheme."""
    if value is None or value == report_rows.UNCATEGORISED:
        return "uncategorised"
    found = scheme(get_info(db, "category_scheme") or default_scheme_name()).by_value(value)
    return f"{value} {found.name}" if found else str(value)


@dataclass(frozen=True)
class Pictures:
    """How pictures appear: blurred by the one blur unless the analyst gave a reason."""

    sharp: bool = False
    strength: int = DEFAULT_BLUR

    def thumbnail(self, jpeg: bytes | None, side: int) -> bytes | None:
        return report_pictures.thumbnail(jpeg, side, self.sharp, self.strength)


@dataclass
class ReportMedia:
    row: MediaRow
    picture: bytes | None  # JPEG as the report shows it
    category_name: str

    @property
    def kind(self) -> str:
        """What the media is, for people: "jpeg", or "video (mp4), 1:05" with its length."""
        if self.row.duration is None:
            return self.row.file_type or "unknown type"
        return f"video ({self.row.file_type or '?'}), {clock(self.row.duration)}"

    @property
    def hashes(self) -> list[tuple[str, str]]:
        return [("MD5", self.row.md5), ("SHA-1", self.row.sha1), ("SHA-256", self.row.sha256)]


@dataclass
class ReportClue:
    id: int
    media_id: int
    kind: str
    label: str
    note: str
    picture: bytes | None


@dataclass
class EntitySection:
    entity: entities.Entity
    media_count: int
    fields: list[tuple[str, str]]
    media: Iterator[list[ReportMedia]]  # consumed once, in order
    clues: Callable[[], Iterator[ReportClue]] = field(default=lambda: iter(()))


def _versions() -> list[tuple[str, str]]:
    found = [("Vigil", __version__), ("Python", platform.python_version())]
    for name in LIBRARIES:
        try:
            found.append((name, version(name)))
        except PackageNotFoundError:
            found.append((name, "not installed"))
    return found


def _audit_head(db: Database) -> dict[str, Any]:
    """The log's head (count, last hash) and its check: the chain, and the head against the
    witness this machine keeps outside the case file (issue 18)."""
    found = audit.check(db)  # type: ignore[arg-type]  # open_case gives a CaseDatabase
    return {"count": found.head.events, "head": found.head.hash, "chain": found.describe()}


def _verification(db: Database, fresh: dict[str, Any] | None) -> dict[str, Any]:
    """The evidence check the cover prints: one run now, or the last `verify` with its date."""
    if fresh is not None:
        return {"when": now_iso(), "fresh": True, **fresh}
    last = report_rows.last_event(db, "verify")
    if last is None:
        return {"when": None, "fresh": False}
    return {"when": last[0], "fresh": False, **json.loads(last[1] or "{}")}


class ReportContent:
    """Reads the case for one report; the writers pull sections from it in document order."""

    def __init__(
        self,
        db: Database,
        case_path: Path,
        scope: Scope,
        pictures: Pictures,
        verification: dict[str, Any] | None = None,
    ):
        self.db = db
        self.scope = scope
        self.pictures = pictures
        self.reference = case_reference(db)
        self.scheme = scheme(get_info(db, "category_scheme") or default_scheme_name())
        self.total = report_rows.count(db, scope)
        self.created = now_iso()
        self.cover = self._cover(case_path, verification)
        self.summary = self._summary()
        self._pool = ThreadPoolExecutor(max_workers=2)  # Pillow lets go of the GIL

    def close(self) -> None:
        self._pool.shutdown()

    def category_name(self, value: int | None) -> str:
        return category_label(self.db, value)

    # ---- cover, summary, appendix --------------------------------------------------------------

    def _cover(self, case_path: Path, verification: dict[str, Any] | None) -> dict[str, Any]:
        runs = report_rows.ingest_runs(self.db)
        return {
            "reference": self.reference,
            "case_id": get_info(self.db, "case_id"),
            "case_file": str(case_path.resolve()),
            "case_created": get_info(self.db, "created_at"),
            "first_ingest": runs[0]["started_at"] if runs else None,
            "last_ingest": runs[-1]["finished_at"] or runs[-1]["started_at"] if runs else None,
            "report_created": self.created,
            "report_by": audit.current_user(),
            "analysts": report_rows.analysts(self.db),
            "scope": self.scope.label,
            "pictures": "SHARP (unblurred)" if self.pictures.sharp else "blurred",
            "sources": report_rows.sources_with_runs(self.db),
            "runs": runs,
            "verification": _verification(self.db, verification),
            "audit": _audit_head(self.db),
            "hash_algorithms": sorted(
                json.loads(get_info(self.db, "hash_algorithms") or "{}").items()
            ),
            "versions": _versions(),
        }

    def _summary(self) -> dict[str, Any]:
        counts = report_rows.category_counts(self.db, self.scope)
        level = group_level(self.db)
        groups, grouped = report_rows.group_counts(self.db, self.scope, level)
        return {
            "media": self.total,
            "categories": [(self.category_name(c), n) for c, n in counts.items()],
            "known": report_rows.known_counts(self.db, self.scope),
            "groups": groups,
            "grouped_media": grouped,
            "strictness": level,
        }

    def appendix(self) -> dict[str, Any]:
        library: list[dict[str, Any]] = []
        if hashlibrary.library_exists():
            lib = hashlibrary.open_library(create=False)
            try:
                library = [s.as_dict() for s in hashlibrary.hash_sets(lib)]
            finally:
                lib.close()
        return {
            "library": library,
            "matched": report_rows.matched_sets(self.db, self.scope),
            "scheme": self.scheme,
        }

    # ---- media and entities --------------------------------------------------------------------

    def _prepare(self, rows: list[MediaRow], side: int, pictures: bool) -> list[ReportMedia]:
        if not pictures:  # a table, or a layout pass: the same rows, no picture work
            return [ReportMedia(row, None, self.category_name(row.category)) for row in rows]
        made = self._pool.map(lambda r: self.pictures.thumbnail(r.thumbnail, side), rows)
        return [
            ReportMedia(row, picture, self.category_name(row.category))
            for row, picture in zip(rows, made, strict=True)
        ]

    def media_batches(self, pictures: bool = True) -> Iterator[list[ReportMedia]]:
        """The scope's media in id order, 200 at a time, thumbnails prepared if asked."""
        for rows in report_rows.iter_media(self.db, self.scope):
            yield self._prepare(rows, TABLE_SIDE, pictures)

    def entity_sections(self, pictures: bool = True) -> Iterator[EntitySection]:
        for entity_id, count in report_rows.entities_in_scope(self.db, self.scope):
            entity = entities.get_entity(self.db, entity_id)
            yield EntitySection(
                entity,
                count,
                _entity_fields(entity),
                self._entity_media(entity_id, pictures),
                lambda entity_id=entity_id: self._entity_clues(entity_id, pictures),
            )

    def _entity_media(self, entity_id: int, pictures: bool) -> Iterator[list[ReportMedia]]:
        for ids in report_rows.entity_media_ids(self.db, entity_id, self.scope):
            yield self._prepare(report_rows.media_rows(self.db, ids), SECTION_SIDE, pictures)

    def _entity_clues(self, entity_id: int, pictures: bool) -> Iterator[ReportClue]:
        for ids in report_rows.entity_media_ids(self.db, entity_id, self.scope):
            found = list(clues.iter_clues(self.db, media_ids=ids))
            if not found:
                continue
            rows = {r.id: r for r in report_rows.media_rows(self.db, [c.media_id for c in found])}
            for clue in found:
                row = rows[clue.media_id]
                picture = None
                if clue.region is not None and pictures:
                    picture = report_pictures.clue_crop(
                        row.thumbnail, clue.region, (row.width, row.height), CROP_SIDE,
                        self.pictures.sharp, self.pictures.strength,
                    )  # fmt: skip
                yield ReportClue(clue.id, clue.media_id, clue.kind, clue.label, clue.note, picture)


def verification_sentence(v: dict[str, Any]) -> str:
    """What the cover says about the evidence check."""
    if not v.get("when"):
        return "The evidence has not been verified since ingest."
    changed, missing = v.get("changed", 0), v.get("missing", 0)
    changed = changed if isinstance(changed, int) else len(changed)
    missing = missing if isinstance(missing, int) else len(missing)
    what = "Evidence re-read for this report" if v.get("fresh") else "Last verification"
    stopped = " (stopped before every file was checked)" if v.get("cancelled") else ""
    return (
        f"{what} on {v['when']}: {v.get('checked', 0)} files checked, {v.get('unchanged', 0)} "
        f"unchanged, {changed} changed, {missing} missing{stopped}."
    )


def _entity_fields(entity: entities.Entity) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    data = entity.as_dict()
    for name in entities.KIND_FIELDS[entity.kind]:
        value = data.get(name)
        if value is not None:
            shown.append((name.replace("_", " "), str(value)))
    shown += [("created", entity.created_at), ("updated", entity.updated_at)]
    return shown
