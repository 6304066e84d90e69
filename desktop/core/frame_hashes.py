"""Video frames' hashes packed one row per video and kind, and frames as subjects of the
near-duplicate engine.

A kept frame gets every hash a picture gets (the same functions make them). Stored as a
picture's are (one row per hash), a case of 100,000 one-minute videos would hold a hundred
million rows; here each video has one row per (algorithm, variant) whose blobs hold the frame
numbers (uint16), the hashes' raw bytes end to end, and their qualities (uint8, 255 = none).
A million frames of one kind read back as a few thousand rows and one `frombuffer`.

The engine works on ids: a picture is its media id, a frame the negative number
-(media id << FRAME_BITS | frame number), so both live in one array and sort apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from desktop.core.hashing import PerceptualHash
from desktop.core.windows import CROP_ALGORITHM, CROP_ROW_BITS, VIEW_ROW_BITS, VIEW_VARIANT

FRAME_BITS = 12  # frame numbers below 4096 (at most video_frames.MAX_KEPT are kept)
NO_QUALITY = 255


@dataclass(frozen=True)
class PackedHashes:
    """One kind of hash (algorithm, variant) for the frames of one video that have it."""

    algorithm: str
    variant: str
    frames: bytes  # uint16 little-endian frame numbers
    hashes: bytes  # the hashes' bytes, in the same order
    qualities: bytes  # uint8 per hash; NO_QUALITY where the algorithm has none

    def __len__(self) -> int:
        return len(self.frames) // 2


def pack(per_frame: Sequence[Sequence[PerceptualHash]]) -> list[PackedHashes]:
    """Every frame's hashes (frame i's list at index i) packed by kind, kinds sorted."""
    kinds: dict[tuple[str, str], list[tuple[int, str, int | None]]] = {}
    for number, frame_hashes in enumerate(per_frame):
        for h in frame_hashes:
            kinds.setdefault((h.algorithm, h.variant), []).append((number, h.hex, h.quality))
    packed = []
    for (algorithm, variant), rows in sorted(kinds.items()):
        frames = np.array([r[0] for r in rows], dtype="<u2").tobytes()
        hashes = bytes.fromhex("".join(r[1] for r in rows))
        qualities = bytes(NO_QUALITY if r[2] is None else max(0, min(254, r[2])) for r in rows)
        packed.append(PackedHashes(algorithm, variant, frames, hashes, qualities))
    return packed


def unpack(packed: PackedHashes) -> list[tuple[int, PerceptualHash]]:
    """(frame number, hash) of each hash in a packed row."""
    frames = np.frombuffer(packed.frames, dtype="<u2")
    size = len(packed.hashes) // max(len(frames), 1)
    found = []
    for k, number in enumerate(frames.tolist()):
        quality = packed.qualities[k]
        hex_ = packed.hashes[k * size : (k + 1) * size].hex()
        value = None if quality == NO_QUALITY else int(quality)
        found.append((number, PerceptualHash(packed.algorithm, hex_, value, packed.variant)))
    return found


def subject_ids(media_id: int | np.ndarray, frames: np.ndarray) -> np.ndarray:
    """The engine's ids of frames of a video (negative, so never a media id)."""
    media = np.asarray(media_id, dtype=np.int64)
    return -((media << FRAME_BITS) | frames.astype(np.int64))


def media_of(subjects: np.ndarray) -> np.ndarray:
    """The media id of each subject: a picture's own id, a frame's video."""
    subjects = np.asarray(subjects, dtype=np.int64)
    return np.where(subjects < 0, (-subjects) >> FRAME_BITS, subjects)


def frame_of(subjects: np.ndarray) -> np.ndarray:
    """The frame number of each subject (-1 for pictures)."""
    subjects = np.asarray(subjects, dtype=np.int64)
    return np.where(subjects < 0, (-subjects) & ((1 << FRAME_BITS) - 1), -1)


def columns(
    rows: Iterable[tuple[int, bytes, bytes, bytes]], bits: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(subject ids, (n, bits/64) uint64 words, qualities) from packed rows of one kind,
    given as (media id, frames, hashes, qualities): the shape the engine reads pictures in."""
    media: list[int] = []
    frames: list[bytes] = []
    words: list[bytes] = []
    qualities: list[bytes] = []
    for media_id, numbers, hashes, quality in rows:
        media.append(media_id)
        frames.append(numbers)
        words.append(hashes)
        qualities.append(quality)
    width = bits // 64
    if not media:
        return np.zeros(0, np.int64), np.zeros((0, width), np.uint64), np.zeros(0, np.int64)
    counts = [len(f) // 2 for f in frames]
    numbers_all = np.frombuffer(b"".join(frames), dtype="<u2")
    ids = subject_ids(np.repeat(np.array(media, dtype=np.int64), counts), numbers_all)
    packed = np.frombuffer(b"".join(words), dtype=">u8").astype(np.uint64).reshape(-1, width)
    quality_column = np.frombuffer(b"".join(qualities), dtype=np.uint8).astype(np.int64)
    quality_column[quality_column == NO_QUALITY] = 0
    return ids, packed, quality_column


Kinds = dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]]

BITS = {"pdq": 256, "mask64": 256}  # the rest: 64, but crop64 rows (row_bits)


def row_bits(algorithm: str, variant: str) -> int:
    """Bits of one stored hash of a kind: crop64's windows row and views row differ."""
    if algorithm == CROP_ALGORITHM:
        return VIEW_ROW_BITS if variant == VIEW_VARIANT else CROP_ROW_BITS
    return BITS.get(algorithm, 64)


def kinds_of(
    media_id: int,
    hashes: Sequence[PerceptualHash] = (),
    packed: Sequence[PackedHashes] = (),
) -> Kinds:
    """One media's hashes by (algorithm, variant) as engine columns: a picture's (`hashes`,
    its id as the subject) or a video's (`packed`, its frames as subjects). For a file the
    analyst gives that is not in the case (`vigil similar FILE`)."""
    found: Kinds = {}
    for h in hashes:
        bits = row_bits(h.algorithm, h.variant)
        words = np.frombuffer(bytes.fromhex(h.hex), dtype=">u8").astype(np.uint64)
        found[(h.algorithm, h.variant)] = (
            np.array([media_id], dtype=np.int64),
            words.reshape(1, bits // 64),
            np.array([h.quality or 0], dtype=np.int64),
        )
    for p in packed:
        row = [(media_id, p.frames, p.hashes, p.qualities)]
        found[(p.algorithm, p.variant)] = columns(row, row_bits(p.algorithm, p.variant))
    return found
