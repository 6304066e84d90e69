"""The bar above the grid: sort, filters and text search, turned into a BrowseQuery."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from desktop.core.categories import Scheme
from desktop.store import browse

ANY = "any"


def _reset_quietly(widget: QWidget) -> None:
    widget.blockSignals(True)
    if isinstance(widget, QComboBox):
        widget.setCurrentIndex(0)
    elif isinstance(widget, QLineEdit):
        widget.clear()
    widget.blockSignals(False)


class FilterBar(QWidget):
    """Emits `changed` with a new BrowseQuery whenever the analyst changes what to show.

    Other features add their own filters with add_filter(widget, read), where `read()` returns
    (name, value) for BrowseQuery.extra, or None when the filter is off (see
    desktop.store.browse.register_filter); it is a desktop.ui.hosting.FilterHost.
    """

    changed = Signal(object)

    def __init__(self, scheme: Scheme, types: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("filterBar")
        rows = QVBoxLayout(self)
        rows.setContentsMargins(6, 4, 6, 4)
        rows.setSpacing(4)
        layout = QHBoxLayout()
        self.extra_row = QHBoxLayout()  # filters added by other features, then the search
        rows.addLayout(layout)
        rows.addLayout(self.extra_row)
        self.sort = self._combo([(t, k) for k, t in browse.SORT_TITLES.items()], "Sort by")
        self.review = self._combo(
            [("All", None), ("Not yet reviewed", False), ("Reviewed", True)], "Review"
        )
        self.category = self._combo(
            [("Any category", ANY), ("Uncategorised", browse.UNCATEGORISED)]
            + [(f"{c.key} · {c.name}", c.value) for c in scheme.categories],
            "Category",
        )
        self.status = self._combo(
            [("Any status", ANY), ("Problems only", "problems")]
            + [(s.replace("_", " "), s) for s in browse.MEDIA_STATUSES],
            "Status",
        )
        self.type = self._combo([("Any type", ANY)] + [(t.upper(), t) for t in types], "Type")
        self.stacks = QCheckBox("Stack near-duplicates")
        self.stacks.setChecked(True)
        self.stacks.toggled.connect(self._emit)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search paths, camera, serial, date, hash…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.search.returnPressed.connect(self._emit)
        for label, widget in (
            ("Sort", self.sort), ("Show", self.review), (None, self.category),
            (None, self.status), (None, self.type),
        ):  # fmt: skip
            if label:
                layout.addWidget(QLabel(label))
            layout.addWidget(widget)
        layout.addWidget(self.stacks)
        layout.addStretch(1)
        self.extra_row.addWidget(QLabel("Search"))
        self.extra_row.addWidget(self.search, 1)
        self._extra: list[Callable[[], tuple[str, Any] | None]] = []
        self._resets: list[Callable[[], None]] = []

    def _combo(self, items: list[tuple[str, Any]], tip: str) -> QComboBox:
        combo = QComboBox()
        combo.setToolTip(tip)
        for text, value in items:
            combo.addItem(text, value)
        combo.currentIndexChanged.connect(self._emit)
        return combo

    def set_types(self, types: list[str]) -> None:
        """New content types arrived (after an ingest): offer them, keep the choice."""
        current = self.type.currentData()
        self.type.blockSignals(True)
        self.type.clear()
        self.type.addItem("Any type", ANY)
        for t in types:
            self.type.addItem(t.upper(), t)
        self.type.setCurrentIndex(max(0, self.type.findData(current)))
        self.type.blockSignals(False)

    def add_filter(self, widget: QWidget, read: Callable[[], tuple[str, Any] | None]) -> None:
        """Add a filter widget (second row, before the search); call refresh_filters() when it
        changes. "Clear filters" sets a combo back to its first entry and empties a field."""
        self.extra_row.insertWidget(self.extra_row.count() - 2, widget)
        self._extra.append(read)
        self._resets.append(lambda: _reset_quietly(widget))

    def clear_filters(self) -> None:
        """Every filter back to "any" (the sort and stacking stay), then one new query."""
        for combo in (self.review, self.category, self.status, self.type):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        for reset in self._resets:
            reset()
        self._emit()

    def refresh_filters(self) -> None:
        """A filter added with add_filter changed: emit the new query."""
        self._emit()

    def query(self) -> browse.BrowseQuery:
        status = self.status.currentData()
        statuses: tuple[str, ...] = ()
        if status == "problems":
            statuses = tuple(s for s in browse.MEDIA_STATUSES if s != "ok")
        elif status != ANY:
            statuses = (status,)
        category = self.category.currentData()
        file_type = self.type.currentData()
        extra = tuple(value for read in self._extra if (value := read()) is not None)
        return browse.BrowseQuery(
            sort=self.sort.currentData(),
            statuses=statuses,
            types=() if file_type == ANY else (file_type,),
            categories=() if category == ANY else (category,),
            reviewed=self.review.currentData(),
            text=self.search.text().strip(),
            stacks=self.stacks.isChecked(),
            extra=extra,
        )

    def _emit(self, *_: Any) -> None:
        self._debounce.stop()
        self.changed.emit(self.query())
