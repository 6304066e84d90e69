"""Videos in near-duplicate groups: edits grouped, clips and compilations shown as containing
what they hold without chaining groups, stills with the time of their frame, incremental."""

from __future__ import annotations

import json

import pytest
from helpers.videos import edited_videos

from desktop.cli import main
from desktop.jobs.grouping import update_groups
from desktop.jobs.ingest import ingest
from desktop.jobs.similar_media import similar_to_file, similar_to_media
from desktop.store import groups as group_store
from desktop.store.db import open_case


@pytest.fixture(scope="module")
def edits(tmp_path_factory):
    folder = tmp_path_factory.mktemp("edited_videos")
    made = edited_videos(folder)
    reencode_later = made.pop("reencoded")
    later = tmp_path_factory.mktemp("later")
    moved = later / reencode_later.name
    reencode_later.rename(moved)
    case = tmp_path_factory.mktemp("video_groups") / "c.vigil"
    ingest(case, [folder], workers=2)
    return case, made, moved


def _ids(db) -> dict[str, int]:
    names = {}
    for media_id, path in db.execute("SELECT media_id, path FROM files"):
        names[path.rsplit("/", 1)[-1]] = media_id
    return names


def _groups(db):
    return list(group_store.iter_groups(db, "normal"))


def test_edits_group_and_containers_do_not_chain(edits):
    case, _, _ = edits
    db = open_case(case)
    ids = _ids(db)
    groups = _groups(db)
    members = [{m["media_id"] for m in g if m["relation"] == "member"} for g in groups]
    original = next(g for g in members if ids["A.mp4"] in g)
    assert ids["A_mirror.mp4"] in original
    mirror = next(m for g in groups for m in g if m["media_id"] == ids["A_mirror.mp4"])
    assert "mirrored" in mirror["explanation"] and mirror["time"] is not None
    # a centred crop is found by its frames' whole hashes against the centred windows
    assert ids["A_crop.mp4"] in original
    crop = next(m for g in groups for m in g if m["media_id"] == ids["A_crop.mp4"])
    assert "cropped" in crop["explanation"], crop
    # the compilation holds parts of A and of B, yet A and B never share a group
    assert not any(ids["B.mp4"] in g and ids["A.mp4"] in g for g in members)
    assert ids["C_compilation.mkv"] not in set().union(*members)
    other = next(g for g in groups if ids["B.mp4"] in {m["media_id"] for m in g})
    holder = next(m for m in other if m["media_id"] == ids["C_compilation.mkv"])
    assert holder["relation"] == "contains"
    part = holder["contains"][0]
    assert part["media_id"] == ids["B.mp4"] and 11.5 <= part["start"] <= part["end"] <= 16.5
    assert ids["D.mp4"] not in set().union(*members)
    db.close()


def test_clip_and_still_are_shown_inside_their_video(edits):
    case, _, _ = edits
    db = open_case(case)
    ids = _ids(db)
    for name, words in (("A_clip.mp4", "contains"), ("A_still.jpg", "frame at 0:06")):
        group = next(g for g in _groups(db) if g[0]["media_id"] == ids[name])
        holders = {m["media_id"]: m for m in group if m["relation"] == "contains"}
        assert ids["A.mp4"] in holders, name
        assert holders[ids["A.mp4"]]["explanation"].startswith(words)
    db.close()


def test_a_new_reencode_joins_its_group_incrementally(edits):
    case, _, later = edits
    ingest(case, [later], workers=1)
    db = open_case(case)
    ids = _ids(db)
    summary = update_groups(db)
    assert summary.incremental
    group = next(g for g in _groups(db) if ids["A.mp4"] in {m["media_id"] for m in g})
    joined = next(m for m in group if m["media_id"] == ids["A_small.webm"])
    assert joined["relation"] == "member"
    db.close()


def test_similar_lists_videos_with_their_times(edits, tmp_path):
    case, made, _ = edits
    db = open_case(case)
    ids = _ids(db)
    found = similar_to_media(db, ids["A.mp4"], 10)
    by_id = {f["media_id"]: f for f in found}
    assert by_id[ids["A_mirror.mp4"]]["relation"] == "same"
    assert by_id[ids["A_clip.mp4"]]["relation"] == "inside"
    assert by_id[ids["A_still.jpg"]]["time"] == pytest.approx(6.0)
    from_file = similar_to_file(db, made["clip"], 5)
    assert from_file[0]["media_id"] == ids["A_clip.mp4"] and from_file[0]["distance"] == 0
    assert any(f["media_id"] == ids["A.mp4"] and f["relation"] == "contains" for f in from_file)
    assert by_id[ids["A_crop.mp4"]]["relation"] == "same"
    cropped = similar_to_file(db, made["cropped"], 5)  # the query's own centred windows
    assert any(f["media_id"] == ids["A.mp4"] and f["relation"] == "same" for f in cropped)
    db.close()


def test_a_query_video_decodes_on_every_core(edits, monkeypatch):
    from desktop.core import video_ingest
    from desktop.jobs import video_similar

    case, made, _ = edits
    asked: list[int] = []
    opening = video_ingest.open_video

    def noted(source, file_type, head, keyframe_threads=1):
        asked.append(keyframe_threads)
        return opening(source, file_type, head, keyframe_threads)

    monkeypatch.setattr(video_ingest, "open_video", noted)
    monkeypatch.setattr(video_similar.os, "cpu_count", lambda: 2)
    db = open_case(case)
    assert similar_to_file(db, made["clip"], 5)
    db.close()
    assert asked == [2]


def test_groups_json_has_times_and_containers(edits, capsys):
    case, _, _ = edits
    assert main(["groups", "--case", str(case), "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)
    entries = [m for g in groups for m in g]
    assert {"relation", "time", "matched_time", "duration"} <= set(entries[0])
    assert any(m["relation"] == "contains" and m["contains"] for m in entries)


def test_a_picture_inside_one_copy_is_compared_with_the_others(edits):
    from desktop.core.similarity import STRICTNESS
    from desktop.jobs.video_comparison import VideoRelations
    from desktop.jobs.video_grouping import through_copies, video_relations

    case, _, _ = edits
    db = open_case(case)
    ids = _ids(db)
    rule = STRICTNESS["normal"]
    film = video_relations(db, rule, None, lambda: False)
    still, original = ids["A_still.jpg"], ids["A.mp4"]
    # as if the still's hashes had met only the mirrored copy's frames
    only_mirror = [r for r in film.inside if r.a == still and r.b == ids["A_mirror.mp4"]]
    assert only_mirror
    copies = [[original, ids["A_mirror.mp4"], ids["A_crop.mp4"]]]
    found = through_copies(db, rule, VideoRelations(inside=only_mirror), copies, lambda: False)
    # the crop's frames are not the still's picture (its PDQ is of a cut): only the original
    assert [(r.a, r.b, r.b_span[0]) for r in found.inside] == [(still, original, 6.0)]
    db.close()
