"""What video review keeps: clues on frames with their times, the duration sort and the
videos/pictures filter, scene starts, the loudness strip, exposure per analyst per day."""

from __future__ import annotations

import json

import pytest

from desktop.core.regions import Region
from desktop.store import audit, browse, clues, exposure, items, videos
from desktop.store.db import open_case
from desktop.store.investigation import InvestigationError


def _ids(db) -> dict[str, int]:
    return {m["files"][0]["path"].rsplit("/", 1)[-1]: m["id"] for m in items.iter_media(db)}


def test_a_clue_on_a_frame_keeps_its_time_and_is_audited(video_case):
    db = open_case(video_case)
    ids = _ids(db)
    clue = clues.add_clue(db, ids["clip.mp4"], "text", "shop sign", region=Region(10, 8, 40, 20),
                          time=2.35)  # fmt: skip
    assert clues.get_clue(db, clue.id).time == 2.35
    event = [e for e in audit.events(db) if e.action == "clue.add"][-1]
    assert json.loads(event.after)["time"] == 2.35
    moved = clues.update_clue(db, clue.id, time=1.0)
    assert moved.time == 1.0 and moved.region == clue.region
    with pytest.raises(InvestigationError, match="not a video"):
        clues.add_clue(db, ids["IMG_1000.jpg"], "text", "sign", time=1.0)
    with pytest.raises(InvestigationError, match="outside video"):
        clues.add_clue(db, ids["clip.mp4"], "text", "sign", time=60.0)
    assert clues.add_clue(db, ids["clip.mp4"], "text", "whole video").time is None


def test_duration_sort_and_videos_or_pictures_only(video_case):
    db = open_case(video_case)
    ids = _ids(db)
    rows = browse.page(db, browse.BrowseQuery(sort="duration", stacks=False), None, 50)
    durations = [db.execute("SELECT duration FROM media WHERE id = ?", [r.id]).fetchone()[0]
                 for r in rows]  # fmt: skip
    known = [d for d in durations if d is not None]
    assert known == sorted(known, reverse=True) and durations[: len(known)] == known
    after = rows[1]
    rest = browse.page(db, browse.BrowseQuery(sort="duration", stacks=False), (after.key, after.id))
    assert [r.id for r in rest] == [r.id for r in rows[2:]]
    only = browse.BrowseQuery(stacks=False, extra=(("media_kind", "videos"),))
    shown = {r.id for r in browse.page(db, only)}
    assert shown == {ids[n] for n in ("clip.mp4", "IMG_0002.mov", "cut.mp4")}
    assert browse.count(db, only) == 3
    pictures = browse.BrowseQuery(stacks=False, extra=(("media_kind", "pictures"),))
    shown = {r.id for r in browse.page(db, pictures, None, 500)}
    assert ids["moving.gif"] in shown and ids["clip.mp4"] not in shown


def test_scene_starts_and_loudness_are_read_from_the_case(video_case):
    db = open_case(video_case)
    clip = _ids(db)["clip.mp4"]
    starts = videos.scene_starts(db, clip)
    kept = videos.kept_frame_times(db, clip)  # 0.0 and 1.0 in the first shot, 2.5, 4.0
    assert starts[0] == 0.0 and set(starts) <= set(kept)
    assert {t for t in kept if t > 1.5} <= set(starts)  # the first frame after each cut
    assert videos.loudness(db, clip) is None
    videos.store_loudness(db, clip, b"VLS1strip")
    assert videos.loudness(db, clip) == b"VLS1strip"


def test_exposure_kinds_and_the_analysts_own_days(video_case):
    db = open_case(video_case)
    for kind, seconds in (("picture", 3.0), ("video", 12.5), ("sound", 4.0), ("sound", 1.0)):
        exposure.record(db, kind, 1, seconds, started_at="x", how="held", where="player")
    exposure.record(db, "video", 1, 99.0, started_at="x", how="held", where="player")
    today = exposure.seconds_today(db)
    assert today == {"picture": 3.0, "video": 111.5, "sound": 5.0}
    ((day, totals),) = exposure.by_day(db)
    assert totals == today
    assert exposure.by_day(db, user="someone else") == []
    with pytest.raises(ValueError):
        exposure.record(db, "smell", 1, 1.0, started_at="x", how="held", where="player")
