"""The Help menu's windows: the key reference, the README's everyday guide, About."""

from __future__ import annotations

import html
import platform
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, metadata, version
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QDialog, QMenu, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from desktop import __version__
from desktop.core.categories import Scheme
from desktop.core.hashing import algorithm_versions
from desktop.store.hashlibrary import default_library_path

LIBRARIES = (
    "Pillow",
    "numpy",
    "sqlite-utils",
    "imagehash",
    "av",
    "jinja2",
    "reportlab",
    "openpyxl",
)


class TextWindow(QDialog):
    """Rich text to read, with a Close button; links go nowhere (nothing leaves the program)."""

    def __init__(self, parent: QWidget | None, title: str, body: str, markdown: bool = False):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(720, 560)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        if markdown:
            self.browser.setMarkdown(body)
        else:
            self.browser.setHtml(body)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(close)


def _viewer(parent: QWidget | None, title: str, body: str, markdown: bool = False) -> TextWindow:
    return TextWindow(parent, title, body, markdown)


def _table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>" for k, v in rows
    )
    return f"<table cellpadding='4'>{cells}</table>"


def keys_dialog(
    scheme: Scheme,
    bindings: Sequence[tuple[str, str]],
    menus: dict[str, QMenu],
    parent: QWidget | None = None,
) -> QDialog:
    """The keys as the program has them: the open case's key bindings (the workspace's key
    owner), then every menu entry that has a shortcut. Nothing is listed twice."""
    body = "<h2>Keys</h2>"
    if bindings:  # the category keys among them
        body += f"<h3>Review and investigation</h3>{_table(list(bindings))}"
    else:
        categories = [(c.key, f"category {c.value}: {c.name}") for c in scheme.categories]
        body += f"<h3>Categories ({html.escape(scheme.title)})</h3>{_table(categories)}"
        body += "<p>Open a case to see the review and investigation keys.</p>"
    seen = {keys for keys, _ in bindings}
    entries = []
    for name, menu in menus.items():
        for action in menu.actions():
            keys = action.shortcut().toString()
            if keys and keys not in seen:
                seen.add(keys)
                entries.append((keys, f"{name.capitalize()}: {action.text().replace('&', '')}"))
    body += f"<h3>Menus</h3>{_table(entries)}"
    body += "<p>Keys never act while a text field has the focus.</p>"
    return _viewer(parent, "Keys", body)


def everyday_guide() -> str:
    """The README's everyday section, as installed with the program (package metadata)."""
    try:
        text = metadata("vigil").get_payload() or ""  # type: ignore[attr-defined]
    except PackageNotFoundError:
        text = ""
    start = text.find("## Everyday commands")
    if start < 0:
        return "The everyday guide is in README.md beside the program."
    end = text.find("\n## ", start + 3)
    return text[start : end if end > 0 else None]


def guide_dialog(parent: QWidget | None = None) -> QDialog:
    return _viewer(parent, "Everyday guide", everyday_guide(), markdown=True)


def about_dialog(case_path: Path | None, parent: QWidget | None = None) -> QDialog:
    versions = [("Vigil", __version__), ("Python", platform.python_version()),
                ("Qt", qVersion()), ("PySide6", pyside_version)]  # fmt: skip
    for name in LIBRARIES:
        try:
            versions.append((name, version(name)))
        except PackageNotFoundError:
            versions.append((name, "not installed"))
    places = [
        ("Open case", str(case_path.resolve()) if case_path else "no case open"),
        ("Hash library", str(default_library_path())),
    ]
    body = (
        f"<h2>Vigil {html.escape(__version__)}</h2><p>Offline workstation for child-victim "
        "identification. It opens no network connection.</p>"
        f"<h3>Versions</h3>{_table(versions)}"
        f"<h3>Hash algorithms</h3>{_table(sorted(algorithm_versions().items()))}"
        f"<h3>Where things live</h3>{_table(places)}"
    )
    return _viewer(parent, "About Vigil", body)
