"""The loudness strip: levels and the kind of sound per half second, from samples nobody hears."""

from __future__ import annotations

import numpy as np

from desktop.core.loudness import (
    KINDS,
    MUSIC,
    OTHER,
    SCREAM,
    SILENCE,
    SPEECH,
    LoudnessMeter,
    LoudnessStrip,
)
from desktop.core.sound_samples import music_like, noise, scream_like, speech_like
from desktop.core.video_audio import VideoSound


def strip_of(*parts: np.ndarray) -> LoudnessStrip:
    meter = LoudnessMeter()
    for part in parts:
        meter.add(part)
    return meter.finish()


def test_each_kind_of_sound_is_told_apart():
    for sound, kind in ((speech_like(), SPEECH), (music_like(), MUSIC), (scream_like(), SCREAM),
                        (noise(), OTHER), (np.zeros(64000, np.float32), SILENCE)):  # fmt: skip
        strip = strip_of(sound)
        assert len(strip) == 8
        found = [KINDS[k] for k in strip.kinds]
        assert found.count(KINDS[kind]) >= 7, (KINDS[kind], found)


def test_spans_say_where_speech_is_and_the_strip_is_stored_compactly():
    strip = strip_of(music_like(3.0), speech_like(2.0), np.zeros(16000, np.float32))
    (start, end), *_ = strip.spans(SPEECH)
    assert 2.5 <= start <= 3.5 and 4.5 <= end <= 5.5
    assert strip.next_start(SPEECH, 0.0) == start and strip.next_start(SPEECH, start) is None
    again = LoudnessStrip.from_bytes(strip.to_bytes())
    assert len(strip.to_bytes()) == 10 + 2 * len(strip)
    assert np.array_equal(again.kinds, strip.kinds)
    assert np.allclose(again.levels, strip.levels, atol=0.51)


def test_a_videos_sound_is_measured_from_the_file(video_evidence):
    path = video_evidence / "clip.mp4"
    with open(path, "rb") as handle, VideoSound(handle, "mp4", path.read_bytes()[:64]) as sound:
        strip = sound.loudness()
    assert 8 <= len(strip) <= 10  # 4.5 s of a quiet tone
    assert all(-40 < level < -20 for level in strip.levels[:8])
    assert KINDS[int(strip.kinds[2])] == "music"


def test_speech_in_a_videos_sound_track_is_found_where_it_is(tmp_path):
    from helpers.videos import small_video

    path = small_video(tmp_path / "talk.mp4", seeds=(1, 2), seconds_each=2.0,
                       sound=np.concatenate([music_like(2.0), speech_like(2.0)]))  # fmt: skip
    with open(path, "rb") as handle, VideoSound(handle, "mp4", path.read_bytes()[:64]) as sound:
        strip = sound.loudness()
    start = strip.next_start(SPEECH, 0.0)
    assert start is not None and 1.5 <= start <= 2.5
    assert {KINDS[int(k)] for k in strip.kinds[:3]} == {"music"}
