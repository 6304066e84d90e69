"""Review decisions: categories and reviewed flags, each audited in its transaction, undoable."""

from __future__ import annotations

import json

import pytest

from desktop.store import audit, review
from desktop.store.db import open_case


@pytest.fixture
def db(sample_case):
    return open_case(sample_case)


def _ids(db, n):
    return [r[0] for r in db.execute("SELECT id FROM media ORDER BY id LIMIT ?", [n])]


def test_set_category_marks_reviewed_and_is_audited(db):
    ids = _ids(db, 3)
    events_before = len(list(audit.events(db)))
    change = review.set_category(db, ids, 2)
    state = review.review_state(db, ids)
    assert {s.category for s in state.values()} == {2}
    assert all(s.reviewed and s.category_source == review.ANALYST for s in state.values())
    events = list(audit.events(db))
    assert len(events) == events_before + 1
    last = events[-1]
    assert last.action == "review.category" and last.id == change.audit_id
    assert json.loads(last.after)[str(ids[0])]["category"] == 2
    assert json.loads(last.before)[str(ids[0])]["category"] is None
    assert audit.verify_chain(db)[1] is None


def test_undo_restores_each_media_as_it_was(db):
    a, b, c = _ids(db, 3)
    review.set_category(db, [a], 4)
    review.set_reviewed(db, [b])
    change = review.set_category(db, [a, b, c], 1)
    review.undo(db, change)
    state = review.review_state(db, [a, b, c])
    assert state[a] == review.MediaReview(4, review.ANALYST, True)
    assert state[b] == review.MediaReview(None, None, True)
    assert state[c] == review.MediaReview(None, None, False)
    assert [e.action for e in audit.events(db)][-1] == "review.undo"


def test_clearing_a_category_and_other_sources(db):
    (a,) = _ids(db, 1)
    review.set_category(db, [a], 3, source="known:test set")
    assert review.review_state(db, [a])[a].category_source == "known:test set"
    review.set_category(db, [a], None)
    assert review.review_state(db, [a])[a] == review.MediaReview(None, None, True)
    assert review.category_counts(db)[None] >= 1


def test_a_failed_change_writes_nothing(db, monkeypatch):
    ids = _ids(db, 2)
    count = len(list(audit.events(db)))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "append", broken)
    with pytest.raises(RuntimeError):
        review.set_category(db, ids, 1)
    monkeypatch.undo()
    assert {s.category for s in review.review_state(db, ids).values()} == {None}
    assert len(list(audit.events(db))) == count


def test_unknown_media_are_ignored(db):
    change = review.set_category(db, [10**9], 1)
    assert change.media_ids == []
