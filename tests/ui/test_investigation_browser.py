"""Find linked work again: through the entity browser (blurred grid) and the grid's filters."""

from __future__ import annotations

import os

import pytest
from helpers.images import detail_energy
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop.core.categories import scheme
from desktop.core.regions import Region
from desktop.store import browse, clues, entities, links, tags
from desktop.store.db import open_case
from desktop.ui import workers
from desktop.ui.dialogs.entity_browser import EntityBrowser
from desktop.ui.widgets.filter_bar import FilterBar
from desktop.ui.widgets.investigation_filters import InvestigationFilters

SHOTS = "/tmp/shots"


@pytest.fixture
def db(sample_case):
    return open_case(sample_case)


@pytest.fixture
def linked(db):
    """A stack of three media linked to a victim and a series; a fourth only in the series."""
    ids = [r[0] for r in db.execute("SELECT id FROM media WHERE status = 'ok' ORDER BY id LIMIT 4")]
    victim = entities.add_entity(db, "victim", "V-001", notes="blue jumper", age_min=6, age_max=9)
    series = entities.add_entity(db, "series", "Blue room")
    links.link_stack(db, ids[0], victim.id, "depicted", members=ids[:3])
    links.link_media(db, ids, series.id, "member")
    clues.add_clue(db, ids[1], "clothing", "school badge", region=Region(10, 10, 40, 30))
    tags.add_tag(db, [ids[0], ids[3]], "bedroom")
    return {"ids": ids, "victim": victim, "series": series}


def test_entity_browser_finds_the_stack_from_the_media_and_back(qtbot, db, sample_case, linked):
    browser = EntityBrowser(db, sample_case)
    qtbot.addWidget(browser)
    browser.resize(980, 620)
    browser.show()
    ids = linked["ids"]
    browser.show_entities_of_media(ids[2])  # jump from a media to its entities
    assert browser.entity_names() == ["Victim · V-001  (3)", "Series · Blue room  (4)"]
    browser.list.setCurrentRow(0)
    assert browser.title.text() == "Victim: V-001"
    assert "blue jumper" in browser.details.text() and "age min: 6" in browser.details.text()
    shown = [
        browser.media.item(r).data(Qt.ItemDataRole.UserRole) for r in range(browser.media.count())
    ]
    assert shown == ids[:3]
    assert [browser.related.item(r).text() for r in range(browser.related.count())] == [
        "Series · Blue room"
    ]
    assert "school badge" in browser.clue_list.item(0).text()
    qtbot.waitUntil(browser.tiles_loaded, timeout=10_000)
    # the grid is blurred: far less fine detail than the same tile revealed
    blurred_tile = browser.media.item(0).icon().pixmap(112, 112).toImage()
    sharp_tile = workers.load_tiles(sample_case, [ids[0]], 80, False, ids[0], 112)[ids[0]]
    assert detail_energy(blurred_tile) * 10 < detail_energy(sharp_tile)
    browser.grab().save(os.path.join(SHOTS, "entity_browser.png"))
    with qtbot.waitSignal(browser.mediaActivated) as back:  # and back to the media
        browser.media.setCurrentRow(1)
        browser.media.setFocus()
        qtbot.keyClick(browser.media, Qt.Key.Key_Return)
    assert back.args == [ids[1]]
    # the related series opens from the victim, and its victims include V-001
    browser.show_entity(linked["series"].id)
    assert browser.title.text() == "Series: Blue room"
    assert browser.related.item(0).text() == "Victim · V-001"


def test_grid_filters_find_linked_and_unlinked_work(qtbot, db, linked):
    bar = FilterBar(scheme(), ["jpeg", "png"])
    qtbot.addWidget(bar)
    bar.stacks.setChecked(False)  # count every media, not one tile per near-duplicate stack
    filters = InvestigationFilters(db, bar)
    ids = linked["ids"]
    total = db.execute("SELECT COUNT(*) FROM media").fetchone()[0]

    def found():
        query = bar.query()
        rows = browse.page(db, query, limit=1000)
        return sorted(row.id for row in rows)

    with qtbot.waitSignal(bar.changed):
        filters.select("entity", linked["victim"].id)
    assert found() == ids[:3]
    filters.select("series_without_victim")
    assert found() == [ids[3]]
    filters.select("has_clues")
    assert found() == [ids[1]]
    filters.select("no_clues")
    assert len(found()) == total - 1 and ids[1] not in found()
    filters.select("tag", "bedroom")
    assert found() == [ids[0], ids[3]]
    filters.select("clue_kind", "clothing")
    assert found() == [ids[1]]
    filters.choice.setCurrentIndex(0)
    filters.label.setText("BADGE")
    assert found() == [ids[1]]
    filters.label.setText("bottle")
    assert found() == []
    bar.grab().save(os.path.join(SHOTS, "filter_bar_investigation.png"))


def test_new_edit_and_remove_entities_in_the_browser(qtbot, monkeypatch, db, sample_case, linked):
    from desktop.ui.dialogs import entity_browser

    browser = EntityBrowser(db, sample_case)
    qtbot.addWidget(browser)

    def new_location(dialog):
        dialog.kind.setCurrentIndex(dialog.kind.findData("location"))
        dialog.name.setText("Flat by the canal")
        dialog.country.setText("NL")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(entity_browser.EntityDialog, "exec", new_location)
    browser.new_entity()
    assert browser.title.text() == "Location: Flat by the canal"
    assert "country: NL" in browser.details.text()

    def add_notes(dialog):
        dialog.notes.setPlainText("seen from the window")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(entity_browser.EntityDialog, "exec", add_notes)
    browser.edit_entity()
    assert "Notes: seen from the window" in browser.details.text()

    browser.show_entity(linked["victim"].id)
    monkeypatch.setattr(browser, "confirm_removal", lambda entity, n: n == 3)
    browser.remove_entity()
    assert "Victim · V-001" not in " ".join(browser.entity_names())
    assert links.media_for_entity(db, linked["victim"].id) == []


def test_record_and_remove_a_victim_in_a_series(qtbot, monkeypatch, db, sample_case, linked):
    from desktop.ui.dialogs import entity_browser

    other = entities.add_entity(db, "victim", "V-002")
    browser = EntityBrowser(db, sample_case)
    qtbot.addWidget(browser)
    browser.show_entity(other.id)
    assert browser.relate_button.text() == "Appears in series…"
    monkeypatch.setattr(entity_browser.QInputDialog, "getItem", lambda *a, **k: ("Blue room", True))
    browser.relate()
    assert [v.name for v in entities.victims_in_series(db, linked["series"].id)] == [
        "V-001",
        "V-002",
    ]
    assert browser.related.item(0).text() == "Series · Blue room"
    browser.related.setCurrentRow(0)
    browser.unrelate()
    assert [v.name for v in entities.victims_in_series(db, linked["series"].id)] == ["V-001"]
    # V-001 shares media with the series: only unlinking media separates them
    browser.show_entity(linked["victim"].id)
    browser.related.setCurrentRow(0)
    browser.unrelate()
    assert "share linked media" in browser.message.text()
