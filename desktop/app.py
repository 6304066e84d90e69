"""Builds the QApplication, opens the case, shows the main window."""

from __future__ import annotations

import sys
from pathlib import Path


def run_gui(case: Path | str | None) -> int:
    """Open the program: the start screen, or straight into `case`."""
    from PySide6.QtWidgets import QApplication

    from desktop.ui import workers
    from desktop.ui.gc_guard import UiThreadCollector
    from desktop.ui.main_window import MainWindow
    from desktop.ui.style import apply_style

    # Background workers are partly Python: let the UI thread take the GIL back sooner than
    # the default 5 ms, so painting and typing stay smooth while they run.
    sys.setswitchinterval(0.001)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("Vigil")
    app.setApplicationName("Vigil")
    apply_style(app)
    collector = UiThreadCollector(app)
    window = MainWindow()
    window.show()
    if case is not None and not window.open_case(case):
        return 1
    code = int(app.exec())
    workers.wait_all()
    collector.stop()
    return code
