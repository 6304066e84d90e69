"""The review decisions of the open case: a category or "reviewed" for the selection (whole
stacks), the cursor then advancing, and undo of the last decisions."""

from __future__ import annotations

from collections.abc import Callable

from desktop.core.categories import Scheme
from desktop.store import browse, review
from desktop.store.db import CaseDatabase
from desktop.ui.models.media_model import MediaGridModel
from desktop.ui.widgets.grid import MediaGrid
from desktop.ui.widgets.viewer import ViewerPane

UNDO_DEPTH = 200


class ReviewDecisions:
    """What the review keys (and the tiles' menu) write. Each decision goes through
    desktop.store.review, which audits it, and is kept for undo (the last UNDO_DEPTH).

    The workspace lends what a decision touches: its connection, grid, model and viewer, and
    `selected` (the media selected), `select_row` (moves the cursor), `recount` (the counts
    in the status bar) and `tell` (a passing message)."""

    def __init__(
        self,
        db: CaseDatabase,
        scheme: Scheme,
        model: MediaGridModel,
        grid: MediaGrid,
        viewer: ViewerPane,
        selected: Callable[[], list[int]],
        select_row: Callable[[int], None],
        recount: Callable[[], None],
        tell: Callable[[str], None],
    ) -> None:
        self.db, self.scheme = db, scheme
        self.model, self.grid, self.viewer = model, grid, viewer
        self.selected, self.select_row = selected, select_row
        self.recount, self.tell = recount, tell
        self.undo_stack: list[review.ReviewChange] = []

    def _targets(self) -> list[int]:
        ids = self.selected()
        if self.model.query.stacks:
            ids = [m for i in ids for m in browse.stack_members(self.db, i)]
        return list(dict.fromkeys(ids))

    def categorise(self, value: int | None) -> None:
        self._record(lambda ids: review.set_category(self.db, ids, value))

    def mark_reviewed(self) -> None:
        self._record(lambda ids: review.set_reviewed(self.db, ids, True))

    def _record(self, change_fn: Callable[[list[int]], review.ReviewChange]) -> None:
        ids = self._targets()
        if not ids:
            return
        change = change_fn(ids)
        self.undo_stack.append(change)
        del self.undo_stack[:-UNDO_DEPTH]
        self.model.refresh_review(change.media_ids)
        self.viewer.refresh_details()
        self._advance()
        self.recount()

    def _advance(self) -> None:
        rows = sorted(i.row() for i in self.grid.selectionModel().selectedIndexes())
        last = rows[-1] if rows else self.grid.currentIndex().row()
        if last + 1 >= self.model.rowCount() and self.model.canFetchMore(self.grid.rootIndex()):
            self.model.fetchMore(self.grid.rootIndex())
        if last + 1 < self.model.rowCount():
            self.select_row(last + 1)

    def undo(self) -> None:
        if not self.undo_stack:
            self.tell("Nothing to undo.")
            return
        change = self.undo_stack.pop()
        review.undo(self.db, change)
        self.model.refresh_review(change.media_ids)
        row = self.model.row_of.get(change.media_ids[0])
        if row is not None:
            self.select_row(row)
        self.viewer.refresh_details()
        self.recount()
        count = len(change.media_ids)
        self.tell(f"Undone: {self._change_words(change)} ({count:,} media).")

    def _change_words(self, change: review.ReviewChange) -> str:
        """What a review change did, in the analyst's words (not the audit action's name)."""
        if change.action != "review.category":
            return "marked reviewed"
        values = {s.category for s in change.after.values()}
        value = values.pop() if len(values) == 1 else None
        category = self.scheme.by_value(value)
        if category is None:
            return "category cleared" if value is None else "category set"
        return f"category {category.key} · {category.name}"
