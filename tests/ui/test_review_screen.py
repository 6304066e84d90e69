"""The review screen as an analyst lives in it: a steady grid, End at the real end, messages
that fit, empty states that say what to do, a stack with a way back, an ingest that counts."""

from __future__ import annotations

import numpy as np
import pytest
from helpers.images import grey
from PySide6.QtCore import Qt

from desktop.core.samples import write_sample_evidence
from desktop.store import browse
from desktop.store.db import open_case
from desktop.ui import workers
from desktop.ui.models import media_model
from desktop.ui.widgets.image_view import ImageView


def idle(qtbot):
    qtbot.waitUntil(lambda: not workers.busy(), timeout=20_000)
    qtbot.wait(30)


@pytest.fixture
def space(window, sample_case, qtbot):
    assert window.open_case(sample_case)
    idle(qtbot)
    return window.workspace


def test_a_long_title_or_detail_never_takes_a_column_from_the_grid(space, qtbot):
    space.select_row(0)
    idle(qtbot)
    width = space.grid.width()
    space.viewer.title.setText("Media 1 · " + "a very long category name " * 20)
    space.viewer.note.setText("a long note " * 40)
    space.viewer.note.show()
    qtbot.wait(50)
    assert space.grid.width() == width


def test_end_reaches_the_last_media_beyond_the_pages_loaded(space, qtbot, monkeypatch):
    monkeypatch.setattr(media_model, "PAGE_ROWS", 10)
    space.filter_bar.stacks.setChecked(False)  # every media its own tile: several pages
    total = browse.count(space.db, space.model.query)
    assert space.model.rowCount() < total
    space.grid.setFocus()
    qtbot.keyClick(space.grid, Qt.Key.Key_End)
    assert space.grid.currentIndex().row() == total - 1 == space.model.rowCount() - 1
    qtbot.keyClick(space.grid, Qt.Key.Key_Home)
    assert space.grid.currentIndex().row() == 0
    idle(qtbot)


def test_a_message_in_the_viewer_wraps_inside_it(qtbot):
    view = ImageView()
    qtbot.addWidget(view)
    view.resize(300, 200)
    view.set_image(None, "No picture to show. Cannot decode: " + "broken marker data " * 8)
    view.show()
    text = grey(view.grab().toImage())
    columns = np.nonzero((np.abs(text - text[0, 0]) > 30).any(axis=0))[0]
    assert columns.size and columns.min() >= 8 and columns.max() <= 300 - 9


def test_a_cut_short_jpeg_shows_the_part_that_decodes(space, qtbot):
    media_id = space.db.execute(
        "SELECT media_id FROM files WHERE path LIKE '%truncated_download.jpg'"
    ).fetchone()[0]
    space.show_in_viewer(media_id)
    view = space.viewer.image_view
    qtbot.waitUntil(lambda: view.image is not None, timeout=10_000)
    assert space.viewer.note.isVisible() and "cut short" in space.viewer.note.text()
    assert not view.revealed  # blurred like any picture
    idle(qtbot)


def test_details_follow_the_cursor_at_once_without_loading_flashes(space, qtbot):
    for row in (1, 2, 3):
        space.select_row(row)
        media_id = space.model.media_id(row)
        assert f"Media {media_id}" in space.viewer.details.toPlainText()  # no wait
        assert space.viewer.image_view.message == ""  # never "Loading…"
    idle(qtbot)


def test_empty_states_say_what_to_do(space, qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a: asked.append(a) or "")
    bar = space.filter_bar
    bar.search.setText("zzqqnothing")
    qtbot.waitUntil(lambda: space.model.rowCount() == 0, timeout=3000)
    idle(qtbot)
    assert space.empty.isVisible() and "No media match these filters" in space.empty.label.text()
    assert space.empty.action.text() == "Clear filters"
    space.empty.action.click()
    assert bar.search.text() == "" and space.model.rowCount() > 0
    assert not space.empty.isVisible()
    panel = space.investigation.panel
    assert "D draws a region" in panel.clue_list.placeholder

    case = tmp_path / "new.vigil"
    open_case(case, create=True).close()
    assert window.open_case(case)
    idle(qtbot)
    fresh = window.workspace
    assert fresh.empty.isVisible() and "No evidence in this case yet" in fresh.empty.label.text()
    fresh.empty.action.click()
    assert asked  # "Add evidence…" asks for the evidence folder


def test_inside_a_stack_a_bar_says_so_and_leads_back(space, qtbot):
    row = next(i for i, r in enumerate(space.model.rows) if r.stack_size > 1)
    space.select_row(row)
    space.grid.setFocus()
    qtbot.keyClick(space.grid, Qt.Key.Key_E)
    assert space.stack_open is not None
    assert space.stack_bar.isVisible() and not space.filter_bar.isEnabled()
    space.stack_bar.back.click()
    assert space.stack_open is None and not space.stack_bar.isVisible()
    assert space.filter_bar.isEnabled()
    idle(qtbot)


def test_an_ingest_counts_what_it_shows_and_can_be_closed_after(window, tmp_path, qtbot):
    evidence = tmp_path / "evidence"
    write_sample_evidence(evidence, scenes=3, size=(160, 120))
    case = tmp_path / "grow.vigil"
    open_case(case, create=True).close()
    assert window.open_case(case)
    ws = window.workspace
    counts = []
    ws.count_changed.connect(counts.append)
    ws.evidence.add([str(evidence)], processes=1)
    qtbot.waitUntil(lambda: ws.evidence.worker is None, timeout=90_000)
    idle(qtbot)
    shown = ws.model.rowCount()
    assert shown > 0 and counts and counts[-1].startswith(f"{shown:,} shown")
    assert window.count_label.text() == counts[-1]
    panel = ws.evidence.panel
    assert panel.label.text().startswith("Evidence added from")
    assert panel.close_button.isVisible() and not panel.cancel.isVisible()
    panel.close_button.click()
    assert not panel.isVisible()


def test_small_words_and_the_start_screen(window, qtbot, tmp_path, monkeypatch):
    window.breaks.configure(1)
    window.breaks.remind()
    assert "for 1 minute." in window.breaks.label.text()
    window.breaks.dismiss()
    assert not window.tools.isVisible()  # blur and size mean nothing without a case
    texts = " ".join(label.text() for label in window.start.findChildren(type(window.count_label)))
    assert "`" not in texts
    from desktop.jobs import demo
    from desktop.ui import main_window

    monkeypatch.setattr(main_window, "default_demo_dir", lambda: tmp_path / "demo")
    monkeypatch.setattr(demo, "DEMO_SCENES", 2)
    window.start.demo_button.click()
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=30_000)
    assert window.workspace.case_path == tmp_path / "demo" / "demo.vigil"
    assert window.tools.isVisible()
    qtbot.waitUntil(lambda: window.workspace.evidence.worker is None, timeout=90_000)
    assert window.workspace.model.rowCount() > 0
    idle(qtbot)


def test_settings_number_boxes_have_arrows(window, settings, qtbot):
    from desktop.ui.dialogs.settings_dialog import SettingsDialog

    dialog = SettingsDialog(settings, window)
    qtbot.addWidget(dialog)
    dialog.show()
    box = dialog.reveal
    shot = grey(box.grab().toImage())
    arrows = shot[:, -14:-3]  # the buttons' column, right of the text
    assert (arrows > 150).sum() > 6  # light arrow strokes on the dark buttons
    dialog.reject()


def test_a_known_badge_and_the_revealed_badge_are_both_seen_on_a_tile(space, qtbot):
    from PySide6.QtGui import QColor

    from desktop.ui.hosting import Badge
    from desktop.ui.widgets.grid import BADGE_HEIGHT, REVEALED, TILE_MARGIN
    from desktop.ui.widgets.known_material import BADGES

    known = BADGES["known"][1]

    class AllKnown:
        def badges(self, conn, media_ids):
            return {m: [Badge("KNOWN", known, "top")] for m in media_ids}

    space.add_badges(AllKnown())
    space.select_row(0)
    idle(qtbot)
    rect = space.grid.visualRect(space.model.index(0))
    space.grid.viewport().grab()  # painted once: the badges are asked for
    qtbot.waitUntil(lambda: bool(space.model.badges(space.model.media_id(0))), timeout=5000)
    space.grid.setFocus()
    qtbot.keyClick(space.grid, Qt.Key.Key_R)
    assert space.picture_reveal.revealed == space.model.media_id(0)
    inside = TILE_MARGIN + 5  # the tile's picture, inside the amber frame around it
    shot = space.grid.viewport().grab(rect.adjusted(inside, inside, -inside, -inside)).toImage()
    shot = shot.convertToFormat(shot.Format.Format_RGB888)
    lines = np.asarray(shot.constBits()).reshape(shot.height(), shot.bytesPerLine())
    pixels = lines[:, : shot.width() * 3].reshape(shot.height(), shot.width(), 3)

    def where(colour: QColor) -> np.ndarray:
        target = np.array([colour.red(), colour.green(), colour.blue()])
        return np.argwhere(np.abs(pixels.astype(int) - target).max(axis=2) <= 6)

    seen_known, seen_revealed = where(known), where(REVEALED)
    # each badge keeps most of its fill: neither is painted over the other
    assert len(seen_known) > 0.5 * 40 * BADGE_HEIGHT
    assert len(seen_revealed) > 0.5 * 76 * BADGE_HEIGHT
    assert seen_known[:, 0].max() < seen_revealed[:, 0].min()  # KNOWN above REVEALED
    space.picture_reveal.blur_all()
    idle(qtbot)


def test_leaving_a_stack_beyond_the_first_page_keeps_the_cursor_on_it(space, qtbot, monkeypatch):
    monkeypatch.setattr(media_model, "PAGE_ROWS", 5)
    space.model.reload()
    space.go_to_end()  # every page loaded: the last stack is beyond the first
    row = max(i for i, r in enumerate(space.model.rows) if r.stack_size > 1)
    assert row >= 5
    stacked = space.model.rows[row].id
    space.select_row(row)
    space.grid.setFocus()
    qtbot.keyClick(space.grid, Qt.Key.Key_E)
    assert space.stack_open == stacked
    qtbot.keyClick(space.grid, Qt.Key.Key_Escape)
    assert space.stack_open is None and space.current_media() == stacked
    idle(qtbot)


def test_the_tiles_share_the_grids_width_with_no_empty_strip(space, qtbot):
    grid = space.grid
    for width in (700, 788, 1000):
        space.splitter.setSizes([width, 1400 - width])
        qtbot.wait(30)
        cell = grid.gridSize().width()
        columns = grid.viewport().width() // cell
        assert columns >= 1 and cell >= space.settings.thumbnail_size
        # what is left at the right of the last column: a pixel per column at most, and the
        # scroll bar's width when the bar is hidden (it is always reserved)
        bar = grid.verticalScrollBar()
        reserved = 0 if bar.isVisible() else bar.sizeHint().width()
        assert grid.viewport().width() - columns * cell <= columns + 1 + reserved, width
        first, last = (grid.visualRect(space.model.index(r)) for r in (0, columns - 1))
        assert first.top() == last.top()  # the row holds them all
