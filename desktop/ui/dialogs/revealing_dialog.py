"""A dialog that shows pictures blurred and reveals them through the workspace's reveal
controller: a "Hold to look" button, Space held, R until the time limit; ended on close."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QPushButton, QWidget

from desktop.ui.keys import is_text_field
from desktop.ui.reveal import RevealController


class RevealingDialog(QDialog):
    """Subclasses say what they reveal (`reveal(held)`) and whether it is shown (`revealed()`)."""

    def __init__(self, reveals: RevealController, parent: QWidget | None = None):
        super().__init__(parent)
        self.reveals = reveals

    # The two methods each subclass gives (abstract: Qt's metaclass does not mix with ABCMeta).
    def revealed(self) -> bool:
        """Whether what this dialog shows is sharp now."""
        raise NotImplementedError

    def reveal(self, held: bool) -> None:
        """Show what the dialog offers sharp through `self.reveals`, held or until moved."""
        raise NotImplementedError

    def look_button(self, text: str) -> QPushButton:
        button = QPushButton(text)
        button.pressed.connect(lambda: self.reveal(held=True))
        button.released.connect(self.reveals.end_hold)
        return button

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        ours = not is_text_field(self.focusWidget()) and not event.isAutoRepeat()
        if ours and event.key() == Qt.Key.Key_Space:
            self.reveal(held=True)
        elif ours and event.key() == Qt.Key.Key_R:
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
