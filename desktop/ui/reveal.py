"""The one way anything is shown sharp: a reveal of one media, held or until moved, with a time
limit, recorded as exposure (store.exposure) when it ends."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal
from sqlite_utils import Database

from desktop.core.regions import Region
from desktop.store import exposure
from desktop.store.db import now_iso

# Where a reveal is shown. Each surface shows a media sharp only while the reveal names it.
PICTURE = "grid and viewer"
CLUE_EXPORT = "clue export"
COMPARE = "side-by-side compare"
CONTACT_SHEET = "contact sheet"  # one frame of a video's contact sheet (the selected one)


@dataclass(frozen=True)
class Reveal:
    """One media shown sharp on one surface, all of it or only `region` (media pixels)."""

    media_id: int
    where: str = PICTURE
    region: Region | None = None
    held: bool = False  # True: until released; False: until the selection moves (R)
    kind: str = "picture"  # what is counted: exposure.KINDS
    companion: int | None = None  # a second media revealed with it (side-by-side compare)

    def media(self) -> tuple[int, ...]:
        return (self.media_id,) if self.companion is None else (self.media_id, self.companion)


class RevealController(QObject):
    """Owns the current reveal. Every surface asks `shows(media_id, where)` before it paints
    sharp pixels and repaints on `changed`; nothing else may show a picture unblurred.

    A reveal ends when released (held), on `end()` (the selection moved, a pause, the case
    closing), when another one starts, or after the analyst's time limit; it is then recorded
    (store.exposure.record: one audit event with its seconds) and `exposure_changed` carries
    the analyst's totals for today.
    """

    changed = Signal()
    exposure_changed = Signal(object)  # dict kind -> seconds today

    def __init__(self, db: Database, limit_seconds: Callable[[], int], parent: QObject | None):
        super().__init__(parent)
        self.db = db
        self.limit_seconds = limit_seconds
        self.current: Reveal | None = None
        self._started = 0.0
        self._started_at = ""
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.end)
        self.today = exposure.seconds_today(db)

    def reveal(self, reveal: Reveal) -> None:
        """Show `reveal` sharp (ending whatever was revealed before) for at most the limit."""
        self._finish()
        self.current = reveal
        self._started, self._started_at = time.monotonic(), now_iso()
        self._timer.start(max(1, self.limit_seconds()) * 1000)
        self.changed.emit()

    def end_hold(self) -> None:
        """The key or mouse button held was released."""
        if self.current is not None and self.current.held:
            self.end()

    def end(self) -> None:
        """Blur everything again."""
        if self._finish():
            self.changed.emit()

    def shows(self, media_id: int | None, where: str = PICTURE) -> bool:
        current = self.current
        return current is not None and media_id in current.media() and current.where == where

    def whole(self, media_id: int | None, where: str = PICTURE) -> bool:
        """Shows all of the media (not only a region)."""
        return (
            self.shows(media_id, where)
            and self.current is not None
            and (self.current.region is None)
        )

    def _finish(self) -> bool:
        self._timer.stop()
        current, self.current = self.current, None
        if current is None:
            return False
        region = current.region.as_dict() if current.region is not None else None
        seconds = time.monotonic() - self._started
        how = "held" if current.held else "until moved"
        for media_id in current.media():  # two pictures side by side: each one counted
            self.count(
                current.kind, media_id, seconds, started_at=self._started_at, how=how,
                where=current.where, region=region,
            )  # fmt: skip
        return True

    def count(
        self,
        kind: str,
        media_id: int,
        seconds: float,
        *,
        started_at: str,
        how: str,
        where: str,
        region: dict[str, int] | None = None,
        extra: dict[str, object] | None = None,
    ) -> None:
        """Record one exposure (store.exposure.record: an audit event with its seconds) and
        tell the status bar. Reveals end here; the listen control records sound here too."""
        exposure.record(
            self.db, kind, media_id, seconds, started_at=started_at, how=how, where=where,
            region=region, extra=extra,
        )  # fmt: skip
        self.today[kind] = self.today.get(kind, 0.0) + seconds
        self.exposure_changed.emit(dict(self.today))


def _span(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def exposure_text(today: dict[str, float]) -> str:
    """Today's exposure for the status bar: "exposure today: 2 min 05 s revealed (video 40 s)
    · 12 s heard"."""
    video, sound = today.get("video", 0.0), today.get("sound", 0.0)
    text = f"exposure today: {_span(today.get('picture', 0.0) + video)} revealed"
    if video >= 0.5:
        text += f" (video {_span(video)})"
    if sound >= 0.5:
        text += f" · {_span(sound)} heard"
    return text
