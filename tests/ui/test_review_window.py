"""The review window driven offscreen: open, ingest, select, reveal and re-blur, review, filter."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from helpers.images import detail_level, grey
from PIL import Image
from PySide6.QtCore import Qt

from desktop.core.samples import write_sample_evidence
from desktop.jobs.grouping import update_groups
from desktop.jobs.ingest import ingest
from desktop.store import audit, browse, media_view, review
from desktop.store.db import open_case
from desktop.ui import workers
from desktop.ui.settings import AnalystSettings
from desktop.ui.widgets.grid import TILE_MARGIN

SHOTS = Path("/tmp/shots")


def idle(qtbot):
    qtbot.waitUntil(lambda: not workers.busy(), timeout=20_000)
    qtbot.wait(50)


def shot(widget, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))


def painted_tile(window, row: int) -> np.ndarray:
    """The picture part of a tile exactly as the grid painted it."""
    grid = window.workspace.grid
    rect = grid.visualRect(window.workspace.model.index(row))
    frame = rect.adjusted(TILE_MARGIN + 12, TILE_MARGIN + 30, -TILE_MARGIN - 12, -TILE_MARGIN - 30)
    return grey(grid.viewport().grab(frame).toImage())


def original_tile(db, media_id: int, shape: tuple[int, int], side: int) -> np.ndarray:
    blob = media_view.thumbnails(db, [media_id])[media_id]
    img = Image.open(io.BytesIO(blob)).convert("L")
    img.thumbnail((side, side), Image.Resampling.LANCZOS)
    array = np.asarray(img, dtype=np.float64)
    h, w = shape
    top, left = (array.shape[0] - h) // 2, (array.shape[1] - w) // 2
    return array[top : top + h, left : left + w]


def test_start_screen_lists_recent_cases(window, settings, sample_case, qtbot):
    settings.add_recent_case(sample_case)
    window.start.set_recent(settings.recent_cases())
    assert window.pages.currentWidget() is window.start
    assert window.start.recent.count() == 1
    assert str(sample_case.resolve()) in window.start.recent.item(0).text()
    assert not window.add_evidence_action.isEnabled()
    shot(window, "start_screen.png")
    window.start.recent.itemActivated.emit(window.start.recent.item(0))
    assert window.workspace is not None and window.add_evidence_action.isEnabled()


def test_open_select_reveal_and_reblur(window, sample_case, qtbot, settings):
    assert window.open_case(sample_case)
    ws = window.workspace
    assert ws.model.rowCount() > 0
    idle(qtbot)
    shot(window, "grid.png")
    db = open_case(sample_case)
    row = next(i for i, r in enumerate(ws.model.rows) if r.status == "ok")
    media_id = ws.model.media_id(row)
    side = settings.thumbnail_size
    blurred = painted_tile(window, row)
    original = original_tile(db, media_id, blurred.shape, side)
    assert detail_level(blurred) < 0.25 * detail_level(original)

    ws.select_row(row)
    idle(qtbot)
    assert ws.viewer.media_id == media_id
    assert not ws.viewer.image_view.revealed
    shot(window, "viewer.png")

    # hold Space: this one media is shown, in grid and viewer
    qtbot.keyPress(ws.grid, Qt.Key.Key_Space)
    idle(qtbot)
    ws.grid.viewport().repaint()
    assert ws.picture_reveal.revealed == media_id and ws.viewer.image_view.revealed
    revealed = painted_tile(window, row)
    assert detail_level(revealed) > 0.6 * detail_level(original)
    others = [r.id for r in ws.model.rows if r.id != media_id]
    assert all(
        not ws.model.data(ws.model.index(ws.model.row_of[i]), Qt.UserRole + 4) for i in others
    )
    shot(window, "viewer_revealed.png")
    qtbot.keyRelease(ws.grid, Qt.Key.Key_Space)
    idle(qtbot)
    ws.grid.viewport().repaint()
    assert ws.picture_reveal.revealed is None and not ws.viewer.image_view.revealed
    assert detail_level(painted_tile(window, row)) < 0.25 * detail_level(original)

    # holding the mouse on the picture shows it until released
    view = ws.viewer.image_view
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=view.rect().center())
    qtbot.waitUntil(lambda: ws.picture_reveal.revealed == media_id, timeout=2000)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=view.rect().center())
    assert ws.picture_reveal.revealed is None and not view.revealed

    # and so does holding the mouse on a tile in the grid
    other = next(i for i, r in enumerate(ws.model.rows) if r.status == "ok" and i != row)
    centre = ws.grid.visualRect(ws.model.index(other)).center()
    qtbot.mousePress(ws.grid.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.waitUntil(lambda: ws.picture_reveal.revealed == ws.model.media_id(other), timeout=2000)
    qtbot.mouseRelease(ws.grid.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert ws.picture_reveal.revealed is None
    ws.select_row(row)

    # R toggles it on; moving the selection blurs again
    qtbot.keyClick(ws.grid, "r")
    assert ws.picture_reveal.revealed == media_id
    ws.select_row(row + 1)
    assert ws.picture_reveal.revealed is None and not ws.viewer.image_view.revealed

    # and the timeout blurs it too
    settings.reveal_seconds = 1
    qtbot.keyClick(ws.grid, "r")
    assert ws.picture_reveal.revealed is not None
    qtbot.waitUntil(lambda: ws.picture_reveal.revealed is None, timeout=3000)


def test_categorise_with_keys_advance_and_undo(window, sample_case, qtbot):
    window.open_case(sample_case)
    ws = window.workspace
    ws.select_row(0)
    first = ws.model.media_id(0)
    stack = browse.stack_members(ws.db, first)
    scheme = window.scheme()
    key = scheme.categories[1].key
    qtbot.keyClick(ws.grid, key)
    state = review.review_state(ws.db, stack)
    assert all(s.category == scheme.categories[1].value and s.reviewed for s in state.values())
    assert ws.grid.currentIndex().row() == 1  # the cursor moved on
    assert ws.model.rows[0].category == scheme.categories[1].value
    qtbot.keyClick(ws.grid, Qt.Key.Key_Return)  # reviewed, no category
    second = ws.model.media_id(1)
    assert review.review_state(ws.db, [second])[second].reviewed
    qtbot.keyClick(ws.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not review.review_state(ws.db, [second])[second].reviewed
    said = []
    ws.status_changed.connect(said.append)
    undo = next(a for a in window.menus["review"].actions() if a.text().startswith("Undo"))
    assert undo.isEnabled()
    undo.trigger()  # the Review menu runs the same action as the key
    category = scheme.categories[1]
    assert said == [f"Undone: category {category.key} · {category.name} ({len(stack)} media)."]
    assert all(
        s.category is None and not s.reviewed for s in review.review_state(ws.db, stack).values()
    )
    assert ws.model.rows[0].category is None
    actions = [e.action for e in audit.events(ws.db)]
    assert actions[-4:] == ["review.category", "review.reviewed", "review.undo", "review.undo"]
    idle(qtbot)


def test_a_stack_opens_and_closes(window, sample_case, qtbot):
    update_groups(open_case(sample_case))  # near-duplicate stacks (a no-op if ingest made them)
    window.open_case(sample_case)
    ws = window.workspace
    row = next(i for i, r in enumerate(ws.model.rows) if r.stack_size > 1)
    stacked = ws.model.rows[row]
    shown = ws.model.rowCount()
    ws.select_row(row)
    strip = ws.viewer.similar
    qtbot.waitUntil(lambda: strip.count() > 0, timeout=10_000)
    strip_ids = {strip.item(i).data(Qt.ItemDataRole.UserRole) for i in range(strip.count())}
    assert strip_ids & set(browse.stack_members(ws.db, stacked.id))  # its near-duplicates
    qtbot.keyClick(ws.grid, "e")
    assert ws.stack_open == stacked.id
    members = sorted(r.id for r in ws.model.rows)
    assert members == browse.stack_members(ws.db, stacked.id)
    assert len(members) == stacked.stack_size
    qtbot.keyClick(ws.grid, "3")  # reviewing inside a stack: that one media
    assert review.review_state(ws.db, [members[0]])[members[0]].category == 3
    qtbot.keyClick(ws.grid, Qt.Key.Key_Escape)
    assert ws.stack_open is None and ws.model.rowCount() == shown
    assert ws.model.media_id(ws.grid.currentIndex().row()) == stacked.id
    idle(qtbot)


def test_filters_make_the_backlog_the_work_queue(window, sample_case, qtbot):
    window.open_case(sample_case)
    ws = window.workspace
    bar = ws.filter_bar
    total = ws.model.rowCount()
    ws.select_row(0)
    qtbot.keyClick(ws.grid, "1")
    bar.review.setCurrentIndex(bar.review.findData(False))  # not yet reviewed
    assert ws.model.rowCount() == total - 1
    assert all(not r.reviewed for r in ws.model.rows)
    bar.review.setCurrentIndex(bar.review.findData(True))
    assert ws.model.rowCount() == 1
    bar.review.setCurrentIndex(0)
    bar.status.setCurrentIndex(bar.status.findData("problems"))
    assert ws.model.rowCount() > 0 and all(r.status != "ok" for r in ws.model.rows)
    bar.status.setCurrentIndex(0)
    bar.search.setText("zzqqnothing")
    qtbot.waitUntil(lambda: ws.model.rowCount() == 0, timeout=2000)
    bar.search.clear()
    qtbot.waitUntil(lambda: ws.model.rowCount() == total, timeout=2000)
    bar.sort.setCurrentIndex(bar.sort.findData("path"))
    keys = [r.key for r in ws.model.rows]
    assert keys == sorted(keys)
    idle(qtbot)


def test_add_evidence_runs_in_a_worker_and_fills_the_grid(window, tmp_path, qtbot):
    evidence = tmp_path / "evidence"
    write_sample_evidence(evidence, scenes=3, size=(160, 120))
    case = tmp_path / "new.vigil"
    open_case(case, create=True).close()
    assert window.open_case(case)
    ws = window.workspace
    assert ws.model.rowCount() == 0
    progress = []
    worker = ws.evidence.add([str(evidence)], processes=1)
    worker.signals.progress.connect(lambda d, t, m: progress.append((d, t, m)))
    assert ws.evidence.panel.isVisible() and ws.evidence.panel.cancel.isEnabled()
    qtbot.waitUntil(lambda: ws.evidence.worker is None, timeout=90_000)
    assert progress and progress[-1][2] == "Done"
    assert "Finished" in ws.evidence.panel.rate.text()
    assert ws.model.rowCount() > 0
    assert ws.filter_bar.type.findData("jpeg") > 0  # the new content types are offered
    idle(qtbot)
    shot(window, "after_ingest.png")


def test_rows_committed_by_a_running_ingest_join_the_grid(window, tmp_path, qtbot):
    case = tmp_path / "growing.vigil"
    open_case(case, create=True).close()
    window.open_case(case)
    ws = window.workspace
    assert ws.model.rowCount() == 0 and not ws.model.canFetchMore(ws.grid.rootIndex())
    evidence = tmp_path / "evidence"
    write_sample_evidence(evidence, scenes=2, size=(160, 120))
    ingest(case, [evidence], workers=1)  # as if a batch of a running ingest was committed
    ws.model.poll_new_rows()  # what the 2-second timer does while ingest runs
    assert ws.model.rowCount() == browse.count(open_case(case), ws.model.query) > 0
    idle(qtbot)


def test_cancel_stops_ingest_and_keeps_what_was_done(window, tmp_path, qtbot):
    evidence = tmp_path / "evidence"
    write_sample_evidence(evidence, scenes=6, size=(160, 120))
    case = tmp_path / "cancel.vigil"
    open_case(case, create=True).close()
    window.open_case(case)
    ws = window.workspace
    ws.evidence.add([str(evidence)], processes=1)
    ws.evidence.panel.cancel.click()
    assert not ws.evidence.panel.cancel.isEnabled()
    qtbot.waitUntil(lambda: ws.evidence.worker is None, timeout=90_000)
    assert "Cancelled" in ws.evidence.panel.rate.text()
    runs = open_case(case).execute("SELECT state FROM ingest_runs").fetchall()
    assert runs == [("cancelled",)]
    idle(qtbot)


def test_look_settings_persist_and_blur_never_turns_off(window, settings, sample_case, qtbot):
    window.open_case(sample_case)
    window.blur_slider.setValue(0)
    assert settings.blur_strength >= 20 and window.workspace.model.blur_strength >= 20
    window.grey_box.setChecked(True)
    window.size_slider.setValue(96)
    again = AnalystSettings(settings._s)
    assert again.greyscale and again.thumbnail_size == 96
    window.breaks.configure(1)
    window.breaks.remind()
    assert window.breaks.isVisible()
    window.breaks._pause()
    assert window.pages.currentWidget() is window.paused
    window.resume()
    assert window.pages.currentWidget() is window.workspace
    idle(qtbot)


def test_a_bad_case_file_is_one_sentence(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: said.append(a[2]))
    bogus = tmp_path / "not.vigil"
    bogus.write_text("hello")
    assert not window.open_case(bogus)
    assert said and "not a Vigil case file" in said[0]
    assert window.workspace is None


def test_new_case_from_the_start_screen(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "fresh"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.start.new_button.click()
    assert window.workspace is not None
    assert window.workspace.case_path == tmp_path / "fresh.vigil"
    assert (tmp_path / "fresh.vigil").exists()
    window.close_case()
    assert window.pages.currentWidget() is window.start
    assert str((tmp_path / "fresh.vigil").resolve()) in window.start.recent.item(0).text()


def test_settings_dialog_writes_the_analysts_choices(window, settings):
    from desktop.ui.dialogs.settings_dialog import SettingsDialog

    dialog = SettingsDialog(settings, window)
    dialog.blur.setValue(55)
    dialog.grey.setChecked(True)
    dialog.reveal.setValue(4)
    dialog.breaks.setValue(0)
    dialog.accept()
    assert (settings.blur_strength, settings.greyscale) == (55, True)
    assert (settings.reveal_seconds, settings.break_minutes) == (4, 0)


def test_pane_sizes_are_kept_for_the_next_case(window, sample_case, settings):
    window.open_case(sample_case)
    window.workspace.splitter.setSizes([700, 500])
    wanted = window.workspace.splitter.sizes()
    window.close_case()
    assert settings.layout("grid_viewer")
    window.open_case(sample_case)
    assert window.workspace.splitter.sizes() == wanted
