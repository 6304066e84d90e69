"""The crop join of a grouping run: through the window index when it is current, else by
reading every window (and writing the index the next incremental run will use).

A first run or a rebuild reads every picture's windows anyway; as each kind is joined it is
also written to a new window index, whose tables are built once the join has let the windows
go. An incremental run of a case that has one reads only the new media's rows and looks them
up in it (core/incremental_crops.py); one that finds none (a case copied without it, a
damaged one, or too many media added since) writes it first, then does the same. Cases of
fewer than crops.PAIRED_MIN pictures keep no index: reading them all is quick.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from sqlite_utils import Database

from desktop.core import crops
from desktop.core.crops import WindowSource, crop_pairs, window_sources
from desktop.core.incremental_crops import incremental_crop_pairs
from desktop.core.similarity import Columns
from desktop.core.window_index import WindowIndex, WindowIndexWriter
from desktop.store import fingerprint_columns, window_files

SIDE_MAX = 10_000  # media ids past the index beyond which it is written again


@dataclass
class Candidates:
    """Crop candidates (crop media, original media, window, bits between the crop's hash
    and the window's; nearest first) and the detail score of every picture (media ids and
    scores)."""

    crop: np.ndarray
    original: np.ndarray
    window: np.ndarray
    bits: np.ndarray
    ids: np.ndarray
    detail: np.ndarray


def crop_candidates(
    db: Database,
    radius: int,
    queries: np.ndarray | None,
    masked: Columns,
    pack_up_to: int | None,
    engine: str,
) -> Candidates:
    """crop_pairs of the case's pictures (all, or those pairs with one of `queries` on either
    side), the rows read added to the packed copy up to `pack_up_to` (None: not added, and
    no index written)."""
    last_id = fingerprint_columns.last_media_id(db) if pack_up_to is None else pack_up_to
    index = window_files.current(db, engine)
    if queries is not None and len(queries):
        if index is not None and _usable(index, queries, last_id):
            return _through_index(db, index, queries, masked, radius)
    # a full run keeps a current index that covers nearly every media (another strictness's)
    keep = queries is None and index is not None and last_id - index.covered <= SIDE_MAX // 10
    del index  # its files are let go before a new index replaces them
    rows = fingerprint_columns.crop_rows(db, pack_up_to)
    whole = (rows[0], np.ascontiguousarray(rows[1][:, :1]), rows[2])
    covered = last_id if queries is None or not len(queries) else int(queries.min()) - 1
    written = None
    if pack_up_to is not None and len(whole[0]) >= crops.PAIRED_MIN and not keep:
        written = window_files.writer(db, covered)
    sources = _window_kinds(db, masked, rows, pack_up_to)
    del rows  # the sources let the windows go once they are joined
    # an incremental run the new index can serve: written, then searched (beyond SIDE_MAX new
    # media it is written while the join reads the windows, below, not read twice)
    if (
        written is not None
        and queries is not None
        and len(queries)
        and last_id - covered <= SIDE_MAX
    ):
        index = (
            window_files.current(db, engine)
            if _written(db, written, sources, whole, engine)
            else None
        )
        if index is not None and _usable(index, queries, last_id):
            return _through_index(db, index, queries, masked, radius)
        written = None
        sources = _window_kinds(
            db, masked, fingerprint_columns.crop_rows(db, pack_up_to), pack_up_to
        )
    broken: list[OSError] = []
    if written is not None:
        sources = _teed(sources, written, broken)
    crop, original, window, bits = crop_pairs(whole, radius, queries, sources)
    if written is not None and not broken:  # the windows are let go: the tables are built now
        _written(db, written, iter(()), whole, engine)
    return Candidates(crop, original, window, bits, whole[0], whole[2])


def _usable(index: WindowIndex, queries: np.ndarray, last_id: int) -> bool:
    """Whether the new media are all past the index, and few media are."""
    return int(queries.min()) > index.covered and last_id - index.covered <= SIDE_MAX


def _through_index(
    db: Database, index: WindowIndex, queries: np.ndarray, masked: Columns, radius: int
) -> Candidates:
    rows, views = window_files.rows_after(db, index.covered)
    side_masked = masked[0] > index.covered
    sources = window_sources(rows, (masked[0][side_masked], masked[1][side_masked], masked[2]),
                             views)  # fmt: skip
    whole = (rows[0], np.ascontiguousarray(rows[1][:, 0]))
    found = incremental_crop_pairs(index, whole, sources, queries, radius)
    ids = np.concatenate([index.whole_ids, rows[0]])
    return Candidates(*found, ids, np.concatenate([index.whole_detail, rows[2]]))


def _written(
    db: Database,
    written: WindowIndexWriter,
    sources: Iterator[WindowSource],
    whole: Columns,
    engine: str,
) -> bool:
    """Whether the index, completed with `sources` (what is left of them) and the whole
    hashes, was written and made the case's own."""
    try:
        for owners, words, first in sources:
            written.add_kind(owners, words, first)
        written.add_wholes(whole[0], whole[1], whole[2])
    except OSError:
        written.abandon()
        return False
    return window_files.finish(db, written, engine)


def _teed(
    sources: Iterator[WindowSource], written: WindowIndexWriter, broken: list[OSError]
) -> Iterator[WindowSource]:
    """The sources, each kind also written to the new index as it is reached; a failure to
    write is put in `broken` (the join goes on; no index is written)."""
    for source in sources:
        if not broken:
            try:
                written.add_kind(*source)
            except OSError as error:
                written.abandon()
                broken.append(error)
        yield source


def _window_kinds(
    db: Database, masked: Columns, rows: Columns, pack_up_to: int | None
) -> Iterator[WindowSource]:
    """Every kind of window (`rows`: the crop64 rows, already read), each let go once joined
    and the views read only then (a million pictures' windows take 270 MB, views 200 MB)."""
    yield from window_sources(rows)
    del rows
    yield from window_sources(views=masked)
    yield from window_sources(more=fingerprint_columns.view_rows(db, pack_up_to))
