"""The grouping's fast joins (self-join tables, packed copy, threads) give the groups that
comparing every pair gives, at the first run and after new media arrive."""

from __future__ import annotations

import shutil

import numpy as np

from desktop.core import crops, self_join
from desktop.core.fingerprints import MASKED_VARIANTS, ORIENTATION_VARIANTS
from desktop.core.windows import (
    CROP_ALGORITHM,
    CROP_ROW_BITS,
    CROP_VARIANT,
    VIEW_COUNT,
    VIEW_ROW_BITS,
    VIEW_VARIANT,
    WINDOW_COUNT,
)
from desktop.jobs import crop_candidates, grouping
from desktop.jobs.grouping import update_groups
from desktop.store import fingerprint_columns, window_files
from desktop.store import groups as group_store
from desktop.store.db import get_info, open_case

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
    fp = fingerprint_columns.fingerprints(db, np.asarray(media_ids))
    rows = np.searchsorted(fp.ids, media_ids)
    pdq = np.concatenate([fp.original[rows, None], fp.oriented[rows], fp.masked[rows]], axis=1)
    masked = fingerprint_columns.masked_coarse_columns(db)
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


def _add_windows(db, first: int, count: int, rng: np.random.Generator, old: int) -> None:
    """crop64 and views rows for media first.. (random; views 15% unused), and in every
    third a planted crop 0-8 bits from a random window, view or masked view of an older
    picture, or (the next) a window 0-8 bits from an older picture's whole hash: new
    pictures as crops and as originals, near the rules' edges."""
    rows = rng.integers(0, 2**64, size=(count, 1 + WINDOW_COUNT), dtype=np.uint64)
    views = rng.integers(0, 2**64, size=(count, VIEW_COUNT), dtype=np.uint64)
    views[rng.random(views.shape) < 0.15] = 0
    if old:
        stored_rows = fingerprint_columns.hash_columns(
            db, CROP_ALGORITHM, CROP_VARIANT, CROP_ROW_BITS
        )
        stored_views = fingerprint_columns.hash_columns(
            db, CROP_ALGORITHM, VIEW_VARIANT, VIEW_ROW_BITS
        )
        masked = fingerprint_columns.masked_coarse_columns(db)
        for k in range(0, count - 1, 3):
            target = int(rng.integers(0, old))
            kind = rng.integers(0, 3)
            source = (stored_rows[1][target, 1:], stored_views[1][target], masked[1][target])[kind]
            source = source[source != 0]
            near = _flip(
                source[None, [rng.integers(0, len(source))]], int(rng.integers(0, 9)), rng
            )[0]
            rows[k, 0] = near[0]
            whole = _flip(stored_rows[1][target, None, :1], int(rng.integers(0, 9)), rng)[0]
            rows[k + 1, 1 + int(rng.integers(0, WINDOW_COUNT))] = whole[0]
    hashes = []
    for k in range(count):
        for variant, words in ((CROP_VARIANT, rows[k]), (VIEW_VARIANT, views[k])):
            hashes.append(
                (first + k, CROP_ALGORITHM, variant, words.astype(">u8").tobytes().hex(), 90)
            )
    with db.atomic():
        db.conn.executemany("INSERT INTO perceptual_hashes VALUES (?, ?, ?, ?, ?)", hashes)


def _crop_candidates(path, monkeypatch, runs):
    """The crop candidates (crop, original, window) of each grouping run of a case."""
    seen = []

    def recorded(*args, **kwargs):
        found = crop_candidates.crop_candidates(*args, **kwargs)
        seen.append(set(zip(found.crop.tolist(), found.original.tolist(),
                            found.window.tolist(), strict=True)))  # fmt: skip
        return found

    with monkeypatch.context() as spy:
        spy.setattr(grouping, "crop_candidates", recorded)
        for run in runs:
            db = open_case(path)
            run(db)
            db.close()
    return seen


def test_incremental_crop_candidates_are_a_full_runs(tmp_path, monkeypatch):
    """Through the window index (and without it: written first), an incremental run's crop
    candidates are those of a full run of the same case that involve the new media."""
    monkeypatch.setattr(crops, "PAIRED_MIN", 1000)  # a small case joined as a large one is
    rng = np.random.default_rng(23)
    base = tmp_path / "base.vigil"
    db = open_case(base, create=True)
    _add_media(db, 1, 3000, rng)
    _add_windows(db, 1, 3000, rng, 0)
    db.close()

    def add(first, count, seed):
        def run(db):
            _add_media(db, first, count, np.random.default_rng(seed))
            _add_windows(db, first, count, np.random.default_rng(seed), first - 1)

        return run

    def group(db):
        update_groups(db)

    paths = {}
    for name in ("indexed", "unindexed", "full"):
        paths[name] = tmp_path / f"{name}.vigil"
        shutil.copyfile(base, paths[name])
    first, second = add(3001, 90, 1), add(3091, 60, 2)
    reads = []
    read_rows = fingerprint_columns.crop_rows
    monkeypatch.setattr(
        fingerprint_columns, "crop_rows", lambda *a: reads.append(1) or read_rows(*a)
    )
    indexed = _crop_candidates(paths["indexed"], monkeypatch,
                               [group, first, group, second, group])  # fmt: skip
    assert len(reads) == 1  # the first run only: the incremental ones read the index
    db = open_case(paths["indexed"])
    assert window_files.current(db, grouping.ENGINE) is not None
    token = get_info(db, window_files.TOKEN_KEY)
    update_groups(db, strictness="strict")  # a full run of another strictness keeps it
    assert get_info(db, window_files.TOKEN_KEY) == token and len(reads) == 2
    db.close()

    def without_index(db):
        window_files.drop(db)  # as a case copied without its index folder
        group(db)

    unindexed = _crop_candidates(paths["unindexed"], monkeypatch, [group, first, without_index])

    def rebuild(db):
        update_groups(db, rebuild=True)

    full = _crop_candidates(paths["full"], monkeypatch, [first, group, second, rebuild])
    after_first = {p for p in full[0] if max(p[0], p[1]) > 3000}
    assert indexed[1] == after_first == unindexed[1]
    assert indexed[2] == {p for p in full[1] if max(p[0], p[1]) > 3090}
    assert len(after_first) >= 35 and len(indexed[2]) >= 20
