"""Known material in the window: "new material only" filter, tile badges, viewer panel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QTextBrowser

from desktop.core import categories
from desktop.core.categories import Scheme
from desktop.core.controls import printable_html as escape  # hash sets come from outside
from desktop.store import known, known_filters, review  # known_filters: the browse filter
from desktop.store.browse import Conn
from desktop.ui.hosting import Badge, FilterHost

# status -> (badge text, colour); the badge never needs the picture to be seen
BADGES = {
    "known": ("KNOWN", QColor("#7c3aed")),
    "probably_known": ("≈ KNOWN?", QColor("#b45309")),
    "known_good": ("NSRL", QColor("#047857")),
}


class KnownFilter:
    """A choice in the filter bar: any, new material only, known, probably known."""

    def __init__(self, host: FilterHost):
        self.choice = QComboBox()
        self.choice.setObjectName("knownFilter")
        self.choice.setToolTip("Known material: hide what hash sets or packages already know")
        self.choice.addItem("Known or new", "")
        for value, (title, _) in known_filters.STATES.items():
            self.choice.addItem(title, value)
        self.choice.currentIndexChanged.connect(lambda _: host.refresh_filters())
        host.add_filter(self.choice, self.read)

    def read(self) -> tuple[str, Any] | None:
        value = self.choice.currentData()
        return ("known_state", value) if value else None

    def select(self, value: str) -> None:
        self.choice.setCurrentIndex(max(0, self.choice.findData(value)))


class KnownBadges:
    """A BadgeSource: KNOWN, probably known or NSRL at the top of the tile."""

    def badges(self, conn: Conn, media_ids: Sequence[int]) -> dict[int, list[Badge]]:
        found = known.status_for_ids(conn, media_ids)
        return {
            media_id: [Badge(BADGES[status][0], BADGES[status][1], "top")]
            for media_id, status in found.items()
            if status in BADGES
        }


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
        state = review.review_state(self.conn, [media_id]).get(media_id)
        self.setHtml(self.describe(matches, state.category if state is not None else None))

    def describe(self, matches: list[dict[str, Any]], analyst: int | None = None) -> str:
        if not matches:
            return "<p>No hash set or package knows this media.</p>"
        summary = known.known_summary(matches)
        titles = {"known": "Known", "known_good": "Known good (e.g. NSRL)",
                  "probably_known": "Probably known: confirm by looking"}  # fmt: skip
        parts = [f"<h3>{titles[summary['status']]}</h3>"]
        if summary["disagreement"]:
            parts.append("<p><b>The sources disagree</b>: every match is listed.</p>")
        differ = sorted({
            self._category(m) for m in matches
            if analyst is not None and m["category"] is not None
            and m["scheme"] in (None, "", self.scheme.name) and m["category"] != analyst
        })  # fmt: skip
        if differ:
            mine = self.scheme.by_value(analyst)
            parts.append(
                f"<p><b>Your category ({escape(mine.name if mine else str(analyst))}) differs"
                f" from the hash set's ({escape(', '.join(differ))}).</b></p>"
            )
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
