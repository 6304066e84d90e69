"""Investigation at scale: grid filters (has clues, no clues yet, series without victim, clue
kind/label, tag, entity) and the JSON work dump on a big case.

Each figure is compared with the same operation on a 1,000-media case made in the same run:
the ratio says how much the case's size costs (1.0 = nothing). Investigation rows (clues on 2%
of media, tags on 5%, series links on 3%, victims on half of those) are written straight into
the tables, as a benchmark file only may.

    python benchmarks/investigation.py [--media 200000] [--keep /tmp/inv.vigil]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.make_large_case import write_case
from desktop.core.clue_kinds import kind_keys
from desktop.jobs.export_work import export_work
from desktop.store import browse, investigation_filters  # noqa: F401 - registers the filters
from desktop.store.db import now_iso, open_case

FILTERS = [
    ("no filter", ()),
    ("has clues", (("has_clues", True),)),
    ("no clues yet", (("no_clues", True),)),
    ("series, no victim", (("series_without_victim", True),)),
    ("clue kind", (("clue_kind", "electrical"),)),
    ("clue label", (("clue_label", "socket"),)),
    ("tag", (("tag", "bedroom"),)),
    ("entity", (("entity", 1),)),
]


def add_work(path: Path) -> None:
    db = open_case(path)
    db.execute("PRAGMA synchronous = OFF")
    ids = [r[0] for r in db.execute("SELECT id FROM media")]
    rng = np.random.default_rng(11)
    at = now_iso()
    kinds = kind_keys()
    labels = ["socket", "water bottle", "school badge", "cartoon on TV", "wallpaper"]
    with db.atomic():
        series = db.execute(
            "INSERT INTO entities (kind, name, created_at, updated_at)"
            " VALUES ('series', 'Blue room', ?, ?)",
            [at, at],
        ).lastrowid
        victim = db.execute(
            "INSERT INTO entities (kind, name, status, created_at, updated_at)"
            " VALUES ('victim', 'V-001', 'unidentified', ?, ?)",
            [at, at],
        ).lastrowid
        tag = db.execute("INSERT INTO tags (name) VALUES ('bedroom')").lastrowid
        clued = rng.choice(ids, size=max(1, len(ids) // 50), replace=False)
        db.conn.executemany(
            "INSERT INTO clues (media_id, kind, label, note, region_x, region_y, region_w,"
            " region_h, created_at, updated_at) VALUES (?, ?, ?, '', 0, 0, 10, 10, ?, ?)",
            [
                (int(m), kinds[i % len(kinds)], labels[i % len(labels)], at, at)
                for i, m in enumerate(clued)
            ],
        )
        tagged = rng.choice(ids, size=max(1, len(ids) // 20), replace=False)
        db.conn.executemany(
            "INSERT INTO media_tags (media_id, tag_id, added_at) VALUES (?, ?, ?)",
            [(int(m), tag, at) for m in tagged],
        )
        in_series = rng.choice(ids, size=max(2, len(ids) * 3 // 100), replace=False)
        rows = [(int(m), series, "member", at) for m in in_series]
        rows += [(int(m), victim, "depicted", at) for m in in_series[::2]]
        db.conn.executemany(
            "INSERT INTO links (media_id, entity_id, role, created_at) VALUES (?, ?, ?, ?)", rows
        )
    db.close()


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def measure(path: Path) -> dict[str, tuple[float, float, int]]:
    """filter -> (first page seconds, count seconds, matches)."""
    db = open_case(path)
    out = {}
    for name, extra in FILTERS:
        query = browse.BrowseQuery(stacks=False, extra=extra)
        selective = browse.is_selective(db, query)
        page_s, _ = timed(lambda q=query, s=selective: browse.page(db, q, limit=300, selective=s))
        count_s, n = timed(lambda q=query: browse.count(db, q))
        out[name] = (page_s, count_s, int(n))
    db.close()
    return out


def dump(path: Path, folder: Path) -> tuple[float, int]:
    db = open_case(path)
    start = time.perf_counter()
    summary = export_work(db, folder / f"{path.stem}.json", force=True)
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed, summary.media


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--media", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="write the big case here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small, big = folder / "small.vigil", args.keep or folder / "big.vigil"
        for path, n in ((small, 1_000), (big, args.media)):
            start = time.perf_counter()
            write_case(path, n)
            add_work(path)
            print(f"made {path.name}: {n:,} media in {time.perf_counter() - start:.1f} s")
        base, large = measure(small), measure(big)
        header = ("filter", "matches", "page ms", "ratio", "count ms", "ratio")
        print("\n{:<20} {:>9} {:>9} {:>6} {:>9} {:>6}".format(*header))
        for name, _ in FILTERS:
            (bp, bc, _), (lp, lc, n) = base[name], large[name]
            cells = (name, n, lp * 1000, lp / bp, lc * 1000, lc / bc)
            print("{:<20} {:>9,} {:>9.1f} {:>6.1f} {:>9.1f} {:>6.1f}".format(*cells))
        (bs, bn), (ls, ln) = dump(small, folder), dump(big, folder)
        rate, base_rate = ln / ls, bn / bs
        print(f"\nwork dump: {ln:,} media in {ls:.1f} s = {rate:,.0f} media/s")
        print(f"  1,000-media case: {base_rate:,.0f} media/s; ratio {base_rate / rate:.2f}")


if __name__ == "__main__":
    main()
