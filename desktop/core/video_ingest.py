"""One video (or animated picture) analysed for ingest: its description, its kept frames with
every hash a picture gets, a storyboard and a thumbnail, within a time budget. Damage becomes
a `partial` status with the reason and the last good time, never an exception."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

import numpy as np
from PIL import Image

from desktop.core.animated import AnimatedDecoder
from desktop.core.frame_hashes import PackedHashes, pack
from desktop.core.hashing import PerceptualHash, perceptual_hashes
from desktop.core.limits import video_decode_budget
from desktop.core.media import DecodeFailure
from desktop.core.picture_hashes import picture_hashes
from desktop.core.video_decode import (
    INDEXED_CONTAINERS,
    Budget,
    BudgetSpent,
    Damage,
    DecodedFrame,
    VideoDecoder,
)
from desktop.core.video_frames import (
    Sampler,
    distinct_frames,
    poster_pick,
    repeats,
    storyboard_picks,
    storyboard_strip,
    tile_size,
)
from desktop.core.video_meta import VideoInfo, clock

# Wall time for one video's decoding: core.limits.video_decode_budget (a base, and more for a
# bigger file: it must all be read and demuxed). A video that runs past it keeps the frames
# decoded so far (`partial`).
# Frames between keyframes are costly (every frame from the keyframe on is decoded): they may
# take this share of the video's own length in decoding time (1.2 s for a minute), at least
# FILL_MIN_SECONDS. Past it, the rest of the video keeps its keyframes only.
FILL_SHARE = 0.02
FILL_MIN_SECONDS = 1.0
THUMBNAIL_QUALITY = 80
# A container whose data ends this much before the length its header gives was cut short.
CUT_SHORT_SECONDS = 1.0
CUT_SHORT_SHARE = 0.02


class FrameDecoder(Protocol):
    """What the frame selection needs of a decoder (core/video_decode.py, core/animated.py)."""

    info: VideoInfo
    damage: list[Damage]
    end_time: float
    last_good: float

    def keyframes(
        self, wanted: Callable[[float], bool], budget: Budget
    ) -> Iterator[DecodedFrame]: ...

    def frames_at(self, targets: list[float], budget: Budget) -> Iterator[DecodedFrame]: ...

    def __enter__(self) -> FrameDecoder: ...

    def __exit__(self, *exc: object) -> None: ...


@dataclass
class VideoAnalysis:
    """What ingest records of a video beyond a picture's fields (see store/videos.py)."""

    container: str
    video_codec: str
    audio_codec: str | None
    duration: float | None
    fps: float | None
    coded_width: int
    coded_height: int
    rotation: int
    frames_total: int | None
    frame_times: bytes  # int32 little-endian milliseconds of each kept frame
    frame_hashes: list[PackedHashes]
    storyboard: bytes | None  # one JPEG: the tiles left to right
    storyboard_times: bytes  # int32 little-endian milliseconds of each tile
    tile_width: int
    tile_height: int
    decoded_until: float  # the last good time: the latest frame decoded (seconds)
    frames_decoded: int
    notes: list[str] = field(default_factory=list)

    @property
    def kept_frames(self) -> int:
        return len(self.frame_times) // 4


@dataclass
class VideoOutcome:
    status: str  # ok or partial (failures raise DecodeFailure)
    reason: str | None
    width: int
    height: int
    summary: dict[str, Any]  # recorded as the media's EXIF-like fields
    thumbnail: bytes
    video: VideoAnalysis


@dataclass
class _Seen:
    """One decoded frame, reduced to what is kept of it. A frame that repeats the one kept
    before it (`repeat`, told in the keyframe pass) has pHash, dHash and PDQ only, no preview:
    it is dropped, as distinct_frames would drop it."""

    time: float
    hashes: list[PerceptualHash]
    quality: int
    pdq: tuple[int, ...]
    tile: Image.Image
    preview_jpeg: bytes
    repeat: bool = False


class _Repeats:
    """Tells, frame by frame in the keyframe pass, whether a frame repeats the frame kept
    before it (PDQ within DUPLICATE_BITS), so the engine's fingerprints of a still scene are
    taken once, not every second. It tells only what distinct_frames will find over all the
    frames: while no frame can come before the frame told in time but those already seen,
    i.e. while frames come in rising time and no gap from the start or between the keyframes
    taken is long enough for frames to be decoded in it afterwards (Sampler.fill_targets).
    From the first such gap on, every frame is taken whole, as before."""

    def __init__(self, sampler: Sampler):
        self.sampler = sampler
        self.sure = True
        self.checked = 0  # keyframes taken whose gap to the one before was looked at
        self.last_time: float | None = None
        self.kept: tuple[int, ...] | None = None

    def __call__(self, when: float, words: tuple[int, ...]) -> bool:
        taken, gap = self.sampler.taken, self.sampler.gap
        while self.checked < len(taken):
            before = taken[self.checked - 1] if self.checked else 0.0
            self.sure = self.sure and taken[self.checked] - before <= gap
            self.checked += 1
        if self.last_time is not None and when <= self.last_time + 1e-3:
            self.sure = False
        self.last_time = when
        if not self.sure:
            return False
        if self.kept is not None and repeats(words, self.kept):
            return True
        self.kept = words
        return False


def _jpeg(image: Image.Image, quality: int = THUMBNAIL_QUALITY) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _see(frame: DecodedFrame, told: _Repeats | None = None) -> _Seen:
    first = perceptual_hashes(frame.image)
    pdq = next(h for h in first if h.algorithm == "pdq" and h.variant == "original")
    words = tuple(int(pdq.hex[i : i + 16], 16) for i in range(0, 64, 16))
    tile = tile_size(*frame.image.size)
    if told is not None and told(frame.time, words):
        small = frame.image.resize(tile, Image.Resampling.BOX)
        return _Seen(frame.time, first, pdq.quality or 0, words, small, b"", repeat=True)
    hashes, preview = picture_hashes(frame.image, first=first)
    # the storyboard tile from the engine's copy: a quarter of the frame's pixels to average
    small = preview.resize(tile, Image.Resampling.BOX)
    return _Seen(frame.time, hashes, pdq.quality or 0, words, small, _jpeg(preview))


def open_video(
    source: IO[bytes] | bytes, file_type: str, head: bytes, keyframe_threads: int = 1
) -> FrameDecoder:
    """The decoder for a sniffed type: PyAV for containers (`keyframe_threads`: see
    VideoDecoder), Pillow for animated pictures."""
    if isinstance(source, bytes):
        return AnimatedDecoder(source, file_type)
    return VideoDecoder(source, file_type, head, keyframe_threads=keyframe_threads)


def analyse_video(decoder: FrameDecoder, size: int) -> VideoOutcome:
    """Frames chosen, decoded and hashed; raises DecodeFailure when no frame decodes."""
    info = decoder.info
    budget = Budget(video_decode_budget(size))
    sampler = Sampler(info.duration)
    seen: list[_Seen] = []
    notes: list[str] = []
    stopped = None

    def claim(when: float) -> bool:
        wanted = sampler.wants(when)
        if wanted:
            sampler.take(when)
        return wanted

    told = _Repeats(sampler)
    try:
        for frame in decoder.keyframes(claim, budget):
            seen.append(_see(frame, told))
        targets = sampler.fill_targets(decoder.end_time)
        if targets:
            share = max(FILL_MIN_SECONDS, FILL_SHARE * decoder.end_time)
            fill = Budget(min(budget.left(), share))
            filled = 0
            try:
                for frame in decoder.frames_at(targets, fill):
                    seen.append(_see(frame))
                    filled += 1
            except BudgetSpent:
                notes.append(
                    f"{filled} of {len(targets)} frames between keyframes decoded: "
                    f"the {fill.seconds:.1f} s allowed for them was spent"
                )
                budget.check()
    except BudgetSpent:
        stopped = (
            f"stopped after {budget.seconds:.0f} s of decoding at {clock(decoder.last_good)}"
            " (time budget per file)"
        )
    if not seen:
        why = f": {decoder.damage[0].message}" if decoder.damage else ""
        if stopped:
            why = f": {stopped}"
        raise DecodeFailure("corrupt", f"no frame of the video could be decoded{why}")
    return _outcome(decoder, seen, notes, stopped)


def _outcome(
    decoder: FrameDecoder, seen: list[_Seen], notes: list[str], stopped: str | None
) -> VideoOutcome:
    info = decoder.info
    seen.sort(key=lambda s: s.time)
    unique = [s for k, s in enumerate(seen) if k == 0 or s.time - seen[k - 1].time > 1e-3]
    # repeats told in the keyframe pass are frames distinct_frames drops (and never compares
    # others with): leaving them out first changes nothing but the work
    fresh = [s for s in unique if not s.repeat]
    kept = [fresh[k] for k in distinct_frames([s.pdq for s in fresh])]
    end = max(decoder.end_time, unique[-1].time)
    duration = max(info.duration or 0.0, end) or None
    tile = tile_size(info.width, info.height)
    picks = [unique[k] for k in storyboard_picks([s.time for s in unique], duration or 0.0)]
    poster = kept[poster_pick([s.time for s in kept], [s.quality for s in kept], duration or 0)]
    problems = []
    if decoder.damage:
        first = decoder.damage[0]
        where = f" at {clock(first.time)}" if first.time is not None else ""
        problems.append(f"damaged data{where} ({first.message})")
    if stopped:
        problems.append(stopped)
    indexed = info.container in INDEXED_CONTAINERS
    if (
        indexed
        and info.duration
        and end + CUT_SHORT_SECONDS + CUT_SHORT_SHARE * info.duration < info.duration
    ):
        problems.append(f"the data ends at {clock(end)} of {clock(info.duration)} (cut short)")
    reason = None
    if problems:
        reason = "; ".join(problems) + f"; frames kept up to {clock(decoder.last_good)}"
    if len(kept) < len(unique):
        notes.append(f"{len(unique) - len(kept)} frames repeating the one before were dropped")
    analysis = VideoAnalysis(
        container=info.container,
        video_codec=info.video_codec,
        audio_codec=info.audio_codec,
        duration=duration,
        fps=info.fps,
        coded_width=info.coded_width,
        coded_height=info.coded_height,
        rotation=info.rotation,
        frames_total=info.frames_total,
        frame_times=_milliseconds([s.time for s in kept]),
        frame_hashes=pack([s.hashes for s in kept]),
        storyboard=storyboard_strip([s.tile for s in picks], tile),
        storyboard_times=_milliseconds([s.time for s in picks]),
        tile_width=tile[0],
        tile_height=tile[1],
        decoded_until=decoder.last_good,
        frames_decoded=len(unique),
        notes=notes,
    )
    return VideoOutcome(
        "partial" if problems else "ok",
        reason,
        info.width,
        info.height,
        info.summary(),
        poster.preview_jpeg,
        analysis,
    )


def _milliseconds(times: list[float]) -> bytes:
    return np.round(np.array(times, dtype=np.float64) * 1000).astype("<i4").tobytes()
