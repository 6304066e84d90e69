"""The review keys have one owner that gives them up to text fields: typing never writes a
record, reveals or starts a region, and each key works wherever its buttons say it does."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit

from desktop.store import audit, tags
from desktop.ui import workers
from desktop.ui.keys import Binding


def idle(qtbot):
    qtbot.waitUntil(lambda: not workers.busy(), timeout=20_000)


@pytest.fixture
def space(window, sample_case, qtbot):
    assert window.open_case(sample_case)
    ws = window.workspace
    ws.select_row(0)
    qtbot.waitUntil(lambda: ws.investigation.panel.media_id == ws.current_media(), timeout=20_000)
    idle(qtbot)
    return ws


def events(ws) -> list[str]:
    return [e.action for e in audit.events(ws.db)]


def test_enter_in_the_tag_field_adds_the_tag_and_nothing_else(space, qtbot):
    media_id, row = space.current_media(), space.grid.currentIndex().row()
    field = space.investigation.panel.tag_field
    before = events(space)
    for word in ("garden", "swing"):  # a second tag typed at once lands on the same picture
        field.setFocus()
        qtbot.keyClicks(field, word)
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert tags.tags_for_media(space.db, media_id) == ["garden", "swing"]
    assert events(space)[len(before) :] == ["tag.add", "tag.add"]  # nothing reviewed
    assert space.grid.currentIndex().row() == row and space.current_media() == media_id
    qtbot.keyClick(field, Qt.Key.Key_Escape)  # Esc: back to the grid, by keyboard
    assert space.grid.hasFocus()


def text_fields(window):
    kinds = (QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox)
    found = [
        w for kind in kinds for w in window.findChildren(kind) if w.isVisible() and w.isEnabled()
    ]
    found += [w for w in window.findChildren(QComboBox) if w.isEditable() and w.isVisible()]
    # a combo's own line edit is the combo's field
    return [w for w in found if not isinstance(w.parent(), QComboBox)]


def test_free_text_typed_into_every_text_field_writes_nothing_and_reveals_nothing(
    window, space, qtbot
):
    tabs = space.viewer.side_tabs
    fields = []
    for index in range(tabs.count()):  # every tab beside the viewer, and what is always shown
        tabs.setCurrentIndex(index)
        fields += [f for f in text_fields(window) if f not in fields]
    names = {f.placeholderText() for f in fields if isinstance(f, QLineEdit)}
    assert {"add a tag and press Enter", "clue label…"} <= names  # the fields are found
    assert len(fields) >= 3
    before = events(space)
    for field in fields:
        for index in range(tabs.count()):
            if field.isVisible():
                break
            tabs.setCurrentIndex(index)
        field.setFocus()
        assert field.hasFocus()
        qtbot.keyClicks(field, "school uniform 1 2 3 rde ")
        for key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_Space, Qt.Key.Key_Escape):
            qtbot.keyClick(field, key)
        qtbot.keyPress(field, Qt.Key.Key_Space)  # held
        qtbot.keyRelease(field, Qt.Key.Key_Space)
        assert space.picture_reveal.revealed is None, field
        assert not space.investigation.overlay.is_drawing(), field
        assert space.stack_open is None, field
        assert events(space) == before, field
        if isinstance(field, QLineEdit):
            field.clear()
    idle(qtbot)
    assert events(space) == before


def test_d_and_the_entity_browser_key_work_from_the_clues_and_links_panel(space, qtbot):
    part = space.investigation
    part.panel.clue_list.setFocus()
    qtbot.keyClick(part.panel.clue_list, Qt.Key.Key_D)
    assert part.overlay.is_drawing()
    qtbot.keyClick(part.panel.clue_list, Qt.Key.Key_Escape)  # Esc stops drawing
    assert not part.overlay.is_drawing()
    part.panel.link_list.setFocus()
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(part.panel.link_list, Qt.Key.Key_E, shift_ctrl)
    assert part.browser is not None and part.browser.isVisible()
    part.browser.close()


def test_a_key_has_one_binding(space):
    with pytest.raises(ValueError, match="already bound"):
        space.keys.bind(Binding(("D",), "draw twice", lambda: None))


def test_review_keys_act_only_on_the_grid_and_the_picture(space, qtbot):
    """A category key pressed while a panel's list has the focus writes nothing."""
    before = events(space)
    space.investigation.panel.tag_list.setFocus()
    qtbot.keyClick(space.investigation.panel.tag_list, "1")
    qtbot.keyClick(space.investigation.panel.tag_list, Qt.Key.Key_R)
    assert events(space) == before and space.picture_reveal.revealed is None
    space.grid.setFocus()
    qtbot.keyClick(space.grid, "1")
    assert events(space)[len(before) :] == ["review.category"]


def test_the_review_menu_lists_the_keys_enabled_and_runs_them(window, space):
    titles = [a.text() for a in window.menus["review"].actions()]
    first = space.scheme.categories[0]
    assert any(t.startswith(first.name) and t.endswith(f"\t{first.key}") for t in titles)
    entry = next(a for a in window.menus["review"].actions() if a.text().startswith(first.name))
    assert entry.isEnabled()
    entry.trigger()
    assert events(space)[-1] == "review.category"
    case_menu = [a.text() for a in window.menus["case"].actions()]
    assert case_menu[-1] == "Quit"  # features' entries go above it
    window.close_case()
    assert not [a for a in window.menus["review"].actions() if a.text().startswith(first.name)]


def test_ctrl_z_in_a_text_field_undoes_the_review_once_the_field_has_nothing_to_undo(space, qtbot):
    from desktop.store import review

    media_id = space.current_media()
    space.grid.setFocus()
    qtbot.keyClick(space.grid, Qt.Key.Key_Return)  # reviewed; the cursor moves on
    assert review.review_state(space.db, [media_id])[media_id].reviewed
    field = space.investigation.panel.tag_field
    field.setFocus()
    qtbot.keyClicks(field, "bed")
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert field.text() == ""  # the field's own typing is undone first
    assert review.review_state(space.db, [media_id])[media_id].reviewed
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not review.review_state(space.db, [media_id])[media_id].reviewed
    assert events(space)[-1] == "review.undo"
    idle(qtbot)


def test_a_tag_picked_from_the_completer_then_esc_is_back_on_the_grid(space, qtbot):
    from PySide6.QtWidgets import QApplication, QCompleter

    panel = space.investigation.panel
    for row in (0, 1, 2):  # the same word on three pictures: the completer offers it
        space.select_row(row)
        space.grid.setFocus()
        qtbot.keyClick(space.grid, Qt.Key.Key_T)
        field = QApplication.focusWidget()
        assert field is panel.tag_field
        qtbot.keyClicks(field, "school uniform")
        qtbot.keyClick(field, Qt.Key.Key_Return)
        assert not field.completer().popup().isVisible()
        qtbot.keyClick(field, Qt.Key.Key_Escape)  # once: back on the grid, at the same tile
        assert space.grid.hasFocus() and space.grid.currentIndex().row() == row
        assert tags.tags_for_media(space.db, space.current_media()) == ["school uniform"]
    # one completer for the panel, not one more for every media shown
    assert len(panel.findChildren(QCompleter)) == 1
    idle(qtbot)
