"""What ingest stores of videos, read back as the review screens read it."""

from __future__ import annotations

from desktop.core.video_frames import strip_tiles
from desktop.store import items, videos
from desktop.store.db import open_case


def _media_by_name(db) -> dict[str, dict]:
    return {m["files"][0]["path"].rsplit("/", 1)[-1]: m for m in items.iter_media(db)}


def test_video_details_frames_and_storyboard(video_case_template):
    db = open_case(video_case_template)
    media = _media_by_name(db)
    clip = media["clip.mp4"]
    assert clip["status"] == "ok" and clip["duration"] == clip["video"]["duration"]
    details = videos.video_details(db, clip["id"])
    assert details["has_audio"] and details["audio_codec"] == "aac"
    assert details["video_codec"] == "h264" and details["fps"] == 10.0
    assert (details["width"], details["height"]) == (96, 64)
    assert 3 <= details["kept_frames"] <= 5
    times = videos.kept_frame_times(db, clip["id"])
    assert len(times) == details["kept_frames"] and times == sorted(times)
    board = videos.storyboard(db, clip["id"])
    assert board is not None and len(board.times) >= details["kept_frames"] - 1
    tiles = strip_tiles(board.strip, board.tile_width, len(board.times))
    assert tiles[0].size == (board.tile_width, board.tile_height) == (160, 107)
    assert videos.video_details(db, media["IMG_1000.jpg"]["id"]) is None
    assert videos.storyboard(db, media["IMG_1000.jpg"]["id"]) is None


def test_rotation_partial_and_badges(video_case_template):
    db = open_case(video_case_template)
    media = _media_by_name(db)
    phone = videos.video_details(db, media["IMG_0002.mov"]["id"])
    assert phone["rotation"] == 90 and (phone["width"], phone["height"]) == (64, 96)
    assert not phone["has_audio"]
    cut = videos.video_details(db, media["cut.mp4"]["id"])
    assert cut["status"] == "partial" and "frames kept up to" in cut["reason"]
    assert 0 < cut["decoded_until"] < 4.5
    ids = [m["id"] for m in media.values()]
    badges = videos.video_badges(db, ids)
    assert set(badges) == {media[n]["id"] for n in ("clip.mp4", "IMG_0002.mov", "moving.gif",
                                                    "cut.mp4")}  # fmt: skip
    assert badges[media["clip.mp4"]["id"]][1] is True
    count, seconds = videos.video_counts(db)
    assert count == 4 and seconds > 8
    assert items.file_status_counts(db)["partial"] == 1


def test_frame_hashes_are_stored_packed(video_case_template):
    db = open_case(video_case_template)
    clip = _media_by_name(db)["clip.mp4"]
    kinds = {(h.algorithm, h.variant): h for h in videos.frame_hashes(db, clip["id"])}
    assert len(kinds[("pdq", "original")]) == clip["video"]["kept_frames"]
    assert ("pdq", "trim.mirror") in kinds and ("phash", "original") in kinds
    assert not clip["perceptual_hashes"]  # a video's hashes are its frames'
