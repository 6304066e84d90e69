"""The entity browser marks entities received in a case package and says where they came from."""

from __future__ import annotations

from desktop.store import entities, known, origins
from desktop.store.db import open_case
from desktop.ui.dialogs.entity_browser import EntityBrowser


def test_received_entities_are_marked_local_ones_are_not(qtbot, sample_case):
    db = open_case(sample_case)
    local = entities.add_entity(db, "victim", "V-local")
    received = entities.add_entity(db, "victim", "V-1 [Agency A]")
    with db.atomic():
        package_id = known.add_package(
            db,
            {"package_sha256": "ab" * 32, "file_name": "a.vpkg", "source_case_id": "case-a",
             "organization": "Agency A", "imported_at": "2026-11-21T10:00:00.000+00:00",
             "imported_by": "tester"},
        )  # fmt: skip
        origins.record_origin(
            db, row_kind="entity", row_id=received.id, source_case_id="case-a",
            organization="Agency A", original_id="7", created=True,
            sender_record={"name": "V-1"}, local_record={"name": received.name},
            package_id=package_id,
        )  # fmt: skip
    browser = EntityBrowser(db, sample_case)
    qtbot.addWidget(browser)
    names = browser.entity_names()
    assert "Victim · V-1 [Agency A]  (0)  ⇄ Agency A" in names
    assert "Victim · V-local  (0)" in names
    browser.show_entity(received.id)
    assert "From Agency A (their #7; package a.vpkg, imported 2026-11-21)" in browser.details.text()
    browser.show_entity(local.id)
    assert "From " not in browser.details.text()


def test_a_senders_name_is_shown_spelled_out(qtbot, sample_case):
    """The organization comes from the package: a bidi override in it is shown, not obeyed."""
    db = open_case(sample_case)
    received = entities.add_entity(db, "victim", "V-2")
    with db.atomic():
        package_id = known.add_package(
            db,
            {"package_sha256": "cd" * 32, "file_name": "b.vpkg", "source_case_id": "case-b",
             "organization": "Agency\u202eB", "imported_at": "2026-11-21T10:00:00.000+00:00",
             "imported_by": "tester"},
        )  # fmt: skip
        origins.record_origin(
            db, row_kind="entity", row_id=received.id, source_case_id="case-b",
            organization="Agency\u202eB", original_id="8", created=True,
            sender_record={"name": "V-2"}, local_record={"name": received.name},
            package_id=package_id,
        )  # fmt: skip
    browser = EntityBrowser(db, sample_case)
    qtbot.addWidget(browser)
    (shown,) = [name for name in browser.entity_names() if "V-2" in name]
    assert "\u202e" not in shown and shown.endswith("⇄ Agency\\u202eB")
