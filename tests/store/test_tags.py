"""Tags: put on and take off media, counts, case-insensitive names; every change audited."""

from __future__ import annotations

import pytest

from desktop.store import audit, tags
from desktop.store.db import open_case
from desktop.store.investigation import InvestigationError


@pytest.fixture
def db(sample_case):
    return open_case(sample_case)


def _media(db, n):
    return [r[0] for r in db.execute("SELECT id FROM media ORDER BY id LIMIT ?", [n])]


def test_add_tag_to_several_media_counts_and_audits(db):
    a, b, c = _media(db, 3)
    assert tags.add_tag(db, [a, b], "  bedroom   blue ") == 2
    assert tags.add_tag(db, [b, c], "Bedroom Blue") == 1  # same tag, b already has it
    assert tags.tag_counts(db) == [("bedroom blue", 3)]
    assert tags.tags_for_media(db, b) == ["bedroom blue"]
    assert tags.media_with_tag(db, "BEDROOM BLUE") == [a, b, c]
    events = [e.as_dict() for e in audit.events(db) if e.action == "tag.add"]
    assert [e["after"]["media"] for e in events] == [[a, b], [c]]


def test_adding_a_tag_nobody_gains_writes_no_event(db):
    (a,) = _media(db, 1)
    tags.add_tag(db, [a], "kitchen")
    before = len(list(audit.events(db)))
    assert tags.add_tag(db, [a], "kitchen") == 0
    assert len(list(audit.events(db))) == before


def test_remove_tag_and_unused_tags_disappear(db):
    a, b = _media(db, 2)
    tags.add_tag(db, [a, b], "kitchen")
    tags.add_tag(db, [a], "garden")
    assert tags.remove_tag(db, [a], "kitchen") == 1
    assert tags.tag_counts(db) == [("garden", 1), ("kitchen", 1)]
    tags.remove_tag(db, [a], "garden")
    assert tags.tag_counts(db) == [("kitchen", 1)]
    event = list(audit.events(db))[-1].as_dict()
    assert event["action"] == "tag.remove" and event["before"] == {"tag": "garden", "media": [a]}
    with pytest.raises(InvestigationError, match="no tag"):
        tags.remove_tag(db, [a], "garden")


def test_bad_tags_and_unknown_media_are_refused_without_change(db):
    (a,) = _media(db, 1)
    with pytest.raises(InvestigationError):
        tags.add_tag(db, [a], "   ")
    with pytest.raises(InvestigationError):
        tags.add_tag(db, [a], "x" * 65)
    with pytest.raises(InvestigationError, match="no media #424242"):
        tags.add_tag(db, [a, 424242], "kitchen")
    assert tags.tag_counts(db) == []
