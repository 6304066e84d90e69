"""Analyst settings: blur, greyscale, reveal timeout, break reminder (time open or time
exposed), how long a video's sound plays, category scheme."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSlider,
    QSpinBox,
    QWidget,
)  # fmt: skip

from desktop.core import categories
from desktop.ui.imaging import MIN_BLUR
from desktop.ui.settings import AnalystSettings


class SettingsDialog(QDialog):
    def __init__(self, settings: AnalystSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Vigil settings")
        self.settings = settings
        self.blur = QSlider(Qt.Orientation.Horizontal)
        self.blur.setRange(MIN_BLUR, 100)
        self.blur.setValue(settings.blur_strength)
        self.grey = QCheckBox("Show pictures in greyscale")
        self.grey.setChecked(settings.greyscale)
        self.reveal = QSpinBox()
        self.reveal.setRange(1, 120)
        self.reveal.setSuffix(" s")
        self.reveal.setValue(settings.reveal_seconds)
        self.breaks = QSpinBox()
        self.breaks.setRange(0, 480)
        self.breaks.setSuffix(" min")
        self.breaks.setSpecialValueText("off")
        self.breaks.setValue(settings.break_minutes)
        self.break_exposure = QCheckBox("Count only time pictures and video were revealed and "
                                        "sound heard (not time open)")  # fmt: skip
        self.break_exposure.setChecked(settings.break_counts_exposure)
        self.listen = QSpinBox()
        self.listen.setRange(5, 600)
        self.listen.setSuffix(" s")
        self.listen.setValue(settings.listen_seconds)
        self.scheme = QComboBox()
        for name in categories.scheme_names():
            self.scheme.addItem(categories.scheme(name).title, name)
        current = settings.scheme or categories.default_scheme_name()
        self.scheme.setCurrentIndex(max(0, self.scheme.findData(current)))
        form = QFormLayout(self)
        form.addRow("Blur strength", self.blur)
        form.addRow("", self.grey)
        form.addRow("Re-blur a revealed picture after", self.reveal)
        form.addRow("Suggest a break every", self.breaks)
        form.addRow("", self.break_exposure)
        form.addRow("Stop a video's sound (Listen) after", self.listen)
        form.addRow("Category scheme", self.scheme)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        self.settings.blur_strength = self.blur.value()
        self.settings.greyscale = self.grey.isChecked()
        self.settings.reveal_seconds = self.reveal.value()
        self.settings.break_minutes = self.breaks.value()
        self.settings.break_counts_exposure = self.break_exposure.isChecked()
        self.settings.listen_seconds = self.listen.value()
        self.settings.scheme = self.scheme.currentData()
        super().accept()
