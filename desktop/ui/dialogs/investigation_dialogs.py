"""Small forms for the investigation: a clue, an entity, a link (with the stack's members)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.clue_kinds import clue_kinds
from desktop.core.controls import printable
from desktop.core.regions import Region
from desktop.store import entities
from desktop.store.entities import Entity
from desktop.store.links import SUGGESTED_ROLES


def _buttons(dialog: QDialog) -> QDialogButtonBox:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class ClueDialog(QDialog):
    """Kind (Alt+letter picks it), label and note of a clue; the region is shown, not edited."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        kind: str = "object",
        label: str = "",
        note: str = "",
        region: Region | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Clue")
        form = QFormLayout()
        self.kind = QComboBox()
        for index, item in enumerate(clue_kinds()):
            self.kind.addItem(f"{item.name}  ({item.shortcut})", item.key)
            self.kind.setItemData(index, item.examples, Qt.ItemDataRole.ToolTipRole)
            shortcut = QShortcut(QKeySequence(f"Alt+{item.shortcut}"), self)
            shortcut.activated.connect(lambda i=index: self.kind.setCurrentIndex(i))
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.label = QLineEdit(label)
        self.label.setPlaceholderText("what it is, e.g. water bottle, school badge")
        self.note = QPlainTextEdit(note)
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(70)
        where = f"{region.w}×{region.h} px at {region.x},{region.y}" if region else "whole picture"
        form.addRow("Kind", self.kind)
        form.addRow("Label", self.label)
        form.addRow("Note", self.note)
        form.addRow("Region", QLabel(where))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_buttons(self))
        self.label.setFocus()

    def values(self) -> dict[str, str]:
        return {
            "kind": str(self.kind.currentData()),
            "label": self.label.text(),
            "note": self.note.toPlainText(),
        }


class EntityDialog(QDialog):
    """The fields of a victim, series, offender or location (only the ones its kind has)."""

    def __init__(
        self, parent: QWidget | None = None, *, kind: str = "victim", entity: Entity | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle(
            "Entity" if entity is None else printable(f"{entity.kind.title()} {entity.name}")
        )
        self.form = QFormLayout()
        self.kind = QComboBox()
        for name in entities.ENTITY_KINDS:
            self.kind.addItem(name.title(), name)
        self.kind.setCurrentIndex(self.kind.findData(entity.kind if entity else kind))
        self.kind.setEnabled(entity is None)
        self.name = QLineEdit(entity.name if entity else "")
        self.status = QComboBox()
        self.age_min, self.age_max = QSpinBox(), QSpinBox()
        for box in (self.age_min, self.age_max):
            box.setRange(-1, 25)
            box.setSpecialValueText("?")
            box.setValue(-1)  # unknown until the analyst says (0 is an age)
        self.sex = QComboBox()
        self.sex.addItem("not recorded", None)
        for sex in entities.SEXES:
            self.sex.addItem(sex, sex)
        self.known = QCheckBox("Known / solved series")
        self.country = QLineEdit()
        self.latitude, self.longitude = QDoubleSpinBox(), QDoubleSpinBox()
        for box, limit in ((self.latitude, 90), (self.longitude, 180)):
            box.setRange(-limit - 1, limit)
            box.setDecimals(5)
            box.setSpecialValueText("?")
            box.setValue(box.minimum())  # unknown until the analyst says (0, 0 is a place)
        self.notes = QPlainTextEdit(entity.notes if entity else "")
        self.notes.setTabChangesFocus(True)
        self.form.addRow("Kind", self.kind)
        self.form.addRow("Name / reference", self.name)
        self._rows: dict[str, list[QWidget]] = {
            "status": [self.status],
            "age": [self.age_min, self.age_max],
            "sex": [self.sex],
            "known": [self.known],
            "country": [self.country],
            "coordinates": [self.latitude, self.longitude],
        }
        labels = {  # each box says what it holds (two unlabelled "?" boxes said nothing)
            self.age_min: "Age from", self.age_max: "Age to",
            self.latitude: "Latitude", self.longitude: "Longitude",
        }  # fmt: skip
        for name, widgets in self._rows.items():
            for widget in widgets:
                self.form.addRow(labels.get(widget, name.title()), widget)
        self.form.addRow("Notes", self.notes)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(_buttons(self))
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        if entity is not None:
            self._load(entity)

    def _kind_changed(self, *_: Any) -> None:
        kind = self.kind.currentData()
        fields = entities.KIND_FIELDS[kind]
        visible = {
            "status": "status" in fields,
            "age": "age_min" in fields,
            "sex": "sex" in fields,
            "known": "known" in fields,
            "country": "country" in fields,
            "coordinates": "latitude" in fields,
        }
        for name, widgets in self._rows.items():
            for widget in widgets:
                self.form.setRowVisible(widget, visible[name])
        self.status.clear()
        statuses = {"victim": entities.VICTIM_STATUSES, "offender": entities.OFFENDER_STATUSES}
        for status in statuses.get(kind, ()):
            self.status.addItem(status, status)

    def _load(self, entity: Entity) -> None:
        if entity.status:
            self.status.setCurrentIndex(self.status.findData(entity.status))
        self.age_min.setValue(-1 if entity.age_min is None else entity.age_min)
        self.age_max.setValue(-1 if entity.age_max is None else entity.age_max)
        self.sex.setCurrentIndex(max(0, self.sex.findData(entity.sex)))
        self.known.setChecked(entity.known)
        self.country.setText(entity.country or "")
        self.latitude.setValue(
            self.latitude.minimum() if entity.latitude is None else entity.latitude
        )
        self.longitude.setValue(
            self.longitude.minimum() if entity.longitude is None else entity.longitude
        )

    def values(self) -> dict[str, Any]:
        """Fields for entities.add_entity / update_entity (only those the kind has)."""
        kind = self.kind.currentData()
        fields = entities.KIND_FIELDS[kind]

        def spin(box: QSpinBox | QDoubleSpinBox) -> Any:
            return None if box.value() == box.minimum() else box.value()

        every = {
            "status": self.status.currentData(),
            "age_min": spin(self.age_min),
            "age_max": spin(self.age_max),
            "sex": self.sex.currentData(),
            "known": self.known.isChecked(),
            "country": self.country.text().strip() or None,
            "latitude": spin(self.latitude),
            "longitude": spin(self.longitude),
        }
        values = {name: every[name] for name in fields}
        values.update(name=self.name.text(), notes=self.notes.toPlainText())
        return values


class LinkDialog(QDialog):
    """Choose an entity, role and note; for a stack, every member is ticked and can be unticked."""

    def __init__(
        self,
        parent: QWidget | None,
        choices: list[Entity],
        stack: list[int],
        opted_out: dict[int, set[int]] | None = None,
        entity_id: int | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Link to an entity")
        self._opted_out = opted_out or {}
        self.entity = QComboBox()
        for entity in choices:
            self.entity.addItem(printable(f"{entity.kind.title()} · {entity.name}"), entity.id)
            self.entity.setItemData(
                self.entity.count() - 1, entity.kind, Qt.ItemDataRole.UserRole + 1
            )
        if entity_id is not None:
            self.entity.setCurrentIndex(max(0, self.entity.findData(entity_id)))
        self.role = QComboBox()
        self.role.setEditable(True)
        self.note = QLineEdit()
        self.members = QListWidget()
        self.members.setToolTip("Untick a near-duplicate to leave it out of this link")
        for index, media_id in enumerate(stack):
            item = QListWidgetItem(f"media #{media_id}" + ("  (this one)" if index == 0 else ""))
            item.setData(Qt.ItemDataRole.UserRole, media_id)
            flags = item.flags() | Qt.ItemFlag.ItemIsUserCheckable
            if index == 0:
                flags &= ~Qt.ItemFlag.ItemIsEnabled  # the chosen media is always linked
            item.setFlags(flags)
            item.setCheckState(Qt.CheckState.Checked)
            self.members.addItem(item)
        form = QFormLayout()
        form.addRow("Entity", self.entity)
        form.addRow("Role", self.role)
        form.addRow("Note", self.note)
        if len(stack) > 1:
            form.addRow(
                QLabel(f"Near-duplicate stack: {len(stack)} media, all linked unless unticked")
            )
            form.addRow(self.members)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_buttons(self))
        self.entity.currentIndexChanged.connect(self._entity_changed)
        self._entity_changed()

    def _entity_changed(self, *_: Any) -> None:
        kind = self.entity.currentData(Qt.ItemDataRole.UserRole + 1)
        current = self.role.currentText()
        self.role.clear()
        self.role.addItems(list(SUGGESTED_ROLES.get(kind or "", ())))
        if current:
            self.role.setEditText(current)
        # members opted out of this entity earlier start unticked
        skip = self._opted_out.get(self.entity.currentData(), set())
        for row in range(1, self.members.count()):
            item = self.members.item(row)
            state = item.data(Qt.ItemDataRole.UserRole) in skip
            item.setCheckState(Qt.CheckState.Unchecked if state else Qt.CheckState.Checked)

    def values(self) -> dict[str, Any]:
        members, excluded = [], []
        for row in range(self.members.count()):
            item = self.members.item(row)
            media_id = item.data(Qt.ItemDataRole.UserRole)
            checked = item.checkState() == Qt.CheckState.Checked
            (members if checked else excluded).append(media_id)
        return {
            "entity_id": self.entity.currentData(),
            "role": self.role.currentText(),
            "note": self.note.text(),
            "members": members,
            "excluded": excluded,
        }


class LinkEditDialog(QDialog):
    """Role and note of one link."""

    def __init__(self, parent: QWidget | None, kind: str, role: str = "", note: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Link")
        self.role = QComboBox()
        self.role.setEditable(True)
        self.role.addItems(list(SUGGESTED_ROLES.get(kind, ())))
        self.role.setEditText(role)
        self.note = QLineEdit(note)
        form = QFormLayout()
        form.addRow("Role", self.role)
        form.addRow("Note", self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_buttons(self))

    def values(self) -> tuple[str, str]:
        return self.role.currentText(), self.note.text()
