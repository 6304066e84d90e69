"""What an analyst does to tiles besides the review keys: the right-click menu, the next
media not yet reviewed, side-by-side compare, and each stack member's distance."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QMenu

from desktop.store import browse, groups, media_view, review
from desktop.store.browse import BrowseRow, Conn
from desktop.ui.dialogs.compare_dialog import CompareDialog
from desktop.ui.hosting import Badge
from desktop.ui.keys import Binding
from desktop.ui.style import icon

if TYPE_CHECKING:
    from desktop.ui.workspace import CaseWorkspace

STACK_BADGE = QColor("#0f766e")


class StackDistances:
    """A BadgeSource: inside an open stack, each member's distance (bits) to the member it was
    matched to and what differs ("12 · mirrored"); nothing outside a stack."""

    def __init__(self) -> None:
        self.level: str | None = None

    def open_stack(self, level: str | None) -> None:
        """The strictness of the stack now open (None: no stack open)."""
        self.level = level

    def badges(self, conn: Conn, media_ids: Sequence[int]) -> dict[int, list[Badge]]:
        level = self.level
        if level is None:
            return {}
        return {
            media_id: [
                Badge(
                    f"{distance} · {short(why)}",
                    STACK_BADGE,
                    "bottom",
                    f"{distance} bits from media {matched}: {why}",
                )
            ]  # fmt: skip
            for media_id, (matched, distance, why) in groups.member_edges(
                conn, level, media_ids
            ).items()
        }


def short(explanation: str) -> str:
    """A tile's few words of an explanation: "same picture (resized, ...)" -> "same picture"
    (it may be a greyscale or recompressed copy: "resized" would be a guess), "cropped (part of
    the picture kept)" -> "cropped", "mirrored" -> "mirrored". The tip says it all."""
    head = explanation.partition(" (")[0].strip()
    return head.split(",")[0].strip() or explanation


class TileTools(QObject):
    def __init__(self, workspace: CaseWorkspace):
        super().__init__(workspace)
        self.workspace = workspace
        self.compare_dialog: CompareDialog | None = None
        self.distances = StackDistances()
        workspace.add_badges(self.distances)
        for view in (workspace.grid, workspace.table):  # the list view has the same menu
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(lambda at, v=view: self.menu_at(at, v))
        workspace.keys.bind(Binding(("U",), "Next media not yet reviewed", self.next_unreviewed))
        workspace.keys.bind(Binding(("C",), "Compare the two selected side by side", self.compare))

    # ---- the right-click menu --------------------------------------------------------------------

    def menu_at(self, position: QPoint, view: QAbstractItemView) -> QMenu | None:
        index = view.indexAt(position)
        if not index.isValid():
            return None
        menu = self.menu_for(self.workspace.selected_media())
        menu.popup(view.viewport().mapToGlobal(position))
        return menu

    def menu_for(self, media_ids: list[int]) -> QMenu:
        """The menu for the selected tiles (the current one first)."""
        ws = self.workspace
        menu = QMenu(ws.grid)
        categories = menu.addMenu("Categorise")
        for category in ws.scheme.categories:
            action = categories.addAction(f"{category.name}\t{category.key}")
            action.triggered.connect(lambda _=False, v=category.value: ws.decisions.categorise(v))
        reviewed = menu.addAction(icon("reviewed"), "Reviewed, no category\tReturn")
        reviewed.triggered.connect(ws.decisions.mark_reviewed)
        menu.addAction("Clear the category\tDelete").triggered.connect(
            lambda: ws.decisions.categorise(None)
        )
        menu.addSeparator()
        single = len(media_ids) == 1
        reveal = menu.addAction(icon("reveal"), "Reveal until I move on\tR")
        reveal.triggered.connect(ws.picture_reveal.reveal)
        reveal.setEnabled(single)
        row = ws.model.row_of.get(media_ids[0]) if media_ids else None
        stacked = row is not None and ws.model.rows[row].stack_size > 1 and ws.stack_open is None
        stack = menu.addAction(icon("stack"), "Open the near-duplicate stack\tE")
        stack.triggered.connect(ws.expand_stack)
        stack.setEnabled(stacked and single)
        compare = menu.addAction(icon("compare"), "Compare side by side\tC")
        compare.triggered.connect(self.compare)
        compare.setEnabled(len(media_ids) == 2)
        menu.addSeparator()
        folder = menu.addAction("Show in folder")
        folder.triggered.connect(lambda: self.show_in_folder(media_ids[0]))
        copy = menu.addMenu("Copy hash")
        for name in ("sha256", "md5", "sha1"):
            action = copy.addAction(name.upper().replace("SHA", "SHA-"))
            action.triggered.connect(lambda _=False, n=name: self.copy_hash(media_ids, n))
        folder.setEnabled(single)
        if ws.tile_actions:
            menu.addSeparator()
            for tile_action in ws.tile_actions:
                text = (
                    f"{tile_action.title}\t{tile_action.key}"
                    if tile_action.key
                    else tile_action.title
                )
                action = menu.addAction(text)
                action.triggered.connect(lambda _=False, a=tile_action: a.run(list(media_ids)))
        return menu

    def show_in_folder(self, media_id: int) -> bool:
        """The folder of the media's first file that still exists, in the system's file
        manager (a local folder: nothing leaves the machine)."""
        detail = media_view.media_detail(self.workspace.db, media_id)
        for location in detail["files"] if detail else []:
            folder = Path(location["path"]).parent
            if folder.is_dir():
                return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        self.workspace.status_changed.emit("No folder of this media can be reached now.")
        return False

    def copy_hash(self, media_ids: list[int], name: str) -> str:
        """The digests of the selected media, one a line, on the clipboard."""
        lines = []
        for media_id in media_ids:
            detail = media_view.media_detail(self.workspace.db, media_id)
            if detail is not None:
                lines.append(str(detail[name]))
        text = "\n".join(lines)
        QGuiApplication.clipboard().setText(text)
        self.workspace.status_changed.emit(f"Copied {len(lines)} {name.upper()} digest(s).")
        return text

    # ---- moving and comparing --------------------------------------------------------------------

    def next_unreviewed(self) -> bool:
        """Select the next media after the cursor not yet reviewed (loading pages as needed,
        then on from the top); a stack counts as reviewed only when all its members are."""
        ws = self.workspace
        model, root = ws.model, ws.grid.rootIndex()
        start = ws.grid.currentIndex().row()
        row = start + 1
        while row < model.rowCount() or model.canFetchMore(root):
            if row >= model.rowCount():
                model.fetchMore(root)
                continue
            if self._needs_review(model.rows[row]):
                return self._stop_at(row)
            row += 1
        for row in range(start):  # wrapped: what was left behind
            if self._needs_review(model.rows[row]):
                return self._stop_at(row)
        ws.status_changed.emit("Every media here is reviewed.")
        return False

    def _stop_at(self, row: int) -> bool:
        ws = self.workspace
        ws.select_row(row)
        if ws.model.rows[row].reviewed:
            ws.status_changed.emit("Some media of this stack are not yet reviewed: E opens it.")
        return True

    def _needs_review(self, row: BrowseRow) -> bool:
        ws = self.workspace
        if not row.reviewed:
            return True
        if row.stack_size < 2 or not ws.model.query.stacks:
            return False
        members = browse.stack_members(ws.db, row.id)
        return not all(state.reviewed for state in review.review_state(ws.db, members).values())

    def compare(self) -> CompareDialog | None:
        ws = self.workspace
        chosen = ws.selected_media()
        if len(chosen) != 2:
            ws.status_changed.emit("Select two media to compare them side by side.")
            return None
        if self.compare_dialog is not None:
            self.compare_dialog.close()
        first, second = chosen
        describe = {m: f"Media {m}" for m in chosen}
        self.compare_dialog = CompareDialog(
            ws.case_path, (first, second), ws.reveals,
            (ws.settings.blur_strength, ws.settings.greyscale), describe, ws,
        )  # fmt: skip
        self.compare_dialog.show()
        return self.compare_dialog
