"""Near-duplicate groups: the strictness setting, the stored groups, members and containment."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlite_utils import Database

from desktop.core.similarity import DEFAULT_STRICTNESS, STRICTNESS
from desktop.core.video_match import PICTURE, Relation
from desktop.core.video_meta import clock
from desktop.store import audit
from desktop.store.db import ID_BATCH, get_info, now_iso, set_info

STRICTNESS_KEY = "group_strictness"


def strictness(db: Database) -> str:
    """The case's grouping strictness (strict, normal or loose)."""
    value = get_info(db, STRICTNESS_KEY)
    return value if value in STRICTNESS else DEFAULT_STRICTNESS


def set_strictness(db: Database, value: str) -> None:
    """Change the case's grouping strictness; an analyst decision, so it is audited."""
    if value not in STRICTNESS:
        raise ValueError(f"unknown strictness {value!r}")
    before = strictness(db)
    if before == value:
        return
    with db.atomic():
        set_info(db, STRICTNESS_KEY, value)
        audit.append(db, "groups.strictness", "case", {"strictness": before}, {"strictness": value})


def state(db: Database, level: str) -> tuple[int, str] | None:
    """(last media id grouped, engine) for a strictness, or None when never grouped."""
    row = db.execute(
        "SELECT last_media_id, engine FROM similarity_state WHERE strictness = ?", [level]
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def existing_groups(db: Database, level: str) -> list[list[int]]:
    rows = db.execute(
        "SELECT group_id, media_id FROM similarity_members WHERE strictness = ?"
        " ORDER BY group_id, media_id",
        [level],
    )
    groups: dict[int, list[int]] = {}
    for group_id, media_id in rows:
        groups.setdefault(group_id, []).append(media_id)
    return list(groups.values())


def _pixels(db: Database, media_ids: Iterable[int]) -> dict[int, int]:
    """Pixels (width x height, 0 when unknown) of each media, read in batches."""
    ids = sorted(set(media_ids))
    pixels: dict[int, int] = {}
    for first in range(0, len(ids), ID_BATCH):
        chunk = ids[first : first + ID_BATCH]
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(
            f"SELECT id, COALESCE(width, 0) * COALESCE(height, 0) FROM media WHERE id IN ({marks})",
            chunk,
        )
        pixels.update((int(m), int(p)) for m, p in rows)
    return pixels


def _representative(pixels: dict[int, int], members: Sequence[int]) -> int:
    """The member with the most pixels (the best copy to look at), lowest id on ties."""
    return min(members, key=lambda m: (-pixels.get(m, 0), m))


# A member's nearest member: (matched media id, distance, explanation, the time of the
# matching frame in this member, and in the matched one; None for pictures)
Nearest = tuple[int, int, str, float | None, float | None]


def replace_groups(
    db: Database,
    level: str,
    groups: Sequence[Sequence[int]],
    nearest: dict[int, Nearest],
    last_id: int,
    engine: str,
) -> None:
    """Store the groups of one strictness (in one transaction), replacing the previous ones."""
    with db.atomic():
        db.execute("DELETE FROM similarity_members WHERE strictness = ?", [level])
        db.execute("DELETE FROM similarity_groups WHERE strictness = ?", [level])
        # every member's pixels in a few queries, not one query a group (ten thousand groups
        # at a million media)
        pixels = _pixels(db, (m for members in groups for m in members))
        first = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM similarity_groups").fetchone()[0]
        db.conn.executemany(  # numbered here: two statements, not two per group
            "INSERT INTO similarity_groups (id, strictness, representative_media_id, size)"
            " VALUES (?, ?, ?, ?)",
            [(first + k, level, _representative(pixels, g), len(g)) for k, g in enumerate(groups)],
        )
        db.conn.executemany(
            "INSERT INTO similarity_members (strictness, media_id, group_id, matched_media_id,"
            " distance, explanation, time, matched_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(level, m, first + k, *nearest.get(m, (None,) * 5))
             for k, members in enumerate(groups) for m in members],
        )  # fmt: skip
        db.execute(
            "INSERT INTO similarity_state (strictness, last_media_id, updated_at, engine)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(strictness) DO UPDATE SET"
            " last_media_id = excluded.last_media_id, updated_at = excluded.updated_at,"
            " engine = excluded.engine",
            [level, last_id, now_iso(), engine],
        )


def nearest_edges(db: Database, level: str) -> dict[int, Nearest]:
    rows = db.execute(
        "SELECT media_id, matched_media_id, distance, explanation, time, matched_time"
        " FROM similarity_members WHERE strictness = ? AND matched_media_id IS NOT NULL",
        [level],
    )
    return {m: (o, d, e, t, mt) for m, o, d, e, t, mt in rows}


def iter_groups(db: Database, level: str) -> Iterator[list[dict[str, Any]]]:
    """Groups of one strictness, largest first, one at a time; each member with its sha256 and
    every path, the representative first, then the videos that contain a member (a clip's
    video, a compilation, a video a picture is a frame of) with `relation` "contains"."""
    group_rows = db.execute(
        "SELECT id, representative_media_id FROM similarity_groups WHERE strictness = ?"
        " ORDER BY size DESC, id",
        [level],
    ).fetchall()
    for group_id, representative in group_rows:
        members = db.execute(
            "SELECT s.media_id, m.sha256, m.width, m.height, s.matched_media_id, s.distance,"
            " s.explanation, m.duration, s.time, s.matched_time FROM similarity_members s"
            " JOIN media m ON m.id = s.media_id"
            " WHERE s.group_id = ? ORDER BY s.media_id != ?, s.media_id",
            [group_id, representative],
        ).fetchall()
        group = [_member(db, row, representative) for row in members]
        ids = {m["media_id"] for m in group}
        yield group + [c for c in containers(db, level, sorted(ids)) if c["media_id"] not in ids]


def containers(db: Database, level: str, media_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The media that contain any of `media_ids` (see core/video_match.py), once each, with
    what they contain: [{media_id, start, end (of the container), media_start, media_end,
    distance, frames, explanation}]."""
    found: dict[int, dict[str, Any]] = {}
    for first in range(0, len(media_ids), ID_BATCH):
        chunk = list(media_ids[first : first + ID_BATCH])
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(
            "SELECT c.container_id, m.sha256, m.width, m.height, m.duration, c.media_id,"
            " c.container_start, c.container_end, c.media_start, c.media_end, c.distance,"
            " c.frames, c.explanation FROM similarity_contains c"
            " JOIN media m ON m.id = c.container_id"
            f" WHERE c.strictness = ? AND c.media_id IN ({marks})"
            " ORDER BY c.container_id, c.media_id",
            [level, *chunk],
        )
        for row in rows:
            container, sha256, width, height, duration, inner = row[:6]
            start, end, inner_start, inner_end, distance, frames, explanation = row[6:]
            entry = found.get(container)
            if entry is None:
                entry = found[container] = {
                    "media_id": container,
                    "sha256": sha256,
                    "paths": _paths(db, container),
                    "width": width,
                    "height": height,
                    "duration": duration,
                    "representative": False,
                    "relation": "contains",
                    "matched_media_id": inner,
                    "distance": distance,
                    "explanation": _contains_words(inner, start, end, inner_start, inner_end),
                    "time": start,
                    "matched_time": inner_start,
                    "contains": [],
                }
            entry["contains"].append(
                {
                    "media_id": inner,
                    "start": start,
                    "end": end,
                    "media_start": inner_start,
                    "media_end": inner_end,
                    "distance": distance,
                    "frames": frames,
                    "edit": explanation,
                }
            )
    return list(found.values())


def _contains_words(
    inner: int, start: float, end: float, inner_start: float | None, inner_end: float | None
) -> str:
    """'frame at 0:12 shows media 7' or 'contains 0:03-0:09 of media 7 at 1:12-1:18'."""
    if inner_start is None:
        return f"frame at {clock(start)} shows media {inner}"
    return (
        f"contains {clock(inner_start)}-{clock(inner_end)} of media {inner}"
        f" at {clock(start)}-{clock(end)}"
    )


def replace_contains(
    db: Database, level: str, relations: Iterable[Relation], rebuild: bool
) -> None:
    """Store containment relations of one strictness: added to those stored (an incremental
    run finds only relations of new media), or replacing them all when `rebuild`."""
    with db.atomic():
        if rebuild:
            db.execute("DELETE FROM similarity_contains WHERE strictness = ?", [level])
        db.conn.executemany(
            "INSERT OR REPLACE INTO similarity_contains (strictness, container_id, media_id,"
            " container_start, container_end, media_start, media_end, distance, frames,"
            " explanation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    level,
                    r.b,
                    r.a,
                    r.b_span[0],
                    r.b_span[1],
                    _or_none(r.a_span[0]),
                    _or_none(r.a_span[1]),
                    r.distance,
                    r.frames,
                    r.explanation,
                )
                for r in relations
            ],  # fmt: skip
        )


def _or_none(seconds: float) -> float | None:
    return None if seconds == PICTURE else seconds


def contained_media(db: Database, level: str) -> list[int]:
    """Media some other media contains: each needs a group of its own to show it in."""
    rows = db.execute(
        "SELECT DISTINCT media_id FROM similarity_contains WHERE strictness = ?", [level]
    )
    return [int(r[0]) for r in rows]


def groups(db: Database, level: str) -> list[list[dict[str, Any]]]:
    """Every group of one strictness (see iter_groups), as a list."""
    return list(iter_groups(db, level))


def group_counts(db: Database, level: str) -> tuple[int, int]:
    """(groups, media in them) of one strictness."""
    row = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM similarity_groups WHERE strictness = ?",
        [level],
    ).fetchone()
    return int(row[0]), int(row[1])


def _paths(db: Database, media_id: int) -> list[str]:
    return [p for (p,) in db.execute(
        "SELECT path FROM files WHERE media_id = ? ORDER BY path", [media_id])]  # fmt: skip


def _member(db: Database, row: tuple[Any, ...], representative: int) -> dict[str, Any]:
    media_id, sha256, width, height, matched, distance, explanation = row[:7]
    duration, time, matched_time = row[7:]
    return {
        "media_id": media_id,
        "sha256": sha256,
        "paths": _paths(db, media_id),
        "width": width,
        "height": height,
        "duration": duration,
        "representative": media_id == representative,
        "relation": "member",
        "matched_media_id": matched,
        "distance": distance,
        "explanation": explanation,
        "time": time,
        "matched_time": matched_time,
    }


def media_summary(db: Database, media_id: int) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT id, sha256, width, height, duration FROM media WHERE id = ?", [media_id]
    ).fetchone()
    if row is None:
        return None
    return {"media_id": row[0], "sha256": row[1], "width": row[2], "height": row[3],
            "duration": row[4], "paths": _paths(db, media_id)}  # fmt: skip


def member_edges(
    conn: Database | sqlite3.Connection, level: str, media_ids: Sequence[int]
) -> dict[int, tuple[int, int, str]]:
    """For media of a stack: the member each was matched to, the distance and what differs."""
    found: dict[int, tuple[int, int, str]] = {}
    ids = list(media_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        rows = conn.execute(
            "SELECT media_id, matched_media_id, distance, explanation FROM similarity_members"
            f" WHERE strictness = ? AND matched_media_id IS NOT NULL AND media_id IN ({marks})",
            [level, *chunk],
        )
        for media_id, matched, distance, explanation in rows:
            found[int(media_id)] = (int(matched), int(distance), str(explanation or ""))
    return found
