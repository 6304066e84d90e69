"""Keyset pages, filters, search and details behind the grid, on an ingested sample case."""

from __future__ import annotations

import pytest

from desktop.jobs.grouping import update_groups
from desktop.store import browse, media_view, review
from desktop.store.db import open_case


@pytest.fixture
def db(sample_case):
    db = open_case(sample_case)
    update_groups(db)  # near-duplicate stacks (a no-op when ingest already made them)
    return db


def _all(db, query, size=4):
    rows, after = [], None
    while True:
        page = browse.page(db, query, after, size)
        if not page:
            return rows
        rows += page
        after = (page[-1].key, page[-1].id)


@pytest.mark.parametrize("sort", list(browse.SORTS))
def test_pages_visit_every_media_once_in_order(db, sort):
    query = browse.BrowseQuery(sort=sort, stacks=False)
    rows = _all(db, query)
    ids = [r.id for r in rows]
    assert len(ids) == len(set(ids)) == db.execute("SELECT COUNT(*) FROM media").fetchone()[0]
    keys = [(r.key, r.id) for r in rows]
    descending = browse.SORTS[sort][1]
    assert keys == sorted(keys, reverse=descending)
    # filtered pages are the same rows, filtered
    reviewed = set(ids[::3])
    review.set_reviewed(db, list(reviewed))
    left = [r.id for r in _all(db, browse.BrowseQuery(sort=sort, stacks=False, reviewed=False))]
    assert left == [i for i in ids if i not in reviewed]


def test_copies_and_first_path_follow_the_files(db):
    for media_id, copies, first_path in db.execute("SELECT id, copies, first_path FROM media"):
        files = db.execute(
            "SELECT path FROM files WHERE media_id = ? ORDER BY id", [media_id]
        ).fetchall()
        assert copies == len(files)
        assert first_path == files[0][0]
    assert db.execute("SELECT MAX(copies) FROM media").fetchone()[0] > 1


def test_filters(db):
    total = browse.count(db, browse.BrowseQuery(stacks=False))
    problems = browse.BrowseQuery(statuses=("truncated", "corrupt", "too_large"), stacks=False)
    rows = _all(db, problems)
    assert rows and all(r.status != "ok" for r in rows)
    assert browse.count(db, problems) == len(rows) < total
    ids = [r.id for r in _all(db, browse.BrowseQuery(stacks=False))][:3]
    review.set_category(db, ids[:2], 1)
    review.set_reviewed(db, ids[2:3])
    cat1 = browse.BrowseQuery(categories=(1,), stacks=False)
    assert {r.id for r in _all(db, cat1)} == set(ids[:2])
    unreviewed = browse.BrowseQuery(reviewed=False, stacks=False)
    assert browse.count(db, unreviewed) == total - 3
    uncategorised = browse.BrowseQuery(categories=(browse.UNCATEGORISED,), stacks=False)
    assert browse.count(db, uncategorised) == total - 2
    assert browse.file_types(db)


def test_text_search_over_paths_and_metadata(db):
    media_id, path = db.execute(
        "SELECT media_id, path FROM files WHERE media_id IS NOT NULL ORDER BY id DESC LIMIT 1"
    ).fetchone()
    name = path.rsplit("/", 1)[1].rsplit(".", 1)[0]
    found = {r.id for r in _all(db, browse.BrowseQuery(text=name, stacks=False))}
    assert media_id in found
    make = db.execute("SELECT camera_make FROM media WHERE camera_make IS NOT NULL").fetchone()[0]
    with_make = browse.count(db, browse.BrowseQuery(text=make.lower(), stacks=False))
    assert (
        with_make
        == db.execute("SELECT COUNT(*) FROM media WHERE camera_make = ?", [make]).fetchone()[0]
    )
    assert browse.count(db, browse.BrowseQuery(text="zzqqnothing", stacks=False)) == 0
    assert browse.fts_expression('a "b" c*') == '"a"* "b"* "c"*'
    assert browse.fts_expression("  ") is None


def test_stacks_collapse_near_duplicate_groups(db):
    all_rows = _all(db, browse.BrowseQuery(stacks=False))
    stacked = _all(db, browse.BrowseQuery(stacks=True))
    assert browse.group_level(db) is not None
    assert len(stacked) < len(all_rows)
    big = next(r for r in stacked if r.stack_size > 1)
    members = browse.stack_members(db, big.id)
    assert len(members) == big.stack_size and big.id in members
    assert sum(r.stack_size for r in stacked) == len(all_rows)


def test_extra_filters_plug_in(db):
    browse.register_filter("only_id", lambda value: ("m.id = ?", [value]))
    rows = _all(db, browse.BrowseQuery(extra=(("only_id", 2),), stacks=False))
    assert [r.id for r in rows] == [2]


def test_thumbnails_details_and_similar(db):
    ok_id = db.execute("SELECT id FROM media WHERE status = 'ok' LIMIT 1").fetchone()[0]
    bad_id = db.execute("SELECT id FROM media WHERE status != 'ok' LIMIT 1").fetchone()[0]
    thumbs = media_view.thumbnails(db, [ok_id, bad_id])
    assert thumbs[ok_id].startswith(b"\xff\xd8") and thumbs[bad_id] is None
    detail = media_view.media_detail(db, ok_id)
    assert detail["files"] and detail["sha256"] and detail["perceptual_hashes"]
    assert media_view.media_detail(db, 10**9) is None
    index = media_view.pdq_index(db)
    near = media_view.similar_media(db, ok_id, index)
    assert all(i != ok_id for i, _ in near)
    assert [d for _, d in near] == sorted(d for _, d in near)


def test_group_size_sort_puts_the_largest_stacks_first(db):
    stacked = _all(db, browse.BrowseQuery(sort="group"), size=3)
    assert [r.id for r in stacked] == [r.id for r in _all(db, browse.BrowseQuery(sort="group"))]
    assert {r.id for r in stacked} == {r.id for r in _all(db, browse.BrowseQuery())}
    sizes = [r.stack_size for r in stacked]
    assert sizes == sorted(sizes, reverse=True)
    ungrouped = [r.copies for r in stacked if r.stack_size == 1]
    assert ungrouped == sorted(ungrouped, reverse=True)
