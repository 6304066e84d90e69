"""The exact-chunk join against a plain reference: every pair of subjects of different media
(one a frame) equal on one chunk, runs longer than RUN_CAP left out."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from desktop.core.chunk_joins import chunk_values
from desktop.core.frame_candidates import RUN_CAP, equal_chunk_pairs
from desktop.core.frame_hashes import media_of, subject_ids


def _reference(ids: np.ndarray, words: np.ndarray, chunks: int, new=None) -> set:
    found = set()
    owner = media_of(ids).tolist()
    for keys in chunk_values(words, words.shape[1] * 64, chunks):
        runs: dict[int, list[int]] = {}
        for row, key in enumerate(keys.tolist()):
            runs.setdefault(key, []).append(row)
        for rows in runs.values():
            if len(rows) > RUN_CAP:
                continue
            for a, b in itertools.combinations(rows, 2):
                if new is not None and not (new[a] or new[b]):
                    continue
                if owner[a] != owner[b] and min(ids[a], ids[b]) < 0:
                    found.add((int(min(ids[a], ids[b])), int(max(ids[a], ids[b]))))
    return found


def _case(rng: np.random.Generator, videos: int, frames: int, width: int, bits: int):
    """Frames of `bits`-bit random chunk values (few bits: many equal by chance, runs of all
    lengths, some longer than RUN_CAP), and pictures (non-negative ids) among them."""
    ids = subject_ids(
        np.repeat(np.arange(1, videos + 1), frames), np.tile(np.arange(frames), videos)
    )
    ids = np.concatenate([ids, np.arange(videos + 1, videos + 40)])
    words = rng.integers(0, 1 << bits, size=(len(ids), width), dtype=np.uint64)
    return ids, words


@pytest.mark.parametrize("bits", [6, 12, 40])
def test_join_finds_exactly_the_pairs_equal_on_a_chunk(bits: int) -> None:
    rng = np.random.default_rng(bits)
    for width, chunks in ((4, 8), (1, 2)):
        ids, words = _case(rng, 300, 7, width, bits)
        found = {tuple(p) for p in equal_chunk_pairs(ids, words, chunks).tolist()}
        assert found == _reference(ids, words, chunks)
        new = rng.random(len(ids)) < 0.05
        found = {tuple(p) for p in equal_chunk_pairs(ids, words, chunks, new).tolist()}
        assert found == _reference(ids, words, chunks, new)
