"""One open case: filter bar, grid, viewer; review keys, reveal, undo, adding evidence."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import QSplitter, QStackedWidget, QVBoxLayout, QWidget

from desktop.core.categories import Scheme
from desktop.jobs.ingest import IngestSummary
from desktop.store import browse, media_view
from desktop.store.db import open_case
from desktop.ui import workers
from desktop.ui.evidence_intake import EvidenceIntake
from desktop.ui.hosting import BadgeSource, TileAction, WorkspacePart
from desktop.ui.investigation_hooks import InvestigationPart
from desktop.ui.keys import KeyOwner
from desktop.ui.models.media_model import MediaGridModel
from desktop.ui.picture_reveal import PictureReveal
from desktop.ui.reveal import RevealController
from desktop.ui.review_decisions import ReviewDecisions
from desktop.ui.review_keys import bind_review_keys
from desktop.ui.settings import AnalystSettings
from desktop.ui.tile_tools import TileTools
from desktop.ui.video_hooks import VideoPart
from desktop.ui.widgets.empty_state import EmptyState, StackBar
from desktop.ui.widgets.filter_bar import FilterBar
from desktop.ui.widgets.grid import MediaGrid
from desktop.ui.widgets.media_table import MediaTable
from desktop.ui.widgets.viewer import ViewerPane
from desktop.ui.widgets.viewer_window import ViewerWindow


class CaseWorkspace(QWidget):
    """Everything about one case. Review happens here:

    number keys set the category of the selection (whole stacks), Return marks reviewed,
    Delete clears the category, the cursor then advances; Ctrl+Z undoes. Space held (or the
    mouse held on the picture) reveals the current media; R reveals it until the selection
    moves or the timeout; nothing else ever reveals. E (or double-click) opens a stack, Esc
    closes it. Every key belongs to `keys` (desktop.ui.keys), every reveal to `reveals`.

    Features plug in here (desktop.ui.hosting): `add_part` (a WorkspacePart told about the
    media shown, asked for a reveal's region, told when the case changed and when it closes),
    `add_panel` (a tab beside Details), `add_filter` (the filter bar's second row),
    `add_badges` (tile badges), `add_tile_action` (the tiles' right-click menu) and
    `keys.bind`. The investigation is installed by the workspace itself, known material by
    the main window (it also has a menu entry).
    """

    status_changed = Signal(str)  # a passing message (undo, refusals)
    count_changed = Signal(str)  # what the grid shows, for the status bar
    add_evidence_requested = Signal()  # the empty case's "Add evidence…"
    ingest_finished = Signal(object)
    look_changed = Signal()  # blur, greyscale or tile size changed (apply_look)

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
        self.viewer = ViewerPane(
            self.case_path, scheme, lambda media_id: media_view.media_detail(self.db, media_id)
        )
        self.viewer.similar_chosen.connect(self.show_in_viewer)
        self.reveals = RevealController(self.db, lambda: self.settings.reveal_seconds, self)
        self.parts: list[WorkspacePart] = []
        self.picture_reveal = PictureReveal(
            self.reveals, self.model, self.grid, self.viewer, self.parts, self.current_media
        )
        self.keys = KeyOwner(self)
        self.keys.add_surface(self.grid)
        self.keys.add_surface(self.viewer.image_view)
        self.viewer_window: ViewerWindow | None = None  # the viewer on a screen of its own
        self.tile_actions: list[TileAction] = []
        self.evidence = EvidenceIntake(self.case_path, self.model, self)  # adding evidence
        self.evidence.started.connect(self._show_empty_state)
        self.evidence.finished.connect(self._evidence_added)
        self.model.rows_appended.connect(self._rows_arrived)
        self.count_text = ""
        self.stack_bar = StackBar()
        self.stack_bar.back.clicked.connect(self.collapse_stack)
        self.empty = EmptyState(self.grid.viewport())
        self.empty.action.clicked.connect(self._empty_action)
        self.model.modelReset.connect(self._show_empty_state)
        self.model.rowsInserted.connect(self._show_empty_state)
        grid_column = QWidget()
        grid_layout = QVBoxLayout(grid_column)
        grid_layout.setContentsMargins(0, 0, 0, 0)
        grid_layout.setSpacing(0)
        self.table = MediaTable(self.model, self.grid)
        self.keys.add_surface(self.table)
        self.model.set_category_names(
            {c.value: f"{c.key} · {c.name}" for c in scheme.categories if c.value is not None}
        )
        self.views = QStackedWidget()  # the grid, or the list view beside it (V)
        self.views.addWidget(self.grid)
        self.views.addWidget(self.table)
        grid_layout.addWidget(self.stack_bar)
        grid_layout.addWidget(self.views, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(grid_column)
        splitter.addWidget(self.viewer)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([790, 610])  # the grid takes most of the window
        self.viewer.splitter.setSizes([330, 280])
        self.splitter = splitter
        for name, part in self._splitters():
            state = settings.layout(name)
            if state:
                part.restoreState(state)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.evidence.panel)
        layout.addWidget(splitter, 1)
        self.closed = False
        self.stack_open: int | None = None  # media whose stack is open, if one is
        self.total_media: int | None = None  # media in the case, once counted
        self.filter_bar.changed.connect(self.apply_query)
        self.apply_look()
        self.model.set_query(self.filter_bar.query())
        self.grid.selectionModel().currentChanged.connect(self._current_changed)
        self.grid.doubleClicked.connect(lambda _: self.expand_stack())
        self.table.doubleClicked.connect(lambda _: self.expand_stack())
        self.grid.selectionModel().selectionChanged.connect(lambda *_: self._selection_moved())
        self.viewer.media_changed.connect(self._media_shown)
        self.decisions = ReviewDecisions(
            self.db, scheme, self.model, self.grid, self.viewer, selected=self.selected_media,
            select_row=self.select_row, recount=self._count, tell=self.status_changed.emit,
        )  # fmt: skip
        bind_review_keys(self)
        self._count()
        self.investigation = InvestigationPart(self)  # clues, tags, links, entities (issue 4)
        self.add_part(self.investigation)
        self.tile_tools = TileTools(self)  # right-click menu, next unreviewed, compare
        self.video = VideoPart(self)  # the player, listening, storyboards (issue 14)
        self.add_part(self.video)

    # ---- what features add ---------------------------------------------------------------------

    def add_part(self, part: WorkspacePart) -> None:
        self.parts.append(part)
        part.media_shown(self.viewer.media_id)

    def add_panel(self, widget: QWidget, title: str) -> int:
        """A tab beside Details; returns its index."""
        return self.viewer.add_side_panel(widget, title)

    def show_panel(self, index: int) -> None:
        self.viewer.side_tabs.setCurrentIndex(index)

    def add_filter(self, widget: QWidget, read: Callable[[], tuple[str, Any] | None]) -> None:
        """A filter in the filter bar (see FilterBar.add_filter); call refresh_filters() when
        it changes."""
        self.filter_bar.add_filter(widget, read)

    def refresh_filters(self) -> None:
        self.filter_bar.refresh_filters()

    def add_badges(self, source: BadgeSource) -> None:
        self.model.add_badge_source(source)

    def refresh_badges(self) -> None:
        """What badges show changed (a match run, a tag...): ask the sources again."""
        self.model.clear_badges()

    def add_tile_action(self, action: TileAction) -> None:
        self.tile_actions.append(action)

    # ---- showing -------------------------------------------------------------------------------

    def apply_look(self) -> None:
        s = self.settings
        self.model.set_look(s.blur_strength, s.greyscale, s.thumbnail_size)
        self.grid.set_tile_side(s.thumbnail_size)
        self.viewer.set_look(s.blur_strength, s.greyscale)
        self.look_changed.emit()

    def apply_query(self, query: browse.BrowseQuery) -> None:
        self.picture_reveal.blur_all()
        self.model.set_query(query)
        self.viewer.show_media(None)
        self._count()

    def _count(self) -> None:
        query = self.model.query
        worker = workers.Worker(workers.count_summary, self.case_path, query)

        def show(counts: tuple[int, int, int]) -> None:
            if query == self.model.query and self.stack_open is None:
                shown, reviewed, total = counts
                self.total_media = total
                self._set_count(f"{shown:,} shown · {reviewed:,} of {total:,} media reviewed")
                self._show_empty_state()

        worker.signals.result.connect(workers.guarded(self, show))
        workers.start(worker)

    def _set_count(self, text: str) -> None:
        self.count_text = text
        self.count_changed.emit(text)

    # ---- empty states --------------------------------------------------------------------------

    def _show_empty_state(self, *_: object) -> None:
        if self.model.rowCount() > 0 or self.model.canFetchMore(self.grid.rootIndex()):
            self.empty.hide()
        elif self.total_media == 0 and self.evidence.worker is None:
            self.empty.show_message("No evidence in this case yet.", "Add evidence…")
        elif self.total_media == 0:
            self.empty.show_message("Adding evidence: pictures appear here as they are read.")
        else:
            self.empty.show_message("No media match these filters.", "Clear filters")

    def _empty_action(self) -> None:
        if self.total_media == 0:
            self.add_evidence_requested.emit()
        else:
            self.filter_bar.clear_filters()

    def current_media(self) -> int | None:
        index = self.grid.currentIndex()
        return self.model.media_id(index.row()) if index.isValid() else None

    def selected_media(self) -> list[int]:
        rows = sorted(i.row() for i in self.grid.selectionModel().selectedIndexes())
        if not rows and self.grid.currentIndex().isValid():
            rows = [self.grid.currentIndex().row()]
        return [self.model.media_id(r) for r in rows]

    def _current_changed(self, current, previous) -> None:
        self.picture_reveal.blur_all()
        if not current.isValid():
            self.viewer.show_media(None)
            return
        media_id = self.model.media_id(current.row())
        self.viewer.show_media(media_id, self.model.tile(media_id))

    def _media_shown(self, media_id: int | None) -> None:
        for part in self.parts:
            part.media_shown(media_id)

    def _selection_moved(self) -> None:
        revealed = self.picture_reveal.revealed
        if revealed is not None and revealed != self.current_media():
            self.picture_reveal.blur_all()

    def show_in_viewer(self, media_id: int) -> None:
        row = self.model.row_of.get(media_id)
        if row is not None:
            self.grid.setCurrentIndex(self.model.index(row))
        else:
            self.picture_reveal.blur_all()
            self.viewer.show_media(media_id)

    def go_to_end(self) -> None:
        """The last media of the query, however many pages it takes (the view alone reaches
        only the last page loaded)."""
        root = self.grid.rootIndex()
        while self.model.canFetchMore(root):
            self.model.fetchMore(root)
        if self.model.rowCount():
            self.select_row(self.model.rowCount() - 1)

    def move_cursor(self, direction: int) -> None:
        """The next (1) or previous (-1) tile in the grid's order, as Left/Right move."""
        index = self.grid.currentIndex()
        row = (index.row() if index.isValid() else -1) + direction
        if row >= self.model.rowCount() and self.model.canFetchMore(self.grid.rootIndex()):
            self.model.fetchMore(self.grid.rootIndex())
        if 0 <= row < self.model.rowCount():
            self.select_row(row)

    def select_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        index = self.model.index(row)
        self.grid.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.grid.scrollTo(index)

    # ---- views ---------------------------------------------------------------------------------

    def toggle_list(self) -> None:
        """Grid or list view: the same media, selection and keys."""
        shown = self.table if self.views.currentWidget() is self.grid else self.grid
        self.views.setCurrentWidget(shown)
        shown.setFocus()
        if self.grid.currentIndex().isValid():
            shown.scrollTo(self.grid.currentIndex())

    def toggle_viewer_window(self) -> None:
        """Move the viewer to a window of its own (to put on a second screen), or back."""
        if self.viewer_window is not None:
            self.viewer_window.close()  # closing it brings the viewer back
            return
        sizes = self.splitter.sizes()
        self.viewer_window = ViewerWindow(self.viewer, self.case_path.name)
        self.viewer_window.closed.connect(lambda: self._viewer_back(sizes))
        self.keys.add_area(self.viewer_window)
        self.viewer_window.show()

    def _viewer_back(self, sizes: list[int]) -> None:
        if self.viewer_window is not None:
            self.keys.remove_area(self.viewer_window)
        self.viewer_window = None
        self.splitter.addWidget(self.viewer)
        self.viewer.show()
        self.splitter.setSizes(sizes)

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
        self.picture_reveal.blur_all()
        self.model.set_query(browse.stack_query(self.db, self.filter_bar.query(), row.id))
        self.filter_bar.setEnabled(False)
        self.stack_bar.show_stack(row.id, self.model.rowCount())
        self.tile_tools.distances.open_stack(browse.group_level(self.db))
        self.refresh_badges()
        self.select_row(0)
        self._set_count(f"Stack of media {row.id}: {self.model.rowCount()} near-duplicates")
        return True

    def collapse_stack(self) -> bool:
        if self.stack_open is None:
            return False
        media_id, self.stack_open = self.stack_open, None
        self.filter_bar.setEnabled(True)
        self.stack_bar.hide()
        self.tile_tools.distances.open_stack(None)
        self.refresh_badges()
        self.apply_query(self.filter_bar.query())
        self.select_media(media_id)
        return True

    def select_media(self, media_id: int) -> bool:
        """Put the cursor on a media's tile, loading pages until it is found (a stack left
        beyond the first page put the cursor nowhere: keys then acted on nothing)."""
        root = self.grid.rootIndex()
        while media_id not in self.model.row_of and self.model.canFetchMore(root):
            self.model.fetchMore(root)
        row = self.model.row_of.get(media_id)
        if row is None:
            return False
        self.select_row(row)
        return True

    # ---- what the parts say --------------------------------------------------------------------

    def frame_time(self, media_id: int) -> float | None:
        """Seconds of the video frame the viewer shows for this media (None: a picture)."""
        times = (part.frame_time(media_id) for part in self.parts)
        return next((time for time in times if time is not None), None)

    # ---- keys ----------------------------------------------------------------------------------

    def escape(self) -> None:
        """Esc (bound with the other review keys in desktop.ui.review_keys)."""
        if not self.investigation.cancel_drawing():
            self.collapse_stack()

    # ---- evidence ------------------------------------------------------------------------------

    def _rows_arrived(self, _count: int) -> None:
        """Rows committed by a running ingest joined the grid: count again (the evidence
        intake's poll timer paces this to once every GRID_POLL_MS)."""
        if self.evidence.worker is not None:
            self._count()

    def _evidence_added(self, summary: IngestSummary) -> None:
        """An ingest finished (EvidenceIntake.finished): what shows the new media follows."""
        self.filter_bar.set_types(browse.file_types(self.db))
        self.model.reload()
        self._count()
        for part in self.parts:
            part.case_changed()
        self.ingest_finished.emit(summary)

    def _splitters(self) -> list[tuple[str, QSplitter]]:
        """The panes the analyst can resize; their sizes are kept in the settings."""
        return [("grid_viewer", self.splitter), ("picture_details", self.viewer.splitter)]

    def close_case(self) -> None:
        for name, part in self._splitters():
            self.settings.set_layout(name, bytes(part.saveState().data()))
        self.closed = True
        self.picture_reveal.blur_all()
        if self.viewer_window is not None:
            self.viewer_window.close()
        self.keys.stop()
        for part in self.parts:
            part.close()
        self.evidence.close()
        self.db.close()
