"""The window index: every picture's crop windows kept on disk between groupings, searched by mmap.

An incremental grouping asks which windows of the whole case lie near the whole-picture hash
of each of its few new pictures (is a new picture a crop of an old one?). Without an index
that means reading and scanning every window: 62 million at a million pictures, 470 MB. The
index is multi-index hashing over the 64-bit window hashes, written once by a grouping that
reads every window anyway (the first, or a rebuild) and read by mmap, so a search touches
only the pages of the buckets it probes:

- `windows.u64`: every window hash, kind after kind, row after row (0: a view that does not
  apply); `owners.i64`: the media of each row; `wholes.*`: the whole-picture hashes and
  detail scores of the same pictures;
- per chunk (three of 21-22 bits; two hashes within r bits agree within r // 3 bits on one
  of them, by pigeonhole): the window numbers sorted by the chunk's value (`ids{c}.u32`,
  counting-sorted block by block, never one argsort of 62 million) and where each value's run
  starts (`starts{c}.u32`, 2**bits + 1 entries).

A search probes every value within r // 3 bits of each query's chunks and checks the full
distance of what it finds against `windows.u64`: exact, every window within the radius. The
folder is written beside the case under a temporary name and renamed when complete, with a
`meta.json` naming its stamp (the caller's: which case, which engine) and the media it
covers; anything missing, short or of another stamp opens as None, and the caller scans.
"""

from __future__ import annotations

import json
import mmap
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from desktop.core.hamming import _chunk_bounds, _extract, _masks, concatenated, run_positions

FORMAT = 1
CHUNKS = 3
BOUNDS = _chunk_bounds(64, CHUNKS)  # (start, length): 22, 21 and 21 bits
BUILD_BLOCK = 1 << 21  # windows split at a time while building the tables (16 MB)
WRITE_ROWS = 1 << 15  # rows of a kind written at a time (its words may be a strided view)
META = "meta.json"
SEARCH_BATCH = 128  # queries searched at a time

Kind = tuple[int, int, int, int]  # (number of its first window, windows a row, rows, first id)


class WindowIndexWriter:
    """Collects the windows as the grouping reads them (`add_kind`, a kind at a time, as the
    crop join meets them) and the whole-picture hashes (`add_wholes`), then builds the chunk
    tables from the file written and renames the folder into place (`finish`)."""

    def __init__(self, folder: Path, covered: int):
        self.folder = folder
        self.covered = covered  # media up to this id: their windows are added
        self._building = folder.with_name(f"{folder.name}.{os.getpid()}.building")
        shutil.rmtree(self._building, ignore_errors=True)
        self._building.mkdir(parents=True)
        self._windows = open(self._building / "windows.u64", "wb")  # noqa: SIM115 - closed in finish
        self._owners = open(self._building / "owners.i64", "wb")  # noqa: SIM115
        self._kinds: list[Kind] = []
        self._count = 0
        self._wholes = 0

    def add_kind(self, owners: np.ndarray, words: np.ndarray, first: int) -> None:
        """One kind of window: owners (n,), words (n, k), numbered from `first`."""
        keep = owners <= self.covered
        if not keep.all():
            owners, words = owners[keep], words[keep]
        rows, per_row = words.shape
        for start in range(0, rows, WRITE_ROWS):  # a contiguous copy of a block at a time
            np.ascontiguousarray(words[start : start + WRITE_ROWS], dtype=np.uint64).tofile(
                self._windows
            )
        np.asarray(owners, dtype=np.int64).tofile(self._owners)
        self._kinds.append((first, per_row, rows, self._count))
        self._count += rows * per_row

    def add_wholes(self, ids: np.ndarray, words: np.ndarray, detail: np.ndarray) -> None:
        """The pictures' whole-picture hashes ((n,) or (n, 1) words) and detail scores."""
        keep = ids <= self.covered
        np.asarray(ids[keep], dtype=np.int64).tofile(self._building / "wholes.i64")
        np.asarray(words, dtype=np.uint64).reshape(-1)[keep].tofile(self._building / "wholes.u64")
        np.asarray(detail[keep], dtype=np.int64).tofile(self._building / "detail.i64")
        self._wholes = int(keep.sum())

    def finish(self, stamp: str) -> None:
        """Build the chunk tables, write the meta last, and put the folder in place."""
        self._windows.close()
        self._owners.close()
        if self._count >= 1 << 32:
            raise ValueError("too many windows for a window index")
        for c in range(CHUNKS):
            _build_table(self._building, self._count, c)
        meta = {
            "format": FORMAT,
            "stamp": stamp,
            "covered": self.covered,
            "windows": self._count,
            "wholes": self._wholes,
            "kinds": self._kinds,
        }
        for path in self._building.iterdir():  # on disk before the meta says it is complete
            _fsync(path)
        (self._building / META).write_text(json.dumps(meta))
        _fsync(self._building / META)
        drop(self.folder)
        self._building.rename(self.folder)

    def abandon(self) -> None:
        for handle in (self._windows, self._owners):
            handle.close()
        shutil.rmtree(self._building, ignore_errors=True)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def drop(folder: Path) -> None:
    """Remove an index folder (its meta first, so a half-removed one never opens)."""
    (folder / META).unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)


def _read(path: Path, first: int, size: int) -> np.ndarray:
    with open(path, "rb") as handle:
        handle.seek(first * 8)
        return np.fromfile(handle, dtype=np.uint64, count=size)


def _build_table(folder: Path, count: int, c: int) -> None:
    """ids{c}.u32 and starts{c}.u32 of one chunk: an MSD radix sort in two passes that holds
    at most a block of windows (pass 1) or one part of them (pass 2) in memory.

    Pass 1: each block's windows (not 0) sorted by the top bits of the chunk's value (numpy
    sorts 8-bit keys by radix), appended to one file per top value as (number << 16 | low
    16 bits). Pass 2: each part sorted by its low 16 bits (radix again), written in order.
    Two threads each pass: half the blocks each (own part files), then alternate parts."""
    start, length = BOUNDS[c]
    parts = 1 << (length - 16)
    blocks = list(range(0, count, BUILD_BLOCK))
    halves = [blocks[: len(blocks) // 2], blocks[len(blocks) // 2 :]]

    def split(half: int) -> None:
        files = [open(folder / f"part{half}_{p}.tmp", "wb") for p in range(parts)]  # noqa: SIM115
        try:
            for first in halves[half]:
                block = _read(folder / "windows.u64", first, min(BUILD_BLOCK, count - first))
                used = np.flatnonzero(block)
                keys = _extract(block[used][:, None], start, length)
                del block
                top = (keys >> np.uint64(16)).astype(np.uint8)
                records = used.astype(np.uint64)  # (number << 16 | low bits), in place
                records += np.uint64(first)
                records <<= np.uint64(16)
                keys &= np.uint64(0xFFFF)
                records |= keys
                del used, keys
                order = np.argsort(top, kind="stable")
                bounds = np.searchsorted(top[order], np.arange(parts + 1))
                records = records[order]
                for p in range(parts):
                    records[bounds[p] : bounds[p + 1]].tofile(files[p])
        finally:
            for handle in files:
                handle.close()

    def sort_part(p: int) -> tuple[np.ndarray, np.ndarray]:
        records = np.concatenate([np.fromfile(folder / f"part{h}_{p}.tmp", dtype=np.uint64)
                                  for h in range(2)])  # fmt: skip
        for h in range(2):
            (folder / f"part{h}_{p}.tmp").unlink()
        low = (records & np.uint64(0xFFFF)).astype(np.uint16)
        order = np.argsort(low, kind="stable")
        ids = (records[order] >> np.uint64(16)).astype(np.uint32)
        return ids, np.bincount(low, minlength=1 << 16)

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(split, range(2)))
        counts = np.zeros(1 << length, dtype=np.int64)
        with open(folder / f"ids{c}.u32", "wb") as out:
            for p, (ids, part_counts) in enumerate(pool.map(sort_part, range(parts))):
                ids.tofile(out)
                counts[p << 16 : (p + 1) << 16] = part_counts
    starts = np.zeros((1 << length) + 1, dtype=np.uint32)
    np.cumsum(counts, out=starts[1:])
    starts.tofile(folder / f"starts{c}.u32")


class WindowIndex:
    """An index folder opened for searching (see the module's docstring)."""

    def __init__(self, folder: Path, meta: dict):
        self.covered = int(meta["covered"])
        self._count = int(meta["windows"])
        self._kinds: list[Kind] = [(int(a), int(b), int(c), int(d)) for a, b, c, d in meta["kinds"]]
        self._windows = _Mapped(folder / "windows.u64", np.uint64, self._count)
        rows = sum(k[2] for k in self._kinds)
        self._owners = np.fromfile(folder / "owners.i64", dtype=np.int64)
        if len(self._owners) != rows or sum(k[1] * k[2] for k in self._kinds) != self._count:
            raise ValueError("owners do not match the kinds")
        self._row_starts = np.cumsum([0] + [k[2] for k in self._kinds])
        wholes = int(meta["wholes"])
        self.whole_ids = np.fromfile(folder / "wholes.i64", dtype=np.int64)
        self.whole_words = np.fromfile(folder / "wholes.u64", dtype=np.uint64)
        self.whole_detail = np.fromfile(folder / "detail.i64", dtype=np.int64)
        if not len(self.whole_ids) == len(self.whole_words) == len(self.whole_detail) == wholes:
            raise ValueError("short whole-picture hashes")
        self._tables = []
        for c, (_, length) in enumerate(BOUNDS):
            starts = np.fromfile(folder / f"starts{c}.u32", dtype=np.uint32)
            if len(starts) != (1 << length) + 1 or int(starts[-1]) > self._count:
                raise ValueError("a short table")
            ids = _Mapped(folder / f"ids{c}.u32", np.uint32, int(starts[-1]))
            self._tables.append((starts, ids))

    @classmethod
    def open(cls, folder: Path, stamp: str) -> WindowIndex | None:
        """The index in `folder` if it is complete and of this stamp, else None."""
        try:
            meta = json.loads((folder / META).read_text())
            if meta.get("format") != FORMAT or meta.get("stamp") != stamp:
                return None
            return cls(folder, meta)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def search(self, queries: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(window ids, query numbers, distances) of every window within `radius` bits of a
        query ((k,) uint64), each once; SEARCH_BATCH queries at a time (a hundred meet about
        two million candidates at a million pictures)."""
        queries = np.asarray(queries, dtype=np.uint64).reshape(-1)
        parts = []
        for first in range(0, len(queries), SEARCH_BATCH):
            ids, q, distances = self._search(queries[first : first + SEARCH_BATCH], radius)
            parts.append((ids, q + first, distances))
        return concatenated(parts)

    def _search(
        self, queries: np.ndarray, radius: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        flips = radius // CHUNKS
        found_ids, found_q = [], []
        for (start, length), (starts, ids) in zip(BOUNDS, self._tables, strict=True):
            masks = _masks(length, flips).astype(np.intp)
            keys = _extract(queries[:, None], start, length).astype(np.intp)
            probes = (keys[:, None] ^ masks[None, :]).reshape(-1)
            lo = starts[probes].astype(np.int64)
            counts = starts[probes + 1].astype(np.int64) - lo
            total = int(counts.sum())
            if not total:
                continue
            found_q.append(np.repeat(np.arange(len(probes)) // len(masks), counts))
            at = run_positions(lo, counts)
            found_ids.append(ids.gather(at).astype(np.int64))
        if not found_ids:
            return concatenated([])
        window_ids, q = np.concatenate(found_ids), np.concatenate(found_q)
        distances = np.bitwise_count(self._windows.gather(window_ids) ^ queries[q])
        near = np.flatnonzero(distances <= radius)
        # a window near on several chunks counts once
        pair, first = np.unique(q[near] * self._count + window_ids[near], return_index=True)
        return pair % self._count, pair // self._count, distances[near[first]].astype(np.int64)

    def words_of(self, window_ids: np.ndarray) -> np.ndarray:
        """The hashes of windows (by id)."""
        return self._windows.gather(np.asarray(window_ids, dtype=np.int64))

    def windows_of(self, window_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(owner media, window number) of window ids."""
        starts = np.array([k[3] for k in self._kinds], dtype=np.int64)
        kind = np.searchsorted(starts, window_ids, side="right") - 1
        first = np.array([k[0] for k in self._kinds], dtype=np.int64)[kind]
        per_row = np.array([k[1] for k in self._kinds], dtype=np.int64)[kind]
        row, column = np.divmod(window_ids - starts[kind], per_row)
        return self._owners[self._row_starts[kind] + row], first + column


REGION = 1 << 25  # bytes of a mapped file read, then let go, at a time (a multiple of pages)


class _Mapped:
    """A file of `count` values (of another size: refused), mapped read-only. Values are
    gathered a region at a time, in file order, and each region's pages are let go after, so
    the pages a search touches never add up in the process's memory (a search meets most of
    a 500 MB file)."""

    def __init__(self, path: Path, dtype: type, count: int):
        self._dtype = np.dtype(dtype)
        if os.path.getsize(path) != count * self._dtype.itemsize:
            raise ValueError(f"{path.name} has the wrong size")
        self._map: mmap.mmap | None = None
        self._values = np.zeros(0, dtype=self._dtype)
        if count:
            with open(path, "rb") as handle:
                self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            self._values = np.frombuffer(self._map, dtype=self._dtype)

    def gather(self, at: np.ndarray) -> np.ndarray:
        """The values at positions `at` (int64), in that order."""
        per_region = REGION // self._dtype.itemsize
        region = at // per_region
        order = np.argsort(region.astype(np.uint16), kind="stable")  # radix: a few ms
        bounds = np.searchsorted(region[order], np.arange(region.max(initial=0) + 2))
        out = np.empty(len(at), dtype=self._dtype)
        for r in np.flatnonzero(np.diff(bounds)):
            chosen = order[bounds[r] : bounds[r + 1]]
            out[chosen] = self._values[at[chosen]]
            if self._map is not None and hasattr(self._map, "madvise"):  # not on Windows
                size = min(REGION, len(self._map) - int(r) * REGION)
                self._map.madvise(mmap.MADV_DONTNEED, int(r) * REGION, size)
        return out
