"""The work dump: every media reference with its category, clues, tags and links; entities."""

from __future__ import annotations

import json

import pytest

from desktop.core.regions import Region
from desktop.jobs.export_work import WorkExportError, export_work
from desktop.store import audit, clues, entities, links, tags
from desktop.store.db import open_case


@pytest.fixture
def db(sample_case):
    return open_case(sample_case)


def test_dump_holds_all_media_and_the_work_on_them(db, tmp_path):
    a, b = [r[0] for r in db.execute("SELECT id FROM media WHERE status = 'ok' LIMIT 2")]
    clues.add_clue(db, a, "screen", "cartoon on TV", "channel logo", Region(1, 1, 20, 10))
    tags.add_tag(db, [a, b], "bedroom")
    victim = entities.add_entity(db, "victim", "V-001", notes="blue jumper")
    series = entities.add_entity(db, "series", "Blue room")
    links.link_media(db, [a], victim.id, "depicted")
    links.link_media(db, [a, b], series.id)
    entities.add_victim_to_series(db, series.id, victim.id)
    out = tmp_path / "work.json"
    summary = export_work(db, out)
    dump = json.loads(out.read_text("utf-8"))
    total = db.execute("SELECT COUNT(*) FROM media").fetchone()[0]
    assert summary.media == total == len(dump["media"])
    assert dump["format"] == "vigil-work" and dump["case"]["case_id"]
    by_id = {m["media_id"]: m for m in dump["media"]}
    assert by_id[a]["clues"][0]["label"] == "cartoon on TV"
    assert by_id[a]["tags"] == ["bedroom"] and by_id[b]["tags"] == ["bedroom"]
    assert {(link["entity_name"], link["role"]) for link in by_id[a]["links"]} == {
        ("V-001", "depicted"),
        ("Blue room", ""),
    }
    assert by_id[a]["files"] and len(by_id[a]["sha256"]) == 64
    named = {e["name"]: e for e in dump["entities"]}
    assert named["Blue room"]["media"] == sorted([a, b]) and named["Blue room"]["victims"] == [
        victim.id
    ]
    assert named["V-001"]["notes"] == "blue jumper"
    assert dump["tags"] == [{"name": "bedroom", "media_count": 2}]
    assert list(audit.events(db))[-1].action == "export.work"


def test_dump_includes_categories_when_the_case_has_them(db, tmp_path):
    columns = {row[1] for row in db.execute("PRAGMA table_info(media)")}
    if "category" not in columns:
        pytest.skip("the review migration (2) is not in this tree")
    (a,) = [r[0] for r in db.execute("SELECT id FROM media LIMIT 1")]
    db.execute("UPDATE media SET category = 1, category_source = 'analyst' WHERE id = ?", [a])
    export_work(db, tmp_path / "w.json", worked_only=True)
    dump = json.loads((tmp_path / "w.json").read_text("utf-8"))
    assert [(m["media_id"], m["category"]) for m in dump["media"]] == [(a, 1)]
    assert dump["category_scheme"]["categories"]["1"]


def test_dump_refuses_to_overwrite_and_cancel_leaves_nothing(db, tmp_path):
    out = tmp_path / "work.json"
    out.write_text("keep")
    with pytest.raises(WorkExportError, match="already exists"):
        export_work(db, out)
    assert out.read_text() == "keep"
    other = tmp_path / "other.json"
    summary = export_work(db, other, cancel=lambda: True)
    assert summary.cancelled and not other.exists()
    assert not list(tmp_path.glob(".*partial"))
