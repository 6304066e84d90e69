"""Two media side by side, both blurred; one reveal shows both together (timed, recorded)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from desktop.ui import workers
from desktop.ui.dialogs.revealing_dialog import RevealingDialog
from desktop.ui.reveal import COMPARE, Reveal, RevealController
from desktop.ui.widgets.image_view import ImageView


class CompareDialog(RevealingDialog):
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
        super().__init__(reveals, parent)
        self.setWindowTitle(f"Compare media {media_ids[0]} and {media_ids[1]}")
        self.resize(1100, 640)
        self.media_ids = media_ids
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
        self.look = self.look_button(
            "Hold to look at both (Space; R reveals both until the time limit)"
        )
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
