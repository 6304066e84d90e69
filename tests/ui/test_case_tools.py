"""The end of the work in the program: Report, Verify evidence, Audit log, VICS export and Help,
each driven through one real use in the main window."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt

from desktop.jobs.ingest import ingest
from desktop.ui import workers

SHOTS = Path("/tmp/shots")


def shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))


def finish(qtbot, dialog) -> None:
    qtbot.waitUntil(lambda: not dialog.jobs.running, timeout=60_000)
    qtbot.waitUntil(lambda: not workers.busy(), timeout=20_000)


def test_report_of_the_grid_selection_then_the_audit_log_shows_it(window, sample_case, qtbot,
                                                                    tmp_path):  # fmt: skip
    assert window.open_case(sample_case)
    ws = window.workspace
    qtbot.waitUntil(lambda: ws.model.rowCount() > 3, timeout=20_000)
    ws.grid.selectionModel().select(
        ws.model.index(1), ws.grid.selectionModel().SelectionFlag.Select
    )
    ws.grid.selectionModel().select(
        ws.model.index(2), ws.grid.selectionModel().SelectionFlag.Select
    )
    chosen = ws.selected_media()
    dialog = window.case_tools.report()
    dialog.scope.setCurrentText("Media carrying a tag")
    assert dialog.scope_value.isEnabled() and "tag" in dialog.scope_value.placeholderText()
    dialog.scope.setCurrentText("The media selected in the grid")
    assert not dialog.scope_value.isEnabled() and dialog.selection_note.isVisibleTo(dialog)
    dialog.format.setCurrentText("PDF")
    out = tmp_path / "selection.pdf"
    dialog.path.setText(str(out))
    dialog.sharp.setChecked(True)
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)  # no reason: refused
    assert "reason" in dialog.jobs.message.text() and not out.exists()
    dialog.sharp.setChecked(False)
    assert dialog.jobs.message.text() == ""  # the refusal goes with the box that caused it
    shot(dialog, "report_dialog.png")
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    finish(qtbot, dialog)
    assert out.exists() and out.read_bytes().startswith(b"%PDF")
    assert dialog.result.media == len(chosen) == 2 and "Wrote 2 media" in dialog.jobs.message.text()
    shot(dialog, "report_dialog_done.png")
    dialog.close()

    viewer = window.case_tools.audit()
    qtbot.waitUntil(lambda: "hash chain verified" in viewer.chain.text(), timeout=20_000)
    assert viewer.chain.text().startswith("Audit log intact")
    viewer.action.setCurrentText("report.write")
    qtbot.waitUntil(lambda: viewer.table.rowCount() == 1, timeout=20_000)
    after = json.loads(viewer.table.item(0, 5).text())
    assert after["scope"] == "2 chosen media" and after["format"] == "pdf"
    viewer.since.setText("2000-01-01")
    viewer.until.setText("2000-01-02")
    viewer.reload()
    qtbot.waitUntil(lambda: viewer.table.rowCount() == 0, timeout=20_000)
    viewer.since.clear()
    viewer.until.clear()
    viewer.action.setCurrentIndex(0)
    qtbot.waitUntil(lambda: viewer.table.rowCount() > 2, timeout=20_000)
    shot(viewer, "audit_log.png")
    viewer.close()

    vics = window.case_tools.vics()
    vics.path.setText(str(tmp_path / "case-vics.json"))
    qtbot.mouseClick(vics.export_button, Qt.MouseButton.LeftButton)
    finish(qtbot, vics)
    assert vics.result["media"] > 0 and (tmp_path / "case-vics.json").exists()
    shot(vics, "vics_export.png")
    vics.close()


def test_verify_lists_changed_and_missing_evidence(window, qtbot, tmp_path):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for name, colour in (("kept.png", "red"), ("changed.png", "green"), ("gone.png", "blue")):
        Image.new("RGB", (64, 48), colour).save(evidence / name)
    case = tmp_path / "case.vigil"
    ingest(case, [evidence], workers=1)
    Image.new("RGB", (64, 48), "yellow").save(evidence / "changed.png")
    (evidence / "gone.png").unlink()
    assert window.open_case(case)
    dialog = window.case_tools.verify()
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    finish(qtbot, dialog)
    assert dialog.changed.count() == 1 and "changed.png" in dialog.changed.item(0).text()
    assert dialog.missing.count() == 1 and dialog.missing.item(0).text().endswith("gone.png")
    assert "Checked 3 files: 1 unchanged, 1 changed, 1 missing" in dialog.summary.text()
    shot(dialog, "verify_dialog.png")
    dialog.close()


def test_help_menu(window, sample_case, qtbot):
    assert [a.text() for a in window.menus["help"].actions()] == [
        "Keys", "Everyday guide", "About Vigil"
    ]  # fmt: skip
    keys = window.case_tools.keys()
    assert "Open a case to see" in keys.browser.toPlainText()
    keys.close()
    guide = window.case_tools.guide()
    assert "Everyday commands" in guide.browser.toPlainText()
    shot(guide, "help_guide.png")
    assert window.open_case(sample_case)
    keys = window.case_tools.keys()  # the open case's own bindings, and the menus' shortcuts
    text = keys.browser.toPlainText()
    assert "Reveal / blur the current picture" in text and "Case: Write report" in text
    shot(keys, "help_keys.png")
    about = window.case_tools.about()
    text = about.browser.toPlainText()
    assert str(sample_case.resolve()) in text and "library.sqlite" in text and "pdq" in text
    shot(about, "help_about.png")
    for dialog in (keys, guide, about):
        dialog.close()


def test_package_export_signed_then_import_with_a_choice_per_conflict(window, sample_case, qtbot,
                                                                       tmp_path):  # fmt: skip
    import shutil
    import uuid

    from desktop.jobs.package_export import new_key_pair
    from desktop.store import review
    from desktop.store.db import open_case, set_info

    theirs_case = tmp_path / "theirs.vigil"
    shutil.copy(sample_case, theirs_case)
    db = open_case(theirs_case)
    with db.atomic():
        set_info(db, "case_id", str(uuid.uuid4()))  # another agency's case of the same files
    media = int(db.execute("SELECT MIN(id) FROM media").fetchone()[0])
    review.set_category(db, [media], 1)
    db.close()
    mine = open_case(sample_case)
    review.set_category(mine, [media], 2)
    mine.close()
    private, public, _ = new_key_pair(tmp_path / "agency.key")

    assert window.open_case(theirs_case)
    export = window.case_tools.export_package()
    package = tmp_path / "theirs.vpkg"
    export.path.setText(str(package))
    export.sign.setChecked(True)
    export.key.setText(str(private))
    qtbot.mouseClick(export.action_button, Qt.MouseButton.LeftButton)
    finish(qtbot, export)
    assert package.exists() and export.result["signer"]
    shot(export, "package_export.png")
    export.close()

    assert window.open_case(sample_case)
    dialog = window.case_tools.import_package()
    dialog.path.setText(str(package))
    dialog.trust.setText(str(public))
    qtbot.mouseClick(dialog.action_button, Qt.MouseButton.LeftButton)  # check: a preview
    finish(qtbot, dialog)
    assert dialog.preview is not None and "signed by the trusted key" in dialog.summary.text()
    rows = [dialog.conflicts.item(r, 1).text() for r in range(dialog.conflicts.rowCount())]
    row = next(i for i, text in enumerate(rows) if "your category 2" in text)
    assert not any("yours is kept" in text for text in rows)  # the column says it, once
    db = open_case(sample_case)
    assert review.review_state(db, [media])[media].category == 2  # nothing written yet
    assert db.execute("SELECT COUNT(*) FROM imported_packages").fetchone()[0] == 0
    db.close()
    dialog.conflicts.item(row, 0).setCheckState(Qt.CheckState.Checked)
    shot(dialog, "package_import_preview.png")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    finish(qtbot, dialog)
    assert dialog.result is not None and dialog.result["taken"] == [dialog.preview["choices"][
        row]["key"]]  # fmt: skip
    db = open_case(sample_case)
    assert review.review_state(db, [media])[media].category == 1  # theirs, as ticked
    db.close()
    shot(dialog, "package_import_done.png")
    dialog.close()
