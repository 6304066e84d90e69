"""The analyst's work read per media in batches (category, clues, tags, links), for dumps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

from desktop.store.clues import iter_clues
from desktop.store.links import query_links

BATCH = 500
# media with any analyst work: a clue, a tag, a link, or (with migration 2) a category/review
_WORKED = (
    "(m.id IN (SELECT media_id FROM clues) OR m.id IN (SELECT media_id FROM media_tags)"
    " OR m.id IN (SELECT media_id FROM links){review})"
)


def has_review_columns(db: Database) -> bool:
    """True when the case has the review columns of migration 2 (category, reviewed)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(media)")}
    return {"category", "category_source", "reviewed"} <= columns


def media_count(db: Database, worked_only: bool = False) -> int:
    review = has_review_columns(db)
    sql = "SELECT COUNT(*) FROM media m"
    if worked_only:
        sql += " WHERE " + _worked(review)
    return int(db.execute(sql).fetchone()[0])


def _worked(review: bool) -> str:
    extra = " OR m.category IS NOT NULL OR m.reviewed = 1" if review else ""
    return _WORKED.format(review=extra)


def iter_media_work(db: Database, worked_only: bool = False) -> Iterator[dict[str, Any]]:
    """Each media's references (digests, file paths) and everything recorded on it."""
    review = has_review_columns(db)
    columns = "m.id, m.sha256, m.md5, m.sha1, m.size, m.file_type, m.status"
    if review:
        columns += ", m.category, m.category_source, m.reviewed"
    where = f" WHERE {_worked(review)}" if worked_only else ""
    last = 0
    while True:
        clause = (where + " AND" if where else " WHERE") + " m.id > ?"
        rows = db.execute(
            f"SELECT {columns} FROM media m{clause} ORDER BY m.id LIMIT ?", [last, BATCH]
        ).fetchall()
        if not rows:
            return
        yield from _details(db, rows, review)
        last = rows[-1][0]


def _details(db: Database, rows: list[tuple[Any, ...]], review: bool) -> list[dict[str, Any]]:
    batch: dict[int, dict[str, Any]] = {}
    for row in rows:
        media = {
            "media_id": row[0],
            "sha256": row[1],
            "md5": row[2],
            "sha1": row[3],
            "size": row[4],
            "file_type": row[5],
            "status": row[6],
        }
        if review:
            media.update(category=row[7], category_source=row[8], reviewed=bool(row[9]))
        media.update(files=[], clues=[], tags=[], links=[])
        batch[row[0]] = media
    ids = list(batch)
    marks = ",".join("?" for _ in ids)
    for media_id, path in db.execute(
        f"SELECT media_id, path FROM files WHERE media_id IN ({marks}) ORDER BY id", ids
    ):
        batch[media_id]["files"].append(path)
    for clue in iter_clues(db, media_ids=ids):
        data = clue.as_dict()
        del data["media_id"]
        batch[clue.media_id]["clues"].append(data)
    for media_id, name in db.execute(
        f"SELECT mt.media_id, t.name FROM media_tags mt JOIN tags t ON t.id = mt.tag_id"
        f" WHERE mt.media_id IN ({marks}) ORDER BY t.name",
        ids,
    ):
        batch[media_id]["tags"].append(name)
    for link in query_links(db, f"l.media_id IN ({marks})", ids):
        data = link.as_dict()
        del data["media_id"]
        batch[link.media_id]["links"].append(data)
    return list(batch.values())
