"""The player's controls under the picture: play/pause, frame steps, speed, next scene, the
timeline, the contact sheet, and the listen controls (hold, or a toggle; a capped volume)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from desktop.core.loudness import LoudnessStrip
from desktop.ui.widgets.timeline import Timeline

SPEEDS = (0.25, 0.5, 1.0, 1.5, 2.0, 4.0)


class VideoControls(QWidget):
    """Widgets only; desktop.ui.video_hooks.VideoPart connects them to the player. `hidden`:
    the controls left the screen (another media, the case paused or closed)."""

    hidden = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("videoControls")
        self.play = QPushButton("Play")
        self.play.setToolTip("Play / pause (K). The picture stays blurred unless revealed.")
        self.back = QPushButton("◀|")
        self.back.setToolTip("One frame back (, or Left in the viewer)")
        self.forward = QPushButton("|▶")
        self.forward.setToolTip("One frame forward (. or Right in the viewer)")
        self.speed = QComboBox()
        for speed in SPEEDS:
            self.speed.addItem(f"{speed:g}×", speed)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.setToolTip("Speed (- slower, = faster)")
        self.next_scene = QPushButton("Next scene")
        self.next_scene.setToolTip("Jump to the next scene (]; [ goes back)")
        self.next_speech = QPushButton("Next speech")
        self.next_speech.setToolTip("Jump to where the loudness strip shows speech next")
        self.sheet = QPushButton("Contact sheet…")
        self.sheet.setToolTip("Every kept frame, blurred, with its time (S)")
        self.time = QLabel("0:00.0 / 0:00.0")
        self.time.setObjectName("videoTime")
        self.timeline = Timeline()
        self.legend = QLabel("")  # the loudness strip's colours: what each means, how long
        self.legend.setObjectName("loudnessLegend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.hold_listen = QPushButton("Hold to listen")
        self.hold_listen.setToolTip("Sound plays only while this is held (or H is held)")
        self.listen = QPushButton("Listen")
        self.listen.setCheckable(True)
        self.listen.setToolTip("Sound on until you press again, move on or the time limit")
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setValue(60)
        self.volume.setMaximumWidth(90)
        self.volume.setToolTip("Volume (capped: never louder than half of full scale)")
        self.sound = QLabel("Muted")
        self.sound.setObjectName("soundState")
        self.message = QLabel("")
        self.message.setObjectName("videoMessage")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for widget in (self.play, self.back, self.forward, self.speed, self.time):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        for widget in (self.next_scene, self.next_speech, self.sheet):
            buttons.addWidget(widget)
        sound = QHBoxLayout()
        for widget in (self.sound, self.hold_listen, self.listen, QLabel("Volume"), self.volume):
            sound.addWidget(widget)
        sound.addWidget(self.message, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 2, 0, 2)
        column.setSpacing(2)
        column.addLayout(buttons)
        column.addWidget(self.timeline)
        column.addWidget(self.legend)
        column.addLayout(sound)

    def set_loudness(self, strip: LoudnessStrip | None, note: str = "") -> None:
        """The loudness strip on the timeline and its key under it (without a strip the note
        is written on the timeline itself, so no key)."""
        self.timeline.set_loudness(strip, note)
        self.legend.setText(self.timeline.legend())
        self.legend.setVisible(strip is not None)

    def speed_value(self) -> float:
        return float(self.speed.currentData())

    def change_speed(self, steps: int) -> None:
        index = min(max(self.speed.currentIndex() + steps, 0), len(SPEEDS) - 1)
        self.speed.setCurrentIndex(index)

    def show_listening(self, listening: bool) -> None:
        self.sound.setText("LISTENING" if listening else "Muted")
        self.sound.setStyleSheet("color: #f59e0b; font-weight: bold;" if listening else "")
        self.listen.blockSignals(True)
        self.listen.setChecked(listening and self.listen.isChecked())
        self.listen.blockSignals(False)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        self.hidden.emit()
        super().hideEvent(event)
