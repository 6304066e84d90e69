"""Video near-duplicates on real photographs: every kind of video edit of issue 13, per-kind
recall and pair precision, with the real ingest and grouping jobs.

Source videos are made from the real photographs benchmarks/nd_edits.py uses, three to a video
(a shot each: a slow pan or zoom, then a cut to the next), with camera noise, as H.264. Each
source gets every edit (another codec, bitrate, resolution or frame rate: VP9 at a low
bitrate, HEVC at half size, MPEG-4 Part 2 in AVI at a third of the frame rate; a clip; a
centred crop; letterbox and pillarbox borders; mirror; a quarter turn; greyscale; faster and
slower playback), is shown inside compilations, and is the source of a still frame (0.3 s
from the nearest kept frame, in a moving shot), a screenshot of a frame in a player window and
a copy of a photograph it shows (a picture's copy among a video's frames). A copy counts as
found when it is shown with the source's original: in one group, or one as a container of
the other. Any group or containment between media of different sources is a false pair.

    python benchmarks/video_edits.py [--workers 2] [--keep DIR]
    python benchmarks/near_duplicates.py --videos   (the same, after the pictures' figures)
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).parent))

from nd_edits import real_photographs  # noqa: E402

from desktop.core.video_samples import write_video  # noqa: E402
from desktop.jobs.grouping import update_groups  # noqa: E402
from desktop.jobs.ingest import ingest  # noqa: E402
from desktop.store import groups as group_store  # noqa: E402
from desktop.store.db import open_case  # noqa: E402

SIZE = (480, 360)
FPS = 15
SHOT = 3.0  # seconds a photograph is shown

Frames = list[np.ndarray]


def shots(photos: list[Image.Image], seed: int) -> Frames:
    """A shot per photograph: a slow pan (even seeds) or zoom (odd), cut to the next, with
    camera noise."""
    rng = np.random.default_rng(seed)
    width, height = SIZE
    frames: Frames = []
    for number, photo in enumerate(photos):
        big = photo.convert("RGB").resize((int(width * 1.25), int(height * 1.25)), Image.BICUBIC)
        count = int(SHOT * FPS)
        for k in range(count):
            step = k / count
            if (seed + number) % 2 == 0:  # a pan across
                left, top = step * width * 0.2, step * height * 0.1
                box = (left, top, left + width, top + height)
            else:  # a zoom in, about the middle
                w, h = big.width * (1 - 0.15 * step), big.height * (1 - 0.15 * step)
                left, top = (big.width - w) / 2, (big.height - h) / 2
                box = (left, top, left + w, top + h)
            frame = np.asarray(big.resize(SIZE, Image.BILINEAR, box=box)).astype(np.int16)
            frame += rng.integers(-4, 5, size=frame.shape, dtype=np.int16)
            frames.append(np.clip(frame, 0, 255).astype(np.uint8))
    return frames


def _resize(frames: Frames, size: tuple[int, int]) -> Frames:
    return [np.asarray(Image.fromarray(f).resize(size, Image.BILINEAR)) for f in frames]


def _bars(frames: Frames, vertical: bool) -> Frames:
    """Letterbox (bars above and below) or pillarbox (left and right), the picture shrunk."""
    out = []
    width, height = SIZE
    for f in frames:
        canvas = np.zeros_like(f)
        if vertical:
            inner = np.asarray(Image.fromarray(f).resize((width, height * 3 // 4)))
            top = (height - inner.shape[0]) // 2
            canvas[top : top + inner.shape[0]] = inner
        else:
            inner = np.asarray(Image.fromarray(f).resize((width * 3 // 4, height)))
            left = (width - inner.shape[1]) // 2
            canvas[:, left : left + inner.shape[1]] = inner
        out.append(canvas)
    return out


def _crop(frames: Frames, share: float) -> Frames:
    height, width = frames[0].shape[:2]
    h, w = int(height * share), int(width * share)
    top, left = (height - h) // 2, (width - w) // 2
    return [np.ascontiguousarray(f[top : top + h, left : left + w]) for f in frames]


def _speed(frames: Frames, factor: float) -> Frames:
    """Played `factor` times as fast (frames dropped) or as slow (frames repeated)."""
    count = int(len(frames) / factor)
    return [frames[min(len(frames) - 1, int(k * factor))] for k in range(count)]


# kind -> (file suffix, codec, what it does to the frames, frames per second)
Edit = tuple[str, str, Callable[[Frames], Frames], float]
EDITS: dict[str, Edit] = {
    "reencode_vp9": (".webm", "libvpx-vp9", lambda f: f, FPS),
    "reencode_hevc_half": (".mkv", "libx265", lambda f: _resize(f, (240, 180)), FPS),
    "mpeg4_avi_lower_rate": (".avi", "mpeg4", lambda f: f[::3], FPS / 3),
    "clip": (".mp4", "libx264", lambda f: f[int(2 * FPS) : int(6 * FPS)], FPS),
    "crop_centred": (".mp4", "libx264", lambda f: _crop(f, 0.88), FPS),
    "letterbox": (".mp4", "libx264", lambda f: _bars(f, True), FPS),
    "pillarbox": (".mp4", "libx264", lambda f: _bars(f, False), FPS),
    "mirrored": (".mp4", "libx264", lambda f: [np.ascontiguousarray(x[:, ::-1]) for x in f], FPS),
    "rotated_90": (
        ".mp4",
        "libx264",
        lambda f: [np.ascontiguousarray(np.rot90(x)) for x in f],
        FPS,
    ),  # fmt: skip
    "greyscale": (
        ".mp4",
        "libx264",
        lambda f: [np.repeat(x.mean(axis=2, keepdims=True), 3, 2).astype(np.uint8) for x in f],
        FPS,
    ),  # fmt: skip
    "faster_1.5x": (".mp4", "libx264", lambda f: _speed(f, 1.5), FPS),
    "slower_0.75x": (".mp4", "libx264", lambda f: _speed(f, 0.75), FPS),
}


def screenshot(frame: np.ndarray) -> Image.Image:
    """The frame shown in a player window: title bar, controls, grey surround (90% size)."""
    width, height = SIZE
    canvas = Image.new("RGB", (width + 60, height + 110), (236, 236, 236))
    ImageDraw.Draw(canvas).rectangle((0, 0, canvas.width, 28), fill=(60, 60, 70))
    ImageDraw.Draw(canvas).text((10, 8), "Media Player - video.mp4", fill=(255, 255, 255))
    inner = Image.fromarray(frame).resize((int(width * 0.9), int(height * 0.9)))
    canvas.paste(inner, (30 + width // 20, 40))
    ImageDraw.Draw(canvas).rectangle((30, canvas.height - 50, canvas.width - 30,
                                      canvas.height - 40), fill=(120, 120, 120))  # fmt: skip
    return canvas


def write_corpus(folder: Path) -> dict[str, tuple[int, str]]:
    """Every source video, its edits, compilations, stills and screenshots; returns file name
    -> (source number, kind). A compilation's source is -1: it holds two sources."""
    photos = list(real_photographs().values())
    sources = [photos[k : k + 3] for k in range(0, len(photos) - 2, 3)]
    truth: dict[str, tuple[int, str]] = {}
    made: list[Frames] = []
    for number, group in enumerate(sources):
        frames = shots(group, number)
        made.append(frames)
        write_video(folder / f"s{number:02d}__original.mp4", frames, fps=FPS, gop=FPS)
        truth[f"s{number:02d}__original.mp4"] = (number, "original")
        for kind, (suffix, codec, edit, fps) in EDITS.items():
            name = f"s{number:02d}__{kind}{suffix}"
            quiet = {"x265-params": "log-level=error"} if codec == "libx265" else None
            write_video(folder / name, edit(frames), fps=fps, codec=codec, gop=int(fps) or 1,
                        bit_rate=400_000 if kind == "reencode_vp9" else None,
                        options=quiet)  # fmt: skip
            truth[name] = (number, kind)
        # the photograph a zoom shot shows whole at its start, as a picture of its own
        zoomed = group[1 - number % 2].convert("RGB")
        zoomed.thumbnail((800, 800))
        zoomed.save(folder / f"s{number:02d}__photograph.jpg", quality=88)
        truth[f"s{number:02d}__photograph.jpg"] = (number, "photograph")
        still = frames[int(4.3 * FPS)]  # between two kept frames, in a moving shot
        Image.fromarray(still).save(folder / f"s{number:02d}__still_frame.jpg", quality=85)
        truth[f"s{number:02d}__still_frame.jpg"] = (number, "still_frame")
        screenshot(frames[int(7.0 * FPS)]).save(folder / f"s{number:02d}__screenshot.png")
        truth[f"s{number:02d}__screenshot.png"] = (number, "screenshot")
    for number in range(len(made)):  # a compilation: 3 s of a source, then 3 s of the next
        other = (number + 1) % len(made)
        frames = made[number][: int(3 * FPS)] + made[other][int(3 * FPS) : int(6 * FPS)]
        name = f"c{number:02d}_{other:02d}__compilation.mp4"
        write_video(folder / name, frames, fps=FPS, gop=FPS)
        truth[name] = (-1, f"compilation {number} {other}")
    return truth


def _source_sets(truth: dict[str, tuple[int, str]]) -> dict[str, set[int]]:
    found = {}
    for name, (number, kind) in truth.items():
        if kind.startswith("compilation"):
            found[name] = {int(x) for x in kind.split()[1:]}
        else:
            found[name] = {number}
    return found


def _related(pair: frozenset[str], sets: dict[str, set[int]]) -> bool:
    """Whether two files share a source (a compilation shares both of its sources')."""
    first, second = tuple(pair)
    return bool(sets[first] & sets[second])


def predicted_pairs(db, level: str) -> set[frozenset[str]]:
    """Pairs shown together: members of a group, and a container with each member."""
    pairs: set[frozenset[str]] = set()
    for group in group_store.iter_groups(db, level):
        names = [(m["paths"][0].rsplit("/", 1)[-1], m["relation"]) for m in group if m["paths"]]
        members = [n for n, relation in names if relation == "member"]
        holders = [n for n, relation in names if relation == "contains"]
        pairs.update(frozenset(p) for p in combinations(members, 2))
        pairs.update(frozenset((h, m)) for h in holders for m in members)
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep the evidence and case in this folder")
    parser.add_argument("--regroup", type=Path, help="score again a folder kept by --keep: "
                        "group its case afresh (a change of the grouping alone)")  # fmt: skip
    args = parser.parse_args()
    if args.regroup:
        regroup(args.regroup)
    else:
        run(args.workers, args.keep)


def _truth_of(name: str) -> tuple[int, str]:
    """(source number, kind) of a file write_corpus made, from its name."""
    prefix, kind = name.split("__")[0], name.split("__")[1].rsplit(".", 1)[0]
    if prefix.startswith("c"):
        first, second = prefix[1:].split("_")
        return -1, f"compilation {int(first)} {int(second)}"
    return int(prefix[1:]), kind


def regroup(folder: Path) -> None:
    truth = {path.name: _truth_of(path.name) for path in (folder / "evidence").iterdir()}
    db = open_case(folder / "videos.vigil")
    started = time.perf_counter()
    update_groups(db, rebuild=True)
    print(f"regrouped in {time.perf_counter() - started:.1f} s")
    score(db, truth, 0.0, 0.0)
    db.close()


def run(workers: int = 2, keep: Path | None = None) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="vigil-video-nd-"))
    try:
        evidence = tmp / "evidence"
        evidence.mkdir()
        started = time.perf_counter()
        truth = write_corpus(evidence)
        made = time.perf_counter() - started
        case = tmp / "videos.vigil"
        started = time.perf_counter()
        ingest(case, [evidence], workers=workers)
        ingested = time.perf_counter() - started
        db = open_case(case)
        update_groups(db)
        score(db, truth, made, ingested)
        db.close()
        if keep:
            shutil.copytree(tmp, keep, dirs_exist_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def score(db, truth: dict[str, tuple[int, str]], made: float, ingested: float) -> None:
    """Print pair precision and the recall of each kind (the copy shown with its source's
    original video)."""
    found = predicted_pairs(db, "normal")
    sets = _source_sets(truth)
    correct = {p for p in found if _related(p, sets)}
    precision = len(correct) / len(found) if found else 1.0
    sources = sum(1 for _, kind in truth.values() if kind == "original")
    print(f"Video near-duplicates: {len(truth)} files from {sources} source videos, "
          f"made in {made:.0f} s, ingested in {ingested:.0f} s; {len(found)} pairs shown "
          f"together, pair precision {precision:.3f}")  # fmt: skip
    kinds: dict[str, list[int]] = {}
    for name, (_, kind) in truth.items():
        if kind == "original":
            continue
        key = "compilation" if kind.startswith("compilation") else kind
        for number in sorted(sets[name]):
            hit = kinds.setdefault(key, [0, 0])
            hit[0] += int(frozenset((name, f"s{number:02d}__original.mp4")) in found)
            hit[1] += 1
    total = [sum(v[0] for v in kinds.values()), sum(v[1] for v in kinds.values())]
    print(f"  recall, every kind: {total[0] / total[1]:.3f} ({total[0]}/{total[1]})")
    for kind, (hit, count) in kinds.items():
        print(f"  {kind:24s} {hit / count:.2f} ({hit}/{count})")
    short = [k for k, (hit, count) in kinds.items() if hit / count < 0.95]
    print(f"  kinds under recall 0.95: {', '.join(short) or 'none'}; target precision 1.000")
    for pair in sorted(tuple(sorted(p)) for p in found - correct)[:10]:
        print(f"  false pair: {pair[0]} ~ {pair[1]}")
    misses = [name for name, (_, kind) in truth.items() if kind != "original" and not all(
        frozenset((name, f"s{n:02d}__original.mp4")) in found for n in sets[name])]  # fmt: skip
    for name in sorted(misses)[:20]:
        print(f"  missed: {name}")


if __name__ == "__main__":
    main()
