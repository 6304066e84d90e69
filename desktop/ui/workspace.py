"""One open case: filter bar, grid, viewer; review keys, reveal, undo, adding evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QSplitter, QVBoxLayout, QWidget

from desktop.core.categories import Scheme
from desktop.store import browse, review
from desktop.store.db import open_case
from desktop.ui import workers
from desktop.ui.investigation_hooks import install_investigation
from desktop.ui.models.media_model import MediaGridModel
from desktop.ui.settings import AnalystSettings
from desktop.ui.widgets.filter_bar import FilterBar
from desktop.ui.widgets.grid import MediaGrid
from desktop.ui.widgets.ingest_panel import IngestPanel
from desktop.ui.widgets.viewer import ViewerPane

GRID_POLL_MS = 2000  # ingest commits every ~2 s; look for new rows as often
UNDO_DEPTH = 200


class CaseWorkspace(QWidget):
    """Everything about one case. Review happens here:

    number keys set the category of the selection (whole stacks), Return marks reviewed,
    Delete clears the category, the cursor then advances; Ctrl+Z undoes. Space held (or the
    mouse held on the picture) reveals the current media; R reveals it until the selection
    moves or the timeout; nothing else ever reveals. E (or double-click) opens a stack, Esc
    closes it.
    """

    status_changed = Signal(str)
    ingest_finished = Signal(object)

    def __init__(
        self, case_path: Path, scheme: Scheme, settings: AnalystSettings, parent: Any = None
    ):
        super().__init__(parent)
        self.setObjectName("caseWorkspace")
        self.case_path = Path(case_path)
        self.scheme, self.settings = scheme, settings
        self.db = open_case(self.case_path)  # the UI thread's connection: pages and review writes
        self.model = MediaGridModel(self.case_path, self.db, self)
        self.filter_bar = FilterBar(scheme, browse.file_types(self.db))
        self.grid = MediaGrid(scheme)
        self.grid.setModel(self.model)
        self.viewer = ViewerPane(self.case_path, scheme)
        self.viewer.similar_chosen.connect(self.show_in_viewer)
        self.viewer.image_view.hold_started.connect(lambda: self.reveal(hold=True))
        self.viewer.image_view.hold_ended.connect(self.end_hold)
        self.grid.hold_started.connect(self._hold_tile)
        self.grid.hold_ended.connect(self.end_hold)
        self.ingest_panel = IngestPanel()
        self.ingest_panel.cancel_requested.connect(self.cancel_ingest)
        self.count_label = QLabel("")
        self.count_label.setObjectName("countLabel")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.grid)
        splitter.addWidget(self.viewer)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([520, 880])
        self.splitter = splitter
        for name, part in self._splitters():
            state = settings.layout(name)
            if state:
                part.restoreState(state)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.ingest_panel)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.count_label)
        self.undo_stack: list[review.ReviewChange] = []
        self.closed = False
        self.stack_open: int | None = None  # media whose stack is open, if one is
        self.revealed: int | None = None
        self._holding = False
        self.reveal_timer = QTimer(self, singleShot=True)
        self.reveal_timer.timeout.connect(self.blur_all)
        self.ingest_worker: workers.IngestWorker | None = None
        self.poll_timer = QTimer(self, interval=GRID_POLL_MS)
        self.poll_timer.timeout.connect(self.model.poll_new_rows)
        self.filter_bar.changed.connect(self.apply_query)
        self.apply_look()
        self.model.set_query(self.filter_bar.query())
        self.grid.selectionModel().currentChanged.connect(self._current_changed)
        self.grid.doubleClicked.connect(lambda _: self.expand_stack())
        self.grid.selectionModel().selectionChanged.connect(lambda *_: self._selection_moved())
        self._count()
        self.investigation = install_investigation(self)  # clues, tags, links, entities (issue 4)

    # ---- showing -------------------------------------------------------------------------------

    def apply_look(self) -> None:
        s = self.settings
        self.model.set_look(s.blur_strength, s.greyscale, s.thumbnail_size)
        self.grid.set_tile_side(s.thumbnail_size)
        self.viewer.set_look(s.blur_strength, s.greyscale)

    def apply_query(self, query: browse.BrowseQuery) -> None:
        self.blur_all()
        self.model.set_query(query)
        self.viewer.show_media(None)
        self._count()

    def _count(self) -> None:
        query = self.model.query
        self.count_label.setText("Counting…")
        worker = workers.Worker(workers.count_summary, self.case_path, query)

        def show(counts: tuple[int, int, int]) -> None:
            if query == self.model.query and self.stack_open is None:
                shown, reviewed, total = counts
                self.count_label.setText(
                    f"{shown:,} shown · {reviewed:,} of {total:,} media reviewed · {self.case_path}"
                )

        worker.signals.result.connect(workers.guarded(self, show))
        workers.start(worker)

    def current_media(self) -> int | None:
        index = self.grid.currentIndex()
        return self.model.media_id(index.row()) if index.isValid() else None

    def selected_media(self) -> list[int]:
        rows = sorted(i.row() for i in self.grid.selectionModel().selectedIndexes())
        if not rows and self.grid.currentIndex().isValid():
            rows = [self.grid.currentIndex().row()]
        return [self.model.media_id(r) for r in rows]

    def _current_changed(self, current, previous) -> None:
        self.blur_all()
        self.viewer.show_media(self.model.media_id(current.row()) if current.isValid() else None)

    def _selection_moved(self) -> None:
        if self.revealed is not None and self.revealed != self.current_media():
            self.blur_all()

    def show_in_viewer(self, media_id: int) -> None:
        row = self.model.row_of.get(media_id)
        if row is not None:
            self.grid.setCurrentIndex(self.model.index(row))
        else:
            self.blur_all()
            self.viewer.show_media(media_id)

    def select_row(self, row: int) -> None:
        index = self.model.index(row)
        self.grid.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.grid.scrollTo(index)

    # ---- stacks --------------------------------------------------------------------------------

    def expand_stack(self) -> bool:
        """Open the current tile's near-duplicate stack: its members, one tile each."""
        index = self.grid.currentIndex()
        if not index.isValid() or self.stack_open is not None:
            return False
        row = self.model.rows[index.row()]
        if row.stack_size < 2:
            return False
        self.stack_open = row.id
        self.blur_all()
        self.model.set_query(browse.stack_query(self.db, self.filter_bar.query(), row.id))
        self.filter_bar.setEnabled(False)
        self.select_row(0)
        self.count_label.setText(
            f"Stack of media {row.id}: {self.model.rowCount()} near-duplicates. "
            "Esc goes back to all media."
        )
        return True

    def collapse_stack(self) -> bool:
        if self.stack_open is None:
            return False
        media_id, self.stack_open = self.stack_open, None
        self.filter_bar.setEnabled(True)
        self.apply_query(self.filter_bar.query())
        row = self.model.row_of.get(media_id)
        if row is not None:
            self.select_row(row)
        return True

    # ---- reveal --------------------------------------------------------------------------------

    def reveal(self, hold: bool = False) -> None:
        """Unblur the current media only, in grid and viewer, until released/moved/timed out."""
        media_id = self.viewer.media_id or self.current_media()
        if media_id is None:
            return
        self._holding = hold
        self.revealed = media_id
        self.model.set_revealed(media_id if media_id in self.model.row_of else None)
        self.viewer.set_revealed(True)
        self.reveal_timer.start(self.settings.reveal_seconds * 1000)

    def _hold_tile(self) -> None:
        media_id = self.current_media()
        if media_id is not None and self.viewer.media_id != media_id:
            self.viewer.show_media(media_id)  # the tile held is the one revealed
        self.reveal(hold=True)

    def toggle_reveal(self) -> None:
        if self.revealed is not None:
            self.blur_all()
        else:
            self.reveal()

    def end_hold(self) -> None:
        if self._holding:
            self.blur_all()

    def blur_all(self) -> None:
        self._holding = False
        self.reveal_timer.stop()
        if self.revealed is None:
            return
        self.revealed = None
        self.model.set_revealed(None)
        self.viewer.set_revealed(False)

    # ---- review --------------------------------------------------------------------------------

    def _targets(self) -> list[int]:
        ids = self.selected_media()
        if self.model.query.stacks:
            ids = [m for i in ids for m in browse.stack_members(self.db, i)]
        return list(dict.fromkeys(ids))

    def categorise(self, value: int | None) -> None:
        self._record(lambda ids: review.set_category(self.db, ids, value))

    def mark_reviewed(self) -> None:
        self._record(lambda ids: review.set_reviewed(self.db, ids, True))

    def _record(self, change_fn: Any) -> None:
        ids = self._targets()
        if not ids:
            return
        change = change_fn(ids)
        self.undo_stack.append(change)
        del self.undo_stack[:-UNDO_DEPTH]
        self.model.refresh_review(change.media_ids)
        self.viewer.refresh_details()
        self._advance()
        self._count()

    def _advance(self) -> None:
        rows = sorted(i.row() for i in self.grid.selectionModel().selectedIndexes())
        last = rows[-1] if rows else self.grid.currentIndex().row()
        if last + 1 >= self.model.rowCount() and self.model.canFetchMore(self.grid.rootIndex()):
            self.model.fetchMore(self.grid.rootIndex())
        if last + 1 < self.model.rowCount():
            self.select_row(last + 1)

    def undo(self) -> None:
        if not self.undo_stack:
            self.status_changed.emit("Nothing to undo.")
            return
        change = self.undo_stack.pop()
        review.undo(self.db, change)
        self.model.refresh_review(change.media_ids)
        row = self.model.row_of.get(change.media_ids[0])
        if row is not None:
            self.select_row(row)
        self.viewer.refresh_details()
        self._count()
        self.status_changed.emit(f"Undone: {change.action} on {len(change.media_ids)} media.")

    # ---- keys ----------------------------------------------------------------------------------

    def keyPressEvent(self, event) -> None:
        text = event.text()
        if event.key() == Qt.Key.Key_Space:
            if not event.isAutoRepeat():
                self.reveal(hold=True)
            return
        if text in ("r", "R"):
            self.toggle_reveal()
            return
        category = self.scheme.by_key(text) if text else None
        if category is not None:
            self.categorise(category.value)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.mark_reviewed()
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.categorise(None)
            return
        if text in ("e", "E") and self.expand_stack():
            return
        if event.key() == Qt.Key.Key_Escape and self.collapse_stack():
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.end_hold()
            return
        super().keyReleaseEvent(event)

    # ---- evidence ------------------------------------------------------------------------------

    def add_evidence(
        self, sources: list[str], processes: int | None = None
    ) -> workers.IngestWorker | None:
        if self.ingest_worker is not None:
            QMessageBox.information(
                self, "Vigil", "Evidence is already being added; wait for it to finish."
            )
            return None
        worker = workers.IngestWorker(self.case_path, sources, processes)
        worker.signals.progress.connect(self.ingest_panel.update_progress)
        worker.signals.result.connect(self._ingest_done)
        worker.signals.failed.connect(self._ingest_failed)
        self.ingest_worker = worker
        self.ingest_panel.begin(sources)
        self.poll_timer.start()
        workers.start(worker, workers.pool("jobs"))
        return worker

    def cancel_ingest(self) -> None:
        if self.ingest_worker is not None:
            self.ingest_worker.cancel()

    def _ingest_done(self, summary: Any) -> None:
        self.ingest_worker = None
        if self.closed:
            return
        self.poll_timer.stop()
        workers.forget_similar_index(self.case_path)
        state = "Cancelled" if summary.cancelled else "Finished"
        self.ingest_panel.finish(
            f"{state}: {summary.seen:,} files, {summary.new_media:,} new media"
            f" in {summary.elapsed:.1f} s"
        )
        self.filter_bar.set_types(browse.file_types(self.db))
        self.model.reload()
        self._count()
        self.ingest_finished.emit(summary)

    def _ingest_failed(self, message: str) -> None:
        self.ingest_worker = None
        self.poll_timer.stop()
        self.ingest_panel.finish(message)
        QMessageBox.warning(self, "Vigil", message)

    def _splitters(self) -> list[tuple[str, QSplitter]]:
        """The panes the analyst can resize; their sizes are kept in the settings."""
        return [("grid_viewer", self.splitter), ("picture_details", self.viewer.splitter)]

    def close_case(self) -> None:
        for name, part in self._splitters():
            self.settings.set_layout(name, bytes(part.saveState().data()))
        self.closed = True
        self.blur_all()
        self.cancel_ingest()
        self.db.close()
