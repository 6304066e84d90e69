"""Tags: free words on media, with counts; every change audited."""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from desktop.store import audit
from desktop.store.db import now_iso
from desktop.store.investigation import InvestigationError, check_media

TAG_MAX = 64


def normalise_tag(name: str) -> str:
    """Spaces collapsed; case is kept as typed but tags compare without case."""
    name = " ".join(name.split())
    if not name:
        raise InvestigationError("A tag needs at least one letter or digit.")
    if len(name) > TAG_MAX:
        raise InvestigationError(f"A tag is at most {TAG_MAX} characters.")
    return name


def _tag_id(db: Database, name: str) -> int | None:
    row = db.execute("SELECT id FROM tags WHERE name = ?", [name]).fetchone()
    return int(row[0]) if row else None


def add_tag(db: Database, media_ids: Iterable[int], name: str) -> int:
    """Put a tag on media (audited as tag.add). Returns how many media newly carry it."""
    name = normalise_tag(name)
    with db.atomic():
        ids = check_media(db, media_ids)
        tag_id = _tag_id(db, name)
        if tag_id is None:
            tag_id = int(db.execute("INSERT INTO tags (name) VALUES (?)", [name]).lastrowid or 0)
        stored = db.execute("SELECT name FROM tags WHERE id = ?", [tag_id]).fetchone()[0]
        at = now_iso()
        added = [
            media_id
            for media_id in ids
            if db.execute(
                "INSERT OR IGNORE INTO media_tags (media_id, tag_id, added_at) VALUES (?, ?, ?)",
                [media_id, tag_id, at],
            ).rowcount
        ]
        if added:
            audit.append(db, "tag.add", f"tag:{stored}", None, {"tag": stored, "media": added})
    return len(added)


def remove_tag(db: Database, media_ids: Iterable[int], name: str) -> int:
    """Take a tag off media (audited as tag.remove). Returns how many media lost it."""
    name = normalise_tag(name)
    with db.atomic():
        ids = check_media(db, media_ids)
        tag_id = _tag_id(db, name)
        if tag_id is None:
            raise InvestigationError(f"There is no tag {name!r} in this case.")
        stored = db.execute("SELECT name FROM tags WHERE id = ?", [tag_id]).fetchone()[0]
        removed = [
            media_id
            for media_id in ids
            if db.execute(
                "DELETE FROM media_tags WHERE media_id = ? AND tag_id = ?", [media_id, tag_id]
            ).rowcount
        ]
        # a tag nobody carries any more disappears from the tag list
        db.execute(
            "DELETE FROM tags WHERE id = ? AND NOT EXISTS"
            " (SELECT 1 FROM media_tags WHERE tag_id = ?)",
            [tag_id, tag_id],
        )
        if removed:
            audit.append(db, "tag.remove", f"tag:{stored}", {"tag": stored, "media": removed}, None)
    return len(removed)


def tags_for_media(db: Database, media_id: int) -> list[str]:
    rows = db.execute(
        "SELECT t.name FROM media_tags mt JOIN tags t ON t.id = mt.tag_id"
        " WHERE mt.media_id = ? ORDER BY t.name",
        [media_id],
    )
    return [row[0] for row in rows]


def tag_counts(db: Database) -> list[tuple[str, int]]:
    """Every tag with the number of media carrying it, most used first."""
    rows = db.execute(
        "SELECT t.name, COUNT(mt.media_id) AS n FROM tags t"
        " LEFT JOIN media_tags mt ON mt.tag_id = t.id GROUP BY t.id ORDER BY n DESC, t.name"
    )
    return [(name, count) for name, count in rows]


def media_with_tag(db: Database, name: str) -> list[int]:
    rows = db.execute(
        "SELECT mt.media_id FROM media_tags mt JOIN tags t ON t.id = mt.tag_id"
        " WHERE t.name = ? ORDER BY mt.media_id",
        [normalise_tag(name)],
    )
    return [row[0] for row in rows]
