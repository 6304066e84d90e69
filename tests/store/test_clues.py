"""Clues: add, edit, remove, query; region checks; each change audited in its transaction."""

from __future__ import annotations

import pytest

from desktop.core.regions import Region
from desktop.store import audit, clues
from desktop.store.db import open_case
from desktop.store.investigation import InvestigationError


@pytest.fixture
def db(sample_case):
    return open_case(sample_case)


def _first_picture(db) -> tuple[int, int, int]:
    return db.execute(
        "SELECT id, width, height FROM media WHERE status = 'ok' ORDER BY id LIMIT 1"
    ).fetchone()


def _last_event(db):
    return list(audit.events(db))[-1]


def test_add_clue_with_region_is_stored_and_audited(db):
    media_id, width, height = _first_picture(db)
    clue = clues.add_clue(
        db, media_id, "electrical", "  Type F   socket ", "two pins", Region(10, 20, 30, 40)
    )
    assert clue.label == "Type F socket"
    assert clue.region == Region(10, 20, 30, 40)
    assert clues.clues_for_media(db, media_id) == [clue]
    event = _last_event(db)
    assert (event.action, event.target) == ("clue.add", f"clue:{clue.id}")
    assert event.as_dict()["after"]["region"] == {"x": 10, "y": 20, "w": 30, "h": 40}
    assert audit.verify_chain(db)[1] is None


def test_clue_kind_must_come_from_the_taxonomy(db):
    media_id, _, _ = _first_picture(db)
    with pytest.raises(InvestigationError, match="not a clue kind"):
        clues.add_clue(db, media_id, "weapon", "x")
    assert clues.add_clue(db, media_id, "TEXT", "newspaper").kind == "text"


@pytest.mark.parametrize(
    "region",
    [Region(0, 0, 0, 5), Region(-1, 0, 5, 5), Region(300, 0, 100, 10), Region(0, 200, 10, 100)],
)
def test_regions_outside_the_picture_are_refused_and_nothing_is_written(db, region):
    media_id, width, height = _first_picture(db)
    assert (width, height) == (320, 240)
    events_before = len(list(audit.events(db)))
    with pytest.raises(InvestigationError):
        clues.add_clue(db, media_id, "object", "bottle", region=region)
    assert clues.clues_for_media(db, media_id) == []
    assert len(list(audit.events(db))) == events_before


def test_unknown_media_and_empty_label_are_refused(db):
    with pytest.raises(InvestigationError, match="no media #999999"):
        clues.add_clue(db, 999999, "object", "bottle")
    media_id, _, _ = _first_picture(db)
    with pytest.raises(InvestigationError, match="label"):
        clues.add_clue(db, media_id, "object", "   ")


def test_edit_changes_only_what_is_given_and_audits_before_and_after(db):
    media_id, _, _ = _first_picture(db)
    clue = clues.add_clue(db, media_id, "object", "bottle", "blue cap", Region(1, 2, 3, 4))
    edited = clues.update_clue(db, clue.id, label="water bottle")
    assert (edited.kind, edited.label, edited.note, edited.region) == (
        "object",
        "water bottle",
        "blue cap",
        Region(1, 2, 3, 4),
    )
    event = _last_event(db).as_dict()
    assert event["action"] == "clue.edit"
    assert event["before"]["label"] == "bottle" and event["after"]["label"] == "water bottle"
    cleared = clues.update_clue(db, clue.id, region=None, kind="other")
    assert cleared.region is None and cleared.kind == "other"


def test_remove_deletes_and_keeps_the_clue_in_the_audit_log(db):
    media_id, _, _ = _first_picture(db)
    clue = clues.add_clue(db, media_id, "clothing", "school badge")
    clues.remove_clue(db, clue.id)
    assert clues.clues_for_media(db, media_id) == []
    event = _last_event(db).as_dict()
    assert event["action"] == "clue.remove" and event["before"]["label"] == "school badge"
    with pytest.raises(InvestigationError, match=f"no clue #{clue.id}"):
        clues.remove_clue(db, clue.id)


def test_query_by_kind_label_and_media(db):
    ids = [r[0] for r in db.execute("SELECT id FROM media WHERE status = 'ok' LIMIT 3")]
    clues.add_clue(db, ids[0], "object", "Water bottle 50%")
    clues.add_clue(db, ids[1], "object", "cuddly toy")
    clues.add_clue(db, ids[2], "screen", "TV show with bottle")
    assert [c.media_id for c in clues.iter_clues(db, label="BOTTLE")] == [ids[0], ids[2]]
    assert [c.media_id for c in clues.iter_clues(db, kind="object", label="bottle")] == [ids[0]]
    assert [c.label for c in clues.iter_clues(db, label="50%")] == ["Water bottle 50%"]
    assert list(clues.iter_clues(db, label="5_%")) == []  # LIKE wildcards are taken literally
    assert [c.media_id for c in clues.iter_clues(db, media_ids=[ids[1]])] == [ids[1]]
    assert clues.counts_by_kind(db) == {"object": 2, "screen": 1}
