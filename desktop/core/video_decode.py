"""Decoding untrusted video with PyAV (FFmpeg): safe opening, a keyframe pass, and frames at
chosen times, each under a time budget, with damage noted rather than raised.

Safety: the demuxer is the one the content was sniffed as (never FFmpeg's guess, so a
playlist or a concat script is never followed), nested opens (MP4 data references, playlist
segments, URLs) are refused by an `io_open` that opens nothing, frame sizes are checked before
anything is decoded and capped by the decoder's `max_pixels`, and every read and decode is
bounded by the caller's budget, by a cap on packets and by a cap on media time.

Cost: the first pass decodes keyframes only (`skip_frame=NONKEY`) and only those the frame
selection wants, so most packets are read and dropped undecoded; frames wanted between
keyframes (a long group of pictures) are decoded after a seek, skipping frames no other frame
refers to (`skip_frame=NONREF`). One decoder thread: each ingest worker is a core's worth; but
the keyframe pass of a video started while other workers are idle (the last files of an
ingest, a single video) borrows their cores as frame threads (`keyframe_threads`).
Frames reduced to half their size or less skip H.264's (and HEVC's) loop filter in the keyframe
pass: it smooths block edges a few pixels wide, which the reduction averages away (PDQ within 2
bits of the filtered frame's on the benchmark's 1080p keyframes). The frames decoded after it
(between keyframes, from a seek) come from the container opened afresh with the filter on, as
predicted frames built on unfiltered pictures would drift. One scaler per decoder, on the
decoder's own threads: a new scaler per frame (PyAV's `frame.reformat`) rebuilds its filters
and starts a thread per core for every frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import av
from av.video.reformatter import VideoReformatter
from PIL import Image

from desktop.core.media import REDUCED_MAX_SIDE, DecodeFailure
from desktop.core.video_meta import VideoInfo, rotation_from_display

# The demuxer for each sniffed type; "mpegvideo" replaces "mpeg" for a bare video stream.
DEMUXERS = {
    "mp4": "mov",
    "avi": "avi",
    "mkv": "matroska",
    "mpeg": "mpeg",
    "mpegts": "mpegts",
    "flv": "flv",
    "asf": "asf",
}
# Containers whose header gives the length from an index (not guessed from the bit rate, as
# for MPEG program and transport streams): data ending well before it was cut short.
INDEXED_CONTAINERS = ("mov", "matroska", "avi", "asf", "flv")
# A frame larger than 8K UHD twice over is refused before decoding: a header can claim any size,
# and the decoder would allocate it.
MAX_VIDEO_PIXELS = 2 * 7680 * 4320
# A stream claiming more than this many hours, or timestamps this far past its end, is not
# followed further (looping or endless streams).
MAX_MEDIA_SECONDS = 24 * 3600
MAX_BACKWARD_JUMPS = 8  # timestamps going back by more than a few seconds: a spliced loop
BACKWARD_JUMP = 5.0
MAX_FILL_FRAMES = 1500  # frames decoded to reach one chosen time (a minute at 25 fps)
# The keyframe pass skips the loop filter when frames are reduced at least this much (a 1080p
# frame to ingest's 512 pixels is 3.75 times).
LOOP_FILTER_SKIP_REDUCTION = 2.0

_TRANSPOSE = {
    90: Image.Transpose.ROTATE_270,  # Pillow turns counter-clockwise
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


class BudgetSpent(Exception):
    """The time allowed for this file (or for one step of it) ran out."""


@dataclass
class Budget:
    """A deadline on wall time, checked between packets (a call inside FFmpeg cannot be
    interrupted from here: the analysis pool's hard limit covers that)."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    def spent(self) -> float:
        return time.monotonic() - self.started

    def left(self) -> float:
        return self.seconds - self.spent()

    def check(self) -> None:
        if self.left() <= 0:
            raise BudgetSpent(f"{self.seconds:.0f} s")


@dataclass
class DecodedFrame:
    """One frame, reduced and upright: what hashing and the storyboard need."""

    time: float  # seconds from the start of the stream
    image: Image.Image  # RGB, longest side at most REDUCED_MAX_SIDE
    key: bool


@dataclass
class Damage:
    """Where decoding met bad data, and what the decoder said."""

    time: float | None
    message: str


def refuse_nested_open(url: str, flags: int, options: dict[str, Any]) -> Any:
    raise PermissionError("Vigil never opens a file or address a video refers to")


def ffmpeg_message(error: BaseException) -> str:
    """FFmpeg's words for an error, without the file name PyAV appends (a descriptor here)."""
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return str(text)


class VideoDecoder:
    """One video stream of an evidence file opened for reading (a file object or bytes)."""

    def __init__(
        self,
        source: IO[bytes],
        file_type: str,
        head: bytes,
        max_side: int = REDUCED_MAX_SIDE,
        threads: int = 1,
        keyframe_threads: int = 1,
    ):
        """`max_side`: longest side frames are reduced to (ingest's working size by default; a
        player asks for more). `threads`: decoder threads (one per ingest worker).
        `keyframe_threads`: frame threads for the keyframe pass (cores an ingest worker may
        borrow while others are idle; the frames after it come from the container reopened
        with `threads`)."""
        self.max_side, self.threads = max_side, threads
        self.keyframe_threads, self._scale_threads = keyframe_threads, threads
        self._source, self._file_type = source, file_type
        self._demuxer = DEMUXERS[file_type]
        if file_type == "mpeg" and head.startswith(b"\x00\x00\x01\xb3"):
            self._demuxer = "mpegvideo"
        self.container = self._open()
        try:
            self.info, self.stream = self._describe(file_type)
        except BaseException:
            self.container.close()
            raise
        self._scaler = VideoReformatter()
        self._keyframe_settings = False  # the keyframe pass decodes otherwise than by default
        self.damage: list[Damage] = []
        self.end_time = 0.0  # where the data ends: the latest packet's time and duration
        self._frame_span = 1 / self.info.fps if self.info.fps else 0.0
        self.last_good = 0.0  # the latest frame decoded
        self.keyframe_times: list[float] = []

    def _open(self) -> Any:
        try:
            return av.open(
                self._source,
                mode="r",
                format=self._demuxer,
                io_open=refuse_nested_open,
                metadata_errors="replace",
            )
        except (av.FFmpegError, OSError) as error:
            reason = f"cannot read the {self._file_type} container: {ffmpeg_message(error)}"
            raise DecodeFailure("corrupt", reason) from None

    def _reopen(self, when: float) -> bool:
        """The container opened afresh on the same stream, its decoder with default options
        (after a keyframe pass that skipped the loop filter or used frame threads: frames
        decoded after a seek are taken as they come out, which frame threads delay); False,
        with the damage noted, when it no longer opens."""
        index = self.stream.index
        self.container.close()
        self._keyframe_settings, self._scale_threads = False, self.threads
        try:
            self._source.seek(0)
            self.container = self._open()
        except (DecodeFailure, OSError) as error:
            self.damage.append(Damage(when, f"cannot read the file again: {error}"))
            return False  # the closed container stays: closing it again does nothing
        self.stream = self.container.streams[index]
        self._configure(self.stream.codec_context)
        return True

    def _configure(self, context: Any, options: dict[str, str] | None = None) -> None:
        context.thread_count = self.threads
        context.options = {"max_pixels": str(MAX_VIDEO_PIXELS), **(options or {})}

    def close(self) -> None:
        self.container.close()

    def __enter__(self) -> VideoDecoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- what the container says ------------------------------------------------------------

    def _describe(self, file_type: str) -> tuple[VideoInfo, Any]:
        videos = [s for s in self.container.streams.video if s.codec_context is not None]
        if not videos:
            raise DecodeFailure("unsupported", f"{file_type} file with no video stream")
        # the default stream when the container marks one, else the largest
        stream = max(videos, key=lambda s: s.codec_context.width * s.codec_context.height)
        context = stream.codec_context
        width, height = context.width, context.height
        if width <= 0 or height <= 0:
            raise DecodeFailure(
                "corrupt", "the video stream gives no usable frame size (none, or an absurd one)"
            )
        if width * height > MAX_VIDEO_PIXELS:
            raise DecodeFailure(
                "too_large", f"the video claims frames of {width}x{height}: refused before decoding"
            )
        audio = next(iter(self.container.streams.audio), None)
        duration = None
        if stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        elif self.container.duration:
            duration = self.container.duration / av.time_base
        if duration is not None and not 0 < duration < MAX_MEDIA_SECONDS:
            duration = None
        rate = stream.average_rate or stream.guessed_rate
        fps = float(rate) if rate and 0 < float(rate) < 1000 else None
        metadata = {**dict(stream.metadata), **dict(self.container.metadata)}
        info = VideoInfo(
            container=self.container.format.name.split(",")[0],
            video_codec=context.name,
            coded_width=width,
            coded_height=height,
            duration=duration,
            fps=fps,
            audio_codec=audio.codec_context.name if audio and audio.codec_context else None,
            frames_total=stream.frames or None,
            metadata={str(k): str(v) for k, v in metadata.items()},
        )
        self._configure(context)
        self._sar = context.sample_aspect_ratio
        # float arithmetic: Fractions cost more than the rest of a packet's handling
        self._base = float(stream.time_base) if stream.time_base else 0.0
        self._start = stream.start_time or 0
        return info, stream

    # ---- frames ---------------------------------------------------------------------------------

    def _time(self, pts: int | None) -> float | None:
        if pts is None or not self._base:
            return None
        return (pts - self._start) * self._base

    def _frame(self, frame: Any, key: bool) -> DecodedFrame:
        """The frame reduced (display aspect ratio honoured) and turned upright."""
        when = self._time(frame.pts)
        if when is None:
            when = self.last_good
        if not self.info.rotation and frame.rotation:
            self.info.rotation = rotation_from_display(frame.rotation)
        width, height = frame.width, frame.height
        shown_width = width * float(self._sar) if self._sar and 0.2 < self._sar < 5 else width
        scale = min(1.0, self.max_side / max(shown_width, height))
        size = (max(1, round(shown_width * scale)), max(1, round(height * scale)))
        # 32-bit pixels (rgb0): swscale's packed 24-bit output costs a 1080p frame reduced to
        # 512 px about 0.5 ms more, and 32 bits a pixel is how Pillow holds RGB anyway
        rgb = self._scaler.reformat(
            frame,
            width=size[0],
            height=size[1],
            format="rgb0",
            interpolation="AREA",
            threads=self._scale_threads,
        )
        plane = rgb.planes[0]  # read in place: Pillow copies it into its own storage
        image = Image.frombytes("RGB", size, memoryview(plane), "raw", "RGBX", plane.line_size, 1)
        turn = _TRANSPOSE.get(self.info.rotation)
        if turn is not None:
            image = image.transpose(turn)
        self.last_good = max(self.last_good, when)
        return DecodedFrame(when, image, key)

    def _decode(
        self,
        packet: Any,
        key: bool,
        after: float | None = None,
        passed: list[float] | None = None,
    ) -> list[DecodedFrame]:
        """The frames a packet completes; those known to come before `after` are counted as
        decoded but not reduced, their times added to `passed` (a seek decodes up to a keyframe
        interval of frames it drops, and turning each into a picture cost the player most of
        its seek time, and the ingest's frames between keyframes most of theirs)."""
        context = self.stream.codec_context
        try:
            frames = context.decode(packet)
        except av.EOFError:  # draining a decoder already drained: nothing more, no damage
            return []
        except av.FFmpegError as error:
            when = self._time(packet.pts) if packet else None
            self.damage.append(Damage(when, ffmpeg_message(error)))
            return []
        kept = []
        for frame in frames:
            when = self._time(frame.pts)
            if after is not None and when is not None and when < after:
                self.last_good = max(self.last_good, when)
                if passed is not None:
                    passed.append(when)
                continue
            kept.append(self._frame(frame, key))
        return kept

    def keyframes(self, wanted: Callable[[float], bool], budget: Budget) -> Iterator[DecodedFrame]:
        """Keyframes the caller wants (asked with each keyframe's time before it is decoded), in
        stream order; every packet is read, to know where the stream ends."""
        context = self.stream.codec_context
        if not context.is_open and self._reduction() >= LOOP_FILTER_SKIP_REDUCTION:
            self._configure(context, {"skip_loop_filter": "all"})
            self._keyframe_settings = True
        if not context.is_open and self.keyframe_threads > 1:
            # keyframes decode independently: frame threads take several at once (same pixels)
            context.thread_count, context.thread_type = self.keyframe_threads, "FRAME"
            self._keyframe_settings, self._scale_threads = True, self.keyframe_threads
        context.skip_frame = "NONKEY"
        backward = 0
        packets = 0
        try:
            for packet in self.container.demux(self.stream):
                budget.check()
                packets += 1
                when = self._time(packet.pts if packet.pts is not None else packet.dts)
                if when is not None:
                    if when < self.end_time - BACKWARD_JUMP:
                        backward += 1
                        if backward > MAX_BACKWARD_JUMPS:
                            self.damage.append(Damage(when, "timestamps keep jumping back"))
                            break
                    if when > MAX_MEDIA_SECONDS:
                        self.damage.append(Damage(when, "the stream runs past 24 hours"))
                        break
                    span = packet.duration * self._base if packet.duration else 0.0
                    self.end_time = max(self.end_time, when + (span or self._frame_span))
                if packet.size == 0 or not packet.is_keyframe:
                    continue
                if when is not None:
                    self.keyframe_times.append(when)
                if when is None or wanted(when):
                    yield from self._decode(packet, key=True)
        except av.FFmpegError as error:  # the container itself is damaged from here on
            self.damage.append(Damage(self.end_time, ffmpeg_message(error)))
        except BudgetSpent:
            yield from self._decode(None, key=True)  # frames the decoder holds back
            raise
        yield from self._decode(None, key=True)

    def frames_at(self, targets: list[float], budget: Budget) -> Iterator[DecodedFrame]:
        """For each time in `targets` (sorted), the first frame at or after it; one seek per
        group of pictures, frames no other refers to skipped."""
        if self._keyframe_settings and not self._reopen(targets[0] if targets else 0.0):
            return
        context = self.stream.codec_context
        context.skip_frame = "NONREF"
        pending = list(targets)
        while pending:
            budget.check()
            target = pending[0]
            base = self.stream.time_base
            offset = int(target / base) + (self.stream.start_time or 0)
            try:
                self.container.seek(offset, stream=self.stream, backward=True, any_frame=False)
            except av.FFmpegError as error:
                self.damage.append(Damage(target, f"cannot seek: {ffmpeg_message(error)}"))
                return
            decoded, at = 0, -1.0
            try:
                for packet in self.container.demux(self.stream):
                    budget.check()
                    passed: list[float] = []  # decoded on the way to the target, not reduced
                    key, early = bool(packet.is_keyframe), pending[0] - 1e-3
                    frames = self._decode(packet, key, after=early, passed=passed)
                    if passed:
                        decoded, at = decoded + len(passed), max(at, *passed)
                    for frame in frames:
                        decoded, at = decoded + 1, frame.time
                        if frame.time >= pending[0] - 1e-3:
                            yield frame
                            while pending and pending[0] <= frame.time + 1e-3:
                                pending.pop(0)
                    if not pending or decoded > MAX_FILL_FRAMES:
                        break
                    # the next target lies past another keyframe: seek rather than decode there
                    if at >= 0 and self._keyframe_between(at, pending[0]):
                        break
                else:
                    return  # the stream ended before the remaining targets
            except av.FFmpegError as error:
                self.damage.append(Damage(target, ffmpeg_message(error)))
                return
            if decoded == 0 or decoded > MAX_FILL_FRAMES:
                pending.pop(0)  # nothing reachable at that time: give it up

    def play_from(self, start: float, keyframes_only: bool = False) -> Iterator[DecodedFrame]:
        """Every frame from `start` on, in order, for the player: a seek to the keyframe at or
        before it, then frames decoded, those before `start` dropped. With `keyframes_only`
        (scrubbing: fast, and the picture is blurred then anyway) only keyframes, from the
        one at or before `start`. Damage is noted, never raised; the stream's end ends it."""
        if self._keyframe_settings and not self._reopen(start):
            return
        context = self.stream.codec_context
        context.skip_frame = "NONKEY" if keyframes_only else "DEFAULT"
        if self._base:
            offset = int(max(0.0, start) / self._base) + self._start
            try:
                self.container.seek(offset, stream=self.stream, backward=True, any_frame=False)
            except av.FFmpegError as error:
                self.damage.append(Damage(start, f"cannot seek: {ffmpeg_message(error)}"))
                return
        early = start - 0.5 * (self._frame_span or 0.04)
        dropped_before = None if keyframes_only else early
        try:
            for packet in self.container.demux(self.stream):
                for frame in self._decode(packet, bool(packet.is_keyframe), dropped_before):
                    if keyframes_only or frame.time >= early:
                        yield frame
        except av.FFmpegError as error:
            self.damage.append(Damage(start, ffmpeg_message(error)))
        # the demuxer's last, empty packet has flushed the decoder: nothing more to ask

    def _reduction(self) -> float:
        """How many times smaller than the coded frame the frames handed out are."""
        longest = max(self.info.coded_width, self.info.coded_height)
        return longest / self.max_side if self.max_side else 1.0

    def _keyframe_between(self, start: float, end: float) -> bool:
        return any(start < k <= end for k in self.keyframe_times)


FULL_SIZE = 8192  # longest side of a frame decoded for export: every real video's own size


def frame_at(
    source: IO[bytes], file_type: str, head: bytes, seconds: float, max_side: int = FULL_SIZE
) -> DecodedFrame:
    """The frame shown at `seconds` (the first at or after it), upright, at most `max_side`;
    DecodeFailure when none decodes there."""
    with VideoDecoder(source, file_type, head, max_side=max_side) as decoder:
        frame = next(decoder.play_from(seconds), None)
        if frame is None:
            where = decoder.damage[-1].message if decoder.damage else "the video ends before it"
            raise DecodeFailure("corrupt", f"no frame decodes at {seconds:.2f} s ({where})")
        return frame
