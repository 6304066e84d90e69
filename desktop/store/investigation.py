"""Shared pieces of the investigation stores: the error for bad references, media lookups."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from sqlite_utils import Database

from desktop.store.db import CaseError


class InvestigationError(CaseError):
    """A clue, tag, entity or link request the user can fix (unknown id, bad value)."""


def media_size(db: Database, media_id: int) -> tuple[int | None, int | None]:
    """(width, height) of a media; raises InvestigationError when the case has no such media."""
    row = db.execute("SELECT width, height FROM media WHERE id = ?", [media_id]).fetchone()
    if row is None:
        raise InvestigationError(f"The case has no media #{media_id}.")
    return row[0], row[1]


def check_media(db: Database, media_ids: Iterable[int]) -> list[int]:
    """The ids, de-duplicated in order; raises when any of them is not a media of the case."""
    ids = list(dict.fromkeys(int(i) for i in media_ids))
    if not ids:
        raise InvestigationError("No media given.")
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        found = {r[0] for r in db.execute(f"SELECT id FROM media WHERE id IN ({marks})", chunk)}
        missing = [i for i in chunk if i not in found]
        if missing:
            raise InvestigationError(f"The case has no media #{missing[0]}.")
    return ids


def resolve_media(db: Database, reference: str) -> int:
    """A media id from what a user types: its number, or its SHA-256, MD5 or SHA-1 in hex."""
    text = reference.strip().lstrip("#").lower()
    if text.isascii() and text.isdigit() and len(text) < 20:  # not "²": int() refuses it
        media_size(db, int(text))
        return int(text)
    column = {64: "sha256", 32: "md5", 40: "sha1"}.get(len(text))
    if column is None:
        raise InvestigationError(
            f"{reference!r} is neither a media number nor a SHA-256, MD5 or SHA-1 digest."
        )
    row = db.execute(f"SELECT id FROM media WHERE {column} = ?", [text]).fetchone()
    if row is None:
        raise InvestigationError(f"The case has no media with {column.upper()} {text}.")
    return int(row[0])


WORK_MARKS = ("clues", "links", "tags")


def work_marks(
    conn: Database | sqlite3.Connection, media_ids: Sequence[int]
) -> dict[int, set[str]]:
    """Which of `media_ids` carry clues, links or tags (the grid's badges); media with none
    are left out. Three indexed lookups per batch of 500."""
    found: dict[int, set[str]] = {}
    ids = list(media_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        for mark, table in zip(WORK_MARKS, ("clues", "links", "media_tags"), strict=True):
            sql = f"SELECT DISTINCT media_id FROM {table} WHERE media_id IN ({marks})"
            for (media_id,) in conn.execute(sql, chunk):
                found.setdefault(int(media_id), set()).add(mark)
    return found
