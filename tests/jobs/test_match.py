"""Matching: exact and perceptual, disagreements, on ingest, and the VICS round trip."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest
from helpers import tool_files
from helpers.tool_files import Listed

from desktop.core.samples import jpeg_bytes, scene
from desktop.jobs.export_vics import export_vics
from desktop.jobs.hashset_import import import_hashset
from desktop.jobs.ingest import ingest
from desktop.jobs.match import PDQ_MAX_DISTANCE, match_media
from desktop.store import audit, entities, hashlibrary, items, known, links
from desktop.store.db import open_case


def all_media(db):
    return list(items.iter_media(db))


def pdq_of(media):
    return next(h for h in media["perceptual_hashes"] if h["algorithm"] == "pdq")


def flip(hex_hash, bits):
    """The hash with `bits` distinct bits inverted (7 is coprime with the hash length)."""
    value = int(hex_hash, 16)
    for bit in range(bits):
        value ^= 1 << (bit * 7 % (len(hex_hash) * 4))
    return f"{value:0{len(hex_hash)}x}"


def write_csv(path, rows, header="md5,sha1,sha256,category,series,victim_identified"):
    path.write_text(header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    return path


def test_exact_matches_by_each_digest_carry_the_sets_word(tmp_path, sample_case):
    db = open_case(sample_case)
    media = all_media(db)[:3]
    rows = [
        (media[0]["md5"], "", "", 1, "Blue Room", "true"),
        ("", media[1]["sha1"], "", 2, "", "false"),
        ("", "", media[2]["sha256"], 0, "", ""),
    ]
    import_hashset(write_csv(tmp_path / "a.csv", rows), name="Agency A")
    summary = match_media(db)
    assert (summary.known, summary.probably_known, summary.matches) == (3, 0, 3)
    by_id = {m["id"]: m["known"] for m in all_media(db)}
    first = by_id[media[0]["id"]]
    assert first["status"] == "known"
    (match,) = first["matches"]
    assert (match["set_name"], match["kind"], match["matched_on"], match["distance"]) == (
        "Agency A",
        "exact",
        "md5",
        0,
    )
    assert (match["category"], match["series"], match["victim_identified"]) == (
        1,
        "Blue Room",
        True,
    )
    assert by_id[media[1]["id"]]["matches"][0]["matched_on"] == "sha1"
    assert by_id[media[2]["id"]]["matches"][0]["category"] == 0
    assert sum(1 for k in by_id.values() if k["status"] is None) == len(by_id) - 3
    assert any(e.action == "known.match" for e in audit.events(db))


@pytest.mark.parametrize("scan_pairs", [0, 10**12], ids=["index", "scan"])
def test_perceptual_match_within_normal_strictness_is_probably_known(
    tmp_path, sample_case, monkeypatch, scan_pairs
):
    import desktop.jobs.match as match_job

    monkeypatch.setattr(match_job, "SCAN_PAIRS", scan_pairs)
    db = open_case(sample_case)
    media = [m for m in all_media(db) if m["perceptual_hashes"]]
    near, far, weak = media[0], media[1], media[2]
    lists = {  # one set each, so a near-duplicate of another sample cannot blur the answer
        "near": f"{flip(pdq_of(near)['hash'], 5)},90,near copy",
        "far": f"{flip(pdq_of(far)['hash'], PDQ_MAX_DISTANCE + 20)},90,far",
        "weak": f"{pdq_of(weak)['hash']},20,low quality",
    }
    for name, line in lists.items():
        (tmp_path / f"{name}.pdq").write_text(line + "\n")
        import_hashset(tmp_path / f"{name}.pdq", name=name)
    match_media(db)
    by_id = {m["id"]: m["known"] for m in all_media(db)}

    def from_set(media_id, name):
        return [m for m in by_id[media_id]["matches"] if m["set_name"] == name]

    assert by_id[near["id"]]["status"] == "probably_known"
    (match,) = from_set(near["id"], "near")
    assert (match["kind"], match["matched_on"], match["distance"]) == ("perceptual", "pdq", 5)
    assert from_set(far["id"], "far") == []
    assert all(from_set(media_id, "weak") == [] for media_id in by_id)  # quality 20: never


def test_sets_that_disagree_are_both_shown(tmp_path, sample_case):
    db = open_case(sample_case)
    target = all_media(db)[0]
    import_hashset(write_csv(tmp_path / "a.csv", [(target["md5"], "", "", 1, "S1", "")]), name="A")
    import_hashset(write_csv(tmp_path / "b.csv", [(target["md5"], "", "", 2, "S2", "")]), name="B")
    summary = match_media(db)
    assert summary.disagreements == 1
    found = known.matches_for(db, [target["id"]])[target["id"]]
    assert sorted((m["set_name"], m["category"]) for m in found) == [("A", 1), ("B", 2)]
    assert known.known_summary(found)["disagreement"] is True


def test_matches_never_touch_the_analysts_category(tmp_path, sample_case):
    review = pytest.importorskip("desktop.store.review")
    db = open_case(sample_case)
    target = all_media(db)[0]
    review.set_category(db, [target["id"]], 2)
    import_hashset(write_csv(tmp_path / "a.csv", [(target["md5"], "", "", 1, "S", "")]))
    match_media(db)
    assert review.review_state(db, [target["id"]])[target["id"]].category == 2
    assert known.matches_for(db, [target["id"]])[target["id"]][0]["category"] == 1


def test_removing_a_set_and_matching_again_clears_its_matches(tmp_path, sample_case):
    db = open_case(sample_case)
    target = all_media(db)[0]
    import_hashset(write_csv(tmp_path / "a.csv", [(target["md5"], "", "", 1, "S", "")]), name="A")
    match_media(db)
    assert known.media_with_matches(db) == {target["id"]}
    hashlibrary.remove_set(hashlibrary.open_library(), "A")
    summary = match_media(db)
    assert summary.skipped and known.media_with_matches(db) == set()


def small_evidence(folder, seeds=(1, 2, 3)):
    folder.mkdir()
    data = {seed: jpeg_bytes(scene(seed, (160, 120))) for seed in seeds}
    for seed, payload in data.items():
        (folder / f"IMG_{seed}.jpg").write_bytes(payload)
    return data


def test_ingest_matches_new_media_against_the_library(tmp_path):
    import hashlib

    data = small_evidence(tmp_path / "evidence")
    digest = hashlib.md5(data[2]).hexdigest()
    import_hashset(write_csv(tmp_path / "a.csv", [(digest, "", "", 1, "Known series", "")]))
    ingest(tmp_path / "c.vigil", [tmp_path / "evidence"], workers=1)
    db = open_case(tmp_path / "c.vigil")
    statuses = {m["md5"]: m["known"]["status"] for m in all_media(db)}
    assert statuses[digest] == "known"
    assert sorted(s for s in statuses.values() if s) == ["known"]


def test_ingest_with_no_library_skips_matching_and_creates_nothing(tmp_path, library_path):
    small_evidence(tmp_path / "evidence", seeds=(4,))
    summary = ingest(tmp_path / "c.vigil", [tmp_path / "evidence"], workers=1)
    assert summary.new_media == 1
    assert not library_path.exists()


def test_a_matching_failure_never_loses_ingest_work(tmp_path, monkeypatch):
    import desktop.jobs.match as match_job

    def broken(*args, **kwargs):
        raise sqlite3.DatabaseError("library damaged")

    small_evidence(tmp_path / "evidence", seeds=(5, 6))
    import_hashset(write_csv(tmp_path / "a.csv", [("a" * 32, "", "", 1, "", "")]))
    monkeypatch.setattr(match_job, "match_media", broken)
    summary = ingest(tmp_path / "c.vigil", [tmp_path / "evidence"], workers=1)
    db = open_case(tmp_path / "c.vigil")
    assert summary.new_media == 2 and items.media_count(db) == 2
    failures = [e for e in audit.events(db) if e.action == "known.match_failed"]
    assert len(failures) == 1 and "library damaged" in failures[0].after
    assert db.execute("SELECT state FROM ingest_runs").fetchone()[0] == "finished"


def test_vics_round_trip_gives_the_same_categories_series_and_flags(
    tmp_path, sample_case, sample_case_template
):
    case_a = open_case(sample_case)
    media = all_media(case_a)
    rows = [
        (media[0]["md5"], "", "", 1, "Blue Room", "true"),
        (media[1]["md5"], "", "", 2, "Garden", "false"),
    ]
    import_hashset(write_csv(tmp_path / "a.csv", rows), name="original")
    match_media(case_a)
    victim = entities.add_entity(case_a, "victim", "V-1", status="identified")
    series = entities.add_entity(case_a, "series", "Red Door")
    links.link_media(case_a, [media[2]["id"]], victim.id)
    links.link_media(case_a, [media[2]["id"]], series.id)
    out = tmp_path / "case_a.json"
    summary = export_vics(case_a, out)
    assert summary["media"] == len(media)
    exported = json.loads(out.read_text())["value"][0]["Media"]
    assert {m["MD5"] for m in exported} == {m["md5"] for m in media}
    first = next(m for m in exported if m["MD5"] == media[0]["md5"])
    assert {h["HashName"] for h in first["AlternativeHashes"]} == {"SHA256", "PDQ", "pHash"}
    where = first["MediaFiles"][0]
    assert os.path.join(where["FilePath"], where["FileName"]) == media[0]["files"][0]["path"]
    assert first["IsPrecategorized"] is True and first["PrecategorizationSource"] == "original"

    hashlibrary.remove_set(hashlibrary.open_library(), "original")
    import_hashset(out, name="from case A")
    case_b_path = tmp_path / "b.vigil"
    source = sqlite3.connect(sample_case_template)
    target = sqlite3.connect(case_b_path)
    source.backup(target)
    source.close()
    target.close()
    case_b = open_case(case_b_path)
    match_media(case_b)
    found = known.matches_for(case_b, [m["id"] for m in media[:3]])
    words = [
        (found[m["id"]][0]["category"], found[m["id"]][0]["series"],
         found[m["id"]][0]["victim_identified"])
        for m in media[:3]
    ]  # fmt: skip
    assert words == [(1, "Blue Room", True), (2, "Garden", False), (None, "Red Door", True)]
    assert all(found[m["id"]][0]["set_name"] == "from case A" for m in media[:3])


# ---- lists other tools write (issue 17, items 6 and 8) -------------------------------------------


def _small_case(tmp_path):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "empty.jpg").write_bytes(b"")
    (evidence / "notes.txt").write_bytes(b"not a picture")
    case = tmp_path / "small.vigil"
    ingest(case, [evidence], workers=1)
    return open_case(case), evidence


def test_the_digest_of_nothing_never_makes_media_known(tmp_path):
    """md5deep output of any folder (and NSRL) holds the digest of zero bytes; an empty
    evidence file is no known material."""
    db, evidence = _small_case(tmp_path)
    files = [Listed(str(evidence / "empty.jpg"), b""), Listed("/x/notes.txt", b"not a picture")]
    (tmp_path / "list.txt").write_text(tool_files.md5deep_sized(files))
    import_hashset(tmp_path / "list.txt", name="md5deep")
    summary = match_media(db)
    assert summary.known == 1 and summary.media_checked == 2
    sizes = dict(db.execute("SELECT id, size FROM media").fetchall())
    found = known.matches_for(db, list(sizes))
    assert [media_id for media_id in sizes if found.get(media_id)] == [
        media_id for media_id, size in sizes.items() if size
    ]


def test_nsrl_rds2_matches_once_as_known_good(tmp_path):
    db, _ = _small_case(tmp_path)
    notes = Listed("NOTES.TXT", b"not a picture")
    other = Listed("OTHER.DLL", b"something else")
    (tmp_path / "NSRLFile.txt").write_text(
        tool_files.nsrl_rds2([(notes, 3095), (notes, 4410), (other, 3095)])
    )
    result = import_hashset(tmp_path / "NSRLFile.txt", name="NSRL 2.x")
    assert (result.format, result.records, result.info["duplicates_merged"]) == ("nsrl", 2, 1)
    library = hashlibrary.open_library()
    assert hashlibrary.find_set(library, "NSRL 2.x").purpose == "known_good"
    assert library.execute("SELECT size FROM hash_records WHERE sha1 = ?",
                           [notes.sha1]).fetchall() == [(len(notes.content),)]  # fmt: skip
    summary = match_media(db)
    assert (summary.known_good, summary.matches) == (1, 1)


def test_lists_that_ignore_exif_orientation_or_hold_turned_copies_match(tmp_path):
    """A partner's PDQ of a phone photo's pixels as stored (its EXIF says turn it) and of a
    mirrored copy both match, and each match says which form of the picture it matched."""
    import numpy as np
    from PIL import Image

    from desktop.core.pdq import pdq_hash

    raw = scene(21, (320, 240))  # as the phone stores it: sideways, EXIF orientation 6
    exif = Image.Exif()
    exif[0x0112] = 6
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "phone.jpg").write_bytes(jpeg_bytes(raw, 95, exif))
    upright = raw.transpose(Image.Transpose.ROTATE_270)

    def reference_pdq(img):  # core/pdq.py is bit for bit Meta's (tests/core/test_pdq.py)
        return pdq_hash(np.asarray(img))

    lines = [
        "{},{},as stored".format(*reference_pdq(raw)),
        "{},{},mirrored".format(*reference_pdq(upright.transpose(Image.Transpose.FLIP_LEFT_RIGHT))),
    ]
    for number, line in enumerate(lines):
        (tmp_path / f"list{number}.pdq").write_text(line + "\n")
        import_hashset(tmp_path / f"list{number}.pdq", name=f"list{number}")
    ingest(tmp_path / "c.vigil", [folder], workers=1)
    db = open_case(tmp_path / "c.vigil")
    (media,) = all_media(db)
    matched = {m["set_name"]: m for m in media["known"]["matches"]}
    assert matched["list0"]["matched_on"].startswith("pdq (as the file stores it")
    assert matched["list0"]["distance"] <= 8
    assert "mirrored" in matched["list1"]["matched_on"]
