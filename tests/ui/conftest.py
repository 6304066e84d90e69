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
