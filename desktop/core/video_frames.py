"""Which frames of a video are kept and shown: the selection rule, its caps, the storyboard.

Selection: the keyframes the encoder placed (encoders put one at every cut they see, so these
are the scene changes), at most one per `spacing` (about a second; more for long videos, so at
most MAX_KEPT frames), then, where two kept frames are more than `max_gap` apart (a long group
of pictures), frames decoded at even steps between them, as far as the fill budget allows.
Frames whose PDQ is within DUPLICATE_BITS of the frame kept before them (a still scene) are
dropped: they would only repeat the same hashes (video_ingest tells them in the keyframe pass,
before the engine's fingerprints are taken). A re-encode places its keyframes at the same
cuts, and within a scene the nearest frames of two encodes are at most half a step apart.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from PIL import Image

MIN_SPACING = 1.0  # seconds: at most about one kept frame a second
MAX_GAP = 4.0  # seconds: at least one frame every few seconds, where the budget allows
MAX_KEPT = 600  # frames hashed per video; longer videos are sampled more sparsely
SHORT_CLIP_FRAMES = 8  # a clip under 8 s keeps up to 8 frames spread over it
DUPLICATE_BITS = 12  # PDQ bits within which the next frame repeats the one kept before
STORYBOARD_FRAMES = 16
STORYBOARD_SIDE = 160  # longest side of a storyboard tile, pixels
STORYBOARD_QUALITY = 75
POSTER_MIN_QUALITY = 60  # PDQ quality of a frame good enough to stand for the video
POSTER_FROM = 0.1  # ... taken from 10% of the video on (openings are often black or titles)


def spacing(duration: float | None) -> float:
    """Seconds between kept frames at least."""
    if not duration:
        return MIN_SPACING
    return max(min(MIN_SPACING, duration / SHORT_CLIP_FRAMES), duration / MAX_KEPT)


def max_gap(duration: float | None) -> float:
    """Seconds two kept frames may be apart before frames are decoded between them."""
    return max(MAX_GAP, 2 * spacing(duration))


class Sampler:
    """Decides, time by time, which keyframes to decode, then where to fill gaps."""

    def __init__(self, duration: float | None):
        self.step = spacing(duration)
        self.gap = max_gap(duration)
        self.taken: list[float] = []

    def wants(self, when: float) -> bool:
        if len(self.taken) >= MAX_KEPT:
            return False
        return not self.taken or abs(when - self.taken[-1]) >= 0.95 * self.step

    def take(self, when: float) -> None:
        self.taken.append(when)

    def fill_targets(self, end: float) -> list[float]:
        """Times to decode so no two frames (nor the last and the end) are over `gap` apart."""
        marks = sorted({0.0, *self.taken, end}) if self.taken else [0.0, end]
        targets: list[float] = []
        room = MAX_KEPT - len(self.taken)
        for start, stop in zip(marks, marks[1:], strict=False):
            if stop - start <= self.gap:
                continue
            pieces = math.ceil((stop - start) / self.gap)
            targets += [start + (stop - start) * k / pieces for k in range(1, pieces)]
        if not self.taken:
            targets.insert(0, 0.0)
        return sorted(targets)[: max(room, 0)]


def repeats(words: Sequence[int], kept: Sequence[int]) -> bool:
    """Whether a frame's PDQ (four 64-bit integers) is within DUPLICATE_BITS of a kept one's."""
    return sum((a ^ b).bit_count() for a, b in zip(words, kept, strict=True)) <= DUPLICATE_BITS


def distinct_frames(pdq_words: Sequence[Sequence[int]]) -> list[int]:
    """Indexes of the frames to keep (in time order): each frame not within DUPLICATE_BITS of
    PDQ of the last frame kept. `pdq_words` holds each frame's PDQ as four 64-bit integers."""
    kept: list[int] = []
    for index, words in enumerate(pdq_words):
        if kept and repeats(words, pdq_words[kept[-1]]):
            continue
        kept.append(index)
    return kept


def storyboard_picks(
    times: Sequence[float], duration: float, count: int = STORYBOARD_FRAMES
) -> list[int]:
    """Indexes (into sorted `times`) of up to `count` frames spread evenly over the video: the
    frame nearest to the middle of each of `count` equal parts, each frame once (all frames
    when there are no more than `count`)."""
    if len(times) <= count:
        return list(range(len(times)))
    span = duration if duration > 0 else max(times)
    picks: list[int] = []
    for part in range(count):
        target = (part + 0.5) * span / count
        nearest = min(range(len(times)), key=lambda i: abs(times[i] - target))
        if nearest not in picks:
            picks.append(nearest)
    return sorted(picks)


def poster_pick(times: Sequence[float], qualities: Sequence[int], duration: float) -> int:
    """The frame that stands for the video (its thumbnail): the first of good quality from 10%
    of the video on, else the best one."""
    start = POSTER_FROM * duration
    for index, (when, quality) in enumerate(zip(times, qualities, strict=True)):
        if when >= start and quality >= POSTER_MIN_QUALITY:
            return index
    return max(range(len(times)), key=lambda i: (qualities[i], -i))


def tile_size(width: int, height: int) -> tuple[int, int]:
    """A storyboard tile's size for frames shown at width x height."""
    scale = STORYBOARD_SIDE / max(width, height, 1)
    return max(1, round(width * scale)), max(1, round(height * scale))


def storyboard_strip(tiles: Sequence[Image.Image], size: tuple[int, int]) -> bytes:
    """The tiles side by side, left to right, as one JPEG (one decode shows them all)."""
    strip = Image.new("RGB", (size[0] * len(tiles), size[1]))
    for number, tile in enumerate(tiles):
        strip.paste(tile.resize(size, Image.Resampling.BOX), (number * size[0], 0))
    buffer = io.BytesIO()
    strip.save(buffer, "JPEG", quality=STORYBOARD_QUALITY)
    return buffer.getvalue()


def strip_tiles(strip: bytes, tile_width: int, count: int) -> list[Image.Image]:
    """The tiles of a stored storyboard strip, left to right."""
    image = Image.open(io.BytesIO(strip)).convert("RGB")
    return [
        image.crop((k * tile_width, 0, (k + 1) * tile_width, image.height)) for k in range(count)
    ]
