"""Near-duplicate benchmark: real photographs and synthetic scenes through every edit.

Builds a corpus (scikit-image's and matplotlib's bundled photographs, plus generated scenes),
writes each picture and each edited copy as files, ingests them with the real ingest job,
groups them at each strictness, and prints pair precision, pair recall and per-edit recall
beside the plain baselines (pHash within 10 bits, PDQ within 31) computed on the same case.

    pip install -e '.[bench]'
    python benchmarks/near_duplicates.py [--scenes 12] [--workers 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from nd_edits import (  # noqa: E402
    EDITS,
    hard_negatives,
    matplotlib_photographs,
    skimage_photographs,
    varied_scene,
)

from desktop.core.hashing import hamming_hex  # noqa: E402
from desktop.jobs.grouping import update_groups  # noqa: E402
from desktop.jobs.ingest import ingest  # noqa: E402
from desktop.store import groups as group_store  # noqa: E402
from desktop.store.db import open_case  # noqa: E402


def corpus(scenes: int) -> dict[str, object]:
    pictures = {**skimage_photographs(), **matplotlib_photographs()}
    for i in range(scenes):
        pictures[f"scene{i:02d}"] = varied_scene(i, (640 + 16 * i, 480))
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
    for name, img in pictures.items():
        for edit, apply in {"original": lambda im, s: im, **EDITS}.items():
            seed = sum(map(ord, name))
            out = apply(img, seed)
            if edit == "format_png":
                file = f"{name}__{edit}.png"
                out.save(folder / file)
            elif edit == "jpeg_q25":
                file = f"{name}__{edit}.jpg"
                out.save(folder / file, quality=25)
            else:
                file = f"{name}__{edit}.jpg"
                out.save(folder / file, quality=85)
            truth[file] = (name, edit)
    return truth


def score(pred_pairs: set, truth_pairs: set, edit_of_pair: dict) -> dict[str, object]:
    tp = len(pred_pairs & truth_pairs)
    precision = tp / len(pred_pairs) if pred_pairs else 1.0
    recall = tp / len(truth_pairs)
    per_edit: dict[str, list[int]] = {}
    for pair, edit in edit_of_pair.items():
        hit = per_edit.setdefault(edit, [0, 0])
        hit[0] += int(pair in pred_pairs)
        hit[1] += 1
    copies = sum(int(pair in pred_pairs) for pair in edit_of_pair) / len(edit_of_pair)
    return {
        "precision": precision,
        "recall": recall,
        "copy_recall": copies,
        "pairs": len(pred_pairs),
        "per_edit": {e: h[0] / h[1] for e, h in per_edit.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenes", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--misses", action="store_true", help="list the copies normal missed and its false pairs"
    )
    args = parser.parse_args()
    pictures = corpus(args.scenes)
    with tempfile.TemporaryDirectory() as tmp:
        evidence = Path(tmp) / "evidence"
        evidence.mkdir()
        truth = write(evidence, pictures)
        case = Path(tmp) / "bench.vigil"
        started = time.monotonic()
        ingest(case, [evidence], workers=args.workers)
        ingest_seconds = time.monotonic() - started
        db = open_case(case)
        media_of: dict[int, str] = {}
        for media_id, path in db.execute("SELECT media_id, path FROM files WHERE media_id > 0"):
            # an edit that changes no byte (greyscale of a grey photograph) is one media with
            # the original: it counts as the original, whichever file the walk met first
            if media_id not in media_of or truth[media_of[media_id]][1] != "original":
                media_of[media_id] = Path(path).name
        ids = sorted(media_of)
        # the truth: every two media made from the same picture are one pair
        truth_pairs, edit_of_pair = set(), {}
        for a, b in combinations(ids, 2):
            (pa, ea), (pb, eb) = truth[media_of[a]], truth[media_of[b]]
            if pa == pb:
                truth_pairs.add((a, b))
                if "original" in (ea, eb):
                    edit_of_pair[(a, b)] = eb if ea == "original" else ea
        results = {}
        for level in ("strict", "normal", "loose"):
            t = time.monotonic()
            update_groups(db, strictness=level, rebuild=True)
            elapsed = time.monotonic() - t
            pairs = set()
            for group in group_store.groups(db, level):
                members = sorted(m["media_id"] for m in group)
                pairs.update(combinations(members, 2))
            results[f"vigil {level}"] = score(pairs, truth_pairs, edit_of_pair)
            if level == "normal" and args.misses:
                for pair, edit in sorted(edit_of_pair.items(), key=lambda item: item[1]):
                    if pair not in pairs:
                        print(f"missed {edit}: {media_of[pair[0]]} ~ {media_of[pair[1]]}")
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
            results[f"{algorithm} <= {radius} (pairs)"] = score(pairs, truth_pairs, edit_of_pair)
        db.close()
    print(f"corpus: {len(pictures)} pictures ({len(pictures) - args.scenes} real photographs, "
          f"{args.scenes} synthetic) x {len(EDITS) + 1} versions + {len(hard_negatives())} hard "
          f"negatives = {len(media_of)} media; "
          f"ingest {ingest_seconds:.1f} s; {len(truth_pairs)} true pairs")  # fmt: skip
    names = list(results)
    print(f"{'':22s}" + "".join(f"{n:>22s}" for n in names))
    for key in ("precision", "recall", "copy_recall", "pairs"):
        print(f"{key:22s}" + "".join(f"{results[n][key]:>22.3f}" for n in names))
    for edit in EDITS:
        print(
            f"  recall {edit:13s}"
            + "".join(f"{results[n]['per_edit'][edit]:>22.2f}" for n in names)
        )
    base = results["pdq <= 31 (pairs)"]["copy_recall"] or 1e-9
    ratio = results["vigil normal"]["copy_recall"] / base
    print(f"edited-copy recall, normal / PDQ<=31 baseline = {ratio:.2f}")
    print("recall = all same-picture pairs (copy-to-copy too); copy_recall = copy-to-original")


if __name__ == "__main__":
    main()
