"""Video on the grid's tiles: the film and sound badges (VideoBadges) and stepping through a
video's storyboard on its tile (StoryboardSteps)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor

from desktop.core.media import VIDEO_TYPES
from desktop.core.video_meta import length_badge
from desktop.store import videos
from desktop.store.browse import Conn
from desktop.ui.hosting import Badge

if TYPE_CHECKING:
    from desktop.ui.workspace import CaseWorkspace


FILM = QColor("#7c3aed")
# Tiles whose media may have a storyboard: videos and animated pictures
STORYBOARD_TYPES = (*VIDEO_TYPES, "gif", "webp", "png")


class VideoBadges:
    """A BadgeSource: a film marker and the length on video tiles (♪ when there is sound)."""

    def badges(self, conn: Conn, media_ids: Sequence[int]) -> dict[int, list[Badge]]:
        found: dict[int, list[Badge]] = {}
        for media_id, (duration, sound) in videos.video_badges(conn, media_ids).items():
            marks = [Badge(length_badge(duration), FILM, "top", "video")]
            if sound:
                marks.append(Badge("♪", FILM, "bottom", "has sound (muted)"))
            found[media_id] = marks
        return found


class StoryboardSteps:
    """Storyboard frames on grid tiles: the mouse across a tile picks a frame; Left/Right step
    through the selected tile's storyboard and move on past either end."""

    def __init__(self, workspace: CaseWorkspace):
        self.workspace = workspace
        self.model = workspace.model
        self.keyed: int | None = None  # the tile stepped with the keys, and its frame
        self.frame = 0
        workspace.grid.hovered.connect(self._hovered)

    def _hovered(self, row: int, place: float) -> None:
        if 0 <= row < len(self.model.rows) and self._may_have_board(row):
            self.keyed = None
            self.model.set_step(self.model.rows[row].id, min(max(place, 0.0), 0.999))
        elif self.model.step is not None and self.keyed is None:
            self.model.set_step(None)

    def _may_have_board(self, row: int) -> bool:
        return self.model.rows[row].file_type in STORYBOARD_TYPES

    def step_current(self, direction: int) -> bool:
        """Step the current tile's storyboard; False when it has none or the step would go past
        either end (the grid then moves on)."""
        index = self.workspace.grid.currentIndex()
        if not index.isValid() or not self._may_have_board(index.row()):
            return False
        media_id = self.model.media_id(index.row())
        frames = self.model.storyboard_frames(media_id)
        if not frames:
            return False
        frame = (0 if direction > 0 else len(frames) - 1) if self.keyed != media_id else (
            self.frame + direction
        )  # fmt: skip
        if not 0 <= frame < len(frames):
            self.clear()
            return False
        self.keyed, self.frame = media_id, frame
        self.model.set_step(media_id, (frame + 0.5) / len(frames))
        return True

    def prefetch(self, media_id: int) -> None:
        self.model.storyboard_frames(media_id)

    def clear(self) -> None:
        self.keyed = None
        self.model.set_step(None)
