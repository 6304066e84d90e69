"""The window's calm, dark style sheet (resources/vigil.qss)."""

from __future__ import annotations

from importlib import resources

from PySide6.QtWidgets import QApplication


def style_sheet() -> str:
    return resources.files("desktop.resources").joinpath("vigil.qss").read_text("utf-8")


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setStyleSheet(style_sheet())
