"""The grouping's packed copy of the engine's hashes reads back as the rows it copies, in
blocks of bounded size, packed together when an incremental run's small blocks pile up."""

from __future__ import annotations

import numpy as np

from desktop.store import fingerprint_columns
from desktop.store.db import open_case

# the kinds read from perceptual_hashes (video frames' kinds come from their own table)
_PICTURE_KINDS = {
    kind: how
    for kind, how in fingerprint_columns.PACKED_KINDS.items()
    if not how[0].startswith(fingerprint_columns.FRAMES)
}


def _add_media(db, first: int, count: int, seed: int) -> None:
    """Media with a dct64 row (and for every third a region variant: a second row of the
    kind, read after all the first ones), a mask64 row and a crop64 windows row."""
    rng = np.random.default_rng(seed)
    with db.atomic():
        for media_id in range(first, first + count):
            db.execute(
                "INSERT INTO media (id, sha256, md5, sha1, size, status) VALUES (?, ?, '', '', 1,"
                " 'ok')",
                [media_id, f"{media_id:064x}"],
            )
            for kind, (algorithm, variant, bits) in _PICTURE_KINDS.items():
                if kind == "views":
                    continue  # a kind with no rows at all packs too
                words = rng.integers(0, 2**63, size=bits // 64, dtype=np.uint64)
                db.execute(
                    "INSERT INTO perceptual_hashes VALUES (?, ?, ?, ?, ?)",
                    [media_id, algorithm, variant or "canon", words.astype(">u8").tobytes().hex(),
                     int(rng.integers(0, 100))],
                )  # fmt: skip
        for media_id in range(first, first + count, 3):
            db.execute(
                "INSERT INTO perceptual_hashes VALUES (?, 'dct64', 'region.0', ?, 40)",
                [media_id, f"{media_id:016x}"],
            )


def _assert_reads_as_rows(db):
    for kind, (algorithm, variant, bits) in _PICTURE_KINDS.items():
        packed = fingerprint_columns.packed_columns(db, kind)
        rows = fingerprint_columns.hash_columns(db, algorithm, variant, bits)
        order_packed = np.lexsort((*packed[1].T, packed[0]))
        order_rows = np.lexsort((*rows[1].T, rows[0]))
        assert len(packed[0]) == len(rows[0])
        for a, b in zip(packed, rows, strict=True):
            assert np.array_equal(a[order_packed], b[order_rows]), kind


def _blocks(db, kind):
    return db.execute(
        "SELECT first_media_id, last_media_id, length(ids) / 8 FROM similarity_cache"
        " WHERE kind = ? ORDER BY first_media_id",
        [kind],
    ).fetchall()


def test_blocks_of_bounded_size_cover_the_media_once(tmp_path, monkeypatch):
    monkeypatch.setattr(fingerprint_columns, "PACK_ROWS", 8)
    monkeypatch.setattr(fingerprint_columns, "SMALL_BLOCK", 4)
    monkeypatch.setattr(fingerprint_columns, "MAX_BLOCKS", 3)
    db = open_case(tmp_path / "case.vigil", create=True)
    _add_media(db, 1, 30, seed=1)
    for kind in _PICTURE_KINDS:  # as the grouping reads them: packed as read
        fingerprint_columns.packed_columns(db, kind, pack_up_to=30)
    _assert_reads_as_rows(db)
    coarse = _blocks(db, "coarse")
    # 40 rows (30 media, 10 with a second row) in blocks of 8 or 9 (a media's rows never cut
    # between blocks), each block's media within its range, the ranges one after the other
    assert sum(b[2] for b in coarse) == 40 and all(8 <= b[2] <= 9 for b in coarse[:-1])
    assert coarse[0][0] == 1 and coarse[-1][1] == 30
    assert all(a[1] + 1 == b[0] for a, b in zip(coarse, coarse[1:], strict=False))
    for (first, last, _), (ids,) in zip(coarse, db.execute(
        "SELECT ids FROM similarity_cache WHERE kind = 'coarse' ORDER BY first_media_id"
    ), strict=True):  # fmt: skip
        held = np.frombuffer(ids, np.int64)
        assert first <= held.min() and held.max() <= last
    assert _blocks(db, "views") == [(1, 30, 0)]
    for run in range(5):  # incremental runs: a small block each, packed past MAX_BLOCKS
        first = 31 + 2 * run
        _add_media(db, first, 2, seed=first)
        fingerprint_columns.pack_new_rows(db, first + 1)
        _assert_reads_as_rows(db)
    # pictures' PDQ is packed at the end of a run only in a case with videos (the video
    # stage alone reads it); read as it is packed, it is packed as read
    assert _blocks(db, "trim")[-1][1] == 30
    small = [b for b in _blocks(db, "crop") if b[2] < 4]
    assert 0 < len(small) <= 3
    assert _blocks(db, "crop")[-1][1] == 40
    db.close()
