"""`vigil package import` reports the merged investigation work; `vigil info` known counts."""

from __future__ import annotations

import json

import pytest

from desktop.cli import main
from desktop.core.samples import jpeg_bytes, scene
from desktop.jobs.ingest import ingest
from desktop.store import clues, entities, links, tags
from desktop.store.db import open_case


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def two_cases(tmp_path):
    """Case A holds pictures 0-2 with work on them; case B holds 1-3 and its own series."""
    paths = []
    for seed in range(4):
        path = tmp_path / f"p{seed}.jpg"
        path.write_bytes(jpeg_bytes(scene(200 + seed, (320, 240))))
        paths.append(path)
    a_path, b_path = tmp_path / "a.vigil", tmp_path / "b.vigil"
    ingest(a_path, paths[:3], workers=1)
    ingest(b_path, paths[1:], workers=1)
    a = open_case(a_path)
    ids = [r[0] for r in a.execute("SELECT id FROM media ORDER BY id")]
    victim = entities.add_entity(a, "victim", "V-3", status="identified")
    series = entities.add_entity(a, "series", "Red Kite")
    links.link_media(a, ids, series.id, "member")
    links.link_media(a, [ids[1]], victim.id, "depicted")
    clues.add_clue(a, ids[1], "text", "shop sign", "Dutch")
    tags.add_tag(a, [ids[1]], "kitchen")
    b = open_case(b_path)
    entities.add_entity(b, "series", "red kite", notes="ours")  # the same series, named here
    return a_path, b_path


def test_package_import_reports_the_merge_and_info_counts(tmp_path, capsys, two_cases):
    a, b = two_cases
    package = tmp_path / "a.vpkg"
    code, _, _ = run(capsys, "package", "export", "--case", a, package)
    assert code == 0
    code, out, _ = run(capsys, "package", "import", "--case", b, package, "--json")
    assert code == 0
    result = json.loads(out)
    merged = result["investigation"]
    assert (merged["entities"]["added"], merged["entities"]["matched"]) == (1, 1)
    assert merged["links"]["added"] == 3  # two series members and the victim, on shared media
    assert (merged["clues"]["added"], merged["tags"]["added"]) == (1, 1)
    assert [e["name"] for e in merged["created_entities"]] == ["V-3"]
    db = open_case(b)
    series = entities.find_entity(db, "red kite", "series")
    assert series.notes == "ours" and len(links.media_for_entity(db, series.id)) == 2

    code, out, _ = run(capsys, "package", "import", "--case", b, package)
    assert code == 0
    assert "already imported" in out and "Merged the sender's investigation work" in out
    assert "  entities:          2 unchanged\n" in out and "  links:             3 unchanged" in out

    code, out, _ = run(capsys, "info", "--case", b, "--json")
    known = json.loads(out)["known_material"]
    assert known == {"known": 2, "known_good": 0, "probably_known": 0, "new": 1}
    code, out, _ = run(capsys, "info", "--case", b)
    assert "Known material: 2 known, 0 probably known (to confirm), 0 known good, 1 new" in out


def test_a_conflict_is_printed(tmp_path, capsys, two_cases):
    a, b = two_cases
    first, second = tmp_path / "first.vpkg", tmp_path / "second.vpkg"
    run(capsys, "package", "export", "--case", a, first)
    code, out, _ = run(capsys, "package", "import", "--case", b, first)
    assert "  entities:          1 added, 1 already here\n" in out
    db_b, db_a = open_case(b), open_case(a)
    entities.update_entity(db_b, entities.find_entity(db_b, "V-3").id, notes="ours now")
    entities.update_entity(db_a, entities.find_entity(db_a, "V-3").id, notes="theirs now")
    run(capsys, "package", "export", "--case", a, second)
    code, out, _ = run(capsys, "package", "import", "--case", b, second)
    assert code == 0
    assert "conflict: victim 'V-3'" in out and "yours is kept" in out and "1 in conflict" in out
    assert entities.find_entity(open_case(b), "V-3").notes == "ours now"
