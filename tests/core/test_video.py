"""Videos decoded from every container, described, and survived when damaged or hostile."""

from __future__ import annotations

import os

import av
import numpy as np
import pytest
from helpers.videos import CONTAINERS, huge_frame_avi, small_video

from desktop.core import pdq, video_ingest
from desktop.core.ingest import analyse_file
from desktop.core.media import sniff_type
from desktop.core.video_decode import Budget, BudgetSpent, VideoDecoder
from desktop.core.video_samples import animated_picture, scene_frames, write_video

EXPECTED_TYPES = {
    ".mp4": "mp4", ".mov": "mp4", ".mkv": "mkv", ".webm": "mkv", ".avi": "avi",
    ".ts": "mpegts", ".mpg": "mpeg", ".flv": "flv", ".wmv": "asf",
}  # fmt: skip


@pytest.mark.parametrize("suffix", sorted(CONTAINERS))
def test_every_container_is_told_by_content_and_decoded(tmp_path, suffix):
    codec, fps = CONTAINERS[suffix]
    path = small_video(tmp_path / f"clip{suffix}", codec=codec, fps=fps, gop=fps)
    disguised = path.with_name("holiday.txt")  # the name says nothing: the content decides
    path.rename(disguised)
    result = analyse_file(os.fsencode(disguised))
    assert result.detected_type == EXPECTED_TYPES[suffix]
    assert result.extension_mismatch
    assert result.status == "ok", result.reason
    assert (result.width, result.height) == (96, 64)
    video = result.video
    assert video is not None and video.duration == pytest.approx(3.0, abs=0.3)
    assert 2 <= video.kept_frames <= 4  # about one a second
    times = np.frombuffer(video.frame_times, "<i4")
    assert times[0] < 200 and (np.diff(times) > 0).all()
    assert result.thumbnail and video.storyboard
    assert {h.algorithm for h in video.frame_hashes} >= {"pdq", "dct64", "phash"}


def test_phone_metadata_rotation_and_sound(tmp_path):
    metadata = {
        "creation_time": "2024-05-01T10:20:30.000000Z",
        "com.apple.quicktime.location.ISO6709": "+52.3702+004.8952+002.000/",
        "location": "+52.3702+004.8952/",
        "make": "Apple",
        "model": "iPhone 12",
    }
    path = small_video(tmp_path / "IMG_0001.mov", rotation=-90, metadata=metadata,
                       audio_seconds=2.0)  # fmt: skip
    result = analyse_file(os.fsencode(path))
    assert result.status == "ok", result.reason
    assert (result.width, result.height) == (64, 96)  # shown upright: turned a quarter
    assert result.video is not None and result.video.rotation == 90
    assert result.video.audio_codec == "aac"
    assert result.exif["make"] == "Apple" and result.exif["model"] == "iPhone 12"
    assert result.exif["datetime_original"] == "2024-05-01T10:20:30Z"
    assert result.exif["gps_latitude"] == pytest.approx(52.3702)
    assert result.exif["gps_longitude"] == pytest.approx(4.8952)


@pytest.mark.parametrize("suffix", [".gif", ".webp", ".png"])
def test_animated_pictures_are_frame_sequences(tmp_path, suffix):
    path = animated_picture(tmp_path / f"moving{suffix}", seed=4, size=(80, 60), frames=12)
    result = analyse_file(os.fsencode(path))
    assert result.status == "ok", result.reason
    assert result.detected_type == suffix[1:]
    assert result.video is not None
    assert result.video.duration == pytest.approx(1.8, abs=0.01)  # 12 frames of 150 ms
    assert result.video.kept_frames >= 4
    still = tmp_path / f"still{suffix}"
    animated_picture(still, seed=4, size=(80, 60), frames=1)
    assert analyse_file(os.fsencode(still)).video is None  # one frame: a picture


def test_cut_download_keeps_the_frames_before_the_cut(tmp_path):
    path = small_video(tmp_path / "whole.mp4", seeds=(1, 2, 3, 4), seconds_each=1.5,
                       container_options={"movflags": "faststart"})  # fmt: skip
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.55)])
    result = analyse_file(os.fsencode(cut))
    assert result.status == "partial"
    assert "frames kept up to" in result.reason
    assert result.video is not None and 0 < result.video.decoded_until < 5.0
    assert result.video.kept_frames >= 1


def test_index_cut_off_is_corrupt(tmp_path):
    path = small_video(tmp_path / "whole.mp4")  # the index (moov) is written last
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    result = analyse_file(os.fsencode(cut))
    assert result.status == "corrupt"
    assert "mp4" in result.reason
    assert result.digests is not None and result.video is None


def test_garbage_in_the_middle_is_partial_with_frames_on_both_sides(tmp_path):
    path = small_video(tmp_path / "whole.ts", seeds=(1, 2, 3, 4), codec="libx264")
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 3000] = os.urandom(3000)
    path.write_bytes(bytes(data))
    result = analyse_file(os.fsencode(path))
    assert result.status in ("ok", "partial")  # MPEG-TS resynchronises on the next packet
    assert result.video is not None and result.video.decoded_until >= 4.0


def test_frame_size_claimed_in_the_header_is_refused_before_decoding(tmp_path):
    path = huge_frame_avi(tmp_path / "huge.avi", 10_000, 10_000)
    result = analyse_file(os.fsencode(path))
    assert result.status == "too_large"
    assert "10000x10000" in result.reason
    absurd = huge_frame_avi(tmp_path / "absurd.avi", 50_000, 50_000)  # FFmpeg refuses it too
    result = analyse_file(os.fsencode(absurd))
    assert result.status == "corrupt" and "absurd" in result.reason


def test_header_then_noise_and_sound_only_files(tmp_path):
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(b"\x00\x00\x00\x18ftypisom" + os.urandom(20_000))
    result = analyse_file(os.fsencode(noise))
    assert result.status == "corrupt" and result.reason

    sound = tmp_path / "sound.mp4"
    write_video(sound, scene_frames((1,), (32, 32), 0.1, 10), audio_seconds=1.0)
    assert analyse_file(os.fsencode(sound)).status == "ok"


def test_looping_timestamps_are_not_followed_for_ever(tmp_path):
    one = small_video(tmp_path / "one.ts", seeds=(5,), seconds_each=8.0, codec="libx264")
    looping = tmp_path / "looping.ts"
    looping.write_bytes(one.read_bytes() * 12)  # the same timestamps again and again
    result = analyse_file(os.fsencode(looping))
    assert result.status == "partial"
    assert "jumping back" in result.reason


def test_time_budget_keeps_what_was_decoded(tmp_path, monkeypatch):
    path = small_video(tmp_path / "long.mp4", seeds=(1, 2, 3, 4, 5, 6), seconds_each=1.0)

    class ShortBudget(Budget):
        calls = 0

        def check(self) -> None:
            ShortBudget.calls += 1
            if ShortBudget.calls > 25:  # about 2.5 s of this 6 s video read
                raise BudgetSpent("test")

    monkeypatch.setattr(video_ingest, "Budget", ShortBudget)
    result = analyse_file(os.fsencode(path))
    assert result.status == "partial"
    assert "time budget per file" in result.reason
    assert result.video is not None and 0 < result.video.decoded_until < 6.0


def test_evidence_is_read_only_and_its_times_unchanged(tmp_path):
    path = small_video(tmp_path / "clip.mkv", codec="libx264")
    os.utime(path, (1_000_000_000, 1_100_000_000))
    before = path.read_bytes(), os.stat(path)
    analyse_file(os.fsencode(path))
    after = os.stat(path)
    assert path.read_bytes() == before[0]
    assert (after.st_mtime_ns, after.st_atime_ns) == (before[1].st_mtime_ns, before[1].st_atime_ns)


def test_sniffing_transport_streams_needs_three_sync_bytes():
    packet = b"\x47" + bytes(187)
    assert sniff_type(packet * 3) == "mpegts"
    assert sniff_type((bytes(4) + b"\x47" + bytes(187)) * 3) == "mpegts"  # M2TS
    assert sniff_type(b"\x47" + bytes(300)) is None


def test_keyframe_pass_skips_the_loop_filter_and_frames_between_are_decoded_with_it(tmp_path):
    """Frames reduced 2x or more: keyframes decoded without H.264's loop filter (cheaper, the
    reduction averages block edges away); frames decoded after it, between keyframes, are the
    ones a decoder with the filter on gives (no drift from unfiltered reference pictures)."""
    path = small_video(tmp_path / "gop.mp4", seeds=(3,), seconds_each=6.0, gop=60, bit_rate=15_000)

    def decoder(handle):
        return VideoDecoder(handle, "mp4", b"", max_side=32)

    with open(path, "rb") as handle, decoder(handle) as fast:
        keyframe = next(fast.keyframes(lambda when: True, Budget(30)))
        between = next(fast.frames_at([3.0], Budget(30)))
    with open(path, "rb") as handle, decoder(handle) as plain:
        filtered = next(plain.play_from(0.0))
    with open(path, "rb") as handle, decoder(handle) as plain:
        expected = next(plain.frames_at([3.0], Budget(30)))
    assert keyframe.time == filtered.time == 0.0
    assert np.asarray(keyframe.image).tobytes() != np.asarray(filtered.image).tobytes()
    assert 3.0 <= between.time < 3.5 and between.time == expected.time
    assert np.array_equal(np.asarray(between.image), np.asarray(expected.image))


def _pictures_made(decoder, monkeypatch) -> list[float]:
    """The times of the frames `decoder` reduces and turns into pictures from now on."""
    made: list[float] = []
    turn_into_picture = decoder._frame

    def counted(frame, key):
        picture = turn_into_picture(frame, key)
        made.append(picture.time)
        return picture

    monkeypatch.setattr(decoder, "_frame", counted)
    return made


def test_a_seek_turns_only_the_frames_it_hands_out_into_pictures(tmp_path, monkeypatch):
    """The player's seek decodes from the keyframe before the time asked; the frames it drops
    are decoded but never reduced and turned into pictures (that cost most of a seek)."""
    path = small_video(tmp_path / "gop.mp4", seeds=(3,), seconds_each=6.0, gop=60, bit_rate=15_000)
    with open(path, "rb") as handle, VideoDecoder(handle, "mp4", b"", max_side=32) as decoder:
        made = _pictures_made(decoder, monkeypatch)
        first = next(decoder.play_from(3.0))
    assert 2.9 <= first.time < 3.5
    assert made == [first.time]
    assert decoder.last_good >= first.time


def _still_then_moving(path, gop):
    """6 s of one still picture, 3 s of it panning, 6 s still again: 96x64 at 10 fps."""
    still = next(scene_frames((4,), (96, 64), 0.1, 10))
    frames = [still] * 60 + [np.roll(still, 4 * k, axis=1) for k in range(30)] + [still] * 60
    return write_video(path, frames, fps=10, gop=gop)


@pytest.mark.parametrize("gop", [10, 100])
def test_a_still_scene_gets_the_engine_fingerprints_once(tmp_path, monkeypatch, gop):
    """Keyframes that repeat the frame kept before them (PDQ within a few bits) are dropped, as
    before, and now their engine fingerprints are not taken at all: with a keyframe a second,
    only the kept frames' are. With keyframes 10 s apart (frames between them decoded after
    the keyframe pass) nothing is told early and every frame's are taken. Same result either
    way as when every frame's fingerprints are taken."""
    path = _still_then_moving(tmp_path / f"still_{gop}.mp4", gop)
    telling = video_ingest._Repeats.__call__
    monkeypatch.setattr(video_ingest._Repeats, "__call__", lambda self, when, words: False)
    every = analyse_file(os.fsencode(path))
    monkeypatch.setattr(video_ingest._Repeats, "__call__", telling)
    taken: list[int] = []
    fingerprints = video_ingest.picture_hashes

    def counted(image, *args, **kwargs):
        taken.append(1)
        return fingerprints(image, *args, **kwargs)

    monkeypatch.setattr(video_ingest, "picture_hashes", counted)
    told = analyse_file(os.fsencode(path))
    assert every.video is not None and told.video is not None
    for name in ("frame_times", "frame_hashes", "storyboard", "storyboard_times", "notes"):
        assert getattr(told.video, name) == getattr(every.video, name), name
    assert told.thumbnail == every.thumbnail
    kept, decoded = told.video.kept_frames, told.video.frames_decoded
    assert kept < decoded  # the still frames repeat
    assert len(taken) == (kept if gop == 10 else decoded)


def test_keyframes_on_frame_threads_are_the_same_and_frames_between_too(tmp_path):
    """A worker lent idle cores decodes its keyframes on frame threads: the same pictures; the
    frames between keyframes, decoded after (from the container reopened with one thread, as
    frame threads delay what comes out), are the same as a fresh decoder's."""
    path = small_video(tmp_path / "gop.mp4", seeds=(3, 5), seconds_each=6.0, gop=60)

    def pass_then_fill(threads):
        with open(path, "rb") as handle:
            with VideoDecoder(handle, "mp4", b"", keyframe_threads=threads) as decoder:
                keyframes = list(decoder.keyframes(lambda when: True, Budget(30)))
                during = decoder.stream.codec_context.thread_count
                between = list(decoder.frames_at([3.0, 9.0], Budget(30)))
                after = decoder.stream.codec_context.thread_count
        frames = [(f.time, np.asarray(f.image).tobytes()) for f in keyframes + between]
        return frames, (during, after)

    one, _ = pass_then_fill(1)
    two, threads = pass_then_fill(2)
    assert len(one) == 4 and two == one
    assert threads == (2, 1)


def test_frames_between_keyframes_turn_only_the_chosen_into_pictures(tmp_path, monkeypatch):
    """The ingest's frames between keyframes are decoded from the keyframe before each time
    chosen; the frames on the way are decoded but not reduced (that was most of their cost)."""
    path = small_video(tmp_path / "gop.mp4", seeds=(3, 5), seconds_each=6.0, gop=60)
    with open(path, "rb") as handle, VideoDecoder(handle, "mp4", b"", max_side=32) as decoder:
        made = _pictures_made(decoder, monkeypatch)
        chosen = list(decoder.frames_at([3.0, 4.5, 9.0], Budget(30)))
    assert len(chosen) == 3
    assert all(t <= f.time < t + 0.5 for f, t in zip(chosen, (3, 4.5, 9), strict=True))
    assert made == [f.time for f in chosen]


def test_frame_pdq_stays_near_the_full_resolution_frames_pdq(tmp_path, monkeypatch):
    """Known-video lists (ThreatExchange vPDQ files, PDQ lists of frames) hash frames at full
    resolution. A frame hashed from its 512 px reduction stays within about 12 bits of that;
    from a 256 px one it drifts 20-34 bits on textured frames (PDQ's box windows are even at
    that size, and the half pixel they shift its samples by is a larger share of the picture),
    past the 31 bits lists are matched within. Measured on the benchmark's 1080p keyframes."""
    rng = np.random.default_rng(7)
    frames = [
        np.clip(f + rng.normal(0, 14, f.shape), 0, 255).astype(np.uint8)
        for f in scene_frames((3, 8), (1280, 720), 1.5, 10)
    ]
    path = write_video(tmp_path / "wide.mp4", frames, fps=10, gop=10)
    seen: list[str] = []
    hashes_of = video_ingest.perceptual_hashes

    def recorded(image, *args, **kwargs):
        hashes = hashes_of(image, *args, **kwargs)
        seen.append(next(h.hex for h in hashes if h.algorithm == "pdq"))
        return hashes

    monkeypatch.setattr(video_ingest, "perceptual_hashes", recorded)
    assert analyse_file(os.fsencode(path)).status == "ok"
    full = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        for frame in container.decode(stream):
            matrix, _ = pdq.coefficients(pdq.luma(frame.to_ndarray(format="rgb24")))
            full.append(pdq.to_hex(matrix))
    assert len(seen) == len(full) >= 3
    distances = [(int(a, 16) ^ int(b, 16)).bit_count() for a, b in zip(seen, full, strict=True)]
    # 512 px: 2-10 bits here; 256 px: 14-24 (mean 17)
    assert max(distances) <= 16 and sum(distances) / len(distances) <= 12, distances
