"""A video's contact sheet: every kept frame, blurred, with its time. Select one to reveal it
(held, through the workspace's reveal controller, counted as video exposure), to mark a clue
on it (the player goes to that frame and a region is drawn there), or to export it (the whole
frame, pixels only, audited)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)  # fmt: skip

from desktop.core.video_decode import Budget, VideoDecoder
from desktop.core.video_meta import frame_clock
from desktop.jobs.clue_export import ClueExportError, export_frame
from desktop.store import videos
from desktop.store.db import CaseError, open_case
from desktop.ui import imaging, workers
from desktop.ui.dialogs.revealing_dialog import RevealingDialog
from desktop.ui.reveal import CONTACT_SHEET, Reveal
from desktop.ui.video_player import open_video_file

if TYPE_CHECKING:
    from desktop.ui.video_playback import VideoPlayback
    from desktop.ui.workspace import CaseWorkspace

SIDE = 200  # px: a frame's tile
SHEET_BUDGET = 60.0  # seconds of decoding at most for one sheet
TIME_ROLE = Qt.ItemDataRole.UserRole + 1


def load_sheet(
    case_path: Path, media_id: int, strength: int, grey: bool
) -> list[tuple[float, QImage, QImage]]:
    """Every kept frame at its time, decoded from the evidence (a worker): (time, blurred
    tile, sharp tile). The sharp one is painted only while a reveal names this sheet."""
    conn = workers.thread_connection(case_path)
    times = videos.kept_frame_times(conn, media_id)
    handle, file_type, head = open_video_file(conn, media_id)
    found: list[tuple[float, QImage, QImage]] = []
    with handle, VideoDecoder(handle, file_type, head, max_side=SIDE * 2) as decoder:
        for frame in decoder.frames_at(times, Budget(SHEET_BUDGET)):
            image = imaging.from_pil(frame.image)
            sharp = imaging.prepare(image, strength, grey, True, SIDE)
            found.append((frame.time, imaging.prepare(image, strength, grey, False, SIDE), sharp))
    return found


def run_frame_export(case_path: Path, media_id: int, seconds: float, out: str) -> str:
    db = open_case(case_path)
    try:
        return str(export_frame(db, media_id, seconds, out).crop_path)
    except ClueExportError as error:
        raise CaseError(str(error)) from None
    finally:
        db.close()


class ContactSheet(RevealingDialog):
    """Space held or "Hold to look" reveals the selected frame while held, R until the
    selection moves (RevealingDialog: the dialogs' one way of revealing)."""

    def __init__(self, workspace: CaseWorkspace, playback: VideoPlayback, media_id: int):
        super().__init__(workspace.reveals, workspace)
        self.setWindowTitle(f"Contact sheet · media {media_id}")
        self.workspace, self.playback, self.media_id = workspace, playback, media_id
        self.frames: list[tuple[float, QImage, QImage]] = []
        self.list = QListWidget()
        self.list.setObjectName("contactSheet")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(SIDE, SIDE))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setSpacing(6)
        self.list.currentRowChanged.connect(lambda _: self.reveals.end())
        self.list.itemDoubleClicked.connect(lambda _: self.go_to_frame())
        self.status = QLabel("Decoding the kept frames…")
        self.look = self.look_button("Hold to look")
        self.look.setToolTip("Shows the selected frame sharp while held (or Space held)")
        self.clue = QPushButton("Mark a clue…")
        self.clue.setToolTip(
            "Go to this frame in the player and draw the clue's region there (S comes back)"
        )
        self.clue.clicked.connect(self.mark_clue)
        self.export = QPushButton("Export frame…")
        self.export.clicked.connect(self.choose_export)
        buttons = QHBoxLayout()
        for widget in (self.look, self.clue, self.export):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.resize(900, 640)
        self.reveals.changed.connect(self._repaint)
        settings = workspace.settings
        worker = workers.Worker(
            load_sheet, workspace.case_path, media_id, settings.blur_strength, settings.greyscale
        )
        worker.signals.result.connect(workers.guarded(self, self._loaded))
        worker.signals.failed.connect(workers.guarded(self, self.status.setText))
        workers.start(worker)

    def _loaded(self, frames: list[tuple[float, QImage, QImage]]) -> None:
        self.frames = frames
        self.list.clear()
        for seconds, blurred, _ in frames:
            item = QListWidgetItem(QIcon(QPixmap.fromImage(blurred)), frame_clock(seconds))
            item.setData(TIME_ROLE, seconds)
            self.list.addItem(item)
        self.status.setText(
            f"{len(frames)} kept frames, blurred. Hold to look reveals the selected one; "
            "double-click goes there in the player."
        )
        if frames:
            self.list.setCurrentRow(0)

    def selected_time(self) -> float | None:
        item = self.list.currentItem()
        return float(item.data(TIME_ROLE)) if item is not None else None

    def revealed_row(self) -> int | None:
        """The frame shown sharp: the selected one, while a reveal names this sheet."""
        if self.reveals.shows(self.media_id, CONTACT_SHEET):
            return self.list.currentRow()
        return None

    def revealed(self) -> bool:
        return self.revealed_row() is not None

    def reveal(self, held: bool) -> None:
        if self.list.currentRow() >= 0:
            self.reveals.reveal(Reveal(self.media_id, CONTACT_SHEET, held=held, kind="video"))

    def _repaint(self) -> None:
        sharp = self.revealed_row()
        for row in range(self.list.count()):
            _, blurred, shown = self.frames[row]
            picture = shown if row == sharp else blurred
            self.list.item(row).setIcon(QIcon(QPixmap.fromImage(picture)))

    def go_to_frame(self) -> None:
        seconds = self.selected_time()
        if seconds is not None and self.playback.media_id == self.media_id:
            self.playback.seek(seconds)

    def mark_clue(self) -> None:
        """The player goes to the selected frame and the region is drawn there; the sheet
        steps aside (it would cover the viewer) and S brings it back as it was."""
        if self.selected_time() is None:
            return
        self.go_to_frame()
        self.done(0)
        self.workspace.investigation.draw()

    def choose_export(self) -> None:
        seconds = self.selected_time()
        if seconds is None:
            return
        out, _ = QFileDialog.getSaveFileName(
            self, "Export frame", f"frame-{self.media_id}-{seconds:.2f}.png", "PNG (*.png)"
        )
        if out:
            self.export_to(seconds, out)

    def export_to(self, seconds: float, out: str) -> workers.Worker:
        self.status.setText("Exporting the frame…")
        worker = workers.Worker(run_frame_export, self.workspace.case_path, self.media_id,
                                seconds, out)  # fmt: skip
        worker.signals.result.connect(
            workers.guarded(self, lambda path: self.status.setText(f"Wrote {path} (pixels only)."))
        )
        worker.signals.failed.connect(workers.guarded(self, self.status.setText))
        workers.start(worker)
        return worker
