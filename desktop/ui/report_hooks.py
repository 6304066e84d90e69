"""Puts the end of an analyst's work into the main window: Report, Verify evidence, Audit log,
VICS export and case packages in the Case menu, and the Help menu (keys, guide, About)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog

from desktop.ui.dialogs import help_dialogs
from desktop.ui.dialogs.audit_dialog import AuditDialog
from desktop.ui.dialogs.package_dialog import PackageExportDialog, PackageImportDialog
from desktop.ui.dialogs.report_dialog import ReportDialog
from desktop.ui.dialogs.verify_dialog import VerifyDialog
from desktop.ui.dialogs.vics_export_dialog import VicsExportDialog

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow
    from desktop.ui.workspace import CaseWorkspace


class CaseTools:
    """A WindowPart (desktop.ui.hosting): its entries in the Case and Help menus."""

    def __init__(self, window: MainWindow):
        self.window = window
        self.dialog: QDialog | None = None  # the one open (tests reach it here)
        self.case_actions = []
        for text, open_dialog, shortcut in (
            ("Write report…", self.report, "Ctrl+Shift+R"),
            ("Verify evidence…", self.verify, None),
            ("Audit log…", self.audit, None),
            ("Export VICS…", self.vics, None),
            ("Export case package…", self.export_package, None),
            ("Import case package…", self.import_package, None),
        ):
            action = self._action(text, open_dialog, shortcut)
            window.add_action("case", action)
            self.case_actions.append(action)
            action.setEnabled(False)
        window.add_action("help", self._action("Keys", self.keys, "F1"))
        window.add_action("help", self._action("Everyday guide", self.guide, None))
        window.add_action("help", self._action("About Vigil", self.about, None))

    def case_opened(self, workspace: CaseWorkspace) -> None:
        for action in self.case_actions:
            action.setEnabled(True)

    def case_closed(self) -> None:
        for action in self.case_actions:
            action.setEnabled(False)

    def _action(self, text: str, slot: Callable[[], Any], shortcut: str | None) -> QAction:
        action = QAction(text, self.window)
        action.triggered.connect(slot)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _show(self, dialog: QDialog) -> QDialog:
        self.dialog = dialog
        dialog.show()
        dialog.raise_()
        return dialog

    def _case(self) -> CaseWorkspace | None:
        return self.window.workspace

    def report(self) -> QDialog | None:
        ws = self._case()
        if ws is None:
            return None
        return self._show(ReportDialog(ws.case_path, ws.selected_media(), self.window))

    def verify(self) -> QDialog | None:
        ws = self._case()
        return None if ws is None else self._show(VerifyDialog(ws.case_path, self.window))

    def audit(self) -> QDialog | None:
        ws = self._case()
        return None if ws is None else self._show(AuditDialog(ws.case_path, self.window))

    def vics(self) -> QDialog | None:
        ws = self._case()
        return None if ws is None else self._show(VicsExportDialog(ws.case_path, self.window))

    def export_package(self) -> QDialog | None:
        ws = self._case()
        return None if ws is None else self._show(PackageExportDialog(ws.case_path, self.window))

    def import_package(self) -> QDialog | None:
        ws = self._case()
        return None if ws is None else self._show(PackageImportDialog(ws.case_path, self.window))

    def keys(self) -> QDialog:
        ws = self._case()
        bindings = [] if ws is None else [
            (" / ".join(b.keys), b.title) for b in ws.keys.bindings()
        ]  # fmt: skip
        return self._show(help_dialogs.keys_dialog(
            self.window.scheme(), bindings, self.window.menus, self.window))  # fmt: skip

    def guide(self) -> QDialog:
        return self._show(help_dialogs.guide_dialog(self.window))

    def about(self) -> QDialog:
        ws = self._case()
        return self._show(help_dialogs.about_dialog(ws.case_path if ws else None, self.window))
