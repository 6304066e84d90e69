"""The investigation filters in the grid's filter bar: clue kind/label, tag, entity, work state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QLineEdit
from sqlite_utils import Database

from desktop.core.clue_kinds import clue_kinds
from desktop.store import entities, investigation_filters, tags  # registers the filters
from desktop.store.browse import Conn
from desktop.store.investigation import work_marks
from desktop.ui.hosting import Badge, FilterHost

# the investigation's tile badges: a symbol each, so three fit beside the stack badge
WORK_BADGES = {
    "clues": Badge("◎", QColor("#0e7490"), tip="has clues"),
    "links": Badge("⛓", QColor("#4338ca"), tip="linked to an entity"),
    "tags": Badge("#", QColor("#475569"), tip="tagged"),
}


class InvestigationBadges:
    """A BadgeSource: a mark on tiles with clues, links or tags."""

    def badges(self, conn: Conn, media_ids: Sequence[int]) -> dict[int, list[Badge]]:
        return {
            media_id: [WORK_BADGES[m] for m in WORK_BADGES if m in marks]
            for media_id, marks in work_marks(conn, media_ids).items()
        }


class InvestigationFilters:
    """A choice (has clues, no clues yet, in a series without victim, clue kind, tag, entity)
    and a clue-label field, added to a filter bar through its add_filter()."""

    def __init__(self, db: Database, bar: FilterHost):
        self.db, self.bar = db, bar
        self._choices: dict[str, tuple[str, Any]] = {}  # combo data key -> (filter, value)
        self.choice = QComboBox()
        self.choice.setToolTip("Investigation: clues, tags, entities")
        self.choice.setMinimumContentsLength(18)
        self.label = QLineEdit()
        self.label.setPlaceholderText("clue label…")
        self.label.setClearButtonEnabled(True)
        self.label.setMinimumWidth(120)
        self.label.setMaximumWidth(180)
        self._debounce = QTimer(self.label, singleShot=True, interval=300)
        self._debounce.timeout.connect(bar.refresh_filters)
        self.label.textChanged.connect(lambda _: self._debounce.start())
        self.reload()
        self.choice.currentIndexChanged.connect(lambda _: bar.refresh_filters())
        bar.add_filter(self.choice, self.read_choice)
        bar.add_filter(self.label, self.read_label)

    def reload(self) -> None:
        """Refill the choices (after tags or entities changed), keeping the current one."""
        current = self.choice.currentData()
        self.choice.blockSignals(True)
        self.choice.clear()
        self._choices.clear()
        self.choice.addItem("Any investigation state", "")
        items: list[tuple[str, str, Any]] = [
            (investigation_filters.FILTERS[name].capitalize(), name, True)
            for name in ("has_clues", "no_clues", "series_without_victim")
        ]
        items += [(f"Clue: {kind.name}", "clue_kind", kind.key) for kind in clue_kinds()]
        items += [(f"Tag: {n} ({c})", "tag", n) for n, c in tags.tag_counts(self.db)]
        items += [
            (f"{e.kind.title()}: {e.name} ({c})", "entity", e.id)
            for e, c in entities.list_entities(self.db)
        ]
        for text, name, value in items:
            key = f"{name}={value}"
            self._choices[key] = (name, value)
            self.choice.addItem(text, key)
        index = self.choice.findData(current)
        self.choice.setCurrentIndex(max(0, index))
        self.choice.blockSignals(False)

    def select(self, name: str, value: Any = True) -> None:
        """Choose a filter from code (the entity browser's "show in grid", tests)."""
        self.reload()
        index = self.choice.findData(f"{name}={value}")
        if index < 0:
            raise KeyError(f"no such filter choice: {name}={value!r}")
        self.choice.setCurrentIndex(index)

    def read_choice(self) -> tuple[str, Any] | None:
        return self._choices.get(self.choice.currentData() or "")

    def read_label(self) -> tuple[str, Any] | None:
        text = self.label.text().strip()
        return ("clue_label", text) if text else None
