"""Draw a clue region in the viewer, edit clues/tags/links by keyboard, link a stack to a victim."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog

from desktop.core.regions import Region
from desktop.store import audit, clues, entities, fingerprint_columns, groups, links, tags
from desktop.store.db import open_case
from desktop.ui import workers
from desktop.ui.dialogs import investigation_dialogs

SHOTS = "/tmp/shots"


def make_stack(db, members):
    """Make `members` one near-duplicate group (replacing the case's groups), as grouping would."""
    level = groups.strictness(db)
    groups.replace_groups(
        db, level, [list(members)], {}, fingerprint_columns.last_media_id(db), "test"
    )


@pytest.fixture
def db(sample_case):
    return open_case(sample_case)


@pytest.fixture
def picture_id(db):
    return db.execute(
        "SELECT id FROM media WHERE status = 'ok' AND width = 320 ORDER BY id LIMIT 1"
    ).fetchone()[0]


@pytest.fixture
def workspace(window, sample_case, qtbot, picture_id):
    """The review window with the case open and the picture in the viewer."""
    assert window.open_case(sample_case)
    space = window.workspace
    space.show_in_viewer(picture_id)
    panel, view = space.investigation.panel, space.viewer.image_view
    qtbot.waitUntil(lambda: panel.media_id == picture_id and view.image is not None, timeout=20_000)
    qtbot.waitUntil(lambda: not workers.busy(), timeout=20_000)
    return space


def widget_point(space, x: int, y: int) -> QPoint:
    """Where the picture's pixel (x, y) is on the viewer."""
    return space.investigation.overlay.widget_rect(Region(x, y, 1, 1)).topLeft().toPoint()


def _answer_dialog(monkeypatch, dialog_class, fill):
    """Replace a dialog's exec: fill its fields as the analyst would, then press OK."""

    def exec_(self):
        fill(self)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(dialog_class, "exec", exec_)


def test_draw_a_region_to_make_a_clue_then_select_it(qtbot, monkeypatch, workspace, db, picture_id):
    def fill(dialog):
        dialog.kind.setCurrentIndex(dialog.kind.findData("electrical"))
        dialog.label.setText("Type F socket")
        dialog.note.setPlainText("two round pins")

    _answer_dialog(monkeypatch, investigation_dialogs.ClueDialog, fill)
    panel, overlay = workspace.investigation.panel, workspace.investigation.overlay
    view = workspace.viewer.image_view
    panel.clue_list.setFocus()
    qtbot.keyClick(panel.clue_list, Qt.Key.Key_D)  # D from the panel's list: draw a region
    assert overlay.is_drawing()
    start, end = widget_point(workspace, 40, 30), widget_point(workspace, 160, 120)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view, end)
    assert overlay.sharp_region() is None  # the rectangle being drawn is an outline only
    workspace.window().grab().save(os.path.join(SHOTS, "clue_drawing.png"))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=end)
    (clue,) = clues.clues_for_media(db, picture_id)
    assert (clue.kind, clue.label, clue.note) == ("electrical", "Type F socket", "two round pins")
    assert abs(clue.region.x - 40) <= 2 and abs(clue.region.w - 120) <= 3
    assert not overlay.is_drawing()
    assert panel.clue_list.count() == 1
    assert overlay.selected_region() == clue.region and overlay.sharp_region() is None
    assert not view.hasFocus()  # the focus went back where it was, not to the picture
    qtbot.keyClick(panel.clue_list, Qt.Key.Key_T)  # so T reaches the tag field
    assert panel.tag_field.hasFocus()
    panel.clue_list.setFocus()
    panel.clue_list.setCurrentRow(-1)
    assert overlay.selected_region() is None
    panel.clue_list.setCurrentRow(0)
    assert overlay.selected_region() == clue.region
    assert list(audit.events(db))[-1].action == "clue.add"


def test_clues_and_tags_by_keyboard(qtbot, monkeypatch, workspace, db, picture_id):
    panel = workspace.investigation.panel
    _answer_dialog(
        monkeypatch,
        investigation_dialogs.ClueDialog,
        lambda d: (
            d.label.setText("cuddly toy"),
            d.kind.setCurrentIndex(d.kind.findData("object")),
        ),
    )
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_N)  # N: new clue without a region
    assert [c.label for c in clues.clues_for_media(db, picture_id)] == ["cuddly toy"]
    _answer_dialog(
        monkeypatch, investigation_dialogs.ClueDialog, lambda d: d.label.setText("brown bear")
    )
    panel.clue_list.setFocus()
    panel.clue_list.setCurrentRow(0)
    qtbot.keyClick(panel.clue_list, Qt.Key.Key_F2)  # F2: edit
    assert [c.label for c in clues.clues_for_media(db, picture_id)] == ["brown bear"]
    panel.clue_list.setCurrentRow(0)
    qtbot.keyClick(panel.clue_list, Qt.Key.Key_Delete)
    assert clues.clues_for_media(db, picture_id) == []

    qtbot.keyClick(panel, Qt.Key.Key_T)  # T: the tag field
    assert panel.tag_field.hasFocus()
    qtbot.keyClicks(panel.tag_field, "bedroom")
    qtbot.keyClick(panel.tag_field, Qt.Key.Key_Return)
    assert tags.tags_for_media(db, picture_id) == ["bedroom"]
    panel.tag_list.setFocus()
    panel.tag_list.setCurrentRow(0)
    qtbot.keyClick(panel.tag_list, Qt.Key.Key_Delete)
    assert tags.tags_for_media(db, picture_id) == []
    # a refusal is one sentence in the panel, not a crash
    panel.add_tag("x" * 80)
    assert "at most" in panel.message.text()


def test_link_a_stack_to_a_victim_with_one_member_opted_out(
    qtbot, monkeypatch, workspace, db, picture_id
):
    others = [
        r[0]
        for r in db.execute("SELECT id FROM media WHERE id != ? ORDER BY id LIMIT 3", [picture_id])
    ]
    make_stack(db, [picture_id, *others])
    victim = entities.add_entity(db, "victim", "V-001")
    seen = {}

    def fill(dialog):
        dialog.entity.setCurrentIndex(dialog.entity.findData(victim.id))
        seen["members"] = dialog.members.count()
        seen["first_enabled"] = bool(dialog.members.item(0).flags() & Qt.ItemFlag.ItemIsEnabled)
        dialog.role.setEditText("depicted")
        dialog.members.item(3).setCheckState(Qt.CheckState.Unchecked)  # opt one member out

    _answer_dialog(monkeypatch, investigation_dialogs.LinkDialog, fill)
    panel = workspace.investigation.panel
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_L)
    assert seen == {"members": 4, "first_enabled": False}
    stack = links.stack_members(db, picture_id)
    assert links.media_for_entity(db, victim.id) == sorted(stack[:3])
    assert links.opted_out(db, victim.id) == [stack[3]]
    assert {k.role for k in links.links_for_entity(db, victim.id)} == {"depicted"}
    assert panel.link_list.count() == 1 and "V-001" in panel.link_list.item(0).text()
    with qtbot.waitSignal(panel.entityActivated) as opened:
        panel.link_list.setFocus()
        panel.link_list.setCurrentRow(0)
        qtbot.keyClick(panel.link_list, Qt.Key.Key_Return)
    assert opened.args == [victim.id]
    panel.link_list.setCurrentRow(0)
    qtbot.keyClick(panel.link_list, Qt.Key.Key_Delete)
    assert picture_id not in links.media_for_entity(db, victim.id)


def test_edit_a_link_and_rename_a_tag_with_f2(qtbot, monkeypatch, workspace, db, picture_id):
    place = entities.add_entity(db, "location", "Flat")
    links.link_media(db, [picture_id], place.id, "shown")
    tags.add_tag(db, [picture_id], "kitchen")
    panel = workspace.investigation.panel
    panel.refresh()

    def fill(dialog):
        dialog.role.setEditText("taken at")
        dialog.note.setText("same window frame")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(investigation_dialogs.LinkEditDialog, "exec", fill)
    panel.link_list.setFocus()
    panel.link_list.setCurrentRow(0)
    qtbot.keyClick(panel.link_list, Qt.Key.Key_F2)
    (link,) = links.links_for_media(db, picture_id)
    assert (link.role, link.note) == ("taken at", "same window frame")
    assert list(audit.events(db))[-1].action == "link.edit"

    from desktop.ui.widgets import investigation_panel

    monkeypatch.setattr(
        investigation_panel.QInputDialog, "getText", lambda *a, **k: ("bedroom", True)
    )
    panel.tag_list.setFocus()
    panel.tag_list.setCurrentRow(0)
    qtbot.keyClick(panel.tag_list, Qt.Key.Key_F2)
    assert tags.tags_for_media(db, picture_id) == ["bedroom"]
    assert tags.tag_counts(db) == [("bedroom", 1)]


def test_hostile_text_is_shown_escaped_never_obeyed(workspace, db, picture_id):
    """A bidi override (\\u202e makes "gpj.exe" read "exe.jpg") or an escape sequence in a
    file name, a clue or a tag is shown spelled out in the window, as the CLI shows it."""
    from desktop.ui.widgets.metadata_panel import detail_html

    spoof = "holiday\u202egpj.exe"
    clues.add_clue(db, picture_id, "object", spoof, note="line one\nline two \x1b[2J")
    tags.add_tag(db, [picture_id], "tag\u2066x")
    panel = workspace.investigation.panel
    panel.refresh()
    shown = panel.clue_list.item(0)
    assert "\u202e" not in shown.text() and "holiday\\u202egpj.exe" in shown.text()
    assert shown.toolTip() == "line one\nline two \\x1b[2J"  # line ends kept, escapes spelled
    assert panel.tag_list.item(0).text() == "tag\\u2066x"
    page = detail_html(
        {"category": None, "reviewed": False, "status": "ok", "reason": "bad \x1b]0;title\x07",
         "file_type": "jpeg", "mime_type": "image/jpeg", "size": 1, "width": 0, "height": 0,
         "sha256": "0", "sha1": "0", "md5": "0", "perceptual_hashes": [],
         "exif": {"model": "cam\u202eera"}, "files": [{"path": "/e/" + spoof, "status": "ok",
         "extension_mismatch": 0}], "id": 1},
        workspace.scheme,
    )  # fmt: skip
    assert "\u202e" not in page and "\x1b" not in page and "\x07" not in page
    assert "holiday\\u202egpj.exe" in page and "cam\\u202eera" in page
