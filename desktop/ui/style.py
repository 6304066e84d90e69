"""The window's calm, dark style sheet (resources/vigil.qss) and its icons (resources/icons)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication


def _icons_dir() -> Path:
    return Path(str(resources.files("desktop.resources").joinpath("icons")))


def style_sheet() -> str:
    """The style sheet, with `@icons@` pointing at the installed icons (spin box arrows)."""
    text = resources.files("desktop.resources").joinpath("vigil.qss").read_text("utf-8")
    return text.replace("@icons@", _icons_dir().as_posix())


@cache
def icon(name: str) -> QIcon:
    """One of the SVG icons drawn for Vigil (resources/icons/NAME.svg)."""
    path = _icons_dir() / f"{name}.svg"
    if not path.is_file():
        raise KeyError(f"no icon named {name}")
    return QIcon(str(path))


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setStyleSheet(style_sheet())
