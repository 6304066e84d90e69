"""The investigation inside the review window: draw a clue on the viewer's picture, link,
browse entities, filter the grid; the picture stays blurred except the clue's region."""

from __future__ import annotations

import json
import os

from helpers.gui import drag_over_picture
from helpers.images import detail_energy
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop.store import audit, clues, entities, links, tags
from desktop.store.db import open_case
from desktop.ui import workers
from desktop.ui.dialogs import investigation_dialogs

SHOTS = "/tmp/shots"


def test_draw_a_clue_in_the_viewer_link_it_and_find_it_again(
    window, sample_case, qtbot, monkeypatch
):
    assert window.open_case(sample_case)
    space = window.workspace
    hooks = space.investigation
    space.select_row(0)
    media_id = space.current_media()
    image_view = space.viewer.image_view
    qtbot.waitUntil(
        lambda: hooks.panel.media_id == media_id and image_view.image is not None, timeout=20_000
    )
    qtbot.waitUntil(lambda: not workers.busy(), timeout=20_000)

    def fill(dialog):
        dialog.kind.setCurrentIndex(dialog.kind.findData("screen"))
        dialog.label.setText("cartoon on TV")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(investigation_dialogs.ClueDialog, "exec", fill)
    space.grid.setFocus()
    qtbot.keyClick(space.grid, Qt.Key.Key_D)  # D: draw on the current picture
    assert hooks.overlay.is_drawing()
    rect = image_view.image_rect()
    drag_over_picture(qtbot, image_view, (0.45, 0.3), (0.9, 0.8))
    (clue,) = clues.clues_for_media(open_case(sample_case), media_id)
    assert (clue.kind, clue.label) == ("screen", "cartoon on TV")
    assert not image_view.revealed

    def inside_and_outside():
        shot = image_view.grab().toImage()
        region = hooks.overlay.widget_rect(clue.region).toAlignedRect().adjusted(4, 4, -4, -4)
        left_part = rect.toAlignedRect()
        left_part.setRight(region.left() - 10)
        left_part = left_part.adjusted(4, 4, -4, -4)
        return shot, detail_energy(shot.copy(region)), detail_energy(shot.copy(left_part))

    # drawing and selecting a clue shows its outline only: nothing is sharp without a reveal
    shot, inside, outside = inside_and_outside()
    assert inside < 3 * outside + 1
    # R with the clue selected reveals its region alone, timed and recorded like any reveal
    assert hooks.panel.selected_clue().id == clue.id
    qtbot.keyClick(space.grid, Qt.Key.Key_R)
    assert space.picture_reveal.revealed == media_id and not image_view.revealed
    shot, inside, outside = inside_and_outside()
    shot.save(os.path.join(SHOTS, "viewer_clue_revealed.png"))
    assert inside > 5 * outside
    qtbot.keyClick(space.grid, Qt.Key.Key_R)
    assert space.picture_reveal.revealed is None
    exposure = [e for e in audit.events(space.db) if e.action == "exposure.picture"][-1]
    assert json.loads(exposure.after)["region"] == clue.region.as_dict()
    window.grab().save(os.path.join(SHOTS, "window_investigation.png"))
    # X on the selected clue opens the export with the region cut from the viewer's picture
    hooks.panel.clue_list.setFocus()
    hooks.panel.clue_list.setCurrentRow(0)
    qtbot.keyClick(hooks.panel.clue_list, Qt.Key.Key_X)
    preview = hooks.export_dialog.canvas.preview
    assert abs(preview.width() - clue.region.w) <= 2 and abs(preview.height() - clue.region.h) <= 2
    hooks.export_dialog.reject()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    space.grid.setFocus()

    # link to a new victim, then find the media through the browser and the filter bar
    db = space.db
    victim = entities.add_entity(db, "victim", "V-007")
    monkeypatch.setattr(
        investigation_dialogs.LinkDialog,
        "exec",
        lambda d: (
            d.entity.setCurrentIndex(d.entity.findData(victim.id)),
            QDialog.DialogCode.Accepted,
        )[1],
    )
    hooks.panel.link_dialog()
    stack = links.stack_members(db, media_id)
    assert links.media_for_entity(db, victim.id) == sorted(stack)
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(space.grid, Qt.Key.Key_E, shift_ctrl)
    browser = hooks.browser.browser
    assert browser.entity_names() == [f"Victim · V-007  ({len(stack)})"]
    qtbot.waitUntil(browser.tiles_loaded, timeout=10_000)
    hooks.browser.grab().save(os.path.join(SHOTS, "window_entity_browser.png"))
    browser.grid_button.click()  # "Show in grid": the grid filter is set to the entity
    assert hooks.filters.read_choice() == ("entity", victim.id)
    qtbot.waitUntil(lambda: space.model.rowCount() >= 1, timeout=10_000)
    assert media_id in [space.model.media_id(r) for r in range(space.model.rowCount())]
    hooks.filters.select("no_clues")
    qtbot.waitUntil(lambda: media_id not in space.model.row_of, timeout=10_000)


def test_tags_and_links_apply_to_the_grid_selection(window, sample_case, qtbot):
    from PySide6.QtCore import QItemSelectionModel

    assert window.open_case(sample_case)
    space = window.workspace
    hooks = space.investigation
    space.select_row(0)
    first = space.current_media()
    qtbot.waitUntil(lambda: hooks.panel.media_id == first, timeout=20_000)
    space.grid.selectionModel().select(
        space.model.index(1), QItemSelectionModel.SelectionFlag.Select
    )
    second = space.model.media_id(1)
    assert sorted(space.selected_media()) == sorted([first, second])
    hooks.panel.add_tag("garden")
    db = space.db
    assert "garden" in tags.tags_for_media(db, first) and "garden" in tags.tags_for_media(
        db, second
    )
    assert "Tagged 2 selected media" in hooks.panel.status.text()
    series = entities.add_entity(db, "series", "Garden set")
    hooks.panel.link(series.id, "member")
    linked = set(links.media_for_entity(db, series.id))
    assert set(links.stack_members(db, first)) | set(links.stack_members(db, second)) == linked
    qtbot.waitUntil(lambda: not workers.busy(), timeout=20_000)
