"""The audit log viewer: filter by action, analyst and date; the hash chain checked, the result
shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.store import audit, audit_view
from desktop.store.db import open_case
from desktop.ui import workers

COLUMNS = ("#", "When (UTC)", "Analyst", "Action", "Target", "Details")
ANY = "(any)"


def load_events(case_path: Path, action: str, user: str, since: str, until: str) -> Any:
    conn = workers.thread_connection(case_path)
    return audit_view.find_events(conn, action or None, user or None, since or None, until or None)


def check_chain(case_path: Path) -> str:
    """The chain checked, and the head against this machine's witness (store.audit.check)."""
    db = open_case(case_path)
    try:
        return audit.check(db).describe()
    finally:
        db.close()


class AuditDialog(QDialog):
    def __init__(self, case_path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Audit log")
        self.resize(1000, 560)
        self.case_path = case_path
        conn = workers.thread_connection(case_path)  # the UI thread's read-only connection
        self.action = QComboBox()
        self.action.addItems([ANY, *audit_view.actions(conn)])
        self.user = QComboBox()
        self.user.addItems([ANY, *audit_view.analysts(conn)])
        self.since = QLineEdit()
        self.since.setPlaceholderText("from YYYY-MM-DD")
        self.until = QLineEdit()
        self.until.setPlaceholderText("to YYYY-MM-DD")
        apply = QPushButton("Show")
        apply.clicked.connect(self.reload)
        for box in (self.action, self.user):
            box.currentIndexChanged.connect(self.reload)
        for field in (self.since, self.until):
            field.returnPressed.connect(self.reload)
        filters = QHBoxLayout()
        for label, widget in (("Action", self.action), ("Analyst", self.user)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.since)
        filters.addWidget(self.until)
        filters.addWidget(apply)
        filters.addStretch(1)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.count = QLabel("")
        self.chain = QLabel("Checking the hash chain…")
        self.chain.setWordWrap(True)
        self.chain.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.chain, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addLayout(bottom)
        self.reload()
        worker = workers.Worker(check_chain, case_path)
        worker.signals.result.connect(workers.guarded(self, self.chain.setText))
        worker.signals.failed.connect(workers.guarded(self, self.chain.setText))
        workers.start(worker)

    def _filters(self) -> tuple[str, str, str, str]:
        def chosen(box: QComboBox) -> str:
            return "" if box.currentText() == ANY else box.currentText()

        return chosen(self.action), chosen(self.user), self.since.text(), self.until.text()

    def reload(self) -> None:
        worker = workers.Worker(load_events, self.case_path, *self._filters())
        worker.signals.result.connect(workers.guarded(self, self._show))
        worker.signals.failed.connect(workers.guarded(self, self.count.setText))
        workers.start(worker)

    def _show(self, found: Any) -> None:
        events, total = found
        self.table.setRowCount(len(events))
        for row, event in enumerate(events):
            detail = event.after or event.before or ""
            values = (str(event.id), event.at, f"{event.user}@{event.host}", event.action,
                      event.target or "", detail[:300])  # fmt: skip
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        shown = f"the newest {len(events):,} of " if len(events) < total else ""
        self.count.setText(f"Showing {shown}{total:,} events.")
