"""The viewer pane: the selected media large, its details and side panels, similar media."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from desktop.core.categories import Scheme
from desktop.ui import imaging, workers
from desktop.ui.widgets.image_view import ImageView
from desktop.ui.widgets.metadata_panel import MetadataPanel

STRIP_SIDE = 64
SIMILAR_DELAY_MS = 400


class SimilarStrip(QListWidget):
    """A row of the current media's nearest pictures (always blurred); click one to open it."""

    media_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("similarStrip")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setIconSize(QSize(STRIP_SIDE, STRIP_SIDE))
        self.setFixedHeight(STRIP_SIDE + 34)
        self.setMovement(QListView.Movement.Static)
        self.itemActivated.connect(
            lambda item: self.media_chosen.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        self.itemClicked.connect(
            lambda item: self.media_chosen.emit(item.data(Qt.ItemDataRole.UserRole))
        )

    def show_similar(
        self, hits: list[tuple[int, int, str]], tiles: dict[int, QImage | None]
    ) -> None:
        self.clear()
        for media_id, distance, why in hits:
            item = QListWidgetItem(f"{media_id} · d{distance}")
            item.setData(Qt.ItemDataRole.UserRole, media_id)
            item.setToolTip(f"Media {media_id}: PDQ distance {distance} of 256 bits; {why}")
            tile = tiles.get(media_id)
            if tile is not None:
                item.setIcon(QIcon(QPixmap.fromImage(tile)))
            self.addItem(item)


class ViewerPane(QWidget):
    """Shows one media. Extension points: add_side_panel() for tabs beside the details, and
    `media_changed(media id or None)` for panels that follow the current media;
    ImageView.overlays for drawing on the picture (regions, clues).
    """

    media_changed = Signal(object)  # the media id shown, or None
    similar_chosen = Signal(int)

    def __init__(
        self,
        case_path: Path,
        scheme: Scheme,
        detail: Callable[[int], dict[str, Any] | None],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("viewerPane")
        self.case_path, self.scheme = case_path, scheme
        self.detail = detail  # a few indexed reads: at once, so the details never lag behind
        self.media_id: int | None = None
        self.blur_strength, self.greyscale = imaging.DEFAULT_BLUR, False
        self.title = QLabel("No picture selected")
        self.title.setObjectName("viewerTitle")
        # a long title must not widen the pane (the grid would lose a column)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setWordWrap(True)
        self.note = QLabel()
        self.note.setObjectName("viewerNote")
        self.note.setWordWrap(True)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.note.hide()
        self.image_view = ImageView()
        self.hint = QLabel(
            "Blurred. Hold Space (or hold the mouse on the picture) to look; R reveals it until "
            "you move on. Wheel zooms, drag pans, double-click toggles 2×."
        )
        self.hint.setWordWrap(True)
        self.hint.setObjectName("revealHint")
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.similar = SimilarStrip()
        self.similar.media_chosen.connect(self.similar_chosen)
        self.details = MetadataPanel(scheme)
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.details, "Details")
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.title)
        column.addWidget(self.note)
        column.addWidget(self.image_view, 1)
        self._under_picture = QVBoxLayout()  # the video player's controls
        self._under_picture.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self._under_picture)
        column.addWidget(self.hint)
        column.addWidget(QLabel("Similar pictures (PDQ distance)"))
        column.addWidget(self.similar)
        # picture | details side by side: each gets the full height of the window
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.side_tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._ticket = 0
        self._framed: int | None = None  # the video whose frames the player is showing
        # The first similar search of a case builds an index over every picture (seconds on a
        # million): wait until the selection rests rather than build it while arrowing past.
        self._similar_timer = QTimer(self, singleShot=True, interval=SIMILAR_DELAY_MS)
        self._similar_timer.timeout.connect(self._load_similar)

    def add_under_picture(self, widget: QWidget) -> None:
        """A widget between the picture and the hint (the video player's controls)."""
        self._under_picture.addWidget(widget)

    def show_frame(self, media_id: int, picture: imaging.FramePicture) -> None:
        """A video frame prepared by the player (through imaging.prepare_frame: the one blur
        path); ignored unless `media_id` is the media shown. The stored poster, loaded as a
        picture's preview is, no longer replaces it."""
        if media_id != self.media_id:
            return
        self._framed = media_id
        self.image_view.show_frame(picture)

    def add_side_panel(self, widget: QWidget, title: str) -> int:
        """A tab beside Details (clues, links, known-material matches...)."""
        return self.side_tabs.addTab(widget, title)

    def set_look(self, blur_strength: int, greyscale: bool) -> None:
        self.blur_strength, self.greyscale = blur_strength, greyscale
        self.image_view.set_look(blur_strength, greyscale)

    def set_revealed(self, revealed: bool) -> None:
        self.image_view.set_revealed(revealed)
        self.hint.setText(
            "REVEALED. It blurs again when you move on or after the timeout."
            if revealed
            else "Blurred. Hold Space (or hold the mouse on the picture) to look; R reveals it "
            "until you move on. Wheel zooms, drag pans, double-click toggles 2×."
        )

    def show_media(self, media_id: int | None, placeholder: QImage | None = None) -> None:
        """Show a media: its details at once, its picture from a worker (meanwhile the grid's
        tile, `placeholder`, blurred like everything else); stale answers are dropped."""
        self._ticket += 1
        ticket = self._ticket
        self.media_id = media_id
        self._framed = None
        self.image_view.set_image(placeholder, "" if media_id else "Select a picture")
        self.note.hide()
        self.similar.clear()
        if media_id is None:
            self.title.setText("No picture selected")
            self.details.show_detail(None)
            self.media_changed.emit(None)
            return
        self.title.setText(f"Media {media_id}")
        self._on_detail(self.detail(media_id))
        self._run(workers.load_preview, ticket, self._on_preview, media_id)
        self._similar_timer.start()  # only for a media the analyst stays on
        self.media_changed.emit(media_id)

    def _load_similar(self) -> None:
        if self.media_id is not None:
            self._run(workers.load_similar, self._ticket, self._on_similar, self.media_id)

    def refresh_details(self) -> None:
        if self.media_id is not None:
            self._on_detail(self.detail(self.media_id))

    def _run(self, fn: Any, ticket: int, slot: Any, *args: Any) -> None:
        worker = workers.Worker(fn, self.case_path, *args)
        worker.signals.result.connect(
            workers.guarded(self, lambda value: ticket == self._ticket and slot(value))
        )
        workers.start(worker)

    def _on_detail(self, detail: dict[str, Any] | None) -> None:
        self.details.show_detail(detail)
        if detail:
            category = self.scheme.by_value(detail["category"])
            label = f"{category.key} · {category.name}" if category else "uncategorised"
            seen = "reviewed" if detail["reviewed"] else "not yet reviewed"
            self.title.setText(f"Media {detail['id']} · {label} · {seen}")

    def _on_preview(self, preview: dict[str, Any]) -> None:
        if self._framed is not None and self._framed == preview.get("media_id"):
            return  # the player already shows a decoded frame
        self.image_view.set_image(preview["image"], "No picture to show. " + preview["note"])
        self.image_view.setToolTip(preview["note"])
        partial = preview["image"] is not None and preview["note"].startswith("The file is cut")
        self.note.setText(preview["note"] if partial else "")
        self.note.setVisible(partial)

    def _on_similar(self, hits: list[tuple[int, int, str]]) -> None:
        if not hits:
            self.similar.clear()
            return
        ticket = self._ticket
        worker = workers.Worker(
            workers.load_tiles, self.case_path, [h[0] for h in hits], self.blur_strength,
            self.greyscale, None, STRIP_SIDE,
        )  # fmt: skip

        def show(tiles: dict[int, Any]) -> None:
            if ticket == self._ticket:
                self.similar.show_similar(hits, tiles)

        worker.signals.result.connect(workers.guarded(self, show))
        workers.start(worker)
