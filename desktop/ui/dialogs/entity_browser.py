"""The entity browser: victims, series, offenders, locations with their media, clues and notes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlite_utils import Database

from desktop.core.clue_kinds import kind_name
from desktop.core.controls import printable
from desktop.core.video_meta import frame_clock, length_badge
from desktop.store import clues, entities, links, origins, videos
from desktop.store.db import CaseError
from desktop.ui import imaging, workers
from desktop.ui.dialogs.investigation_dialogs import EntityDialog

ROLE = Qt.ItemDataRole.UserRole
TILE_SIDE = 112


class EntityBrowser(QWidget):
    """Every entity of the case; the chosen one with its linked media as a blurred grid, the
    clues on those media, its notes and related entities. Double-clicking a media asks the main
    window to show it (mediaActivated); show_entities_of_media() jumps the other way."""

    mediaActivated = Signal(int)
    showInGrid = Signal(int)  # the grid should show only this entity's media
    changed = Signal()

    def __init__(
        self,
        db: Database,
        case_path: Path,
        parent: QWidget | None = None,
        blur_strength: int = imaging.DEFAULT_BLUR,
        greyscale: bool = False,
        pool: QThreadPool | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Entities")
        self.db, self.case_path = db, case_path
        self.blur_strength, self.greyscale = blur_strength, greyscale
        self.pool = pool or QThreadPool.globalInstance()
        self.entity_id: int | None = None
        self.media_filter: int | None = None
        self._generation = 0
        self._workers: list[workers.Worker] = []

        self.kind = QComboBox()
        self.kind.addItem("All kinds", None)
        for kind in entities.ENTITY_KINDS:
            self.kind.addItem(kind.title(), kind)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find by name, reference, alias…")
        self.search.setClearButtonEnabled(True)
        self.media_note = QPushButton()
        self.media_note.setVisible(False)
        self.media_note.clicked.connect(lambda: self.show_entities_of_media(None))
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._entity_chosen)
        buttons = QHBoxLayout()
        for text, action in (
            ("New…", self.new_entity),
            ("Edit…", self.edit_entity),
            ("Remove", self.remove_entity),
        ):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, a=action: a())
            buttons.addWidget(button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        for widget in (self.kind, self.search, self.media_note, self.list):
            left_layout.addWidget(widget)
        left_layout.addLayout(buttons)

        self.title = QLabel()
        self.title.setStyleSheet("font-size: 15px; font-weight: 600")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.related = QListWidget()
        self.related.setMaximumHeight(80)
        self.related.itemActivated.connect(lambda item: self.show_entity(item.data(ROLE)))
        self.media = QListWidget()
        self.media.setViewMode(QListView.ViewMode.IconMode)
        self.media.setIconSize(QSize(TILE_SIDE, TILE_SIDE))
        self.media.setGridSize(QSize(TILE_SIDE + 16, TILE_SIDE + 28))
        self.media.setResizeMode(QListView.ResizeMode.Adjust)
        self.media.setMovement(QListView.Movement.Static)
        self.media.itemActivated.connect(lambda item: self.mediaActivated.emit(item.data(ROLE)))
        self.clue_list = QListWidget()
        self.clue_list.setMaximumHeight(140)
        self.clue_list.itemActivated.connect(
            lambda item: self.mediaActivated.emit(item.data(ROLE).media_id)
        )
        self.message = QLabel()
        self.message.setStyleSheet("color: #b91c1c")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.title)
        right_layout.addWidget(self.details)
        related_row = QHBoxLayout()
        related_row.addWidget(QLabel("Series and victims (recorded, or sharing media)"), 1)
        self.relate_button = QPushButton("Appears in series…")
        self.relate_button.clicked.connect(lambda: self.relate())
        self.unrelate_button = QPushButton("Take out")
        self.unrelate_button.clicked.connect(lambda: self.unrelate())
        related_row.addWidget(self.relate_button)
        related_row.addWidget(self.unrelate_button)
        right_layout.addLayout(related_row)
        right_layout.addWidget(self.related)
        media_row = QHBoxLayout()
        media_row.addWidget(QLabel("Linked media (blurred; Enter or double-click shows one)"), 1)
        self.grid_button = QPushButton("Show in grid")
        self.grid_button.clicked.connect(
            lambda: self.entity_id is not None and self.showInGrid.emit(self.entity_id)
        )
        media_row.addWidget(self.grid_button)
        right_layout.addLayout(media_row)
        right_layout.addWidget(self.media, 1)
        right_layout.addWidget(QLabel("Clues on these media"))
        right_layout.addWidget(self.clue_list)
        right_layout.addWidget(self.message)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.kind.currentIndexChanged.connect(lambda _: self.reload())
        self.search.textChanged.connect(lambda _: self.reload())
        self.reload()

    # ---- the list --------------------------------------------------------------------------

    def reload(self) -> None:
        keep = self.entity_id
        text = self.search.text().strip().lower()
        allowed = None
        if self.media_filter is not None:
            allowed = {link.entity_id for link in links.links_for_media(self.db, self.media_filter)}
        self.list.blockSignals(True)
        self.list.clear()
        received = origins.entity_origin_labels(self.db)  # entities another agency sent
        for entity, count in entities.list_entities(self.db, self.kind.currentData()):
            if (
                text
                and text not in entity.name.lower()
                or (allowed is not None and entity.id not in allowed)
            ):
                continue
            item = QListWidgetItem(printable(f"{entity.kind.title()} · {entity.name}  ({count})"))
            if entity.id in received:  # the sender's name comes from the package: hostile text
                sender = printable(received[entity.id])
                item.setText(f"{item.text()}  ⇄ {sender}")
                item.setToolTip(f"Received in a case package from {sender}")
            item.setData(ROLE, entity.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        rows = [self.list.item(r).data(ROLE) for r in range(self.list.count())]
        if keep in rows:
            self.list.setCurrentRow(rows.index(keep))
        elif rows:
            self.list.setCurrentRow(0)
        else:
            self._show(None)

    def entity_names(self) -> list[str]:
        return [self.list.item(r).text() for r in range(self.list.count())]

    def _entity_chosen(self, current: QListWidgetItem | None, _previous: Any = None) -> None:
        self._show(current.data(ROLE) if current is not None else None)

    def show_entity(self, entity_id: int) -> None:
        """Select an entity (clearing filters that would hide it)."""
        self.media_filter = None
        self.media_note.setVisible(False)
        self.kind.blockSignals(True)
        self.kind.setCurrentIndex(0)
        self.kind.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.entity_id = entity_id
        self.reload()

    def show_entities_of_media(self, media_id: int | None) -> None:
        """Only the entities a media is linked to (None: all again)."""
        self.media_filter = media_id
        self.media_note.setText(f"Linked to media #{media_id} — show all")
        self.media_note.setVisible(media_id is not None)
        self.reload()

    # ---- the chosen entity -----------------------------------------------------------------

    def _show(self, entity_id: int | None) -> None:
        self.entity_id = entity_id
        self.related.clear()
        self.media.clear()
        self.clue_list.clear()
        self.message.clear()
        if entity_id is None:
            self.title.setText("No entity")
            self.details.setText("Add victims, series, offenders and locations with New…")
            return
        entity = entities.get_entity(self.db, entity_id)
        self.title.setText(printable(f"{entity.kind.title()}: {entity.name}"))
        fields = [
            f"{key.replace('_', ' ')}: {value}"
            for key, value in entity.as_dict().items()
            if key not in ("entity_id", "kind", "name", "notes", "created_at", "updated_at")
            and value is not None
        ]
        notes = f"Notes: {entity.notes}" if entity.notes else "No notes yet."
        origin = origins.entity_origin_text(self.db, entity.id)
        notes += f"\n{origin}" if origin else ""
        self.details.setText(
            printable("   ".join(fields) + ("\n" if fields else "") + notes, keep="\n\t")
        )
        related = []
        if entity.kind == "series":
            related = entities.victims_in_series(self.db, entity.id)
        elif entity.kind == "victim":
            related = entities.series_of_victim(self.db, entity.id)
        for other in related:
            item = QListWidgetItem(printable(f"{other.kind.title()} · {other.name}"))
            item.setData(ROLE, other.id)
            self.related.addItem(item)
        relatable = entity.kind in ("series", "victim")
        self.relate_button.setVisible(relatable)
        self.unrelate_button.setVisible(relatable)
        self.relate_button.setText(
            "Add victim…" if entity.kind == "series" else "Appears in series…"
        )
        entity_links = links.links_for_entity(self.db, entity.id)
        placeholder = QPixmap(TILE_SIDE, TILE_SIDE * 3 // 4)
        placeholder.fill(QColor("#374151"))  # until the blurred tile arrives from the pool
        media_ids = [link.media_id for link in entity_links]
        lengths = videos.video_badges(self.db, media_ids)
        for link in entity_links:
            text = f"#{link.media_id}"
            if link.media_id in lengths:  # a video: the tile is its poster frame
                text += f" · {length_badge(lengths[link.media_id][0])}"
            item = QListWidgetItem(printable(text + (f" · {link.role}" if link.role else "")))
            item.setIcon(QIcon(placeholder))
            item.setData(ROLE + 1, False)
            item.setData(ROLE, link.media_id)
            item.setToolTip(printable(link.note or "", keep="\n\t"))
            self.media.addItem(item)
        for clue in clues.iter_clues(self.db, media_ids=media_ids):
            at = f" at {frame_clock(clue.time)}" if clue.time is not None else ""
            item = QListWidgetItem(
                printable(f"#{clue.media_id}{at} · {kind_name(clue.kind)}: {clue.label}")
            )
            item.setData(ROLE, clue)
            item.setToolTip(printable(clue.note or "", keep="\n\t"))
            self.clue_list.addItem(item)
        self._load_tiles(media_ids)

    def _load_tiles(self, media_ids: list[int]) -> None:
        self._generation += 1
        if not media_ids:
            return
        generation = self._generation
        worker = workers.Worker(
            workers.load_tiles,
            self.case_path,
            media_ids,
            self.blur_strength,
            self.greyscale,
            None,
            TILE_SIDE,
        )
        worker.signals.result.connect(
            workers.guarded(self, lambda tiles: self._set_tiles(tiles, generation))
        )
        worker.signals.finished.connect(lambda: self._workers.remove(worker))
        self._workers.append(worker)
        workers.start(worker, self.pool)

    def _set_tiles(self, tiles: dict[int, QImage | None], generation: int) -> None:
        if generation != self._generation:
            return  # another entity was chosen meanwhile
        for row in range(self.media.count()):
            item = self.media.item(row)
            image = tiles.get(item.data(ROLE))
            if image is not None:
                item.setIcon(QIcon(QPixmap.fromImage(image)))
            item.setData(ROLE + 1, True)

    def tiles_loaded(self) -> bool:
        return all(self.media.item(r).data(ROLE + 1) for r in range(self.media.count()))

    # ---- changes ---------------------------------------------------------------------------

    def _apply(self, change: Any) -> Any:
        try:
            result = change()
        except CaseError as error:
            self.message.setText(str(error))
            return None
        self.reload()
        self.changed.emit()
        return result

    def new_entity(self) -> None:
        kind = self.kind.currentData() or "victim"
        dialog = EntityDialog(self, kind=kind)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        values = dialog.values()
        name, chosen = values.pop("name"), dialog.kind.currentData()
        created = self._apply(lambda: entities.add_entity(self.db, chosen, name, **values))
        if created is not None:
            self.show_entity(created.id)

    def edit_entity(self) -> None:
        if self.entity_id is None:
            return
        entity = entities.get_entity(self.db, self.entity_id)
        dialog = EntityDialog(self, entity=entity)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._apply(lambda: entities.update_entity(self.db, entity.id, **dialog.values()))

    def _pair(self, other_id: int) -> tuple[int, int]:
        """(series id, victim id) of the shown entity and another one."""
        assert self.entity_id is not None
        entity = entities.get_entity(self.db, self.entity_id)
        return (self.entity_id, other_id) if entity.kind == "series" else (other_id, self.entity_id)

    def relate(self, other_id: int | None = None) -> None:
        """Record that a victim appears in a series (asks which when not given)."""
        if self.entity_id is None:
            return
        entity = entities.get_entity(self.db, self.entity_id)
        if other_id is None:
            wanted = "victim" if entity.kind == "series" else "series"
            choices = [e for e, _ in entities.list_entities(self.db, wanted)]
            if not choices:
                self.message.setText(f"There is no {wanted} yet; add one with New….")
                return
            names = [e.name for e in choices]
            name, accepted = QInputDialog.getItem(
                self, "Series", f"Which {wanted}?", names, 0, False
            )
            if not accepted:
                return
            other_id = choices[names.index(name)].id
        series_id, victim_id = self._pair(other_id)
        self._apply(lambda: entities.add_victim_to_series(self.db, series_id, victim_id))

    def unrelate(self) -> None:
        """Take the selected victim out of the series (only a recorded relation can go)."""
        item = self.related.currentItem()
        if item is None or self.entity_id is None:
            return
        series_id, victim_id = self._pair(item.data(ROLE))
        if not self._apply(
            lambda: entities.remove_victim_from_series(self.db, series_id, victim_id)
        ):
            self.message.setText("They share linked media; unlink the media to separate them.")

    def confirm_removal(self, entity: entities.Entity, linked: int) -> bool:
        answer = QMessageBox.question(
            self,
            "Remove entity",
            f"Remove {entity.kind} {entity.name!r} and its {linked} link(s)? "
            "The audit log keeps what they were.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def remove_entity(self) -> None:
        if self.entity_id is None:
            return
        entity = entities.get_entity(self.db, self.entity_id)
        if not self.confirm_removal(entity, len(links.media_for_entity(self.db, entity.id))):
            return
        self.entity_id = None
        self._apply(lambda: entities.remove_entity(self.db, entity.id))


class EntityBrowserDialog(QDialog):
    """The browser in its own window, for the main window's Investigation menu."""

    def __init__(self, db: Database, case_path: Path, parent: QWidget | None = None, **kw: Any):
        super().__init__(parent)
        self.setWindowTitle("Entities")
        self.resize(980, 640)
        self.browser = EntityBrowser(db, case_path, self, **kw)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
