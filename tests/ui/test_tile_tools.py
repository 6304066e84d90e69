"""What experts expect of a review grid: right-click menus, next unreviewed, compare, stack
distances, evidence dropped on the window, a list view, a viewer on a second screen."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QItemSelectionModel, QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication

from desktop.core.samples import write_sample_evidence
from desktop.jobs.grouping import update_groups
from desktop.store import audit, browse, media_view, review
from desktop.store.db import open_case
from desktop.ui import workers
from desktop.ui.dialogs.evidence_dialog import EvidenceDialog
from desktop.ui.models import media_model


def idle(qtbot):
    qtbot.waitUntil(lambda: not workers.busy(), timeout=20_000)
    qtbot.wait(30)


@pytest.fixture
def space(window, sample_case, qtbot):
    update_groups(open_case(sample_case))
    assert window.open_case(sample_case)
    ws = window.workspace
    ws.select_row(0)
    idle(qtbot)
    return ws


def actions(menu):
    return {a.text().split("\t")[0]: a for a in menu.actions() if a.text()}


def test_the_right_click_menu_does_what_the_keys_do(space, qtbot):
    media_id = space.current_media()
    menu = space.tile_tools.menu_for([media_id])
    entries = actions(menu)
    for title in ("Categorise", "Reviewed, no category", "Reveal until I move on",
                  "Open the near-duplicate stack", "Show in folder", "Copy hash",
                  "Tag…", "Link to an entity…", "Add a clue…"):  # fmt: skip
        assert title in entries, title
    sha = actions(entries["Copy hash"].menu())["SHA-256"]
    sha.trigger()
    assert (
        QGuiApplication.clipboard().text() == media_view.media_detail(space.db, media_id)["sha256"]
    )
    first = space.scheme.categories[1]
    actions(entries["Categorise"].menu())[first.name].trigger()
    assert review.review_state(space.db, [media_id])[media_id].category == first.value
    assert [e.action for e in audit.events(space.db)][-1] == "review.category"
    entries["Tag…"].trigger()
    assert space.investigation.panel.tag_field.hasFocus()
    idle(qtbot)


def test_next_unreviewed_skips_reviewed_media_across_pages(space, qtbot, monkeypatch):
    monkeypatch.setattr(media_model, "PAGE_ROWS", 5)
    space.filter_bar.stacks.setChecked(False)
    ids = [r[0] for r in space.db.execute("SELECT id FROM media ORDER BY id LIMIT 12")]
    review.set_reviewed(space.db, ids[1:11], True)
    space.model.reload()
    space.select_row(0)
    assert space.model.rowCount() == 5
    space.grid.setFocus()
    qtbot.keyClick(space.grid, Qt.Key.Key_U)
    current = space.current_media()
    assert not review.review_state(space.db, [current])[current].reviewed
    assert space.grid.currentIndex().row() >= 10  # past the reviewed ones, pages loaded
    idle(qtbot)


def test_next_unreviewed_stops_at_a_stack_with_members_not_yet_reviewed(space, qtbot):
    row = next(i for i, r in enumerate(space.model.rows) if r.stack_size > 1 and i > 0)
    stacked = space.model.rows[row]
    members = browse.stack_members(space.db, stacked.id)
    review.set_reviewed(space.db, [stacked.id], True)  # reviewed inside the stack, one member
    before = [r.id for r in space.model.rows[:row]]
    review.set_reviewed(space.db, [m for i in before for m in browse.stack_members(space.db, i)],
                        True)  # fmt: skip
    space.model.reload()
    space.select_row(0)
    space.grid.setFocus()
    qtbot.keyClick(space.grid, Qt.Key.Key_U)
    assert space.current_media() == stacked.id and len(members) > 1
    idle(qtbot)


def test_compare_two_media_reveals_both_together(space, qtbot):
    space.grid.selectionModel().select(
        space.model.index(1), QItemSelectionModel.SelectionFlag.Select
    )
    first, second = space.selected_media()
    space.grid.setFocus()
    qtbot.keyClick(space.grid, Qt.Key.Key_C)
    dialog = space.tile_tools.compare_dialog
    assert dialog is not None and dialog.isVisible()
    idle(qtbot)
    assert not any(v.revealed for v in dialog.views)
    qtbot.mousePress(dialog.look, Qt.MouseButton.LeftButton)
    assert all(v.revealed for v in dialog.views)
    qtbot.mouseRelease(dialog.look, Qt.MouseButton.LeftButton)
    assert not any(v.revealed for v in dialog.views)
    looked = [json.loads(e.after) for e in audit.events(space.db) if e.action == "exposure.picture"]
    assert sorted(e["media"] for e in looked) == sorted([first, second])
    assert {e["where"] for e in looked} == {"side-by-side compare"}
    dialog.close()


def test_each_stack_member_says_its_distance_and_what_differs(space, qtbot):
    row = next(i for i, r in enumerate(space.model.rows) if r.stack_size > 1)
    space.select_row(row)
    assert space.expand_stack()
    space.grid.viewport().grab()  # paint: the badges are asked for
    members = [r.id for r in space.model.rows]
    qtbot.waitUntil(lambda: any(space.model.badges(m) for m in members), timeout=5000)
    texts = [b.text for m in members for b in space.model.badges(m)]
    assert any(" · " in t and t.split(" · ")[0].isdigit() for t in texts), texts
    space.collapse_stack()
    idle(qtbot)
    assert not any(b.text.split(" · ")[0].isdigit() for b in space.model.badges(members[0]))


def test_evidence_dropped_on_the_window_is_added(window, tmp_path, qtbot, monkeypatch):
    evidence = tmp_path / "evidence"
    write_sample_evidence(evidence, scenes=2, size=(160, 120))
    case = tmp_path / "drop.vigil"
    open_case(case, create=True).close()
    assert window.open_case(case)
    confirmed = []
    monkeypatch.setattr(EvidenceDialog, "exec", lambda d: confirmed.append(d.chosen()) or 1)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(evidence))])
    drop = QDropEvent(
        QPoint(200, 200).toPointF(), Qt.DropAction.CopyAction, data,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    window.dropEvent(drop)
    assert confirmed == [[str(evidence)]]
    qtbot.waitUntil(lambda: window.workspace.evidence.worker is None, timeout=90_000)
    assert window.workspace.model.rowCount() > 0
    idle(qtbot)


def test_the_list_view_shows_the_same_media_and_takes_the_same_keys(space, qtbot):
    space.grid.setFocus()
    qtbot.keyClick(space.grid, Qt.Key.Key_V)
    table = space.table
    assert space.views.currentWidget() is table and table.hasFocus()
    assert table.model().rowCount() == space.model.rowCount()
    assert table.horizontalHeader().count() == len(media_model.COLUMNS)  # every column shown
    row = space.grid.currentIndex().row()
    media_id = space.current_media()
    assert table.model().index(row, 0).data() == f"#{media_id}"
    first = space.scheme.categories[1]
    qtbot.keyClick(table, first.key)
    assert review.review_state(space.db, [media_id])[media_id].category == first.value
    assert table.model().index(row, 3).data() == f"{first.key} · {first.name}"
    qtbot.keyClick(table, Qt.Key.Key_V)
    assert space.views.currentWidget() is space.grid
    assert browse.count(space.db, space.model.query) >= space.model.rowCount()
    idle(qtbot)


def test_a_double_click_opens_a_stack(space, qtbot):
    row = next(i for i, r in enumerate(space.model.rows) if r.stack_size > 1)
    centre = space.grid.visualRect(space.model.index(row)).center()
    stacked = space.model.rows[row].id
    qtbot.mouseClick(space.grid.viewport(), Qt.MouseButton.LeftButton, pos=centre)  # 1st click
    qtbot.mouseDClick(space.grid.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert space.stack_open == stacked
    qtbot.wait(400)  # longer than a hold: a double-click never reveals
    assert space.picture_reveal.revealed is None
    idle(qtbot)


def test_the_viewer_goes_to_a_window_of_its_own_and_back(space, qtbot):
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    space.grid.setFocus()
    qtbot.keyClick(space.grid, Qt.Key.Key_D, shift_ctrl)
    window = space.viewer_window
    assert window is not None and window.isVisible()
    assert space.viewer.window() is window
    view = space.viewer.image_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_R)  # the review keys work there too
    assert space.picture_reveal.revealed == space.current_media()
    qtbot.keyClick(view, Qt.Key.Key_R)
    window.close()
    assert space.viewer_window is None and space.viewer.window() is space.window()
    assert space.splitter.indexOf(space.viewer) == 1
    idle(qtbot)


def test_the_list_view_takes_the_mouse_too_right_click_and_double_click(space, qtbot):
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication, QMenu

    space.toggle_list()
    table = space.table
    row = next(i for i, r in enumerate(space.model.rows) if r.stack_size > 1)
    centre = table.visualRect(space.model.index(row, 2)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    media_id = space.current_media()
    assert media_id == space.model.rows[row].id
    # what a right button press sends the view (Qt turns the click into this event)
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, centre, table.viewport().mapToGlobal(centre)
    )
    QApplication.sendEvent(table.viewport(), event)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    actions(menu)["Reviewed, no category"].trigger()
    menu.close()
    assert review.review_state(space.db, [media_id])[media_id].reviewed
    centre = table.visualRect(space.model.index(row, 2)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert space.stack_open == media_id
    idle(qtbot)


def test_a_stack_members_badge_says_no_more_than_the_grouping_knows():
    from desktop.ui.tile_tools import short

    # a greyscale copy is "the same picture" to the hashes: never called "resized" on its tile
    assert short("same picture (resized, recompressed or converted)") == "same picture"
    assert short("cropped (part of the picture kept)") == "cropped"
    assert short("overlay on one side (watermark, logo or sticker)") == "overlay on one side"
    assert short("mirrored") == "mirrored"
