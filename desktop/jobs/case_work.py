"""The analyst's work on each media (category, tags, clues, links), gathered for exchange.

It reads through the review and investigation stores when the case has their tables; a case
made before them simply has no such work, and exports still carry hashes, files and matches.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from desktop.store import known


def _has_table(db: Database, name: str) -> bool:
    row = db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [name]).fetchone()
    return row is not None


def _has_column(db: Database, table: str, column: str) -> bool:
    return any(row[1] == column for row in db.execute(f"PRAGMA table_info({table})"))


# entity statuses (store.entities) that mean VICS VictimIdentified / OffenderIdentified
_VICTIM_IDENTIFIED = ("identified", "safeguarded")
_OFFENDER_IDENTIFIED = ("identified", "arrested", "convicted")


@dataclass
class MediaWork:
    """Everything the case knows about one media beyond its bytes."""

    category: int | None = None  # the analyst's own category (always wins)
    category_source: str | None = None
    tags: list[str] = field(default_factory=list)
    clues: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    matches: list[dict[str, Any]] = field(default_factory=list)

    def victim_identified(self) -> bool | None:
        victims = [lk for lk in self.links if lk["entity_kind"] == "victim"]
        if any(lk.get("entity_status") in _VICTIM_IDENTIFIED for lk in victims):
            return True
        return self._from_matches("victim_identified")

    def offender_identified(self) -> bool | None:
        offenders = [lk for lk in self.links if lk["entity_kind"] == "offender"]
        if any(lk.get("entity_status") in _OFFENDER_IDENTIFIED for lk in offenders):
            return True
        return self._from_matches("offender_identified")

    def _from_matches(self, flag: str) -> bool | None:
        values = [m[flag] for m in self.matches if m["kind"] == "exact" and m[flag] is not None]
        return any(values) if values else None

    def series(self) -> str | None:
        names = [lk["entity_name"] for lk in self.links if lk["entity_kind"] == "series"]
        if not names:
            names = [m["series"] for m in self.matches if m["kind"] == "exact" and m["series"]]
        return "; ".join(dict.fromkeys(names)) or None

    def precategorisation(self, scheme: str | None = None) -> dict[str, Any] | None:
        """The first exact match with a category: the hash set's word on this media.

        With `scheme`, only a match whose numbers mean the same (same scheme, or a set that
        named none): a UK grade is not a US category, and Vigil does not guess a mapping."""
        return next(
            (
                m
                for m in self.matches
                if m["kind"] == "exact"
                and m["purpose"] != "known_good"
                and m["category"] is not None
                and (scheme is None or m["scheme"] in (None, scheme))
            ),
            None,
        )


class CaseWork:
    """Reads the analyst's work per media batch, with whatever stores the case has."""

    def __init__(self, db: Database):
        self.db = db
        self.has_review = _has_table(db, "media") and _has_column(db, "media", "category")
        self.has_investigation = _has_table(db, "links") and _has_table(db, "entities")
        self.entity_status: dict[int, str | None] = {}
        if self.has_investigation:
            for entity_id, status in db.execute("SELECT id, status FROM entities"):
                self.entity_status[int(entity_id)] = status

    def for_media(self, media_ids: Sequence[int]) -> dict[int, MediaWork]:
        work = {i: MediaWork() for i in media_ids}
        if self.has_review:
            from desktop.store import review

            for media_id, state in review.review_state(self.db, list(media_ids)).items():
                work[media_id].category = state.category
                work[media_id].category_source = state.category_source
        if self.has_investigation:
            from desktop.store import clues, links, tags

            for media_id in media_ids:
                work[media_id].tags = tags.tags_for_media(self.db, media_id)
                found = clues.clues_for_media(self.db, media_id)
                work[media_id].clues = [clue.as_dict() for clue in found]
                work[media_id].links = [
                    {**lk.as_dict(), "entity_status": self.entity_status.get(lk.entity_id)}
                    for lk in links.links_for_media(self.db, media_id)
                ]
        for media_id, matches in known.matches_for(self.db, list(media_ids)).items():
            work[media_id].matches = matches
        return work

    def entities(self) -> list[dict[str, Any]]:
        if not self.has_investigation:
            return []
        from desktop.store import entities

        return [entity.as_dict() for entity, _count in entities.list_entities(self.db)]


def media_batches(db: Database, size: int = 500) -> Iterator[list[int]]:
    ids = known.media_ids(db)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
