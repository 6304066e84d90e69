"""What a case report reads: the media of a scope page by page, and the counts it summarises."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from desktop.store import known
from desktop.store.investigation_filters import condition

SCOPE_KINDS = ("all", "category", "tag", "entity", "media")
UNCATEGORISED = -1  # --category -1: the media with no category


@dataclass(frozen=True)
class Scope:
    """Which media a report covers: all, one category, one tag, one entity, or chosen media."""

    kind: str = "all"
    value: Any = None  # category value, tag name, entity id, or a tuple of media ids
    label: str = "the whole case"

    def condition(self) -> tuple[str, list[Any]]:
        """SQL over media alias m, and its parameters."""
        if self.kind == "all":
            return "1", []
        if self.kind == "category":
            if self.value == UNCATEGORISED:
                return "m.category IS NULL", []
            return "m.category = ?", [int(self.value)]
        if self.kind in ("tag", "entity"):
            sql, params = condition(self.kind, self.value)
            return sql, list(params)
        if self.kind == "media":
            ids = sorted({int(i) for i in self.value})
            # a JSON list keeps any number of ids within one parameter
            return "m.id IN (SELECT value FROM json_each(?))", [_json_ids(ids)]
        raise ValueError(f"unknown scope {self.kind}")


def _json_ids(ids: Sequence[int]) -> str:
    return "[" + ",".join(str(i) for i in ids) + "]"


@dataclass
class MediaRow:
    """One media as a report shows it (the thumbnail is the stored 256 px JPEG)."""

    id: int
    sha256: str
    md5: str
    sha1: str
    size: int
    file_type: str | None
    status: str
    reason: str | None
    width: int | None
    height: int | None
    taken_at: str | None
    camera: str | None
    serial: str | None
    gps: tuple[float, float] | None
    category: int | None
    thumbnail: bytes | None
    paths: list[str]
    known: str  # known, known_good, probably_known or new
    duration: float | None = None  # seconds, videos and animations (their poster is the thumbnail)


_ROW_SQL = (
    "SELECT m.id, m.sha256, m.md5, m.sha1, m.size, m.file_type, m.status, m.reason, m.width,"
    " m.height, m.taken_at, m.camera_make, m.camera_model, m.camera_serial, m.gps_lat,"
    " m.gps_lon, m.category, m.thumbnail, m.duration FROM media m"
)


_PLAIN = ("id", "sha256", "md5", "sha1", "size", "file_type", "status", "reason", "width",
          "height", "taken_at")  # fmt: skip


def _rows(db: Database, raw: list[tuple[Any, ...]]) -> list[MediaRow]:
    ids = [int(r[0]) for r in raw]
    paths: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for media_id, path in db.execute(
            "SELECT media_id, path FROM files WHERE media_id IN (SELECT value FROM json_each(?))"
            " ORDER BY media_id, id",
            [_json_ids(ids)],
        ):
            paths[int(media_id)].append(path)
    status = known.status_for_ids(db, ids)
    out = []
    for r in raw:
        camera = " ".join(p for p in (r[11], r[12]) if p) or None
        gps = (r[14], r[15]) if r[14] is not None and r[15] is not None else None
        out.append(
            MediaRow(
                **dict(zip(_PLAIN, r[:11], strict=True)),
                camera=camera,
                serial=r[13],
                gps=gps,
                category=r[16],
                thumbnail=bytes(r[17]) if r[17] is not None else None,
                paths=paths[int(r[0])],
                known=status.get(int(r[0]), "new"),
                duration=r[18],
            )
        )
    return out


def iter_media(db: Database, scope: Scope, batch: int = 200) -> Iterator[list[MediaRow]]:
    """The scope's media in id order, a batch at a time (keyset pages: flat memory)."""
    where, params = scope.condition()
    last = 0
    while True:
        raw = db.execute(
            f"{_ROW_SQL} WHERE ({where}) AND m.id > ? ORDER BY m.id LIMIT ?",
            [*params, last, batch],
        ).fetchall()
        if not raw:
            return
        yield _rows(db, raw)
        last = int(raw[-1][0])


def media_rows(db: Database, ids: Sequence[int]) -> list[MediaRow]:
    if not ids:
        return []
    raw = db.execute(
        f"{_ROW_SQL} WHERE m.id IN (SELECT value FROM json_each(?)) ORDER BY m.id",
        [_json_ids(ids)],
    ).fetchall()
    return _rows(db, raw)


def count(db: Database, scope: Scope) -> int:
    where, params = scope.condition()
    return int(db.execute(f"SELECT COUNT(*) FROM media m WHERE {where}", params).fetchone()[0])


def category_counts(db: Database, scope: Scope) -> dict[int | None, int]:
    where, params = scope.condition()
    rows = db.execute(
        f"SELECT m.category, COUNT(*) FROM media m WHERE {where} GROUP BY 1 ORDER BY 1", params
    )
    return {c: int(n) for c, n in rows}


def known_counts(db: Database, scope: Scope) -> dict[str, int]:
    """Media of the scope per known status: known, known_good, probably_known, new."""
    where, params = scope.condition()
    counts = {"known": 0, "known_good": 0, "probably_known": 0, "new": 0}
    rows = db.execute(
        "SELECT MAX(k.kind = 'exact' AND k.purpose != 'known_good'), MAX(k.kind = 'exact'),"
        f" COUNT(k.id) FROM media m LEFT JOIN known_matches k ON k.media_id = m.id WHERE {where}"
        " GROUP BY m.id",
        params,
    )
    for is_known, exact, any_match in rows:
        key = (
            "known" if is_known else "known_good" if exact else
            "probably_known" if any_match else "new"
        )  # fmt: skip
        counts[key] += 1
    return counts


def group_counts(db: Database, scope: Scope, level: str | None) -> tuple[int, int]:
    """(near-duplicate groups with a member in scope, media of the scope in a group)."""
    if level is None:
        return 0, 0
    where, params = scope.condition()
    row = db.execute(
        "SELECT COUNT(DISTINCT s.group_id), COUNT(*) FROM similarity_members s"
        f" JOIN media m ON m.id = s.media_id WHERE s.strictness = ? AND {where}",
        [level, *params],
    ).fetchone()
    return int(row[0]), int(row[1])


def matched_sets(db: Database, scope: Scope) -> list[dict[str, Any]]:
    """Each hash set or package that matched media of the scope, with what matched."""
    where, params = scope.condition()
    rows = db.execute(
        "SELECT k.origin, k.set_name, k.set_source_sha256, k.purpose, k.kind,"
        " group_concat(DISTINCT k.matched_on), COUNT(DISTINCT k.media_id) FROM known_matches k"
        f" JOIN media m ON m.id = k.media_id WHERE {where}"
        " GROUP BY 1, 2, 3, 4, 5 ORDER BY 2, 5",
        params,
    )
    keys = ("origin", "set_name", "set_source_sha256", "purpose", "kind", "matched_on", "media")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def entities_in_scope(db: Database, scope: Scope) -> list[tuple[int, int]]:
    """(entity id, linked media in scope) for every entity; for a narrowed scope, only the
    entities that have media in it (an entity scope: that entity alone)."""
    where, params = scope.condition()
    rows = db.execute(
        "SELECT e.id, (SELECT COUNT(*) FROM links l JOIN media m ON m.id = l.media_id"
        f" WHERE l.entity_id = e.id AND {where}) FROM entities e ORDER BY e.kind, e.name",
        params,
    ).fetchall()
    if scope.kind == "entity":
        return [(int(i), int(n)) for i, n in rows if int(i) == int(scope.value)]
    return [(int(i), int(n)) for i, n in rows if n or scope.kind == "all"]


def entity_media_ids(db: Database, entity_id: int, scope: Scope) -> Iterator[list[int]]:
    """Ids of the entity's linked media in scope, a page at a time."""
    where, params = scope.condition()
    last = 0
    while True:
        ids = [
            int(r[0])
            for r in db.execute(
                "SELECT m.id FROM links l JOIN media m ON m.id = l.media_id WHERE l.entity_id = ?"
                f" AND ({where}) AND m.id > ? ORDER BY m.id LIMIT 100",
                [entity_id, *params, last],
            )
        ]
        if not ids:
            return
        yield ids
        last = ids[-1]


def sources_with_runs(db: Database) -> list[dict[str, Any]]:
    """Evidence sources with their files counted by status."""
    out = []
    for source_id, path, added in db.execute("SELECT id, path, added_at FROM sources ORDER BY id"):
        statuses = {
            s: int(n)
            for s, n in db.execute(
                "SELECT status, COUNT(*) FROM files WHERE source_id = ? GROUP BY 1 ORDER BY 2 DESC",
                [source_id],
            )
        }
        out.append({"path": path, "added_at": added, "statuses": statuses})
    return out


def ingest_runs(db: Database) -> list[dict[str, Any]]:
    keys = ("id", "started_at", "finished_at", "user", "tool_version", "sources", "state")
    rows = db.execute(f"SELECT {', '.join(keys)} FROM ingest_runs ORDER BY id")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def last_event(db: Database, action: str) -> tuple[str, str | None] | None:
    """(time, JSON after) of the latest audit event of this action, or None."""
    row = db.execute(
        "SELECT at, after FROM audit_events WHERE action = ? ORDER BY id DESC LIMIT 1", [action]
    ).fetchone()
    return (row[0], row[1]) if row else None


def analysts(db: Database) -> list[str]:
    """Everyone who has an event in the audit log, first seen first."""
    rows = db.execute("SELECT user FROM audit_events GROUP BY user ORDER BY MIN(id)")
    return [r[0] for r in rows]
