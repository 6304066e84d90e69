"""Known material in the window: "new material only" filter, tile badges, viewer panel."""

from __future__ import annotations

from html import escape
from typing import Any, Protocol

from PySide6.QtCore import QRect, QTimer
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QComboBox, QTextBrowser, QWidget

from desktop.core import categories
from desktop.core.categories import Scheme
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


class KnownPanel(QTextBrowser):
    """A viewer side tab: what hash sets and packages say about the current media, every match
    listed (when two sets disagree both are shown), apart from the analyst's own category."""

    def __init__(self, conn: Any, scheme: Scheme):
        super().__init__()
        self.setObjectName("knownPanel")
        self.conn, self.scheme = conn, scheme
        self.media_id: int | None = None
        self.setOpenLinks(False)

    def set_media(self, media_id: int | None) -> None:
        self.media_id = media_id
        if media_id is None:
            self.setHtml("")
            return
        matches = known.matches_for(self.conn, [media_id]).get(media_id, [])
        self.setHtml(self.describe(matches))

    def describe(self, matches: list[dict[str, Any]]) -> str:
        if not matches:
            return "<p>No hash set or package knows this media.</p>"
        summary = known.known_summary(matches)
        titles = {"known": "Known", "known_good": "Known good (e.g. NSRL)",
                  "probably_known": "Probably known: confirm by looking"}  # fmt: skip
        parts = [f"<h3>{titles[summary['status']]}</h3>"]
        if summary["disagreement"]:
            parts.append("<p><b>The sources disagree</b>: every match is listed.</p>")
        parts.append("<p>Pre-categorisation only: your own category always wins.</p><ul>")
        for m in matches:
            how = "exact" if m["kind"] == "exact" else f"perceptual, {m['distance']} bits"
            words = [f"<b>{escape(m['set_name'])}</b> ({m['origin']}, {how} on {m['matched_on']})"]
            if m["category"] is not None:
                words.append(f"category {escape(self._category(m))}")
            if m["series"]:
                words.append(f"series {escape(m['series'])}")
            for flag, text in (("victim_identified", "victim identified"),
                               ("offender_identified", "offender identified"),
                               ("is_distributed", "distributed")):  # fmt: skip
                if m[flag] is not None:
                    words.append(text if m[flag] else f"not {text}")
            if m["comments"]:
                words.append(escape(m["comments"]))
            parts.append(f"<li>{' · '.join(words)}</li>")
        parts.append("</ul>")
        return "".join(parts)

    def _category(self, match: dict[str, Any]) -> str:
        try:
            scheme = categories.scheme(match["scheme"]) if match["scheme"] else self.scheme
        except KeyError:
            scheme = self.scheme
        found = scheme.by_value(match["category"])
        return f"{match['category']} {found.name}" if found else str(match["category"])
