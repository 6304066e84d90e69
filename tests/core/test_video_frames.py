"""Frame selection rules, metadata parsing and packed frame hashes (no decoding)."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.core.frame_hashes import columns, frame_of, media_of, pack, subject_ids, unpack
from desktop.core.hashing import PerceptualHash
from desktop.core.video_frames import (
    MAX_KEPT,
    Sampler,
    distinct_frames,
    poster_pick,
    spacing,
    storyboard_picks,
    storyboard_strip,
    strip_tiles,
)
from desktop.core.video_meta import (
    VideoInfo,
    clock,
    creation_time,
    parse_iso6709,
    rotation_from_display,
)


def test_spacing_keeps_about_one_frame_a_second_and_caps_long_videos():
    assert spacing(60) == 1.0
    assert spacing(4) == 0.5  # a short clip keeps up to 8 frames
    assert spacing(7200) == pytest.approx(7200 / MAX_KEPT)  # two hours: 600 frames at most


def test_sampler_takes_keyframes_a_second_apart_and_fills_long_gaps():
    sampler = Sampler(30.0)
    keyframes = [0.0, 0.5, 1.0, 2.0, 2.2, 12.0, 30.0]
    taken = [k for k in keyframes if sampler.wants(k) and not sampler.take(k)]
    assert taken == [0.0, 1.0, 2.0, 12.0, 30.0]
    # 2 -> 12 is over four seconds apart: two frames between, evenly; 12 -> 30: four
    expected = [2 + 10 / 3, 2 + 20 / 3, 15.6, 19.2, 22.8, 26.4]
    assert sampler.fill_targets(30.0) == pytest.approx(expected)


def test_sampler_with_no_keyframe_fills_from_the_start():
    sampler = Sampler(10.0)
    assert sampler.fill_targets(10.0)[0] == 0.0


def test_frames_repeating_the_one_kept_before_are_dropped():
    still = (1, 2, 3, 4)
    moved = (1, 2, 3, 4 ^ 0xFFFF)  # 16 bits off
    assert distinct_frames([still, still, (1, 2, 3, 5), moved, moved]) == [0, 3]


def test_storyboard_spreads_over_the_video_and_poster_avoids_the_opening():
    times = [float(t) for t in range(60)]
    picks = storyboard_picks(times, 60.0)
    assert len(picks) == 16 and picks[0] == 2 and picks[-1] == 58
    assert storyboard_picks([0.0, 1.0], 60.0) == [0, 1]  # never more tiles than frames
    assert poster_pick([0.0, 1.0, 7.0, 9.0], [90, 90, 20, 80], 60.0) == 3
    assert poster_pick([0.0, 1.0], [10, 30], 60.0) == 1


def test_storyboard_strip_round_trips():
    from PIL import Image

    tiles = [Image.new("RGB", (40, 30), (k * 60, 0, 0)) for k in range(4)]
    strip = storyboard_strip(tiles, (40, 30))
    back = strip_tiles(strip, 40, 4)
    assert [t.size for t in back] == [(40, 30)] * 4
    assert [t.getpixel((20, 15))[0] // 20 for t in back] == [0, 3, 6, 9]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("+52.3702+004.8952/", (52.3702, 4.8952, None)),
        ("+37.3349-122.0090+012.500/", (37.3349, -122.009, 12.5)),
        ("-3342.13+15112.56/", (-33.702167, 151.209333, None)),  # degrees and minutes
        ("+402810-0740001/", (40.469444, -74.000278, None)),  # degrees, minutes, seconds
        ("+91.0000+000.0000/", None),
        ("not a place", None),
    ],
)
def test_iso6709_places(text, expected):
    found = parse_iso6709(text)
    if expected is None:
        assert found is None
    else:
        assert found == pytest.approx(expected, abs=1e-5)


def test_creation_times_prefer_local_time_and_skip_unset_ones():
    assert creation_time({"creation_time": "2024-05-01T10:20:30.000000Z"}) == "2024-05-01T10:20:30Z"
    apple = {"com.apple.quicktime.creationdate": "2024-05-01T12:20:30+0200",
             "creation_time": "2024-05-01T10:20:30.000000Z"}  # fmt: skip
    assert creation_time(apple) == "2024-05-01T12:20:30+02:00"
    assert creation_time({"creation_time": "1904-01-01T00:00:00.000000Z"}) is None
    assert creation_time({"creation_time": "garbage"}) is None


def test_rotation_and_size_as_shown():
    assert [rotation_from_display(a) for a in (0, 90, -90, 180, -180)] == [0, 270, 90, 180, 180]
    info = VideoInfo("mov", "h264", 1920, 1080, 10.0, 30.0, rotation=90)
    assert (info.width, info.height) == (1080, 1920)
    assert info.summary()["rotation"] == 90
    assert clock(3723.9) == "1:02:03" and clock(75) == "1:15"


def test_packed_frame_hashes_round_trip_and_map_to_the_engine_ids():
    per_frame = [
        [PerceptualHash("pdq", "ab" * 32, 90), PerceptualHash("phash", "0f" * 8)],
        [PerceptualHash("pdq", "cd" * 32, 40)],
    ]
    packed = {(p.algorithm, p.variant): p for p in pack(per_frame)}
    pdq = packed[("pdq", "original")]
    assert len(pdq) == 2
    assert [(n, h.hex, h.quality) for n, h in unpack(pdq)] == [(0, "ab" * 32, 90),
                                                              (1, "cd" * 32, 40)]  # fmt: skip
    assert unpack(packed[("phash", "original")])[0][1].quality is None
    ids, words, qualities = columns([(7, pdq.frames, pdq.hashes, pdq.qualities)], 256)
    assert (ids < 0).all() and media_of(ids).tolist() == [7, 7]
    assert frame_of(ids).tolist() == [0, 1] and qualities.tolist() == [90, 40]
    assert words.shape == (2, 4)
    assert media_of(np.array([5])).tolist() == [5] and frame_of(np.array([5])).tolist() == [-1]
    assert subject_ids(3, np.array([2]))[0] == -(3 << 12 | 2)
