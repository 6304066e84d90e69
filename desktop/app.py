"""Builds the QApplication, opens the case, shows the main window."""

from __future__ import annotations

import sys
from pathlib import Path


def run_gui(case: Path | str | None) -> int:
    """Open the program: the start screen, or straight into `case`."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication(sys.argv)
    QMessageBox.information(
        None, "Vigil", "The review window is being built; use the vigil commands for now."
    )
    return 0 if case is None else 0 if app else 1
