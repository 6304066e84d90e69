"""Two media side by side, both blurred; one reveal shows both together (timed, recorded)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.ui import workers
from desktop.ui.reveal import COMPARE, Reveal, RevealController
from desktop.ui.widgets.image_view import ImageView


class CompareDialog(QDialog):
    """Two pictures at the same size. "Hold to look at both" (or Space held, or R until the
    time limit) reveals both through the workspace's reveal controller: one act, both counted."""

    def __init__(
        self,
        case_path: Path,
        media_ids: tuple[int, int],
        reveals: RevealController,
        look: tuple[int, bool],
        describe: dict[int, str],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(f"Compare media {media_ids[0]} and {media_ids[1]}")
        self.resize(1100, 640)
        self.media_ids, self.reveals = media_ids, reveals
        self.views = (ImageView(), ImageView())
        grid = QGridLayout()
        for column, (media_id, view) in enumerate(zip(media_ids, self.views, strict=True)):
            view.set_look(*look)
            view.set_image(None, "")
            title = QLabel(describe.get(media_id, f"Media {media_id}"))
            title.setWordWrap(True)
            grid.addWidget(title, 0, column)
            grid.addWidget(view, 1, column)
            worker = workers.Worker(workers.load_preview, case_path, media_id)
            worker.signals.result.connect(
                workers.guarded(self, lambda p, v=view: self._shown(v, p))
            )
            workers.start(worker)
        grid.setRowStretch(1, 1)
        self.look = QPushButton("Hold to look at both (Space; R reveals both until the time limit)")
        self.look.pressed.connect(lambda: self.reveal(held=True))
        self.look.released.connect(reveals.end_hold)
        layout = QVBoxLayout(self)
        layout.addLayout(grid, 1)
        layout.addWidget(self.look)
        reveals.changed.connect(self._reveal_changed)

    def _shown(self, view: ImageView, preview: dict[str, Any]) -> None:
        view.set_image(preview["image"], "No picture to show. " + preview["note"])

    def revealed(self) -> bool:
        return all(self.reveals.shows(m, COMPARE) for m in self.media_ids)

    def reveal(self, held: bool) -> None:
        first, second = self.media_ids
        self.reveals.reveal(Reveal(first, COMPARE, held=held, companion=second))

    def _reveal_changed(self) -> None:
        for view in self.views:
            view.set_revealed(self.revealed())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.isAutoRepeat():
            return
        if event.key() == Qt.Key.Key_Space:
            self.reveal(held=True)
        elif event.key() == Qt.Key.Key_R:
            if self.revealed():
                self.reveals.end()
            else:
                self.reveal(held=False)
        else:
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.reveals.end_hold()
        super().keyReleaseEvent(event)

    def done(self, result: int) -> None:
        if self.revealed():
            self.reveals.end()
        super().done(result)
