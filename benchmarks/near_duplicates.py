"""Near-duplicate benchmark on real photographs: recall of every kind of copy, pair precision.

Builds the corpus (nd_edits: the real photographs the bench extra's wheels ship, every edit of
each, flat graphics, faint photographs, hard negatives), writes each as a file, ingests them
with the real ingest job, groups them at each strictness and prints pair precision, recall of
each kind of copy (share of copies grouped with their original) beside the plain baselines
(pHash within 10 bits, PDQ within 31) computed on the same case.

    pip install -e '.[bench]'
    python benchmarks/near_duplicates.py [--workers 2] [--misses] [--keep DIR] [--videos]

--videos adds the video edits after the pictures' figures (benchmarks/video_edits.py: every
kind of issue 13 on videos made from the same photographs, per-kind recall, pair precision).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from nd_edits import (  # noqa: E402
    EDITS_OF,
    ORIGINAL,
    faint_photographs,
    flat_graphics,
    hard_negatives,
    real_photographs,
)

from desktop.core.hashing import hamming_hex  # noqa: E402
from desktop.jobs.grouping import update_groups  # noqa: E402
from desktop.jobs.ingest import ingest  # noqa: E402
from desktop.store import groups as group_store  # noqa: E402
from desktop.store.db import open_case  # noqa: E402

ASPECT_PAIR = "aspect_16x9~4x3"  # the two other-shape cuts of one photo, with each other
TARGET_RECALL, TARGET_PRECISION = 0.95, 0.99


def corpus() -> dict[str, tuple[str, object]]:
    """Picture name -> (family: photo, graphic or faint, picture)."""
    photos = real_photographs()
    pictures: dict[str, tuple[str, object]] = {n: ("photo", img) for n, img in photos.items()}
    pictures.update({n: ("graphic", img) for n, img in flat_graphics().items()})
    pictures.update({n: ("faint", img) for n, img in faint_photographs(photos).items()})
    return pictures


def write(folder: Path, pictures: dict) -> dict[str, tuple[str, str]]:
    """Every original and edited copy as a file; returns file name -> (picture, edit).

    The hard negatives (flat, gradient, dark, text-only pictures) are written once each: any
    group among them is a false pair.
    """
    truth = {}
    for name, img in hard_negatives().items():
        img.save(folder / f"negative_{name}.png")
        truth[f"negative_{name}.png"] = (f"negative_{name}", "original")
    for name, (family, img) in pictures.items():
        seed = sum(map(ord, name))
        first = "faint_original" if family == "faint" else "original"
        for edit, kind in {first: ORIGINAL[family], **EDITS_OF[family]}.items():
            file = f"{name}__{edit}.{kind.extension}"
            out = kind.make(img, seed)
            if kind.extension == "png":
                out.save(folder / file)
            else:
                out.save(folder / file, quality=kind.quality)
            # a faint copy is a copy of its photograph: one picture with it
            truth[file] = (name.removeprefix("faint_"), edit)
    return truth


def _truth_of(file: str) -> tuple[str, str]:
    """(picture, edit) of a file `write` made, from its name."""
    stem = file.rsplit(".", 1)[0]
    if "__" not in stem:
        return stem, "original"  # a hard negative
    picture, edit = stem.split("__")
    if picture.startswith("faint_") and edit == "original":
        edit = "faint_original"  # as folders kept before the faint original had its name
    return picture.removeprefix("faint_"), edit


def kind_of(edit_a: str, edit_b: str) -> str | None:
    """The kind of copy a pair of the same picture counts for: a copy with the original, a
    faint copy with the faint original (both faint: low PDQ quality), the faint original
    with the photograph, the two other-shape cuts with each other; other pairs count for
    recall only."""
    for first, second in ((edit_a, edit_b), (edit_b, edit_a)):
        if first == "original" and not second.startswith("faint"):
            return second
        if first == "faint_original" and second.startswith("faint"):
            return second
        if first == "original" and second == "faint_original":
            return "faint_original"
    if {edit_a, edit_b} == {"aspect_16x9", "aspect_4x3"}:
        return ASPECT_PAIR
    return None


def score(pred_pairs: set, truth_pairs: set, kind_of_pair: dict) -> dict[str, object]:
    tp = len(pred_pairs & truth_pairs)
    precision = tp / len(pred_pairs) if pred_pairs else 1.0
    per_kind: dict[str, list[int]] = {}
    for pair, kind in kind_of_pair.items():
        hit = per_kind.setdefault(kind, [0, 0])
        hit[0] += int(pair in pred_pairs)
        hit[1] += 1
    copies = [pair for pair, kind in kind_of_pair.items() if kind != ASPECT_PAIR]
    return {
        "precision": precision,
        "recall": tp / len(truth_pairs),
        "copy_recall": sum(int(pair in pred_pairs) for pair in copies) / len(copies),
        "pairs": len(pred_pairs),
        "false_pairs": len(pred_pairs - truth_pairs),
        "per_kind": {k: h[0] / h[1] for k, h in per_kind.items()},
        "counts": {k: h[1] for k, h in per_kind.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--misses", action="store_true", help="list the copies normal missed and its false pairs"
    )
    parser.add_argument("--keep", type=Path, help="keep the evidence and case in this folder")
    parser.add_argument(
        "--regroup",
        type=Path,
        help="score again a folder kept by --keep: group its case afresh, no new ingest (for a"
        " change of the grouping alone; the fingerprints are those of the ingest that made it)",
    )
    parser.add_argument("--videos", action="store_true", help="then the video edits too")
    args = parser.parse_args()
    pictures = corpus()
    families = [family for family, _ in pictures.values()]
    with tempfile.TemporaryDirectory() as tmp:
        root = args.regroup or args.keep or Path(tmp)
        evidence, case = root / "evidence", root / "bench.vigil"
        ingest_seconds = 0.0
        if args.regroup:
            truth = {path.name: _truth_of(path.name) for path in evidence.iterdir()}
        else:
            if args.keep and root.exists():
                shutil.rmtree(root)
            evidence.mkdir(parents=True)
            truth = write(evidence, pictures)
            started = time.monotonic()
            ingest(case, [evidence], workers=args.workers)
            ingest_seconds = time.monotonic() - started
        db = open_case(case)
        media_of: dict[int, str] = {}
        for media_id, path in db.execute("SELECT media_id, path FROM files WHERE media_id > 0"):
            # an edit that changes no byte (greyscale of a grey photograph) is one media with
            # the original: it counts as the original, whichever file the walk met first
            if media_id not in media_of or "original" not in truth[media_of[media_id]][1]:
                media_of[media_id] = Path(path).name
        ids = sorted(media_of)
        # the truth: every two media made from the same picture are one pair
        truth_pairs, kind_of_pair = set(), {}
        for a, b in combinations(ids, 2):
            (pa, ea), (pb, eb) = truth[media_of[a]], truth[media_of[b]]
            if pa == pb:
                truth_pairs.add((a, b))
                kind = kind_of(ea, eb)
                if kind is not None:
                    kind_of_pair[(a, b)] = kind
        results = {}
        for level in ("strict", "normal", "loose"):
            t = time.monotonic()
            update_groups(db, strictness=level, rebuild=True)
            elapsed = time.monotonic() - t
            pairs = set()
            for group in group_store.groups(db, level):
                members = sorted(m["media_id"] for m in group)
                pairs.update(combinations(members, 2))
            results[f"vigil {level}"] = score(pairs, truth_pairs, kind_of_pair)
            if level == "normal" and args.misses:
                for pair, kind in sorted(kind_of_pair.items(), key=lambda item: item[1]):
                    if pair not in pairs:
                        print(f"missed {kind}: {media_of[pair[0]]} ~ {media_of[pair[1]]}")
                for a, b in sorted(pairs - truth_pairs):
                    print(f"false pair: {media_of[a]} ~ {media_of[b]}")
            results[f"vigil {level}"]["seconds"] = elapsed
        hashes: dict[str, dict[int, str]] = {"phash": {}, "pdq": {}}
        for media_id, algorithm, hex_ in db.execute(
            "SELECT media_id, algorithm, hash FROM perceptual_hashes WHERE variant = 'original'"
        ):
            if algorithm in hashes:
                hashes[algorithm][media_id] = hex_
        for algorithm, radius in (("phash", 10), ("pdq", 31)):
            found = hashes[algorithm]
            pairs = {(a, b) for a, b in combinations(sorted(found), 2)
                     if hamming_hex(found[a], found[b]) <= radius}  # fmt: skip
            # a fixed threshold links pairs, and groups are their connected components
            results[f"{algorithm} <= {radius} (pairs)"] = score(pairs, truth_pairs, kind_of_pair)
        db.close()
    print(f"corpus: {families.count('photo')} real photographs, {families.count('graphic')} "
          f"flat graphics, {families.count('faint')} faint photographs, with their copies, + "
          f"{len(hard_negatives())} hard negatives = {len(media_of)} media; ingest "
          f"{ingest_seconds:.1f} s; {len(truth_pairs)} true pairs")  # fmt: skip
    names = list(results)
    print(f"{'':26s}" + "".join(f"{n:>20s}" for n in names))
    for key in ("precision", "recall", "copy_recall", "pairs", "false_pairs"):
        print(f"{key:26s}" + "".join(f"{results[n][key]:>20.3f}" for n in names))
    counts = results["vigil normal"]["counts"]
    for kind in counts:
        print(
            f"  {kind[:20] + ' (' + str(counts[kind]) + ')':24s}"
            + "".join(f"{results[n]['per_kind'][kind]:>20.2f}" for n in names)
        )
    normal = results["vigil normal"]
    short = [k for k, r in normal["per_kind"].items() if r < TARGET_RECALL]
    print(f"normal: pair precision {normal['precision']:.3f} (target >= {TARGET_PRECISION}), "
          f"kinds under recall {TARGET_RECALL}: {', '.join(short) or 'none'}")  # fmt: skip
    base = results["pdq <= 31 (pairs)"]["copy_recall"] or 1e-9
    print(f"copy recall, normal / PDQ<=31 baseline = {normal['copy_recall'] / base:.2f}")
    print("recall = all same-picture pairs (copy-to-copy too); copy_recall = copy-to-original")
    if args.videos:
        from video_edits import run as video_edits

        video_edits(args.workers)


if __name__ == "__main__":
    main()
