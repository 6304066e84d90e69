"""Case package jobs: export with work and thumbnails, verified import, conflicts, refusals."""

from __future__ import annotations

import json
import sqlite3
import zipfile

import pytest

from desktop.core.packages import MANIFEST, PackageError
from desktop.jobs.hashset_import import import_hashset
from desktop.jobs.match import match_media
from desktop.jobs.package_export import export_package, new_key_pair
from desktop.jobs.package_import import import_package
from desktop.store import audit, entities, hashlibrary, items, known, links, tags
from desktop.store.db import open_case


@pytest.fixture
def other_case(tmp_path, sample_case_template):
    """A second case holding the same media, as another agency's copy of the material."""
    path = tmp_path / "other.vigil"
    source, target = sqlite3.connect(sample_case_template), sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    return path


@pytest.fixture
def keys(tmp_path):
    private, public, _ = new_key_pair(tmp_path / "agency.pem")
    return private, public


def state(db):
    """Everything an import could change: package rows, matches, the audit log."""
    return (
        db.execute("SELECT COUNT(*) FROM imported_packages").fetchone()[0],
        db.execute("SELECT COUNT(*) FROM package_records").fetchone()[0],
        db.execute("SELECT COUNT(*) FROM known_matches").fetchone()[0],
        db.execute("SELECT COUNT(*) FROM audit_events").fetchone()[0],
    )


def worked_case(path, tmp_path):
    db = open_case(path)
    media = list(items.iter_media(db))
    victim = entities.add_entity(db, "victim", "V-7", status="identified")
    links.link_media(db, [media[0]["id"]], victim.id)
    tags.add_tag(db, [media[0]["id"]], "bedroom")
    (tmp_path / "s.csv").write_text(f"md5,category,series\n{media[1]['md5']},1,Blue Room\n")
    import_hashset(tmp_path / "s.csv", name="agency set")
    match_media(db)
    return db, media


def test_export_then_import_merges_by_content_hash(tmp_path, sample_case, other_case, keys):
    db, media = worked_case(sample_case, tmp_path)
    out = tmp_path / "case.vpkg"
    result = export_package(db, out, thumbnails=True, sign=keys[0])
    assert result["signer"] and result["media"] == len(media)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
    assert sum(n.startswith("thumbnails/") for n in names) == sum(
        1 for m in media if m["status"] == "ok"
    )
    hashlibrary.remove_set(hashlibrary.open_library(), "agency set")

    other = open_case(other_case)
    summary = import_package(other, out, keys[1])
    assert summary["trusted"] and summary["records"] == len(media)
    assert summary["in_case"] == len(media) and summary["conflicts"] == []
    found = known.matches_for(other, [media[0]["id"], media[1]["id"]])
    first = found[media[0]["id"]][0]
    assert (first["origin"], first["kind"], first["victim_identified"]) == (
        "package",
        "exact",
        True,
    )
    assert first["tags"] == "bedroom" and first["set_name"] == "case.vpkg"
    second = found[media[1]["id"]][0]
    assert (second["category"], second["series"]) == (1, "Blue Room")
    assert "package.import" in [e.action for e in audit.events(other)]
    before = state(other)
    again = import_package(other, out, keys[1])  # merged again, nothing duplicated
    assert again["already_imported"] and state(other)[:3] == before[:3]


def test_conflicts_with_the_case_are_reported_and_the_case_keeps_its_word(
    tmp_path, sample_case, other_case
):
    db, media = worked_case(sample_case, tmp_path)
    out = tmp_path / "case.vpkg"
    export_package(db, out)
    other = open_case(other_case)
    (tmp_path / "mine.csv").write_text(f"md5,category\n{media[1]['md5']},2\n")
    hashlibrary.remove_set(hashlibrary.open_library(), "agency set")
    import_hashset(tmp_path / "mine.csv", name="my set")
    match_media(other)
    summary = import_package(other, out)
    assert not summary["trusted"] and summary["signer"] is None
    assert len(summary["conflicts"]) == 1 and "'my set' says 2" in summary["conflicts"][0]
    categories = sorted(
        m["category"] for m in known.matches_for(other, [media[1]["id"]])[media[1]["id"]]
    )
    assert categories == [1, 2]


def tamper(source, target, name, change):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info.filename, change(data) if info.filename == name else data)
    return target


def test_refused_packages_write_nothing(tmp_path, sample_case, other_case, keys):
    db, _ = worked_case(sample_case, tmp_path)
    good = tmp_path / "good.vpkg"
    export_package(db, good, sign=keys[0])
    other = open_case(other_case)
    before = state(other)
    _, stranger, _ = new_key_pair(tmp_path / "stranger.pem")
    with pytest.raises(PackageError, match="not by the trusted key"):
        import_package(other, good, stranger)
    forged = tamper(good, tmp_path / "forged.vpkg", "work/media.jsonl",
                    lambda d: d.replace(b'"category": 1', b'"category": 0'))  # fmt: skip
    with pytest.raises(PackageError, match="does not match its manifest"):
        import_package(other, forged)
    evil = tmp_path / "evil.vpkg"
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(evil, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info))
        new.writestr("../../outside.txt", b"x")
    with pytest.raises(PackageError, match="member path"):
        import_package(other, evil)
    broken = tamper(good, tmp_path / "broken.vpkg", MANIFEST, lambda d: d[:20])
    with pytest.raises(PackageError, match="malformed"):
        import_package(other, broken)
    unsigned = tmp_path / "unsigned.vpkg"
    export_package(db, unsigned)
    with pytest.raises(PackageError, match="not signed"):
        import_package(other, unsigned, keys[1])
    assert state(other) == before


def test_malformed_work_inside_a_valid_package_is_refused(tmp_path, other_case):
    from desktop.core.packages import write_package

    path = tmp_path / "odd.vpkg"
    lines = json.dumps({"sha256": "nothex", "category": 1}).encode()
    write_package(path, [("work/media.jsonl", lines)], {"case_id": "x"})
    other = open_case(other_case)
    before = state(other)
    with pytest.raises(PackageError, match="line 1 of its media list is malformed"):
        import_package(other, path)
    assert state(other) == before


def test_key_files_are_not_overwritten(tmp_path, keys):
    with pytest.raises(PackageError, match="exists already"):
        new_key_pair(keys[0])
    assert (keys[0].stat().st_mode & 0o777) == 0o600


def test_a_malformed_line_late_in_a_valid_package_rolls_everything_back(tmp_path, sample_case):
    from desktop.core.packages import write_package

    db = open_case(sample_case)
    media = list(items.iter_media(db))
    good = [json.dumps({"sha256": m["sha256"], "category": 1}).encode() for m in media]
    lines = good * 100 + [b'{"sha256": "not hex"}']  # the bad line comes after many batches
    path = tmp_path / "late.vpkg"
    write_package(path, [("work/media.jsonl", (line + b"\n" for line in lines))], {})
    before = state(db)
    with pytest.raises(PackageError, match=f"line {len(lines)} of its media list"):
        import_package(db, path)
    assert state(db) == before


def test_media_ingested_after_a_package_import_are_recognised(tmp_path, sample_case):
    from desktop.core.samples import jpeg_bytes, scene
    from desktop.jobs.ingest import ingest

    picture = jpeg_bytes(scene(77, (160, 120)))
    (tmp_path / "first").mkdir()
    (tmp_path / "first" / "a.jpg").write_bytes(picture)
    ingest(tmp_path / "a.vigil", [tmp_path / "first"], workers=1)
    source = open_case(tmp_path / "a.vigil")
    victim = entities.add_entity(source, "victim", "V-9", status="identified")
    links.link_media(source, [next(items.iter_media(source))["id"]], victim.id)
    export_package(source, tmp_path / "a.vpkg")

    receiving = open_case(sample_case)
    assert import_package(receiving, tmp_path / "a.vpkg")["in_case"] == 0
    receiving.close()
    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "copy.jpg").write_bytes(picture)
    ingest(sample_case, [tmp_path / "later"], workers=1)
    receiving = open_case(sample_case)
    found = [m for m in items.iter_media(receiving) if m["known"]["status"]]
    assert len(found) == 1
    (match,) = found[0]["known"]["matches"]
    assert (match["origin"], match["set_name"], match["victim_identified"]) == (
        "package",
        "a.vpkg",
        True,
    )
