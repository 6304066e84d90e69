"""Builds the QApplication, opens the case, shows the main window."""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

# Libraries Qt's X11 (xcb) platform plugin loads that minimal Linux installs lack, with the
# Debian/Ubuntu package of each. Without them Qt aborts with a long message and a core dump.
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def _loadable(library: str) -> bool:
    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def display_problem() -> str | None:
    """Why the window cannot open on this machine, in one sentence; None when it can."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if not os.environ.get("DISPLAY"):
        if os.environ.get("WAYLAND_DISPLAY"):
            return None
        return (
            "There is no screen to open Vigil's window on (DISPLAY is not set): run it in a "
            "desktop session, or use the commands, e.g. `vigil demo --no-gui`."
        )
    missing = [package for lib, package in XCB_LIBRARIES.items() if not _loadable(lib)]
    if missing:
        return (
            "Vigil's window needs system libraries that are missing; install them with "
            f"`sudo apt-get install {' '.join(missing)}` (Debian/Ubuntu) and start it again."
        )
    return None


def run_gui(case: Path | str | None) -> int:
    """Open the program: the start screen, or straight into `case`."""
    problem = display_problem()
    if problem:
        print(f"vigil: {problem}", file=sys.stderr)
        return 2
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
