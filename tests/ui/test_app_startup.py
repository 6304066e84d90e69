"""Starting the window where it cannot open gives one sentence, not a Qt abort."""

from __future__ import annotations

import pytest

from desktop import app


@pytest.fixture
def linux_x11(monkeypatch):
    monkeypatch.setattr(app.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")


def test_no_display_is_explained(linux_x11, monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY")
    assert app.run_gui(None) == 2
    assert "no screen" in capsys.readouterr().err


def test_missing_xcb_libraries_are_named_with_their_packages(linux_x11, monkeypatch):
    monkeypatch.setattr(app, "_loadable", lambda lib: lib != "libxcb-cursor.so.0")
    problem = app.display_problem()
    assert problem and "apt-get install libxcb-cursor0" in problem


def test_a_complete_desktop_has_no_problem(linux_x11, monkeypatch):
    monkeypatch.setattr(app, "_loadable", lambda lib: True)
    assert app.display_problem() is None
