"""A video's sound, read with PyAV under the same safe opening as its frames: measured into a
loudness strip (nobody hears it), or turned into samples for the listen control.

Only the sound stream is decoded; the demuxer still reads the video's packets from the file
and drops them undecoded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any

import av
import numpy as np

from desktop.core.loudness import RATE, LoudnessMeter, LoudnessStrip
from desktop.core.media import DecodeFailure
from desktop.core.video_decode import DEMUXERS, ffmpeg_message, refuse_nested_open

PLAY_RATE = 48_000  # what sound cards take without resampling of their own
PLAY_CHANNELS = 2


class VideoSound:
    """The first sound stream of a video file opened for reading (None of it decoded yet)."""

    def __init__(self, source: IO[bytes], file_type: str, head: bytes):
        demuxer = DEMUXERS[file_type]
        if file_type == "mpeg" and head.startswith(b"\x00\x00\x01\xb3"):
            raise DecodeFailure("unsupported", "a bare MPEG video stream has no sound")
        try:
            self.container = av.open(
                source, mode="r", format=demuxer, io_open=refuse_nested_open,
                metadata_errors="replace",
            )  # fmt: skip
        except (av.FFmpegError, OSError) as error:
            reason = f"cannot read the container: {ffmpeg_message(error)}"
            raise DecodeFailure("corrupt", reason) from None
        streams = [s for s in self.container.streams.audio if s.codec_context is not None]
        if not streams:
            self.container.close()
            raise DecodeFailure("unsupported", "this video has no sound")
        self.stream = streams[0]
        self.stream.codec_context.thread_count = 1
        base = self.stream.time_base
        self._base = float(base) if base else 0.0
        self._start = self.stream.start_time or 0

    def close(self) -> None:
        self.container.close()

    def __enter__(self) -> VideoSound:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def samples(
        self, rate: int, channels: int, start: float = 0.0, stop: Callable[[], bool] | None = None
    ) -> Iterator[np.ndarray]:
        """Float32 samples (frames x channels) from `start` seconds on, resampled; a damaged
        packet is skipped, never raised."""
        layout = "mono" if channels == 1 else "stereo"
        resampler = av.AudioResampler(format="flt", layout=layout, rate=rate)
        if start > 0 and self._base:
            offset = int(start / self._base) + self._start
            self.container.seek(offset, stream=self.stream, backward=True, any_frame=False)
        skip = None if start <= 0 else start
        try:
            for packet in self.container.demux(self.stream):
                if stop is not None and stop():
                    return
                try:
                    frames = packet.decode()
                except av.FFmpegError:
                    continue
                for frame in frames:
                    when = (frame.pts - self._start) * self._base if frame.pts is not None else None
                    for out in resampler.resample(frame):
                        array = _interleaved(out, channels)
                        if skip is not None and when is not None and when < skip:
                            cut = int((skip - when) * rate)
                            array = array[cut:]
                        if len(array):
                            yield array
        except av.FFmpegError:
            return

    def loudness(self, stop: Callable[[], bool] | None = None) -> LoudnessStrip:
        """The whole sound measured into a strip (core.loudness)."""
        meter = LoudnessMeter()
        for chunk in self.samples(RATE, 1, stop=stop):
            meter.add(chunk[:, 0])
        return meter.finish()


def _interleaved(frame: Any, channels: int) -> np.ndarray:
    """A resampled packed float frame as (samples, channels)."""
    data = frame.to_ndarray()  # packed "flt": shape (1, samples * channels)
    return np.ascontiguousarray(data.reshape(-1, channels), dtype=np.float32)
