"""The analyst's review decisions on media (category, reviewed), audited and undoable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from desktop.store import audit

ANALYST = "analyst"


@dataclass(frozen=True)
class MediaReview:
    """The review state of one media."""

    category: int | None
    category_source: str | None
    reviewed: bool


@dataclass(frozen=True)
class ReviewChange:
    """One applied change: what each media was before, so it can be undone."""

    action: str
    before: dict[int, MediaReview]
    after: dict[int, MediaReview]
    audit_id: int

    @property
    def media_ids(self) -> list[int]:
        return list(self.before)


def review_state(db: Database, media_ids: Sequence[int]) -> dict[int, MediaReview]:
    """Current review state of each existing media among `media_ids`."""
    state: dict[int, MediaReview] = {}
    ids = list(dict.fromkeys(media_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for media_id, category, source, reviewed in db.execute(
            f"SELECT id, category, category_source, reviewed FROM media WHERE id IN ({marks})",
            chunk,
        ):
            state[int(media_id)] = MediaReview(category, source, bool(reviewed))
    return state


def _as_json(state: dict[int, MediaReview]) -> dict[str, dict[str, object]]:
    return {
        str(i): {"category": s.category, "category_source": s.category_source,
                 "reviewed": s.reviewed}
        for i, s in state.items()
    }  # fmt: skip


def _target(ids: Sequence[int]) -> str:
    shown = ",".join(str(i) for i in ids[:20])
    return f"media {shown}" + (f" (+{len(ids) - 20} more)" if len(ids) > 20 else "")


def _apply(
    db: Database, action: str, after: dict[int, MediaReview], before: dict[int, MediaReview]
) -> ReviewChange:
    """Write `after` and its audit event in one transaction."""
    with db.atomic():
        db.conn.executemany(
            "UPDATE media SET category = ?, category_source = ?, reviewed = ? WHERE id = ?",
            [(s.category, s.category_source, int(s.reviewed), i) for i, s in after.items()],
        )
        event = audit.append(db, action, _target(list(after)), _as_json(before), _as_json(after))
    return ReviewChange(action, before, after, event)


def set_category(
    db: Database, media_ids: Sequence[int], category: int | None, source: str = ANALYST
) -> ReviewChange:
    """Give media a category (None clears it) and mark them reviewed; audited, undoable.

    `source` records who decided: "analyst" for a person, or e.g. "known:<hash set>".
    """
    before = review_state(db, media_ids)
    after = {
        i: MediaReview(category, source if category is not None else None, True) for i in before
    }
    return _apply(db, "review.category", after, before)


def set_reviewed(db: Database, media_ids: Sequence[int], reviewed: bool = True) -> ReviewChange:
    """Mark media reviewed (looked at, no category needed) or back to not reviewed."""
    before = review_state(db, media_ids)
    after = {i: MediaReview(s.category, s.category_source, reviewed) for i, s in before.items()}
    return _apply(db, "review.reviewed", after, before)


def undo(db: Database, change: ReviewChange) -> ReviewChange:
    """Put back what `change` replaced; the undo is itself audited (and can be undone)."""
    current = review_state(db, change.media_ids)
    restore = {i: s for i, s in change.before.items() if i in current}
    return _apply(db, "review.undo", restore, current)


def category_counts(db: Database) -> dict[int | None, int]:
    """Media per category value (None: uncategorised)."""
    return {c: n for c, n in db.execute("SELECT category, COUNT(*) FROM media GROUP BY 1")}


def reviewed_count(db: Database) -> int:
    return int(db.execute("SELECT COUNT(*) FROM media WHERE reviewed = 1").fetchone()[0])
