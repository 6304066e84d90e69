"""The grid's item model: keyset pages from store, fetched as the view scrolls, with tiles."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QImage

from desktop.store import browse
from desktop.ui import imaging, workers
from desktop.ui.hosting import Badge, BadgeSource

PAGE_ROWS = 300
TILE_CACHE_BYTES = 160 * 1024 * 1024  # prepared tiles kept: many screens at any size
STORYBOARDS_KEPT = 64  # videos whose prepared storyboard frames are kept

# Roles the delegate and the window read.
MediaIdRole = Qt.ItemDataRole.UserRole + 1
RowRole = Qt.ItemDataRole.UserRole + 2  # the BrowseRow
TileRole = Qt.ItemDataRole.UserRole + 3  # QImage, or None while it loads
RevealedRole = Qt.ItemDataRole.UserRole + 4
# The list view's columns (the grid shows column 0, painted by its delegate).
COLUMNS = ("Media", "Type", "Status", "Category", "Reviewed", "Copies", "Stack", "Sort key")


class MediaGridModel(QAbstractTableModel):
    """Rows of the current BrowseQuery, appended a page at a time (fetchMore).

    A table model (one column a fact, for the list view); the grid shows column 0. Tiles are
    requested when painted, loaded in batches by workers (decoded, blurred) and kept
    in an LRU cache keyed by everything that changes how they look.
    """

    tiles_loaded = Signal()
    rows_appended = Signal(int)

    def __init__(self, case_path: Path, conn: browse.Conn, parent: Any = None):
        super().__init__(parent)
        self.case_path = case_path
        self.conn = conn  # the UI thread's own connection; pages are small indexed reads
        self.query = browse.BrowseQuery()
        self.rows: list[browse.BrowseRow] = []
        self.row_of: dict[int, int] = {}
        self.exhausted = False
        self.blur_strength = imaging.DEFAULT_BLUR
        self.greyscale = False
        self.tile_side = 144
        self.revealed: int | None = None
        self._cache: OrderedDict[tuple, QImage | None] = OrderedDict()
        self._cache_bytes = 0
        self._pending: set[int] = set()
        self._in_flight: set[tuple] = set()
        self._flush = QTimer(self, singleShot=True, interval=0)
        self._flush.timeout.connect(self._request_tiles)
        self._generation = 0
        self.category_names: dict[int, str] = {}
        self.badge_sources: list[BadgeSource] = []
        self._badges: dict[int, list[Badge]] = {}
        self._badges_pending: set[int] = set()
        self._badges_asked: set[int] = set()
        self._badge_generation = 0
        self._badge_flush = QTimer(self, singleShot=True, interval=0)
        self._badge_flush.timeout.connect(self._request_badges)
        # storyboard stepping: one tile at a time shows a storyboard frame instead of its
        # picture (video tiles under the mouse, or stepped with Left/Right), from the case
        self.step: tuple[int, float] | None = None  # (media id, place 0..1 along the video)
        self._boards: OrderedDict[tuple, list[QImage]] = OrderedDict()
        self._boards_asked: set[tuple] = set()

    # ---- rows --------------------------------------------------------------------------------

    def set_query(self, query: browse.BrowseQuery) -> None:
        """Show another query from its first page (the view scrolls back to the top)."""
        self.beginResetModel()
        self.query = query
        self.rows, self.row_of = [], {}
        self.exhausted = False
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def reload(self) -> None:
        self.set_query(self.query)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def index(
        self,
        row: int,
        column: int = 0,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        if parent.isValid() or not (0 <= row < len(self.rows) and 0 <= column < len(COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def set_category_names(self, names: dict[int, str]) -> None:
        """How the list view names categories (the scheme's key and name)."""
        self.category_names = dict(names)

    def _cell(self, row: browse.BrowseRow, column: int) -> str:
        if column == 3:
            return "" if row.category is None else self.category_names.get(row.category, "?")
        values = (f"#{row.id}", row.file_type or "", row.status.replace("_", " "), "",
                  "yes" if row.reviewed else "", str(row.copies), str(row.stack_size),
                  "" if row.key is None else str(row.key))  # fmt: skip
        return values[column]

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and not self.exhausted

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if parent.isValid() or self.exhausted:
            return
        after = (self.rows[-1].key, self.rows[-1].id) if self.rows else None
        page = browse.page(self.conn, self.query, after, PAGE_ROWS)
        if len(page) < PAGE_ROWS:
            self.exhausted = True
        if not page:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        for offset, row in enumerate(page):
            self.row_of[row.id] = first + offset
        self.rows.extend(page)
        self.endInsertRows()
        self.rows_appended.emit(len(page))

    def poll_new_rows(self) -> None:
        """Rows added since the last page (ingest running): page on from the end again."""
        if self.exhausted:
            self.exhausted = False
            self.fetchMore(QModelIndex())

    def in_stack(self) -> bool:
        """The rows are the members of one open near-duplicate stack."""
        return any(name == "stack_of" for name, _ in self.query.extra)

    def media_id(self, row: int) -> int:
        return self.rows[row].id

    def refresh_review(self, media_ids: list[int]) -> None:
        """Re-read category and reviewed of rows after a review change or an undo."""
        current = browse.refresh_rows(self.conn, media_ids)
        for media_id, (category, reviewed) in current.items():
            row = self.row_of.get(media_id)
            if row is None:
                continue
            self.rows[row] = self.rows[row]._replace(category=category, reviewed=reviewed)
            self.dataChanged.emit(self.index(row), self.index(row, len(COLUMNS) - 1))

    # ---- data --------------------------------------------------------------------------------

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == MediaIdRole:
            return row.id
        if role == RowRole:
            return row
        if role == RevealedRole:
            return row.id == self.revealed
        if role == TileRole:
            return self.tile(row.id)
        if role == Qt.ItemDataRole.DisplayRole:  # the list view's cells (the grid paints)
            return self._cell(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Media {row.id} · {row.file_type or 'unknown type'} · {row.status}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Media {row.id}"
        return None

    # ---- tiles -------------------------------------------------------------------------------

    def _key(self, media_id: int) -> tuple:
        revealed = media_id == self.revealed
        return (
            media_id,
            self.tile_side,
            self.greyscale,
            revealed,
            0 if revealed else self.blur_strength,
        )

    def tile(self, media_id: int) -> QImage | None:
        if self.step is not None and self.step[0] == media_id:
            frames = self.storyboard_frames(media_id)
            if frames:
                return frames[min(int(self.step[1] * len(frames)), len(frames) - 1)]
        key = self._key(media_id)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if key not in self._in_flight:
            self._pending.add(media_id)
            self._flush.start()
        return None

    def _forget(self, key: tuple) -> None:
        image = self._cache.pop(key)
        self._cache_bytes -= image.sizeInBytes() if image is not None else 0

    def has_tile(self, media_id: int) -> bool:
        return self._key(media_id) in self._cache

    def _request_tiles(self) -> None:
        ids = [i for i in self._pending if self._key(i) not in self._in_flight]
        self._pending.clear()
        for start in range(0, len(ids), 60):
            chunk = ids[start : start + 60]
            keys = {i: self._key(i) for i in chunk}
            self._in_flight.update(keys.values())
            worker = workers.Worker(
                workers.load_tiles, self.case_path, chunk, self.blur_strength, self.greyscale,
                self.revealed, self.tile_side,
            )  # fmt: skip
            generation = self._generation
            worker.signals.result.connect(
                workers.guarded(
                    self, lambda tiles, keys=keys, g=generation: self._store_tiles(tiles, keys, g)
                )
            )
            workers.start(worker, workers.pool("tiles"))

    def _store_tiles(
        self, tiles: dict[int, QImage | None], keys: dict[int, tuple], generation: int
    ) -> None:
        for media_id, image in tiles.items():
            key = keys[media_id]
            self._in_flight.discard(key)
            if generation != self._generation:
                continue
            if key in self._cache:
                self._forget(key)
            self._cache[key] = image
            self._cache_bytes += image.sizeInBytes() if image is not None else 0
            row = self.row_of.get(media_id)
            if row is not None:
                index = self.index(row)
                self.dataChanged.emit(index, index, [TileRole])
        while self._cache_bytes > TILE_CACHE_BYTES and self._cache:
            self._forget(next(iter(self._cache)))
        self.tiles_loaded.emit()

    # ---- storyboard stepping -------------------------------------------------------------------

    def set_step(self, media_id: int | None, place: float = 0.0) -> None:
        """Show the storyboard frame at `place` (0..1 along the video) on this tile, or no
        stepping (None)."""
        previous, self.step = self.step, (None if media_id is None else (media_id, place))
        for changed in {previous[0] if previous else None, media_id} - {None}:
            row = self.row_of.get(changed)  # type: ignore[arg-type]
            if row is not None:
                index = self.index(row)
                self.dataChanged.emit(index, index, [TileRole])

    def storyboard_frames(self, media_id: int) -> list[QImage] | None:
        """The tile's storyboard frames prepared as its tiles are (blurred unless revealed);
        None while they load (asked once), [] when the media has none."""
        key = self._key(media_id)
        if key in self._boards:
            self._boards.move_to_end(key)
            return self._boards[key]
        if key not in self._boards_asked:
            self._boards_asked.add(key)
            worker = workers.Worker(
                workers.load_storyboard_tiles, self.case_path, media_id, self.blur_strength,
                self.greyscale, media_id == self.revealed, self.tile_side,
            )  # fmt: skip
            worker.signals.result.connect(
                workers.guarded(self, lambda found, k=key: self._store_board(k, found[0]))
            )
            workers.start(worker, workers.pool("tiles"))
        return None

    def _store_board(self, key: tuple, frames: list[QImage]) -> None:
        self._boards_asked.discard(key)
        self._boards[key] = frames
        while len(self._boards) > STORYBOARDS_KEPT:
            self._boards.popitem(last=False)
        if self.step is not None and self.step[0] == key[0]:
            self.set_step(*self.step)

    # ---- badges from features (desktop.ui.hosting.BadgeSource) ---------------------------------

    def add_badge_source(self, source: BadgeSource) -> None:
        self.badge_sources.append(source)
        self.clear_badges()

    def badges(self, media_id: int) -> list[Badge]:
        """The features' badges of a tile (asked in a worker the first time it is painted)."""
        found = self._badges.get(media_id)
        if found is None:
            if self.badge_sources and media_id not in self._badges_asked:
                self._badges_pending.add(media_id)
                self._badge_flush.start()
            return []
        return found

    def clear_badges(self) -> None:
        self._badges.clear()
        self._badges_asked.clear()
        self._badge_generation += 1
        self._repaint_all()

    def _request_badges(self) -> None:
        ids = sorted(self._badges_pending - self._badges_asked)
        self._badges_pending.clear()
        self._badges_asked.update(ids)
        generation = self._badge_generation
        for start in range(0, len(ids), 200):
            chunk = ids[start : start + 200]
            worker = workers.Worker(
                workers.load_badges, self.case_path, list(self.badge_sources), chunk
            )
            worker.signals.result.connect(
                workers.guarded(
                    self, lambda found, g=generation, c=chunk: self._store_badges(found, c, g)
                )
            )
            workers.start(worker, workers.pool("tiles"))

    def _store_badges(self, found: dict[int, list[Badge]], ids: list[int], generation: int) -> None:
        if generation != self._badge_generation:
            return
        for media_id in ids:
            self._badges[media_id] = found.get(media_id, [])
            row = self.row_of.get(media_id)
            if row is not None:
                index = self.index(row)
                self.dataChanged.emit(index, index, [TileRole])

    def set_look(self, blur_strength: int, greyscale: bool, tile_side: int) -> None:
        """New blur, greyscale or size: tiles are prepared again (the cache keys include them)."""
        self.blur_strength, self.greyscale, self.tile_side = blur_strength, greyscale, tile_side
        self._in_flight.clear()
        self._boards_asked.clear()
        self._generation += 1
        self._repaint_all()

    def set_revealed(self, media_id: int | None) -> None:
        """Show one media unblurred (None: blur everything again). Never more than one."""
        previous, self.revealed = self.revealed, media_id
        for changed in (previous, media_id):
            if changed is None:
                continue
            # a revealed tile is never kept: once re-blurred it must be prepared again
            for key in [k for k in self._cache if k[0] == changed and k[3]]:
                self._forget(key)
            for key in [k for k in self._boards if k[0] == changed and k[3]]:
                del self._boards[key]
            row = self.row_of.get(changed)
            if row is not None:
                index = self.index(row)
                self.dataChanged.emit(index, index, [TileRole, RevealedRole])

    def _repaint_all(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0), self.index(len(self.rows) - 1), [TileRole])
