"""Qt tests: cyclic garbage is collected on the UI thread only, as in the program."""

from __future__ import annotations

import pytest

from desktop.ui.gc_guard import UiThreadCollector


@pytest.fixture(scope="session", autouse=True)
def collect_on_ui_thread(qapp):
    """A collection started by a worker thread could destroy a closed window there (see
    desktop/ui/gc_guard.py) and crash the whole test run."""
    collector = UiThreadCollector()
    yield
    collector.stop()


@pytest.fixture
def settings(tmp_path):
    """The analyst's settings, in a file of the test's own (never the user's)."""
    from PySide6.QtCore import QSettings

    from desktop.ui.settings import AnalystSettings

    return AnalystSettings(QSettings(str(tmp_path / "analyst.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def window(qtbot, settings):
    """The main window as the program shows it, closed cleanly after the test."""
    from desktop.ui import workers
    from desktop.ui.main_window import MainWindow
    from desktop.ui.style import style_sheet

    win = MainWindow(settings)
    win.setStyleSheet(style_sheet())  # as the program looks (on this window only)
    qtbot.addWidget(win)
    win.resize(1400, 860)
    win.show()
    yield win
    if win.workspace is not None:
        win.close_case()
    qtbot.waitUntil(lambda: not workers.busy(), timeout=20_000)
