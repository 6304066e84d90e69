"""Hamming-space index over fixed-length binary hashes (64-bit pHash/dHash, 256-bit PDQ).

This is the interface every similarity search uses. The first implementation is exact brute
force over packed 64-bit words; the near-duplicate engine may replace the internals (multi-index
hashing) but keeps these signatures and their exactness.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def hex_to_words(hexes: Iterable[str], bits: int) -> np.ndarray:
    """Hex hashes as an (n, bits/64) array of uint64 words, most significant word first."""
    words = bits // 64
    raw = b"".join(bytes.fromhex(h) for h in hexes)
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(-1, words)


def words_to_hex(words: np.ndarray) -> str:
    return words.astype(">u8").tobytes().hex()


class HammingIndex:
    """Exact search: every stored hash within `max_distance` bits of a query."""

    def __init__(self, bits: int):
        if bits % 64:
            raise ValueError("hash length must be a multiple of 64 bits")
        self.bits = bits
        self._ids = np.zeros(0, dtype=np.int64)
        self._words = np.zeros((0, bits // 64), dtype=np.uint64)

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, ids: Iterable[int], hexes: Iterable[str]) -> None:
        ids_array = np.fromiter(ids, dtype=np.int64)
        words = hex_to_words(hexes, self.bits)
        if len(ids_array) != len(words):
            raise ValueError("one id per hash")
        self._ids = np.concatenate([self._ids, ids_array])
        self._words = np.concatenate([self._words, words])

    def distances(self, query_hex: str) -> np.ndarray:
        query = hex_to_words([query_hex], self.bits)[0]
        return np.bitwise_count(self._words ^ query).sum(axis=1, dtype=np.int64)

    def query(self, query_hex: str, max_distance: int) -> list[tuple[int, int]]:
        """(id, distance) of every hash within max_distance, nearest first."""
        distances = self.distances(query_hex)
        hits = np.nonzero(distances <= max_distance)[0]
        order = hits[np.argsort(distances[hits], kind="stable")]
        return [(int(self._ids[i]), int(distances[i])) for i in order]

    def pairs_within(self, max_distance: int) -> Iterable[tuple[int, int, int]]:
        """Every (id_a, id_b, distance) with id_a's row before id_b's, within max_distance."""
        for row in range(len(self._ids)):
            rest = self._words[row + 1 :]
            distances = np.bitwise_count(rest ^ self._words[row]).sum(axis=1, dtype=np.int64)
            for offset in np.nonzero(distances <= max_distance)[0]:
                yield int(self._ids[row]), int(self._ids[row + 1 + offset]), int(distances[offset])
