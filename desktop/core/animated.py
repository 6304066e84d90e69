"""Animated GIF, WebP and PNG read as frame sequences with Pillow, so they are fingerprinted,
grouped and shown like short videos (the same frame selection, storyboard and matching)."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterator

from PIL import Image

from desktop.core.media import REDUCED_MAX_SIDE, DecodeFailure, shrink
from desktop.core.video_decode import Budget, Damage, DecodedFrame
from desktop.core.video_meta import VideoInfo

# Browsers show a frame with no delay (or one under 20 ms) for 100 ms; so do we.
DEFAULT_FRAME_MS = 100
MIN_FRAME_MS = 20
MAX_ANIMATION_FRAMES = 20_000  # beyond this an animation is not followed further
SCAN_SECONDS = 10.0  # to read every frame's delay (not its pixels) before choosing frames


class AnimatedDecoder:
    """Frames of an animated picture, every one a keyframe (each is decoded cheaply)."""

    def __init__(self, data: bytes, file_type: str):
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                self.image = Image.open(io.BytesIO(data))
                frames = int(getattr(self.image, "n_frames", 1))
            except Image.DecompressionBombError as error:
                raise DecodeFailure("too_large", f"decompression bomb refused: {error}") from None
            except Exception as error:  # noqa: BLE001 - hostile input can raise anything
                raise DecodeFailure("corrupt", f"cannot read the animation: {error}") from None
        self.damage: list[Damage] = []
        self.last_good = 0.0
        self.starts = self._frame_starts(min(frames, MAX_ANIMATION_FRAMES))
        self.keyframe_times = self.starts[:-1]
        self.end_time = self.starts[-1]
        if frames > MAX_ANIMATION_FRAMES:
            self.damage.append(Damage(None, f"only the first {MAX_ANIMATION_FRAMES} frames read"))
        shown = len(self.keyframe_times)
        self.info = VideoInfo(
            container=file_type,
            video_codec=file_type,
            coded_width=self.image.width,
            coded_height=self.image.height,
            duration=self.end_time or None,
            fps=round(shown / self.end_time, 3) if self.end_time else None,
            frames_total=frames,
        )

    def _frame_starts(self, frames: int) -> list[float]:
        """When each frame starts, and when the last one ends (seconds), from the delays
        alone; a frame that cannot be reached ends the animation there."""
        budget = Budget(SCAN_SECONDS)
        starts, at_ms = [0.0], 0
        for number in range(frames):
            try:
                budget.check()
                self.image.seek(number)
                if "duration" not in self.image.info:
                    self.image.load()  # WebP tells a frame's delay only once it is decoded
            except Exception as error:  # noqa: BLE001 - damaged or endless: stop here
                if number > 0:
                    self.damage.append(Damage(at_ms / 1000, str(error) or type(error).__name__))
                break
            delay = int(self.image.info.get("duration") or 0)
            at_ms += delay if delay >= MIN_FRAME_MS else DEFAULT_FRAME_MS
            starts.append(at_ms / 1000)
        return starts if len(starts) > 1 else [0.0, DEFAULT_FRAME_MS / 1000]

    def close(self) -> None:
        self.image.close()

    def __enter__(self) -> AnimatedDecoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def keyframes(self, wanted: Callable[[float], bool], budget: Budget) -> Iterator[DecodedFrame]:
        """Every frame whose start time the caller wants, in order."""
        for number, when in enumerate(self.keyframe_times):
            budget.check()
            if not wanted(when):
                continue
            try:
                self.image.seek(number)
                picture = shrink(self.image.convert("RGB"), REDUCED_MAX_SIDE)
            except Exception as error:  # noqa: BLE001 - a damaged frame ends the animation
                self.damage.append(Damage(when, str(error) or type(error).__name__))
                break
            self.last_good = when
            yield DecodedFrame(when, picture, key=True)

    def frames_at(self, targets: list[float], budget: Budget) -> Iterator[DecodedFrame]:
        """Nothing: the keyframe pass already offered every frame."""
        return iter(())
