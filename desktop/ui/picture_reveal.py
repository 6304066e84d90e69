"""The reveal in the open case's grid and viewer: the current media shown sharp while a key or
the mouse is held, or until the selection moves (R), and blurred again."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from desktop.core.regions import Region
from desktop.ui.hosting import WorkspacePart
from desktop.ui.models.media_model import MediaGridModel
from desktop.ui.reveal import PICTURE, Reveal, RevealController
from desktop.ui.widgets.grid import MediaGrid
from desktop.ui.widgets.viewer import ViewerPane


class PictureReveal:
    """Reveals of the current media through the workspace's `reveals` (the one reveal
    mechanism, desktop.ui.reveal) on its grid and viewer, and shows their state there. `parts`
    is the workspace's list of parts (it adds to it): they may limit a reveal to a region or
    say what it counts as. `current_media` is the media under the grid's cursor."""

    def __init__(
        self,
        reveals: RevealController,
        model: MediaGridModel,
        grid: MediaGrid,
        viewer: ViewerPane,
        parts: Sequence[WorkspacePart],
        current_media: Callable[[], int | None],
    ) -> None:
        self.reveals = reveals
        self.model, self.grid, self.viewer = model, grid, viewer
        self.parts = parts
        self.current_media = current_media
        self.reveals.changed.connect(self._reveal_changed)
        self.viewer.image_view.hold_started.connect(lambda: self.reveal(hold=True))
        self.viewer.image_view.hold_ended.connect(self.reveals.end_hold)
        self.grid.hold_started.connect(self._hold_tile)
        self.grid.hold_ended.connect(self.reveals.end_hold)

    @property
    def revealed(self) -> int | None:
        """The media shown sharp in the grid and viewer (whole or a region), if one is."""
        current = self.reveals.current
        return current.media_id if current is not None and current.where == PICTURE else None

    def reveal(self, hold: bool = False) -> None:
        """Unblur the current media only, in grid and viewer, until released/moved/timed out
        (only the selected clue's region when a clue is selected)."""
        media_id = self.viewer.media_id or self.current_media()
        if media_id is None:
            return
        region, kind = self._reveal_region(media_id), self._reveal_kind(media_id)
        self.reveals.reveal(Reveal(media_id, PICTURE, region=region, held=hold, kind=kind))

    def _reveal_region(self, media_id: int) -> Region | None:
        for part in self.parts:
            region = part.reveal_region(media_id)
            if region is not None:
                return region
        return None

    def _reveal_kind(self, media_id: int) -> str:
        kinds = (part.reveal_kind(media_id) for part in self.parts)
        return next((kind for kind in kinds if kind is not None), "picture")

    def _reveal_changed(self) -> None:
        media_id = self.revealed
        whole = media_id is not None and self.reveals.whole(media_id)
        self.model.set_revealed(media_id if whole and media_id in self.model.row_of else None)
        self.viewer.set_revealed(self.reveals.whole(self.viewer.media_id))

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

    def blur_all(self) -> None:
        self.reveals.end()
