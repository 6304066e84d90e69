"""Known material in the grid: a "new material only" filter and known badges on the tiles."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QRect, QTimer
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QComboBox, QWidget

from desktop.store import known, known_filters  # known_filters registers the browse filter

# status -> (badge text, colour); the badge never needs the picture to be seen
BADGES = {
    "known": ("KNOWN", QColor("#7c3aed")),
    "probably_known": ("≈ KNOWN?", QColor("#b45309")),
    "known_good": ("NSRL", QColor("#047857")),
}


class FilterHost(Protocol):
    def add_filter(self, widget: QWidget, read: Any) -> None: ...
    def refresh(self) -> None: ...


class KnownFilter:
    """A choice in the filter bar: any, new material only, known, probably known."""

    def __init__(self, bar: FilterHost):
        self.bar = bar
        self.choice = QComboBox()
        self.choice.setObjectName("knownFilter")
        self.choice.setToolTip("Known material: hide what hash sets or packages already know")
        self.choice.addItem("Known or new", "")
        for value, (title, _) in known_filters.STATES.items():
            self.choice.addItem(title, value)
        self.choice.currentIndexChanged.connect(lambda _: bar.refresh())
        bar.add_filter(self.choice, self.read)

    def read(self) -> tuple[str, Any] | None:
        value = self.choice.currentData()
        return ("known_state", value) if value else None

    def select(self, value: str) -> None:
        self.choice.setCurrentIndex(max(0, self.choice.findData(value)))


class KnownBadges:
    """Wraps the grid delegate's badge painting to add a known badge (top centre).

    Statuses are looked up in batches for the tiles being painted and cached until the
    matches change (clear()), so scrolling a million-media grid costs one query per screen.
    """

    def __init__(self, conn: Any, grid: Any):
        self.conn, self.grid = conn, grid
        self.status: dict[int, str | None] = {}
        self._pending: set[int] = set()
        self._timer = QTimer(grid, singleShot=True, interval=0)
        self._timer.timeout.connect(self._load)
        delegate = grid.delegate
        original = delegate._badges

        def badges(painter: QPainter, frame: QRect, row: Any, revealed: bool) -> None:
            original(painter, frame, row, revealed)
            self.paint(delegate, painter, frame, row.id)

        delegate._badges = badges

    def paint(self, delegate: Any, painter: QPainter, frame: QRect, media_id: int) -> None:
        if media_id not in self.status:
            self._pending.add(media_id)
            self._timer.start()
            return
        badge = BADGES.get(self.status[media_id] or "")
        if badge is not None:
            width = 64
            rect = QRect(frame.center().x() - width // 2, frame.top() + 6, width, 18)
            delegate._badge(painter, rect, badge[0], badge[1])

    def _load(self) -> None:
        ids = sorted(self._pending)
        self._pending.clear()
        found = known.status_for_ids(self.conn, ids)
        for media_id in ids:
            self.status[media_id] = found.get(media_id)
        self.grid.viewport().update()

    def clear(self) -> None:
        """Forget every status (after a match run or a package import) and repaint."""
        self.status.clear()
        self.grid.viewport().update()
