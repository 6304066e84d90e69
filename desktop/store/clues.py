"""Clues on media: kind, label, note, an optional region and, on a video, the frame's time;
every change audited."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from desktop.core.clue_kinds import clue_kind, kind_keys
from desktop.core.regions import Region, RegionError, region_from_row
from desktop.store import audit
from desktop.store.db import now_iso
from desktop.store.investigation import InvestigationError, media_size

LABEL_MAX = 200
_UNSET: Any = object()
_COLUMNS = (
    "id, media_id, kind, label, note, region_x, region_y, region_w, region_h,"
    " created_at, updated_at, frame_time"
)


@dataclass(frozen=True)
class Clue:
    id: int
    media_id: int
    kind: str
    label: str
    note: str
    region: Region | None
    created_at: str
    updated_at: str
    time: float | None = None  # seconds into a video: the frame the clue is on

    def as_dict(self) -> dict[str, Any]:
        return {
            "clue_id": self.id,
            "media_id": self.media_id,
            "kind": self.kind,
            "label": self.label,
            "note": self.note,
            "region": self.region.as_dict() if self.region else None,
            "time": self.time,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def _clue(row: tuple[Any, ...]) -> Clue:
    region = region_from_row(*row[5:9])
    return Clue(row[0], row[1], row[2], row[3], row[4], region, row[9], row[10], row[11])


def _kind(kind: str) -> str:
    found = clue_kind(kind)
    if found is None:
        raise InvestigationError(
            f"{kind!r} is not a clue kind; use one of: {', '.join(kind_keys())}."
        )
    return found.key


def _label(label: str) -> str:
    label = " ".join(label.split())
    if not label:
        raise InvestigationError("A clue needs a short label (what the object is).")
    if len(label) > LABEL_MAX:
        raise InvestigationError(f"A clue label is at most {LABEL_MAX} characters.")
    return label


def _region(db: Database, media_id: int, region: Region | None) -> Region | None:
    width, height = media_size(db, media_id)
    if region is not None:
        try:
            region.check_inside(width, height)
        except RegionError as error:
            raise InvestigationError(str(error)) from None
    return region


def _time(db: Database, media_id: int, time: float | None) -> float | None:
    """A frame time must fall inside the video; pictures have none."""
    if time is None:
        return None
    row = db.execute("SELECT duration FROM videos WHERE media_id = ?", [media_id]).fetchone()
    if row is None:
        raise InvestigationError(f"Media #{media_id} is not a video: a clue on it has no time.")
    duration = row[0]
    if not time >= 0 or (duration is not None and time > duration + 0.5):
        length = f"{duration:.1f} s" if duration is not None else "unknown"
        raise InvestigationError(
            f"{time:g} s is outside video #{media_id} (its length is {length})."
        )
    return round(float(time), 3)


def _region_values(region: Region | None) -> list[int | None]:
    return [region.x, region.y, region.w, region.h] if region else [None, None, None, None]


def get_clue(db: Database, clue_id: int) -> Clue:
    row = db.execute(f"SELECT {_COLUMNS} FROM clues WHERE id = ?", [clue_id]).fetchone()
    if row is None:
        raise InvestigationError(f"The case has no clue #{clue_id}.")
    return _clue(row)


def add_clue(
    db: Database,
    media_id: int,
    kind: str,
    label: str,
    note: str = "",
    region: Region | None = None,
    time: float | None = None,
) -> Clue:
    """Record a clue on a media, on a video's frame at `time` seconds when given (audited as
    clue.add)."""
    kind, label = _kind(kind), _label(label)
    with db.atomic():
        region = _region(db, media_id, region)
        time = _time(db, media_id, time)
        at = now_iso()
        cursor = db.execute(
            "INSERT INTO clues (media_id, kind, label, note, region_x, region_y, region_w,"
            " region_h, created_at, updated_at, frame_time)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [media_id, kind, label, note.strip(), *_region_values(region), at, at, time],
        )
        clue = get_clue(db, int(cursor.lastrowid or 0))
        audit.append(db, "clue.add", f"clue:{clue.id}", None, clue.as_dict())
    return clue


def update_clue(
    db: Database,
    clue_id: int,
    *,
    kind: str = _UNSET,
    label: str = _UNSET,
    note: str = _UNSET,
    region: Region | None = _UNSET,
    time: float | None = _UNSET,
) -> Clue:
    """Change any of a clue's fields; `region=None` removes the region, `time=None` the frame
    time (audited as clue.edit)."""
    with db.atomic():
        before = get_clue(db, clue_id)
        new_region = before.region if region is _UNSET else _region(db, before.media_id, region)
        new_time = before.time if time is _UNSET else _time(db, before.media_id, time)
        values = [
            before.kind if kind is _UNSET else _kind(kind),
            before.label if label is _UNSET else _label(label),
            before.note if note is _UNSET else note.strip(),
            *_region_values(new_region),
            now_iso(),
            new_time,
            clue_id,
        ]
        db.execute(
            "UPDATE clues SET kind = ?, label = ?, note = ?, region_x = ?, region_y = ?,"
            " region_w = ?, region_h = ?, updated_at = ?, frame_time = ? WHERE id = ?",
            values,
        )
        after = get_clue(db, clue_id)
        audit.append(db, "clue.edit", f"clue:{clue_id}", before.as_dict(), after.as_dict())
    return after


def remove_clue(db: Database, clue_id: int) -> Clue:
    """Delete a clue (audited as clue.remove, with everything it held)."""
    with db.atomic():
        before = get_clue(db, clue_id)
        db.execute("DELETE FROM clues WHERE id = ?", [clue_id])
        audit.append(db, "clue.remove", f"clue:{clue_id}", before.as_dict(), None)
    return before


def clues_for_media(db: Database, media_id: int) -> list[Clue]:
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM clues WHERE media_id = ? ORDER BY id", [media_id]
    ).fetchall()
    return [_clue(row) for row in rows]


def iter_clues(
    db: Database,
    kind: str | None = None,
    label: str | None = None,
    media_ids: list[int] | None = None,
) -> Iterator[Clue]:
    """Clues in id order; `label` matches any part of the label, ignoring case."""
    where: list[str] = []
    params: list[Any] = []
    if kind:
        where.append("kind = ?")
        params.append(_kind(kind))
    if label:
        where.append("label LIKE ? ESCAPE '\\'")
        params.append("%" + _escape_like(label) + "%")
    if media_ids is not None:
        where.append(f"media_id IN ({','.join('?' for _ in media_ids)})")
        params.extend(media_ids)
    sql = f"SELECT {_COLUMNS} FROM clues"
    if where:
        sql += " WHERE " + " AND ".join(where)
    for row in db.execute(sql + " ORDER BY id", params):
        yield _clue(row)


def counts_by_kind(db: Database) -> dict[str, int]:
    rows = db.execute("SELECT kind, COUNT(*) FROM clues GROUP BY kind ORDER BY kind")
    return {kind: count for kind, count in rows}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
