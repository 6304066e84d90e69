"""Known material in the window: hash library dialog (import, match, remove), filter, badges."""

from __future__ import annotations

from desktop.store import browse, items, review
from desktop.store.db import open_case
from desktop.ui import workers


def idle(qtbot):
    qtbot.waitUntil(lambda: not workers.busy(), timeout=30_000)
    qtbot.wait(50)


def shown_ids(workspace):
    model = workspace.model
    while model.canFetchMore(workspace.grid.rootIndex()):
        model.fetchMore(workspace.grid.rootIndex())
    return {model.media_id(row) for row in range(model.rowCount())}


def test_library_dialog_import_match_filter_badges_remove(qtbot, window, tmp_path, sample_case):
    db = open_case(sample_case)
    target = next(m for m in items.iter_media(db) if m["status"] == "ok")
    db.close()
    listing = tmp_path / "agency.csv"
    listing.write_text(f"md5,category,series\n{target['md5']},1,Blue Room\nbad,1,x\n")
    assert window.open_case(sample_case)
    workspace = window.workspace
    workspace.filter_bar.stacks.setChecked(False)  # every media its own tile
    idle(qtbot)

    dialog = window.known_material.open_library()
    assert dialog.table.rowCount() == 0 and dialog.match_button.isEnabled()
    dialog.start_import(listing, "Agency")
    idle(qtbot)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 0).text() == "Agency" and dialog.table.item(0, 1).text() == "1"
    assert "1 malformed records were skipped" in dialog.message.text()

    dialog.match()
    idle(qtbot)
    assert "1 known" in dialog.message.text()
    assert target["id"] in shown_ids(workspace)
    known = window.known_material.in_case
    known.filter.select("new")
    idle(qtbot)
    assert target["id"] not in shown_ids(workspace)
    assert len(shown_ids(workspace)) == browse.count(workspace.db, workspace.filter_bar.query())
    known.filter.select("known")
    idle(qtbot)
    assert shown_ids(workspace) == {target["id"]}

    workspace.show_in_viewer(target["id"])
    idle(qtbot)
    text = known.panel.toPlainText()
    assert "Known" in text and "Agency" in text and "Blue Room" in text and "exact" in text
    assert "differs" not in text
    review.set_category(workspace.db, [target["id"]], 2)  # the analyst disagrees with the set
    known.media_shown(target["id"])
    assert "differs from the hash set's" in known.panel.toPlainText()

    workspace.grid.viewport().grab()  # paint the tiles: badges ask for their statuses
    qtbot.waitUntil(lambda: bool(workspace.model.badges(target["id"])), timeout=5000)
    assert [b.text for b in workspace.model.badges(target["id"])] == ["KNOWN"]

    dialog.table.selectRow(0)
    assert dialog.selected_name() == "Agency"
    dialog.remove("Agency")
    assert dialog.table.rowCount() == 0 and "Removed 'Agency'" in dialog.message.text()
    dialog.remove("Agency")
    assert "no set named" in dialog.message.text()


def test_a_refused_import_is_one_sentence_in_the_dialog(qtbot, window, tmp_path):
    (tmp_path / "words.txt").write_text("nothing here looks like a hash\n")
    dialog = window.known_material.open_library()
    assert not dialog.match_button.isEnabled()
    dialog.start_import(tmp_path / "words.txt", "words")
    idle(qtbot)
    assert "not a hash set" in dialog.message.text()
    assert dialog.table.rowCount() == 0 and dialog.import_button.isEnabled()
