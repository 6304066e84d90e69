"""Package import merges the sender's entities, links, clues and tags, with provenance."""

from __future__ import annotations

import json
import zipfile

import pytest

from desktop.core.packages import (
    CASE_MEMBER,
    ENTITIES_MEMBER,
    MEDIA_MEMBER,
    PackageError,
    write_package,
)
from desktop.core.regions import Region
from desktop.core.samples import jpeg_bytes, scene
from desktop.jobs.ingest import ingest
from desktop.jobs.package_export import export_package, new_key_pair
from desktop.jobs.package_import import import_package
from desktop.store import audit, clues, entities, known, links, origins, tags
from desktop.store.db import get_info, open_case, set_info

TABLES = (
    "entities", "links", "clues", "media_tags", "series_victims", "merged_origins",
    "imported_packages", "package_records", "audit_events",
)  # fmt: skip


def counts(db):
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    """Five small distinct pictures: 0-3 are in case A, 0-2 and 4 in case B."""
    folder = tmp_path_factory.mktemp("pictures")
    paths = []
    for seed in range(5):
        path = folder / f"p{seed}.jpg"
        path.write_bytes(jpeg_bytes(scene(100 + seed, (320, 240))))
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def case_templates(tmp_path_factory, pictures):
    root = tmp_path_factory.mktemp("merge_cases")
    a, b = root / "a.vigil", root / "b.vigil"
    ingest(a, pictures[:4], workers=1)
    ingest(b, [pictures[4], *pictures[:3]], workers=1)  # other order: other media ids
    with_org = open_case(a)
    with with_org.atomic():
        set_info(with_org, "organization", "Agency A")
    return a, b


def copy(template, target):
    import sqlite3

    source, dest = sqlite3.connect(template), sqlite3.connect(target)
    source.backup(dest)
    source.close()
    dest.close()
    return target


def by_sha(db):
    return {sha: int(i) for i, sha in db.execute("SELECT id, sha256 FROM media")}


@pytest.fixture
def cases(tmp_path, case_templates):
    a = open_case(copy(case_templates[0], tmp_path / "a.vigil"))
    b = open_case(copy(case_templates[1], tmp_path / "b.vigil"))
    return a, b


def work_in_a(a):
    """Victim, series (holding the victim), offender, location, links, clues and tags."""
    ids = sorted(by_sha(a).values())
    victim = entities.add_entity(a, "victim", "V-1", age_min=8, age_max=10, sex="female")
    series = entities.add_entity(a, "series", "Blue Room", notes="first seen 2024")
    offender = entities.add_entity(a, "offender", "Uncle")
    place = entities.add_entity(a, "location", "Harbour", country="NL", latitude=52.1)
    links.link_media(a, [ids[0]], victim.id, "depicted", "face visible")
    links.link_media(a, ids[:2], series.id, "member")
    links.link_media(a, [ids[1]], place.id, "taken at")
    links.link_media(a, [ids[3]], offender.id, "producer")  # media B does not hold
    entities.add_victim_to_series(a, series.id, victim.id)
    clue = clues.add_clue(a, ids[0], "screen", "cartoon on TV", "logo", Region(10, 20, 40, 30))
    clues.add_clue(a, ids[1], "object", "water bottle")
    tags.add_tag(a, [ids[0]], "bedroom")
    tags.add_tag(a, [ids[0], ids[1]], "daylight")
    return {"victim": victim, "series": series, "place": place, "clue": clue, "ids": ids}


def sha_of(db, media_id):
    return db.execute("SELECT sha256 FROM media WHERE id = ?", [media_id]).fetchone()[0]


def test_import_merges_entities_links_clues_and_tags_with_provenance(tmp_path, cases):
    a, b = cases
    sent = work_in_a(a)
    mine = entities.add_entity(b, "victim", "V-1", notes="our own V-1, another child")
    keys = new_key_pair(tmp_path / "a.pem")
    out = tmp_path / "a.vpkg"
    export_package(a, out, sign=keys[0])

    summary = import_package(b, out, keys[1])

    merged = summary["investigation"]
    assert merged["entities"]["added"] == 4 and merged["conflict_count"] == 0
    assert merged["series_victims"]["added"] == 1
    assert merged["links"]["added"] == 4  # victim, series x2, location: the offender's media
    assert merged["clues"]["added"] == 2 and merged["tags"]["added"] == 3  # is not in B
    b_media = by_sha(b)
    first = b_media[sha_of(a, sent["ids"][0])]
    second = b_media[sha_of(a, sent["ids"][1])]
    # the name V-1 is taken here by another child: the sender's victim is told apart
    victim = entities.find_entity(b, "V-1 [Agency A]", "victim")
    assert (victim.age_min, victim.age_max, victim.sex) == (8, 10, "female")
    assert entities.get_entity(b, mine.id).notes == "our own V-1, another child"
    series = entities.find_entity(b, "Blue Room", "series")
    assert [v.id for v in entities.victims_in_series(b, series.id)] == [victim.id]
    assert entities.find_entity(b, "Uncle", "offender").kind == "offender"
    place = entities.find_entity(b, "Harbour", "location")
    assert (place.country, place.latitude) == ("NL", 52.1)
    (victim_link,) = links.links_for_entity(b, victim.id)
    assert (victim_link.media_id, victim_link.role, victim_link.note) == (
        first,
        "depicted",
        "face visible",
    )
    assert links.media_for_entity(b, series.id) == sorted([first, second])
    (clue,) = clues.clues_for_media(b, first)
    assert (clue.kind, clue.label, clue.note, clue.region) == (
        "screen",
        "cartoon on TV",
        "logo",
        Region(10, 20, 40, 30),
    )
    assert tags.tags_for_media(b, first) == ["bedroom", "daylight"]
    assert tags.tags_for_media(b, second) == ["daylight"]
    # provenance: which package, which sending case and agency, the sender's own id
    origin = origins.origins_of_rows(b, "entity", [victim.id])[victim.id]
    package_id = b.execute("SELECT id FROM imported_packages").fetchone()[0]
    assert (origin.source_case_id, origin.organization, origin.original_id) == (
        get_info(a, "case_id"),
        "Agency A",
        str(sent["victim"].id),
    )
    assert origin.created and origin.first_package_id == package_id
    clue_origin = origins.origins_of_rows(b, "clue", [clue.id])[clue.id]
    assert clue_origin.original_id == str(sent["clue"].id)
    assert origins.entity_origin_labels(b)[victim.id] == "Agency A"
    # the media B does not hold keep the sender's work as a package record, as before
    missing = sha_of(a, sent["ids"][3])
    (work,) = b.execute("SELECT work FROM package_records WHERE sha256 = ?", [missing]).fetchone()
    assert json.loads(work)["links"][0]["entity_name"] == "Uncle"
    actions = [e.action for e in audit.events(b)]
    for action in ("entity.add", "link.add", "clue.add", "tag.add", "series.add_victim"):
        assert action in actions
    assert "package.import" in actions
    assert audit.verify_chain(b)[1] is None


def test_reimport_is_idempotent(tmp_path, cases):
    a, b = cases
    work_in_a(a)
    out = tmp_path / "a.vpkg"
    export_package(a, out)
    import_package(b, out)
    before = counts(b)
    again = import_package(b, out)  # the very same file
    assert again["already_imported"]
    after = counts(b)
    assert after["audit_events"] > before["audit_events"]  # the import itself is audited
    assert {**after, "audit_events": 0} == {**before, "audit_events": 0}
    merged = again["investigation"]
    assert merged["entities"]["unchanged"] == 4 and merged["entities"]["added"] == 0
    assert merged["links"]["unchanged"] == 4 and merged["clues"]["unchanged"] == 2
    later = tmp_path / "a-later.vpkg"  # a new export of the same work: another file
    export_package(a, later)
    import_package(b, later)
    after_later = counts(b)
    assert after_later["imported_packages"] == before["imported_packages"] + 1
    for table in ("entities", "links", "clues", "media_tags", "series_victims", "merged_origins"):
        assert after_later[table] == before[table], table


def test_local_edits_are_kept_and_reported_sender_changes_applied_elsewhere(tmp_path, cases):
    a, b = cases
    sent = work_in_a(a)
    first_out = tmp_path / "first.vpkg"
    export_package(a, first_out)
    import_package(b, first_out)
    victim = entities.find_entity(b, "V-1", "victim")
    place = entities.find_entity(b, "Harbour", "location")
    entities.update_entity(b, victim.id, notes="seen by our unit too")  # a local edit
    b_first = by_sha(b)[sha_of(a, sent["ids"][0])]
    (clue,) = clues.clues_for_media(b, b_first)
    links.unlink(b, b_first, victim.id)  # the analyst took a link away
    # the sender changes the same victim, the location (untouched here) and the clue
    entities.update_entity(a, sent["victim"].id, notes="identified abroad", age_max=11)
    entities.update_entity(a, sent["place"].id, notes="north pier")
    clues.update_clue(a, sent["clue"].id, label="cartoon channel logo")
    second_out = tmp_path / "second.vpkg"
    export_package(a, second_out)
    before = counts(b)

    summary = import_package(b, second_out)

    merged = summary["investigation"]
    assert merged["entities"]["conflicts"] == 1 and merged["entities"]["updated"] == 1
    assert merged["clues"]["updated"] == 1 and merged["links"]["kept_removed"] == 1
    assert any("'V-1'" in c and "yours is kept" in c for c in summary["conflicts"])
    assert summary["conflict_count"] == 1
    kept = entities.get_entity(b, victim.id)
    assert (kept.notes, kept.age_max) == ("seen by our unit too", 10)
    assert entities.get_entity(b, place.id).notes == "north pier"
    assert clues.get_clue(b, clue.id).label == "cartoon channel logo"
    assert links.links_for_entity(b, victim.id) == []  # not restored
    after = counts(b)
    assert after["entities"] == before["entities"] and after["clues"] == before["clues"]
    edits = [e for e in audit.events(b) if e.action in ("entity.edit", "clue.edit")]
    assert len(edits) == 3  # the analyst's own edit, then the location and the clue merged


def test_refused_or_failing_packages_write_nothing(tmp_path, cases):
    a, b = cases
    work_in_a(a)
    good = tmp_path / "good.vpkg"
    export_package(a, good)
    before = counts(b)
    tampered = tmp_path / "tampered.vpkg"
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(tampered, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == ENTITIES_MEMBER:
                data = data.replace(b"V-1", b"V-9")
            new.writestr(info.filename, data)
    with pytest.raises(PackageError, match="does not match its manifest"):
        import_package(b, tampered)
    assert counts(b) == before
    # a package that verifies but breaks late (a malformed media line after the entities
    # and a first media were merged): the whole merge is rolled back
    sha = next(iter(by_sha(b)))
    link = {"entity_id": 1, "entity_kind": "victim", "entity_name": "X", "role": "", "note": ""}
    lines = [
        json.dumps({"sha256": sha, "tags": ["late"], "links": [link]}).encode(),
        b"{not json",
    ]
    victims = [{"entity_id": 1, "kind": "victim", "name": "X", "notes": ""}]
    late = tmp_path / "late.vpkg"
    write_package(
        late,
        [
            (CASE_MEMBER, json.dumps({"case_id": "elsewhere"}).encode()),
            (ENTITIES_MEMBER, json.dumps(victims).encode()),
            (MEDIA_MEMBER, b"\n".join(lines) + b"\n"),
        ],
        {"case_id": "elsewhere", "organization": "Agency C"},
    )
    with pytest.raises(PackageError, match="line 2 of its media list is malformed"):
        import_package(b, late)
    assert counts(b) == before
    with pytest.raises(Exception, match="no victim named"):
        entities.find_entity(b, "X", "victim")


def test_a_package_from_the_same_case_merges_no_investigation_work(tmp_path, cases):
    a, _ = cases
    work_in_a(a)
    out = tmp_path / "own.vpkg"
    export_package(a, out)
    before = counts(a)
    summary = import_package(a, out)
    assert "not_merged" in summary["investigation"]
    after = counts(a)
    assert after["entities"] == before["entities"] and after["links"] == before["links"]
    assert known.has_package_records(a)


def test_removed_here_stays_removed_even_when_its_row_id_is_used_again(tmp_path, cases):
    a, b = cases
    work_in_a(a)
    out = tmp_path / "a.vpkg"
    export_package(a, out)
    import_package(b, out)
    place = entities.find_entity(b, "Harbour", "location")
    assert place.id == max(e.id for e, _ in entities.list_entities(b))
    entities.remove_entity(b, place.id)
    home = entities.add_entity(b, "location", "Home")
    assert home.id == place.id  # SQLite gave the removed row's id to the new one
    again = import_package(b, out)
    assert again["investigation"]["entities"]["kept_removed"] == 1
    assert again["investigation"]["links"]["kept_removed"] == 1
    assert links.links_for_entity(b, home.id) == []
    assert entities.get_entity(b, home.id).name == "Home"
    with pytest.raises(Exception, match="no location named"):
        entities.find_entity(b, "Harbour", "location")


def test_odd_records_of_a_verified_package_are_skipped_and_listed(tmp_path, cases):
    _, b = cases
    sha = next(iter(by_sha(b)))
    sent = [
        {"entity_id": 1, "kind": "victim", "name": "V-ok", "age_min": 9, "notes": "fine"},
        {"entity_id": 2, "kind": "victim", "name": "V-old", "age_min": 40},
        {"entity_id": 3, "kind": "offender", "name": "Uncle", "notes": 5},
        {"entity_id": 4, "kind": "spaceship", "name": "X"},
        {"entity_id": 5, "kind": "series", "name": "S", "victims": [1, [2], "x", 99]},
        "not an entity",
    ]
    work = {
        "sha256": sha,
        "tags": ["ok", "", 7],
        "links": [{"entity_id": 1, "role": "depicted"}, {"entity_id": 42}, "x"],
        "clues": [
            {"clue_id": 1, "kind": "brand-new-kind", "label": "mug", "note": "blue"},
            {"clue_id": 2, "kind": "object", "label": "toy", "region": {"x": 0, "y": 0}},
            {"clue_id": 3, "kind": "object", "label": "kite", "region": {"x": 0, "y": 0,
                                                                       "w": 9999, "h": 5}},
            {"clue_id": 4, "kind": "object", "label": "   "},
        ],
    }  # fmt: skip
    odd = tmp_path / "odd.vpkg"
    write_package(
        odd,
        [
            (CASE_MEMBER, b"{}"),
            (ENTITIES_MEMBER, json.dumps(sent).encode()),
            (MEDIA_MEMBER, json.dumps(work).encode() + b"\n"),
        ],
        {"case_id": "case-c", "organization": "Agency C"},
    )
    merged = import_package(b, odd)["investigation"]
    assert merged["entities"]["added"] == 2 and merged["entities"]["skipped"] == 4
    assert merged["series_victims"]["added"] == 1 and merged["series_victims"]["skipped"] == 1
    assert (merged["links"]["added"], merged["links"]["skipped"]) == (1, 2)
    assert (merged["clues"]["added"], merged["clues"]["skipped"]) == (1, 3)
    assert (merged["tags"]["added"], merged["tags"]["skipped"]) == (1, 2)
    assert any("age" in reason for reason in merged["skipped"])
    (clue,) = clues.clues_for_media(b, by_sha(b)[sha])
    assert (clue.kind, clue.note) == ("other", "[their kind: brand-new-kind] blue")
    assert entities.find_entity(b, "V-ok", "victim").age_min == 9


def test_preview_writes_nothing_and_the_analyst_takes_theirs_record_by_record(tmp_path, cases):
    from desktop.store import review

    a, b = cases
    sent = work_in_a(a)
    first = tmp_path / "first.vpkg"
    export_package(a, first)
    import_package(b, first)
    victim = entities.find_entity(b, "V-1", "victim")
    place = entities.find_entity(b, "Harbour", "location")
    entities.update_entity(b, victim.id, notes="ours")  # both sides change both entities
    entities.update_entity(b, place.id, notes="our pier")
    entities.update_entity(a, sent["victim"].id, notes="theirs")
    entities.update_entity(a, sent["place"].id, notes="their pier")
    shared = by_sha(b)[sha_of(a, sent["ids"][0])]
    review.set_category(b, [shared], 1)  # and disagree on a category
    review.set_category(a, [sent["ids"][0]], 2)
    second = tmp_path / "second.vpkg"
    export_package(a, second)
    before = counts(b)

    preview = import_package(b, second, preview=True)

    assert counts(b) == before  # nothing written, not even an audit event
    assert preview["preview"] and preview["conflict_count"] == 3
    by_reason = {c["reason"]: c["key"] for c in preview["choices"]}
    assert len(by_reason) == 3
    victim_key = next(k for r, k in by_reason.items() if "'V-1'" in r)
    category_key = next(k for r, k in by_reason.items() if "your category 1" in r)

    summary = import_package(b, second, take_theirs=[victim_key, category_key])

    assert entities.get_entity(b, victim.id).notes == "theirs"
    assert entities.get_entity(b, place.id).notes == "our pier"  # kept: not chosen
    state = review.review_state(b, [shared])[shared]
    assert (state.category, state.category_source) == (2, "package:second.vpkg")
    merged = summary["investigation"]["entities"]
    assert merged["taken"] == 1 and merged["conflicts"] == 1 and summary["conflict_count"] == 1
    actions = [e.action for e in audit.events(b)][-4:]
    assert "review.category" in actions and "package.import" in actions
