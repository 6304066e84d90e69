"""Export a clue to share it: its region only, parts blacked out by dragging, no metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QThreadPool
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.controls import printable
from desktop.core.regions import Region
from desktop.jobs.clue_export import ClueExportError, export_clue, frame_region
from desktop.store.clues import Clue
from desktop.store.db import CaseError, open_case
from desktop.ui import imaging, workers
from desktop.ui.dialogs.revealing_dialog import RevealingDialog
from desktop.ui.reveal import CLUE_EXPORT, Reveal, RevealController


def run_export(
    case_path: Path, clue_id: int, out: str, blackouts: list[Region], reference: str | None
) -> dict[str, Any]:
    """In a worker thread, on its own connection (SQLite connections stay in their thread)."""
    db = open_case(case_path)
    try:
        result = export_clue(db, clue_id, out, blackouts, reference=reference or None)
    except ClueExportError as error:
        raise CaseError(str(error)) from None  # reported by the worker as its one sentence
    finally:
        db.close()
    return {"crop": str(result.crop_path), "sidecar": str(result.sidecar_path)}


def load_frame_region(case_path: Path, media_id: int, seconds: float, region: Region) -> QImage:
    """In a worker: a video clue's region cut from the frame at its time, from the evidence
    (the pixels the export writes, so the blackouts fall where they are drawn)."""
    db = open_case(case_path)
    try:
        return imaging.from_pil(frame_region(db, media_id, seconds, region))
    except ClueExportError as error:
        raise CaseError(str(error)) from None
    finally:
        db.close()


class BlackoutCanvas(QWidget):
    """The clue's region (only the region: it is what will be shared), fitted and blurred
    unless the reveal controller reveals it here; drag to black out a rectangle, Backspace or
    right-click takes the last one away."""

    def __init__(
        self,
        preview: QImage | None,
        clue: Clue,
        reveals: RevealController,
        blur_strength: int,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        assert clue.region is not None
        self.preview, self.region, self.media_id = preview, clue.region, clue.media_id
        self.reveals, self.blur_strength = reveals, blur_strength
        self._blurred: tuple[QSize, QImage] | None = None
        self.missing = "No preview"  # said where there is no preview
        reveals.changed.connect(self.update)
        self.blackouts: list[Region] = []  # in media coordinates
        self._start: QPointF | None = None
        self._current: Region | None = None
        self.setMinimumSize(320, 240)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(480, 360)

    def target(self) -> QRectF:
        scale = min(self.width() / self.region.w, self.height() / self.region.h)
        w, h = self.region.w * scale, self.region.h * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def to_widget(self, r: Region) -> QRectF:
        t = self.target()
        s = t.width() / self.region.w
        return QRectF(
            t.x() + (r.x - self.region.x) * s, t.y() + (r.y - self.region.y) * s, r.w * s, r.h * s
        )

    def to_region(self, a: QPointF, b: QPointF) -> Region | None:
        t = self.target()
        s = t.width() / self.region.w

        def media(p: QPointF) -> tuple[float, float]:
            x = min(max((p.x() - t.x()) / s, 0.0), float(self.region.w)) + self.region.x
            y = min(max((p.y() - t.y()) / s, 0.0), float(self.region.h)) + self.region.y
            return x, y

        (x0, y0), (x1, y1) = media(a), media(b)
        left, top = int(min(x0, x1)), int(min(y0, y1))
        right, bottom = round(max(x0, x1)), round(max(y0, y1))
        return (
            Region(left, top, right - left, bottom - top) if right > left and bottom > top else None
        )

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#1f2937"))
        target = self.target()
        if self.preview is not None and not self.preview.isNull():
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            if self.revealed():
                painter.drawImage(target, self.preview)
            else:
                painter.drawImage(target.topLeft(), self._blurred_preview(target.size().toSize()))
        else:
            painter.setPen(QColor("#d1d5db"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.missing)
        for blackout in self.blackouts:
            painter.fillRect(self.to_widget(blackout), QColor("black"))
        if self._current is not None:
            painter.setPen(QPen(QColor("#facc15"), 2, Qt.PenStyle.DashLine))
            painter.drawRect(self.to_widget(self._current))

    def revealed(self) -> bool:
        return self.reveals.shows(self.media_id, CLUE_EXPORT)

    def set_preview(self, preview: QImage | None, missing: str = "No preview") -> None:
        self.preview, self.missing, self._blurred = preview, missing, None
        self.update()

    def _blurred_preview(self, size: QSize) -> QImage:
        assert self.preview is not None
        if self._blurred is None or self._blurred[0] != size:
            picture = imaging.blurred(
                self.preview, self.blur_strength, (size.width(), size.height())
            )
            self._blurred = (size, picture)
        return self._blurred[1]

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.RightButton:
            self.undo()
        elif event.button() == Qt.MouseButton.LeftButton:
            self._start = event.position()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._start is not None:
            self._current = self.to_region(self._start, event.position())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._start is not None:
            region = self.to_region(self._start, event.position())
            self._start = self._current = None
            if region is not None and region.w * region.h >= 4:
                self.blackouts.append(region)
            self.update()

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.undo()
            return
        super().keyPressEvent(event)

    def undo(self) -> None:
        if self.blackouts:
            self.blackouts.pop()
            self.update()


class ClueExportDialog(RevealingDialog):
    """Where to write the crop (PNG or JPEG) and its JSON sidecar; the export runs in a worker.
    The crop is shown blurred; "Hold to look" (or Space held, or R until it times out) reveals
    it through the workspace's reveal controller, so it is timed and recorded like any reveal."""

    def __init__(
        self,
        case_path: Path,
        clue: Clue,
        preview: QImage | None,
        reveals: RevealController,
        blur_strength: int,
        parent: QWidget | None = None,
        pool: QThreadPool | None = None,
    ):
        super().__init__(reveals, parent)
        assert clue.region is not None
        self.setWindowTitle(printable(f"Export clue: {clue.label}"))
        self.case_path, self.clue, self.pool = case_path, clue, pool
        self.canvas = BlackoutCanvas(preview, clue, reveals, blur_strength)
        self.look = self.look_button("Hold to look (Space; R reveals until the time limit)")
        self.path = QLineEdit(str(Path.home() / f"clue-{clue.id}.png"))
        browse_button = QPushButton("Choose…")
        browse_button.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse_button)
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("the case's number or id")
        self.status = QLabel(
            "Only this region is written, without EXIF or any other metadata of the source, "
            "with a .json sidecar (kind, label, note, case reference, SHA-256 of the source)."
        )
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Crop file", row)
        form.addRow("Case reference", self.reference)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Drag to black out parts (Backspace or right-click: undo)"))
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.look)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.result: dict[str, Any] | None = None
        self._worker: workers.Worker | None = None
        if clue.time is not None:  # a frame of a video: the preview is that frame, not the player's
            self._load_frame(clue.time)

    def _load_frame(self, seconds: float) -> None:
        assert self.clue.region is not None
        self.canvas.set_preview(None, "Reading the frame from the evidence…")
        worker = workers.Worker(
            load_frame_region, self.case_path, self.clue.media_id, seconds, self.clue.region
        )
        worker.signals.result.connect(workers.guarded(self, self.canvas.set_preview))
        worker.signals.failed.connect(
            workers.guarded(self, lambda message: self.canvas.set_preview(None, message))
        )
        workers.start(worker, self.pool)

    def reveal(self, held: bool) -> None:
        region = self.clue.region
        kind = "video" if self.clue.time is not None else "picture"
        self.reveals.reveal(Reveal(self.clue.media_id, CLUE_EXPORT, region, held=held, kind=kind))

    def revealed(self) -> bool:
        return self.canvas.revealed()

    def _choose(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export clue", self.path.text(), "Pictures (*.png *.jpg)"
        )
        if path:
            self.path.setText(path)

    def export(self) -> None:
        self.export_button.setEnabled(False)
        self.status.setText("Exporting…")
        worker = workers.Worker(
            run_export,
            self.case_path,
            self.clue.id,
            self.path.text().strip(),
            list(self.canvas.blackouts),
            self.reference.text().strip(),
        )
        worker.signals.result.connect(self._done)
        worker.signals.failed.connect(self._failed)
        self._worker = worker
        workers.start(worker, self.pool)

    def _done(self, result: dict[str, Any]) -> None:
        self.result = result
        self.status.setText(f"Wrote {result['crop']} and {result['sidecar']}.")
        self.export_button.setEnabled(True)

    def _failed(self, message: str) -> None:
        self.status.setText(message)
        self.export_button.setEnabled(True)
