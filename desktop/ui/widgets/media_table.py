"""The list view beside the grid: the same media, one row each with its facts in columns."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from desktop.ui.models.media_model import MediaGridModel


class MediaTable(QTableView):
    """Shows the grid's model and shares its selection, so the cursor, the selection and the
    review keys are the same in both views; pages load as it scrolls, as the grid's do."""

    def __init__(self, model: MediaGridModel, selection_source: QAbstractItemView,
                 parent: QWidget | None = None):  # fmt: skip
        super().__init__(parent)
        self.setObjectName("mediaTable")
        self.setModel(model)
        self.setSelectionModel(selection_source.selectionModel())
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(24)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((80, 70, 90, 200, 70, 60, 60)):
            self.setColumnWidth(column, width)
