"""Near-duplicate pairs over per-picture fingerprints: the rules, the fingerprints, the pair stages.

Two stages. Candidates: the orientation-free 64-bit `dct64` hashes, joined exactly in Hamming
space (multi-index hashing), so one lookup finds a copy however it was turned or mirrored; and
the `mask64` hashes of the masked views (the picture without one side), which find copies under
a watermark. Verification: the 256-bit PDQ hashes must agree too, as the nearer of the plain
hash and the best of the eight orientations of the border-trimmed hash, or, for detailed
pictures, more closely on one masked view; and both pictures must have enough detail (PDQ
quality), so flat colours, gradients and dark frames never group on weak hashes. match_groups
merges the accepted pairs into groups; similar_ranking ranks pictures against one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from desktop.core.fingerprints import (
    MASK_MIN_DETAIL,
    MASKED_VARIANTS,
    ORIENTATION_VARIANTS,
    REGION_PREFIX,
)
from desktop.core.hamming import HammingIndex, hex_to_words, popcount_rows
from desktop.core.pdq_distances import MASKED, explain, turned_distances
from desktop.core.self_join import few_pairs, self_pairs
from desktop.core.sorted_sets import in_sorted, unique_pairs, unique_sorted


@dataclass(frozen=True)
class Rule:
    """One strictness: how near the candidate hash and the confirming hash must be."""

    coarse: int  # bits of 64 (dct64, canonical orientation)
    pdq: int  # bits of 256 (best of plain and trimmed-in-eight-orientations PDQ)
    masked: int  # bits of 256 (same masked view of both; detailed pictures only)
    masked_coarse: int  # bits of 64 (mask64: masked views, as found)
    crop: int  # bits of 64 (dct64 of a picture against a window of another's crop64 row)
    nominated: int  # bits of 64: crop candidates beyond `crop` up to here, by geometry alone


STRICTNESS: dict[str, Rule] = {
    # text-only screenshots start meeting near 48 bits of PDQ; masked views of different chat
    # screenshots from 28 (the app's window is most of a view); watermarked copies' views 0-4
    # bits of mask64 apart. Crops meet their original's nearest window within 0-6 bits (one of
    # 30 at 12), unrelated pictures from 14 (see crops.CROP_EXACT: how far that search is exact).
    "strict": Rule(coarse=6, pdq=28, masked=16, masked_coarse=2, crop=4, nominated=4),
    "normal": Rule(coarse=8, pdq=40, masked=22, masked_coarse=4, crop=6, nominated=8),
    "loose": Rule(coarse=10, pdq=46, masked=26, masked_coarse=6, crop=8, nominated=8),
}
DEFAULT_STRICTNESS = "normal"
# PDQ quality below this means the picture's edges are too faint for its hashes to say much;
# with detail score 0 (smooth or uniform, see fingerprints.detail_score) the same holds.
MIN_QUALITY = 15
# Pictures mostly of one flat colour (text pages, logos, screenshots) below this detail score
# must agree within SPARSE_PDQ bits of PDQ whatever the strictness: different pages of text meet
# at PDQ distances of 40-60, where edited photographs still do, and chat screenshots of
# different pictures from about 32 (the app's window is most of the picture).
MIN_DETAIL = MASK_MIN_DETAIL
SPARSE_PDQ = 30
# Faint pictures (PDQ quality under MIN_QUALITY, yet not smooth: a night shot, a washed-out
# scan) have PDQ hashes that shift 50-75 bits between copies; their pHash and dHash hold
# (copies of real photographs made faint: within 6 and 13; different ones 22 and more), so
# such a pair is accepted when both agree this closely, whatever PDQ says.
SMALL_HASHES = ("phash", "dhash")
FAINT_LIMITS = (6, 8)  # bits of pHash, of dHash
FAINT = "same picture, faint (its pHash and dHash agree; PDQ cannot tell)"
# Candidates whose PDQ misses the rule by less than this are looked at closer (the grouping
# aligns their thumbnails): a cut of a few percent along one side, which moves PDQ 30-60 bits.
UNSETTLED_MARGIN = 40

FEW_QUERIES = 1000  # new pictures up to which an incremental join reads every hash instead


Columns = tuple[np.ndarray, np.ndarray, np.ndarray]  # media ids, (n, k) uint64 words, quality


@dataclass
class Fingerprints:
    """The hashes of many pictures as arrays, row i describing media ids[i]."""

    ids: np.ndarray  # (n,) int64 media ids
    quality: np.ndarray  # (n,) int64 PDQ quality of the trimmed picture (0 when unknown)
    detail: np.ndarray  # (n,) int64 detail score 0-100 (fingerprints.detail_score)
    original: np.ndarray  # (n, 4) uint64 PDQ of the picture as decoded
    oriented: np.ndarray  # (n, 8, 4) uint64 PDQ of the trimmed picture in ORIENTATION_VARIANTS
    masked: np.ndarray  # (n, 4, 4) uint64 PDQ of the picture's MASKED_VARIANTS views
    coarse_rows: np.ndarray  # (k,) int64 row owning each dct64 hash
    coarse: np.ndarray  # (k, 1) uint64 dct64 hashes (one or a few per picture)
    # (n,) bool: the trimmed hashes are of a picture found inside a screenshot or collage
    framed: np.ndarray
    # (n, 2) uint64 pHash and dHash of the picture as shown (SMALL_HASHES; 0 when unknown)
    small: np.ndarray | None = None
    # mask64 rows (media ids, (k, 4) words: one per masked view, detail), when read (small
    # cases, tests)
    masked_coarse: Columns | None = None

    def __len__(self) -> int:
        return len(self.ids)


def assemble(
    original: Columns,
    oriented: dict[str, Columns],
    coarse: Columns,
    masked: dict[str, Columns] | None = None,
    framed_ids: np.ndarray | None = None,
    plain: dict[str, Columns] | None = None,
) -> Fingerprints:
    """Fingerprints from column arrays, one per stored hash kind (the fast path for big cases);
    `framed_ids`: media whose trimmed hashes are of a picture inside a screenshot or collage;
    `plain`: the pHash and dHash of the pictures as shown (SMALL_HASHES), for faint pictures.

    A picture that lacks any of the needed hashes (not decodable, hashed by an older version)
    is left out: it can only be an exact duplicate. One hashed before masked views existed
    uses its trimmed hash in their place, which finds nothing the trimmed hash does not.
    """
    ids = unique_sorted(original[0])
    for name in ORIENTATION_VARIANTS:
        ids = _common(ids, oriented[name][0]) if name in oriented else ids[:0]
    ids = _common(ids, coarse[0])

    def placed(columns: Columns) -> np.ndarray:
        column_ids, words, _ = columns
        order = np.argsort(column_ids, kind="stable")
        at = np.searchsorted(column_ids[order], ids)
        return words[order[at]]

    trim_ids, _, trim_quality = oriented["trim"] if "trim" in oriented else (ids, None, ids)
    order = np.argsort(trim_ids, kind="stable")
    quality = trim_quality[order[np.searchsorted(trim_ids[order], ids)]] if len(ids) else ids
    turned = np.stack([placed(oriented[name]) for name in ORIENTATION_VARIANTS], axis=1)
    owned = in_sorted(coarse[0], ids)
    coarse_rows = np.searchsorted(ids, coarse[0][owned]).astype(np.int64)
    detail = np.zeros(len(ids), dtype=np.int64)
    np.maximum.at(detail, coarse_rows, coarse[2][owned].astype(np.int64))
    views = np.repeat(turned[:, :1], len(MASKED_VARIANTS), axis=1) if len(ids) else turned
    for k, name in enumerate(MASKED_VARIANTS):
        if masked and name in masked:
            _fill(views[:, k], ids, masked[name])
    small = np.zeros((len(ids), len(SMALL_HASHES)), dtype=np.uint64)
    for k, name in enumerate(SMALL_HASHES):
        if plain and name in plain:
            _fill(small[:, k : k + 1], ids, plain[name])
    return Fingerprints(
        ids=ids.astype(np.int64),
        quality=np.asarray(quality, dtype=np.int64),
        detail=detail,
        original=placed(original) if len(ids) else np.zeros((0, 4), dtype=np.uint64),
        oriented=turned if len(ids) else np.zeros((0, 8, 4), dtype=np.uint64),
        masked=views if len(ids) else np.zeros((0, len(MASKED_VARIANTS), 4), dtype=np.uint64),
        coarse_rows=coarse_rows,
        coarse=coarse[1][owned],
        framed=np.isin(ids, framed_ids if framed_ids is not None else ids[:0]),
        small=small,
    )


def _common(ids: np.ndarray, others: np.ndarray) -> np.ndarray:
    """np.intersect1d(ids, others) for `ids` sorted without repeats."""
    return ids[in_sorted(ids, unique_sorted(others))]


def _fill(out: np.ndarray, ids: np.ndarray, columns: Columns) -> None:
    """Rows of `out` (one per id) set to the words of the ids that `columns` holds."""
    column_ids, words, _ = columns
    if not len(column_ids) or not len(ids):
        return
    order = np.argsort(column_ids, kind="stable")
    at = np.minimum(np.searchsorted(column_ids[order], ids), len(order) - 1)
    has = column_ids[order[at]] == ids
    out[has] = words[order[at[has]]]


def build_fingerprints(
    records: Iterable[tuple[int, str, str, str, int | None]],
) -> Fingerprints:
    """Fingerprints from (media_id, algorithm, variant, hex, quality) rows (small cases, tests)."""
    kinds: dict[tuple[str, str], list[tuple[int, str, int]]] = {}
    framed = set()
    for media_id, algorithm, variant, hex_, quality in records:
        if variant.startswith(REGION_PREFIX):
            framed.add(media_id)
        if algorithm in ("dct64", "mask64"):
            variant = "*"
        kinds.setdefault((algorithm, variant), []).append((media_id, hex_, quality or 0))

    def columns(algorithm: str, variant: str, bits: int) -> Columns:
        rows = kinds.get((algorithm, variant), [])
        return (
            np.array([r[0] for r in rows], dtype=np.int64),
            hex_to_words((r[1] for r in rows), bits),
            np.array([r[2] for r in rows], dtype=np.int64),
        )

    fp = assemble(
        columns("pdq", "original", 256),
        {name: columns("pdq", name, 256) for name in ORIENTATION_VARIANTS},
        columns("dct64", "*", 64),
        {name: columns("pdq", name, 256) for name in MASKED_VARIANTS},
        np.array(sorted(framed), dtype=np.int64),
        {name: columns(name, "original", 64) for name in SMALL_HASHES},
    )
    fp.masked_coarse = columns("mask64", "*", 256)
    return fp


def pdq_limit(rule: Rule, sparse: np.ndarray | bool) -> np.ndarray:
    """The PDQ bits within which two pictures must agree under `rule`; fewer when either is
    sparse (detail < MIN_DETAIL: mostly one flat colour)."""
    return np.where(sparse, min(rule.pdq, SPARSE_PDQ), rule.pdq)


def masked_distances(fp: Fingerprints, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Nearest distance of the same masked view of rows a and b (see fingerprints.masked_views):
    what a watermark or sticker over one side of the picture leaves alone."""
    return np.minimum.reduce(
        [popcount_rows(fp.masked[a, k] ^ fp.masked[b, k]) for k in range(len(MASKED_VARIANTS))]
    )


@dataclass
class Match:
    """One accepted pair (or one search result) with its distance and explanation; for
    videos, the time (seconds) of the matching frame in each (None for a picture)."""

    media_a: int
    media_b: int
    distance: int
    explanation: str
    time_a: float | None = None
    time_b: float | None = None


def _joined(columns: Columns, radius: int, queries: np.ndarray | None) -> np.ndarray:
    """(k, 2) media id pairs (a < b) whose 64-bit hashes are within radius."""
    owners, words, _ = columns
    asked = None if queries is None else np.isin(owners, queries)
    if asked is not None and asked.sum() <= FEW_QUERIES:
        # the few new pictures of an incremental run: a table of their chunks' values read
        # by one pass per chunk costs less than an index's tables of millions of buckets
        wanted = np.flatnonzero(asked)
        column = np.ascontiguousarray(words[:, 0])
        few, many, _ = few_pairs(column[wanted], column, radius)
        a, b = owners[wanted][few], owners[many]
    elif asked is None:
        i, j, _ = self_pairs(words, radius)
        a, b = owners[i], owners[j]
    else:
        index = HammingIndex(64)
        index.add_words(owners, words)
        stored, number, _ = index.join_words(words[asked], radius)
        a, b = owners[asked][number], index.ids()[stored]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return np.stack([lo, hi], axis=1)[lo != hi]


def _rows_of(columns: Columns, keep: np.ndarray) -> Columns:
    return columns[0][keep], columns[1][keep], columns[2][keep]


def candidate_pairs(
    coarse: Columns,
    rule: Rule,
    queries: np.ndarray | None = None,
    masked: Columns | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Media id pairs (a < b) whose dct64 hashes are within rule.coarse, or one of whose
    masked views' hashes (`masked`: mask64 rows, when given) are within rule.masked_coarse.

    `coarse` is (media ids, (k, 1) words, detail scores); with `queries` (media ids), only
    their hashes are looked up (against everything): the incremental case. Smooth or uniform
    pictures (detail 0 in every dct64 row) are left out: settle_pairs refuses every pair with
    one, and their hashes are alike (a thousand blank pictures would be half a million pairs).
    """
    owners, _, detail = coarse
    if (detail <= 0).any():
        textured = unique_sorted(owners[detail > 0])
        coarse = _rows_of(coarse, in_sorted(owners, textured))
        if masked is not None:
            masked = _rows_of(masked, in_sorted(masked[0], textured))
    found = [_joined(coarse, rule.coarse, queries)]
    if masked is not None and len(masked[0]):
        owners, words, detail = masked
        for view in range(words.shape[1]):  # each view only ever meets the same view
            view_words = np.ascontiguousarray(words[:, view : view + 1])
            found.append(_joined((owners, view_words, detail), rule.masked_coarse, queries))
    pairs = np.concatenate(found)
    if not len(pairs):
        return pairs[:, 0], pairs[:, 1]
    pairs = unique_pairs(pairs)
    return pairs[:, 0], pairs[:, 1]


def verify_pairs(
    fp: Fingerprints, media_a: np.ndarray, media_b: np.ndarray, rule: Rule
) -> list[Match]:
    """The candidate pairs (media ids) whose PDQ hashes agree too, under the detail rules."""
    return settle_pairs(fp, media_a, media_b, rule)[0]


def settle_pairs(
    fp: Fingerprints, media_a: np.ndarray, media_b: np.ndarray, rule: Rule
) -> tuple[list[Match], np.ndarray]:
    """verify_pairs, and the (k, 2) media id pairs the hashes could not settle: both
    pictures with strong PDQ, PDQ beyond the rule but by less than UNSETTLED_MARGIN bits,
    nearest first (for a closer look at the pictures: a cut along one side, a picture moved
    inside its frame)."""
    known = in_sorted(media_a, fp.ids) & in_sorted(media_b, fp.ids)
    a = np.searchsorted(fp.ids, media_a[known])
    b = np.searchsorted(fp.ids, media_b[known])
    if len(a) == 0:
        return [], np.zeros((0, 2), dtype=np.int64)
    textured = np.minimum(fp.detail[a], fp.detail[b]) > 0  # not smooth nor uniform
    strong = np.minimum(fp.quality[a], fp.quality[b]) >= MIN_QUALITY
    faint = _faint_pairs(fp, a[textured & ~strong], b[textured & ~strong])
    a, b = a[textured & strong], b[textured & strong]
    best, orientation, plain = turned_distances(
        fp.original[a], fp.oriented[a], fp.original[b], fp.oriented[b]
    )
    sparse = np.minimum(fp.detail[a], fp.detail[b]) < MIN_DETAIL
    ok = best <= pdq_limit(rule, sparse)
    # a masked view is a smaller picture, so it must agree more closely, and never for pictures
    # mostly of one flat colour (text pages, logos, screenshots), whose views say even less
    masked = masked_distances(fp, a, b)
    by_mask = ~ok & ~sparse & (masked <= rule.masked)
    orientation = np.where(by_mask, MASKED, orientation)
    best = np.where(by_mask, masked, best)
    ok |= by_mask
    near = np.flatnonzero(~ok & (best <= pdq_limit(rule, sparse) + UNSETTLED_MARGIN))
    near = near[np.argsort(best[near], kind="stable")]
    unsettled = np.stack([fp.ids[a[near]], fp.ids[b[near]]], axis=1)
    framed = fp.framed
    return faint + [
        Match(int(fp.ids[x]), int(fp.ids[y]), int(d), explain(int(o), int(p), int(d), bool(f)))
        for x, y, d, o, p, f in zip(
            a[ok],
            b[ok],
            best[ok],
            orientation[ok],
            plain[ok],
            framed[a[ok]] | framed[b[ok]],
            strict=True,
        )
    ], unsettled


def _faint_pairs(fp: Fingerprints, a: np.ndarray, b: np.ndarray) -> list[Match]:
    """The pairs of rows (at least one faint: PDQ quality under MIN_QUALITY) whose pHash and
    dHash both agree within FAINT_LIMITS; the distance given is PDQ's, as for every pair."""
    if fp.small is None or not len(a):
        return []
    small = np.bitwise_count(fp.small[a] ^ fp.small[b])
    known = (fp.small[a] != 0).all(axis=1) & (fp.small[b] != 0).all(axis=1)
    ok = known & (small <= np.array(FAINT_LIMITS)).all(axis=1)
    best, _, _ = turned_distances(fp.original[a], fp.oriented[a], fp.original[b], fp.oriented[b])
    return [
        Match(int(fp.ids[x]), int(fp.ids[y]), int(d), FAINT)
        for x, y, d in zip(a[ok], b[ok], best[ok], strict=True)
    ]


def verified_matches(
    fp: Fingerprints, rule: Rule, query_rows: np.ndarray | None = None
) -> list[Match]:
    """Every accepted near-duplicate pair (among all rows, or of `query_rows` against all)."""
    coarse = (fp.ids[fp.coarse_rows], fp.coarse, fp.detail[fp.coarse_rows])
    queries = None if query_rows is None else fp.ids[query_rows]
    a, b = candidate_pairs(coarse, rule, queries, fp.masked_coarse)
    return verify_pairs(fp, a, b, rule)
