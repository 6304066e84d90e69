"""The panel beside the viewer: clues, tags and links of the selected media, by keyboard too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QGridLayout,
    QGroupBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlite_utils import Database

from desktop.core.clue_kinds import kind_name
from desktop.core.controls import printable
from desktop.core.regions import Region
from desktop.core.video_meta import frame_clock
from desktop.store import clues, entities, links, tags
from desktop.store.db import CaseError
from desktop.ui.dialogs.investigation_dialogs import (
    ClueDialog,
    EntityDialog,
    LinkDialog,
    LinkEditDialog,
)
from desktop.ui.widgets.key_list import KeyList

ROLE = Qt.ItemDataRole.UserRole


class InvestigationPanel(QWidget):
    """Lists the clues, tags and links of one media and changes them through the stores.

    Keys of its lists: Insert adds, F2 edits, Delete removes (in whichever list has the
    focus), Enter edits a clue and opens a link's entity. The keys that work anywhere in the
    workspace (D, N, T, L, X, Ctrl+Shift+E) belong to the workspace's key owner
    (desktop.ui.investigation_hooks binds them), which the buttons name.
    """

    clueSelected = Signal(object)  # the Clue shown sharp in the viewer, or None
    drawRequested = Signal()  # the viewer should let the analyst draw a region
    entityActivated = Signal(int)  # jump to the entity browser
    browseRequested = Signal()  # open the entity browser
    exportRequested = Signal(object)  # export this Clue as a crop to share
    changed = Signal()  # something was added, edited or removed

    def __init__(
        self,
        db: Database,
        selection: Callable[[], list[int]],
        frame_time: Callable[[int], float | None] = lambda media_id: None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.db = db
        # the grid's selected media: tags and links then apply to all of them
        self.selection = selection
        # the time of the video frame the viewer shows: a region drawn there is on that frame
        self.frame_time = frame_time
        self.media_id: int | None = None
        self.title = QLabel("No media selected")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b91c1c")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.clue_list = KeyList(
            self.remove_selected_clue, self.edit_selected_clue, self.add_clue_dialog,
            placeholder="No clues yet. D draws a region on the picture, N adds a clue.",
        )  # fmt: skip
        self.clue_list.currentItemChanged.connect(self._clue_changed)
        self.tag_field = QLineEdit()
        self.tag_field.setPlaceholderText("add a tag and press Enter")
        self.tag_field.returnPressed.connect(self._tag_entered)
        # one completer whose words follow the case (a new one for every media shown piled up
        # thousands of completers, and its popup's window stayed behind when replaced)
        self.tag_names = QStringListModel(self)
        self.tag_field.setCompleter(QCompleter(self.tag_names, self))
        self.tag_list = KeyList(
            self.remove_selected_tag, self.rename_selected_tag, self.tag_field.setFocus,
            placeholder="No tags yet. T goes to the tag field.",
        )  # fmt: skip
        self.link_list = KeyList(
            self.remove_selected_link,
            self.edit_selected_link,
            self.link_dialog,
            activate=self.open_selected_entity,
            placeholder="Not linked to a victim, series, offender or location. L links.",
        )

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(
            self._group(
                "Clues",
                self.clue_list,
                [
                    ("Draw (D)", self.drawRequested.emit, "Draw a region on the picture (D)"),
                    ("Add (N)", self.add_clue_dialog, "A clue about the whole picture (N)"),
                    ("Edit", self.edit_selected_clue, "Edit the selected clue (F2)"),
                    ("Export… (X)", self.export_selected_clue, "Export the clue's region (X)"),
                    ("Remove", self.remove_selected_clue, "Remove the selected clue (Delete)"),
                ],
            )
        )
        layout.addWidget(self._group("Tags", self.tag_list, [], extra=self.tag_field))
        layout.addWidget(
            self._group(
                "Links",
                self.link_list,
                [
                    ("Link… (L)", self.link_dialog, "Link to a victim, series, offender… (L)"),
                    ("Edit", self.edit_selected_link, "Edit the selected link (F2)"),
                    ("Open entity", self.open_selected_entity, "The linked entity's page"),
                    ("Unlink", self.remove_selected_link, "Remove the selected link (Delete)"),
                    ("Entities…", self.browseRequested.emit, "Every entity (Ctrl+Shift+E)"),
                ],
            )
        )
        layout.addWidget(self.status)
        layout.addWidget(self.message)
        self.setEnabled(False)

    def _group(
        self,
        title: str,
        view: QListWidget,
        buttons: list[tuple[str, Callable, str]],
        extra: QWidget | None = None,
    ) -> QGroupBox:
        box = QGroupBox(title)
        layout = QVBoxLayout(box)
        if extra is not None:
            layout.addWidget(extra)
        layout.addWidget(view)
        if buttons:
            rows = QGridLayout()  # three a row, short words (the key and what it does in the
            for number, (text, action, tip) in enumerate(buttons):  # tip): the panel stays narrow
                button = QPushButton(text)
                button.setToolTip(tip)
                button.clicked.connect(lambda _=False, a=action: a())
                rows.addWidget(button, number // 3, number % 3)
            layout.addLayout(rows)
        return box

    # ---- loading ---------------------------------------------------------------------------

    def set_media(self, media_id: int | None) -> None:
        self.media_id = media_id
        self.setEnabled(media_id is not None)
        self.refresh()

    def refresh(self) -> None:
        self.message.clear()
        self.status.clear()
        for view in (self.clue_list, self.tag_list, self.link_list):
            view.clear()
        if self.media_id is None:
            self.title.setText("No media selected")
            return
        self.title.setText(f"Media #{self.media_id}")
        for clue in clues.clues_for_media(self.db, self.media_id):
            where = f"  [{clue.region.w}×{clue.region.h}]" if clue.region else ""
            if clue.time is not None:
                where += f"  at {frame_clock(clue.time)}"
            item = QListWidgetItem(printable(f"{kind_name(clue.kind)}: {clue.label}{where}"))
            item.setToolTip(printable(clue.note or "", keep="\n\t"))
            item.setData(ROLE, clue)
            self.clue_list.addItem(item)
        for name in tags.tags_for_media(self.db, self.media_id):
            item = QListWidgetItem(printable(name))
            item.setData(ROLE, name)
            self.tag_list.addItem(item)
        self.tag_names.setStringList([n for n, _ in tags.tag_counts(self.db)])
        for link in links.links_for_media(self.db, self.media_id):
            role = f" — {link.role}" if link.role else ""
            item = QListWidgetItem(
                printable(f"{link.entity_kind.title()} · {link.entity_name}{role}")
            )
            item.setToolTip(printable(link.note or "", keep="\n\t"))
            item.setData(ROLE, link)
            self.link_list.addItem(item)

    def region_clues(self) -> list[tuple[int, Region, str]]:
        """(id, region, kind) of this media's clues with a region, for the viewer's outlines."""
        found = []
        for row in range(self.clue_list.count()):
            clue = self.clue_list.item(row).data(ROLE)
            if clue.region is not None:
                found.append((clue.id, clue.region, clue.kind))
        return found

    def _apply(self, change: Callable[[], Any]) -> Any:
        """Run a store change; a refusal is shown as its one sentence, never a crash."""
        try:
            result = change()
        except CaseError as error:
            self.message.setText(str(error))
            return None
        self.refresh()
        self.changed.emit()
        return result if result is not None else True

    # ---- clues -----------------------------------------------------------------------------

    def _clue_changed(self, current: QListWidgetItem | None, _previous: Any = None) -> None:
        self.clueSelected.emit(current.data(ROLE) if current is not None else None)

    def selected_clue(self) -> clues.Clue | None:
        item = self.clue_list.currentItem()
        return item.data(ROLE) if item is not None else None

    def select_clue(self, clue_id: int) -> None:
        for row in range(self.clue_list.count()):
            if self.clue_list.item(row).data(ROLE).id == clue_id:
                self.clue_list.setCurrentRow(row)

    def add_clue(self, kind: str, label: str, note: str = "", region: Region | None = None) -> Any:
        if self.media_id is None:
            return None
        media_id = self.media_id
        time = self.frame_time(media_id) if region is not None else None
        clue = self._apply(
            lambda: clues.add_clue(self.db, media_id, kind, label, note, region, time)
        )
        if clue:
            self.select_clue(clue.id)
        return clue

    def add_clue_dialog(self, region: Region | None = None) -> Any:
        """Ask for kind, label and note of a new clue (with the region just drawn, if any)."""
        if self.media_id is None:
            return None
        dialog = ClueDialog(self, region=region)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.add_clue(**dialog.values(), region=region)

    def edit_selected_clue(self) -> Any:
        item = self.clue_list.currentItem()
        if item is None:
            return None
        clue = item.data(ROLE)
        dialog = ClueDialog(
            self, kind=clue.kind, label=clue.label, note=clue.note, region=clue.region
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        edited = self._apply(lambda: clues.update_clue(self.db, clue.id, **dialog.values()))
        if edited:
            self.select_clue(clue.id)
        return edited

    def export_selected_clue(self) -> None:
        item = self.clue_list.currentItem()
        if item is None:
            return
        clue = item.data(ROLE)
        if clue.region is None:
            self.message.setText("This clue has no region; draw one to export it.")
            return
        self.exportRequested.emit(clue)

    def remove_selected_clue(self) -> None:
        item = self.clue_list.currentItem()
        if item is not None:
            self._apply(lambda: clues.remove_clue(self.db, item.data(ROLE).id))

    # ---- tags ------------------------------------------------------------------------------

    def targets(self) -> list[int]:
        """The media a tag or link applies to: the grid's selection when the shown media is part
        of a selection of several, else the shown media alone."""
        if self.media_id is None:
            return []
        chosen = list(dict.fromkeys(self.selection()))
        return chosen if self.media_id in chosen and len(chosen) > 1 else [self.media_id]

    def add_tag(self, name: str) -> None:
        targets = self.targets()
        if targets and name.strip():
            added = self._apply(lambda: tags.add_tag(self.db, targets, name))
            if added is not None and len(targets) > 1:
                self.status.setText(f"Tagged {len(targets)} selected media with {name.strip()!r}.")

    def _tag_entered(self) -> None:
        self.add_tag(self.tag_field.text())
        if not self.message.text():
            self.tag_field.clear()
        self.tag_field.completer().popup().hide()  # the new word list reopened it: one Esc back

    def rename_selected_tag(self) -> None:
        """Replace a tag on this media by another word (F2)."""
        item = self.tag_list.currentItem()
        if item is None or self.media_id is None:
            return
        old = item.data(ROLE)
        new, accepted = QInputDialog.getText(self, "Tag", "Tag on this media:", text=old)
        if accepted and new.strip() and new.strip() != old:
            self.retag(old, new)

    def retag(self, old: str, new: str) -> None:
        media_id = self.media_id
        if media_id is None:
            return

        def change() -> None:
            with self.db.atomic():
                tags.add_tag(self.db, [media_id], new)
                tags.remove_tag(self.db, [media_id], old)

        self._apply(change)

    def remove_selected_tag(self) -> None:
        item = self.tag_list.currentItem()
        if item is not None and self.media_id is not None:
            media_id = self.media_id
            self._apply(lambda: tags.remove_tag(self.db, [media_id], item.data(ROLE)))

    # ---- links -----------------------------------------------------------------------------

    def link_dialog(self, entity_id: int | None = None) -> Any:
        """Link this media (and, ticked, its near-duplicates) to an entity, new or existing."""
        if self.media_id is None:
            return None
        choices = [entity for entity, _ in entities.list_entities(self.db)]
        if not choices:
            created = self.new_entity_dialog()
            if created is None:
                return None
            choices, entity_id = [created], created.id
        stack = links.stack_members(self.db, self.media_id)
        opted = {e.id: set(links.opted_out(self.db, e.id)) for e in choices}
        dialog = LinkDialog(self, choices, stack, opted, entity_id)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        values = dialog.values()
        return self.link(
            values["entity_id"],
            values["role"],
            values["note"],
            members=values["members"],
            excluded=values["excluded"],
        )

    def link(
        self,
        entity_id: int,
        role: str = "",
        note: str = "",
        *,
        members: list[int] | None = None,
        excluded: list[int] | None = None,
    ) -> Any:
        """Link the media's stack (all of `members`, default the whole stack) to the entity;
        members in `excluded` are opted out so linking the stack again keeps them out. Other
        media selected in the grid are linked with their whole stacks too."""
        if self.media_id is None:
            return None
        media_id = self.media_id
        others = [m for m in self.targets() if m != media_id and m not in (members or [])]

        def change() -> list[links.Link]:
            with self.db.atomic():
                made = links.link_stack(
                    self.db,
                    media_id,
                    entity_id,
                    role,
                    note,
                    members=members,
                    exclude=excluded or [],
                )
                for other in excluded or []:
                    links.unlink(self.db, other, entity_id, opt_out=True)
                for other in others:
                    made += links.link_stack(self.db, other, entity_id, role, note)
            return made

        return self._apply(change)

    def new_entity_dialog(self, kind: str = "victim") -> entities.Entity | None:
        dialog = EntityDialog(self, kind=kind)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        values = dialog.values()
        name = values.pop("name")
        chosen = dialog.kind.currentData()
        return self._apply(lambda: entities.add_entity(self.db, chosen, name, **values)) or None

    def edit_selected_link(self) -> Any:
        """Change the role and note of the selected link (F2)."""
        item = self.link_list.currentItem()
        if item is None:
            return None
        link = item.data(ROLE)
        dialog = LinkEditDialog(self, link.entity_kind, link.role, link.note)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        role, note = dialog.values()
        return self._apply(lambda: links.update_link(self.db, link.id, role=role, note=note))

    def remove_selected_link(self) -> None:
        item = self.link_list.currentItem()
        if item is not None:
            link = item.data(ROLE)
            self._apply(lambda: links.unlink(self.db, link.media_id, link.entity_id))

    def open_selected_entity(self) -> None:
        item = self.link_list.currentItem()
        if item is not None:
            self.entityActivated.emit(item.data(ROLE).entity_id)
