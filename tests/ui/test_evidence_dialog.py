"""Adding evidence from the window: several folders and files in one ingest."""

from __future__ import annotations

from desktop.core.samples import write_sample_evidence
from desktop.store import items
from desktop.store.db import open_case
from desktop.ui.dialogs.evidence_dialog import EvidenceDialog


def test_the_list_collects_folders_and_files_once(qtbot):
    folders = iter(["/evidence/drive1", "/evidence/drive2", "/evidence/drive1", ""])
    dialog = EvidenceDialog(
        pick_folder=lambda: next(folders), pick_files=lambda: ["/evidence/a.jpg"]
    )
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()  # nothing to ingest yet
    for _ in range(4):  # the third repeats the first, the fourth is a cancelled chooser
        dialog.add_folder()
    dialog.add_files()
    assert dialog.chosen() == ["/evidence/drive1", "/evidence/drive2", "/evidence/a.jpg"]
    assert ok.isEnabled()
    dialog.sources.item(1).setSelected(True)
    dialog.remove_selected()
    assert dialog.chosen() == ["/evidence/drive1", "/evidence/a.jpg"]


def test_two_folders_chosen_in_the_window_are_ingested_together(
    window, tmp_path, qtbot, monkeypatch
):
    first, second = tmp_path / "drive1", tmp_path / "drive2"
    write_sample_evidence(first, scenes=2, size=(120, 90))
    (second / "x").mkdir(parents=True)
    (second / "x" / "note.txt").write_text("not a picture")
    case = tmp_path / "case.vigil"
    open_case(case, create=True).close()
    assert window.open_case(case)

    class Chosen(EvidenceDialog):
        def __init__(self, parent=None):
            picks = iter([str(first), str(second)])
            super().__init__(parent, pick_folder=lambda: next(picks))

        def exec(self):
            self.add_folder()  # the analyst adds a second drive, then presses Ingest
            return True

    monkeypatch.setattr("desktop.ui.main_window.EvidenceDialog", Chosen)
    window.choose_evidence()
    ws = window.workspace
    qtbot.waitUntil(lambda: ws.evidence.worker is None, timeout=90_000)
    db = open_case(case)
    assert len(items.sources(db)) == 2
    assert items.file_status_counts(db)["unsupported"] >= 1  # the note from the second drive
