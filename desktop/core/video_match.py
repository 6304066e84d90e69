"""What two media that share frames are to each other: the same content (grouped together),
or one inside the other (a clip, a compilation, a picture that is a frame of a video).

Each kept frame stands for the time until the next kept frame. The share of a media that the
other covers is the time its matched stretches last (matched frames less than BRIDGE apart
make one stretch) over the time its usable frames (enough detail for their hashes to mean
something) stand for; a picture is one frame, covered or not.

- both covered for at least SAME_SHARE: the same content (re-encoded, resized, another frame
  rate, mirrored, bordered, faster or slower...): the two are grouped, like two pictures;
- one covered, the other not: the first is inside the second (a clip cut from a video, a video
  in a compilation, a still or screenshot of a frame): the container is shown in the group of
  what it contains ("contains 0:12-0:16 of media 42") but never grouped with it, so a
  compilation of clips of several videos never chains their groups into one;
- neither covered, but at least MIN_SHARED_FRAMES frames (over MIN_SHARED_SECONDS) in common:
  the longer contains that part of the shorter, shown the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from desktop.core.video_meta import clock

SAME_SHARE = 0.7
BRIDGE = 3.0  # seconds between matched frames that still count as one matched stretch
MIN_SHARED_FRAMES = 2
MIN_SHARED_SECONDS = 1.0
SPEED_CHANGE = 0.08  # a time scale further than this from 1 is a change of playback speed
PICTURE = -1.0  # the frame time of a picture


@dataclass
class Timeline:
    """One media as the matcher sees it: its kept frames' times (a picture: one frame at
    PICTURE), which of them are usable, and its length (0 for a picture)."""

    media_id: int
    times: np.ndarray  # seconds, sorted
    usable: np.ndarray  # bool per frame
    duration: float

    @property
    def is_picture(self) -> bool:
        return self.duration <= 0

    def weights(self) -> np.ndarray:
        """The time each frame stands for: until the next frame (the last: until the end)."""
        if self.is_picture:
            return np.ones(len(self.times))
        ends = np.append(self.times[1:], max(self.duration, float(self.times[-1])))
        return np.maximum(ends - self.times, 1e-3)

    def covered(self, frames: np.ndarray) -> float:
        """Share of the video the matched `frames` (frame numbers) cover: runs of them less
        than BRIDGE seconds apart are one stretch (a frame between two matched ones that did
        not match itself, or that a faster copy has no counterpart for, is covered too),
        each stretch from its first matched frame to the end of its last; over the time the
        usable frames stand for. A picture: 1 when its frame matched."""
        if self.is_picture:
            return 1.0 if len(frames) else 0.0
        usable_time = float((self.weights() * self.usable).sum())
        if usable_time <= 0:
            return 0.0
        matched = np.unique(frames)
        starts, ends = self.times[matched], self.times[matched] + self.weights()[matched]
        breaks = np.flatnonzero(starts[1:] - ends[:-1] > BRIDGE)
        first = np.concatenate(([0], breaks + 1))
        last = np.concatenate((breaks, [len(matched) - 1]))
        return min(1.0, float((ends[last] - starts[first]).sum()) / usable_time)


@dataclass
class Relation:
    """What `a` is to `b`: 'same' (grouped), or 'inside' (a is shown inside b: b contains it)."""

    kind: str  # same or inside
    a: int  # media ids
    b: int
    distance: int  # median PDQ bits of the matched frames
    frames: int  # frame pairs that matched
    a_span: tuple[float, float]  # the matched part of a (seconds; PICTURE for a picture)
    b_span: tuple[float, float]
    explanation: str


def relate(
    first: Timeline,
    second: Timeline,
    frame_a: np.ndarray,
    frame_b: np.ndarray,
    distances: np.ndarray,
    edits: Sequence[str],
) -> Relation | None:
    """The relation of two media from their matching frame pairs (frame numbers of `first`
    and of `second`, the PDQ distance and the edit the hashes point to, per pair), or None
    when what they share is too little to say anything."""
    if not len(frame_a):
        return None
    share_a, share_b = first.covered(frame_a), second.covered(frame_b)
    pictures = first.is_picture or second.is_picture
    shared = min(len(np.unique(frame_a)), len(np.unique(frame_b)))
    if not pictures and shared < min(MIN_SHARED_FRAMES, _usable(first), _usable(second)):
        return None
    distance = int(np.median(distances))
    span_a, span_b = _span(first, frame_a), _span(second, frame_b)
    edit = _edit(edits)
    if share_a >= SAME_SHARE and share_b >= SAME_SHARE:
        words = _same_words(first, second, frame_a, frame_b, edit)
        return Relation("same", first.media_id, second.media_id, distance, len(frame_a),
                        span_a, span_b, words)  # fmt: skip
    if share_a >= SAME_SHARE or share_b >= SAME_SHARE:
        inner, outer = (first, second) if share_a >= share_b else (second, first)
    else:
        if pictures or shared < MIN_SHARED_FRAMES:
            return None
        if min(span_a[1] - span_a[0], span_b[1] - span_b[0]) < MIN_SHARED_SECONDS:
            return None
        inner, outer = (first, second) if first.duration <= second.duration else (second, first)
    swapped = inner is second
    inner_span, outer_span = (span_b, span_a) if swapped else (span_a, span_b)
    return Relation("inside", inner.media_id, outer.media_id, distance, len(frame_a),
                    inner_span, outer_span, edit)  # fmt: skip


def _usable(timeline: Timeline) -> int:
    return int(timeline.usable.sum())


def _span(timeline: Timeline, frames: np.ndarray) -> tuple[float, float]:
    if timeline.is_picture:
        return (PICTURE, PICTURE)
    times = timeline.times[frames]
    weights = timeline.weights()[frames]
    return float(times.min()), float(min(timeline.duration, (times + weights).max()))


def _edit(edits: Sequence[str]) -> str:
    """The edit most matched frames point to."""
    return Counter(edits).most_common(1)[0][0] if edits else ""


def speed(first: Timeline, second: Timeline, frame_a: np.ndarray, frame_b: np.ndarray) -> float:
    """How many seconds of `second` one second of `first` takes (1.0 when unknown)."""
    if first.is_picture or second.is_picture or len(frame_a) < 3:
        return 1.0
    ta, tb = first.times[frame_a], second.times[frame_b]
    if np.ptp(ta) < 2.0:
        return 1.0
    slope = float(np.polyfit(ta, tb, 1)[0])
    return slope if slope > 0 else 1.0


# The picture engine's words for a frame's edit, as they read for a whole video.
VIDEO_EDITS = {
    "same picture (resized, recompressed or converted)": "re-encoded or resized",
    "edited copy (colours, caption or small changes)": "edited (colours, captions)",
}


def _same_words(
    first: Timeline, second: Timeline, frame_a: np.ndarray, frame_b: np.ndarray, edit: str
) -> str:
    edit = VIDEO_EDITS.get(edit, edit)
    if first.is_picture or second.is_picture:
        return "still video of the picture" + (f", {edit}" if edit else "")
    words = "same video"
    scale = speed(first, second, frame_a, frame_b)
    if abs(scale - 1) > SPEED_CHANGE:
        words += f" at another speed ({max(scale, 1 / scale):.2g}x)"
    return words + (f", {edit}" if edit else "")


def clock_span(span: tuple[float, float]) -> str:
    """'0:12-0:16' (or '' for a picture)."""
    if span[0] < 0:
        return ""
    return f"{clock(span[0])}-{clock(span[1])}"
