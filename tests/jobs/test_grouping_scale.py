"""The grouping's fast joins (self-join tables, packed copy, threads) give the groups that
comparing every pair gives, at the first run and after new media arrive."""

from __future__ import annotations

import shutil

import numpy as np

from desktop.core import self_join
from desktop.core.fingerprints import MASKED_VARIANTS, ORIENTATION_VARIANTS
from desktop.jobs.grouping import update_groups
from desktop.store import groups as group_store
from desktop.store.db import open_case

PDQ_NAMES = ("original", *ORIENTATION_VARIANTS, *MASKED_VARIANTS)


def _flip(words: np.ndarray, bits: int, rng: np.random.Generator) -> np.ndarray:
    """Copies of `words` (rows of uint64) with `bits` random bits flipped in each row."""
    out = words.copy()
    for row in out:
        for bit in rng.choice(row.size * 64, bits, replace=False):
            row[bit // 64] ^= np.uint64(1) << np.uint64(63 - bit % 64)
    return out


def _add_media(db, first: int, count: int, rng: np.random.Generator, like=None) -> None:
    """`count` media of random hashes; with `like` (media ids), near copies of those: dct64
    0-10 bits off (the normal rule joins within 8), each masked view 0-6 (within 4), PDQ
    0-50 (within 40), so the joins' edges matter."""
    if like is None:
        pdq = rng.integers(0, 2**64 - 1, size=(count, 13, 4), dtype=np.uint64, endpoint=True)
        coarse = rng.integers(0, 2**64 - 1, size=(count, 1), dtype=np.uint64, endpoint=True)
        masked = rng.integers(0, 2**64 - 1, size=(count, 4), dtype=np.uint64, endpoint=True)
    else:
        pdq, coarse, masked = _read(db, like)
        pdq = np.stack([_flip(p, int(rng.integers(0, 51)), rng) for p in pdq])
        coarse = np.stack([_flip(c[None], int(rng.integers(0, 11)), rng)[0] for c in coarse])
        masked = np.stack([_flip(m[:, None], int(rng.integers(0, 7)), rng)[:, 0] for m in masked])
    media, hashes = [], []
    for k in range(count):
        media_id = first + k
        media.append((media_id, f"{media_id:064x}", "", "", 1, "ok", 640, 480))
        for name, words in zip(PDQ_NAMES, pdq[k], strict=True):
            hashes.append((media_id, "pdq", name, words.astype(">u8").tobytes().hex(), 100))
        hashes.append((media_id, "dct64", "canon", coarse[k].astype(">u8").tobytes().hex(), 90))
        hashes.append((media_id, "mask64", "views", masked[k].astype(">u8").tobytes().hex(), 90))
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO media (id, sha256, md5, sha1, size, status, width, height)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            media,
        )
        db.conn.executemany("INSERT INTO perceptual_hashes VALUES (?, ?, ?, ?, ?)", hashes)


def _read(db, media_ids):
    fp = group_store.fingerprints(db, np.asarray(media_ids))
    rows = np.searchsorted(fp.ids, media_ids)
    pdq = np.concatenate([fp.original[rows, None], fp.oriented[rows], fp.masked[rows]], axis=1)
    masked = group_store.masked_coarse_columns(db)
    at = np.searchsorted(masked[0], media_ids)
    return pdq, fp.coarse[fp.coarse_rows.argsort()][rows], masked[1][at]


def _groups(path):
    db = open_case(path)
    found = sorted(sorted(m["media_id"] for m in g) for g in group_store.groups(db, "normal"))
    db.close()
    return found


def test_fast_joins_give_the_groups_of_comparing_every_pair(tmp_path, monkeypatch):
    rng = np.random.default_rng(19)
    fast, plain = tmp_path / "fast.vigil", tmp_path / "plain.vigil"
    db = open_case(fast, create=True)
    _add_media(db, 1, 5000, rng)  # more than self_join.BRUTE_MAX: its tables are used
    _add_media(db, 5001, 600, rng, like=rng.choice(5000, 600, replace=False) + 1)
    db.close()
    shutil.copyfile(fast, plain)

    def grouped_twice(path):
        summary = update_groups(open_case(path))
        db = open_case(path)  # new media: copies of copies, the same in both cases
        _add_media(db, 5601, 60, np.random.default_rng(7), like=list(range(5401, 5461)))
        again = update_groups(db)
        assert again.incremental and again.queried == 60
        db.close()
        return summary.pairs, _groups(path)

    first = grouped_twice(fast)
    with monkeypatch.context() as plainly:
        plainly.setattr(self_join, "BRUTE_MAX", 10**9)  # every pair compared
        assert grouped_twice(plain) == first
    assert len(first[1]) > 100
