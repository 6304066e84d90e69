"""How features plug into the open case and the window: the protocols they implement and the
small values they hand over (badges, tile actions). The workspace and main window hold them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from desktop.core.regions import Region
from desktop.store.browse import Conn

if TYPE_CHECKING:
    from desktop.ui.workspace import CaseWorkspace


@dataclass(frozen=True)
class Badge:
    """A mark on a tile that never needs the picture seen: a word or a symbol on a colour.
    Top badges sit in the middle of the tile's top edge, bottom ones along its bottom edge."""

    text: str
    colour: QColor
    row: str = "bottom"  # "top" or "bottom"
    tip: str = ""


class FilterHost(Protocol):
    """Where a feature's grid filter goes: `read()` returns (name, value) for a filter
    registered with desktop.store.browse.register_filter, or None when it is off."""

    def add_filter(
        self, widget: QWidget, read: Callable[[], tuple[str, object] | None]
    ) -> None: ...

    def refresh_filters(self) -> None: ...


class BadgeSource(Protocol):
    """Adds badges to tiles. `badges` runs in a worker thread with that thread's read-only
    connection, for a batch of tiles being painted; the grid keeps the answer until the
    workspace's `refresh_badges()` (call it when what the badges show changed)."""

    def badges(self, conn: Conn, media_ids: Sequence[int]) -> dict[int, list[Badge]]: ...


@dataclass(frozen=True)
class TileAction:
    """An entry of the tiles' right-click menu (and of the Review menu), run on the media the
    analyst selected (several when the grid has a selection), the clicked tile first."""

    title: str
    run: Callable[[list[int]], object]
    key: str = ""  # shown beside the title when the same action has a key binding


class WorkspacePart(Protocol):
    """A feature inside one open case: the investigation, known material, video review. It adds
    its widgets through the workspace's add_panel / add_filter / add_badges / add_tile_action /
    keys.bind, and the workspace tells it what happens through these calls."""

    def media_shown(self, media_id: int | None) -> None:
        """The viewer shows another media (None: none)."""

    def reveal_region(self, media_id: int) -> Region | None:
        """Limit a reveal of this media to a region (None: reveal the whole picture)."""

    def reveal_kind(self, media_id: int) -> str | None:
        """What a reveal of this media counts as (store.exposure.KINDS: "video" for a video
        in the player); None: not this part's to say (a picture)."""

    def frame_time(self, media_id: int) -> float | None:
        """Seconds of the video frame shown for this media (None: not a video shown here):
        a clue drawn on the picture is on that frame."""

    def case_changed(self) -> None:
        """Media were added (an ingest finished) or matched: reload what depends on them."""

    def close(self) -> None:
        """The case closes: stop timers, close dialogs."""


class WindowPart(Protocol):
    """A feature of the main window (menus, dialogs): hash library, reports, exports. It adds
    its actions with MainWindow.add_action and follows the open case through these calls."""

    def case_opened(self, workspace: CaseWorkspace) -> None: ...

    def case_closed(self) -> None: ...
