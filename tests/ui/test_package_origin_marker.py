"""The entity browser marks entities received in a case package and says where they came from."""

from __future__ import annotations

import hashlib

from desktop.store import entities, known, origins
from desktop.store.db import CaseDatabase, open_case
from desktop.ui.dialogs.entity_browser import EntityBrowser


def _received_entity(
    db: CaseDatabase,
    name: str,
    sender_name: str,
    organization: str,
    original_id: str,
    file_name: str,
) -> entities.Entity:
    """A victim entity recorded as received from `organization` in package `file_name`."""
    received = entities.add_entity(db, "victim", name)
    with db.atomic():
        package_id = known.add_package(
            db,
            {"package_sha256": hashlib.sha256(file_name.encode()).hexdigest(),
             "file_name": file_name, "source_case_id": f"case-{original_id}",
             "organization": organization, "imported_at": "2026-11-21T10:00:00.000+00:00",
             "imported_by": "tester"},
        )  # fmt: skip
        origins.record_origin(
            db, row_kind="entity", row_id=received.id, source_case_id=f"case-{original_id}",
            organization=organization, original_id=original_id, created=True,
            sender_record={"name": sender_name}, local_record={"name": received.name},
            package_id=package_id,
        )  # fmt: skip
    return received


def test_received_entities_are_marked_local_ones_are_not(qtbot, sample_case):
    db = open_case(sample_case)
    local = entities.add_entity(db, "victim", "V-local")
    received = _received_entity(db, "V-1 [Agency A]", "V-1", "Agency A", "7", "a.vpkg")
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
    _received_entity(db, "V-2", "V-2", "Agency\u202eB", "8", "b.vpkg")
    browser = EntityBrowser(db, sample_case)
    qtbot.addWidget(browser)
    (shown,) = [name for name in browser.entity_names() if "V-2" in name]
    assert "\u202e" not in shown and shown.endswith("⇄ Agency\\u202eB")
