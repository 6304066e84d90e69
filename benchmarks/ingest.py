"""Ingest speed and memory: `vigil ingest` against a minimal digest + draft-decode + pHash loop.

Usage: python benchmarks/ingest.py [--count 2000] [--rounds 3] [--skip-parallel-baseline]

Prints, from one run on the same folder ((b) measured --rounds times, (a) before the first and
after each, as a shared machine's speed drifts by 10% within minutes: each round's (b) is set
against the mean of the (a) just before and after it; the verdict is on the median ratio):
(a) the minimal single-process loop in images/s, drafting JPEGs to the issue's reduced size as
    ingest does (longest side about 512: 1/8 of 4000x3000, 1/4 of 1920x1080);
(a8) the same loop drafting every size at 1/8 (cheaper for the 1920x1080 half; for comparison);
(a2) loop (a) over all cores;
(b) `vigil ingest` in images/s (which also computes dHash, PDQ, the similarity fingerprints,
    EXIF, a thumbnail, writes the case and groups near duplicates);
the ratio b/a of each round and their median (target >= 1.6 on 2 cores), and the peak memory
of the whole ingest process tree (target < 1 GiB, not growing with N: it is measured at N/4 too).

Vigil's own modules are compiled to bytecode first, as an installed program has them (pip and
PyInstaller compile at install): run from a source tree with PYTHONDONTWRITEBYTECODE set, every
`vigil ingest` would compile its 95 modules again (0.17 s of a 14 s run).
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import imagehash
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from photo_corpus import photo_folder  # noqa: E402


def reduced_draft(width: int, height: int) -> tuple[int, int]:
    """The issue's reduced decode: the smallest JPEG scale (1/2 .. 1/8) that keeps the longest
    side at 400 px or more, so about 512 (1/8 of 4000x3000, 1/4 of 1920x1080), as ingest does."""
    scale = 1
    while scale < 8 and max(width, height) / (scale * 2) >= 400:
        scale *= 2
    return width // scale, height // scale


def eighth_draft(width: int, height: int) -> tuple[int, int]:
    """1/8 whatever the size (240x135 for 1920x1080): cheaper than the issue's reduced decode."""
    return width // 8, height // 8


def minimal_work(path: str, draft: Callable[[int, int], tuple[int, int]] = reduced_draft) -> str:
    """What any tool must do at least: one read, three digests, a draft decode, a pHash."""
    with open(path, "rb") as handle:
        data = handle.read()
    for name in ("md5", "sha1", "sha256"):
        hashlib.new(name, data).hexdigest()
    img = Image.open(io.BytesIO(data))
    img.draft("RGB", draft(img.width, img.height))
    return str(imagehash.phash(img.convert("RGB")))


def files_in(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.iterdir() if p.suffix == ".jpg")


def baseline_single(files: list[str], draft: Callable[[int, int], tuple[int, int]]) -> float:
    start = time.perf_counter()
    for path in files:
        minimal_work(path, draft)
    return len(files) / (time.perf_counter() - start)


def baseline_parallel(files: list[str]) -> float:
    start = time.perf_counter()
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        list(pool.map(minimal_work, files, chunksize=4))
    return len(files) / (time.perf_counter() - start)


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def run_vigil_ingest(folder: Path) -> tuple[float, int]:
    """(images/s, peak RSS of the process tree) of a real `vigil ingest` into a fresh case."""
    with tempfile.TemporaryDirectory() as tmp:
        case = Path(tmp) / "bench.vigil"
        command = [sys.executable, "-m", "desktop", "ingest", "--quiet", "--case", str(case),
                   str(folder)]  # fmt: skip
        peak = 0
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss_bytes(process.pid))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = process.wait()
        elapsed = time.perf_counter() - start
        done.set()
        sampler.join()
        if code != 0:
            raise SystemExit(f"vigil ingest failed with exit code {code}")
    return len(files_in(folder)) / elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-parallel-baseline", action="store_true")
    args = parser.parse_args()
    folder = photo_folder(args.count)
    files = files_in(folder)
    megapixels = sum(Image.open(f).width * Image.open(f).height for f in files[:2]) / 2e6
    print(
        f"{len(files)} JPEGs, alternating 4000x3000 and 1920x1080 (mean {megapixels:.1f} MP), "
        f"{os.cpu_count()} cores"
    )
    for path in files[:20]:  # warm the page cache so both sides read from memory
        minimal_work(path)
    compileall.compile_dir(Path(__file__).resolve().parents[1] / "desktop", quiet=1)
    eighth = baseline_single(files, eighth_draft)
    print(f"(a8) minimal loop drafting every size at 1/8: {eighth:7.1f} images/s")
    if not args.skip_parallel_baseline:
        parallel = baseline_parallel(files)
        print(f"(a2) minimal loop, all cores:      {parallel:7.1f} images/s")
    # (a) is measured before the first round and after each: a round's (b) is set against the
    # mean of the (a) just before and just after it, so a machine that drifts faster or slower
    # during the run moves both sides of the ratio alike
    ratios, peak = [], 0
    single_before = baseline_single(files, reduced_draft)
    for round_number in range(1, args.rounds + 1):
        rate, round_peak = run_vigil_ingest(folder)
        single_after = baseline_single(files, reduced_draft)
        single = (single_before + single_after) / 2
        peak = max(peak, round_peak)
        ratios.append(rate / single)
        print(
            f"round {round_number}: (a) minimal loop, 1 process {single_before:6.1f} before, "
            f"{single_after:6.1f} after; (b) vigil ingest (full analysis) {rate:6.1f} images/s; "
            f"(b)/(a) {rate / single:.3f}"
        )
        single_before = single_after
    ratio = statistics.median(ratios)
    verdict = "met" if ratio >= 1.6 else "MISSED"
    print(
        f"ratio (b)/(a), median of {len(ratios)}: {ratio:.3f}  "
        f"(target >= 1.6 on 2 cores: {verdict})"
    )
    print(f"peak memory of the ingest process tree: {peak / 2**20:.0f} MiB  (target < 1024 MiB)")
    if args.count >= 8:
        _, small_peak = run_vigil_ingest(photo_folder(args.count // 4))
        print(
            f"peak memory at N/4 = {args.count // 4}: {small_peak / 2**20:.0f} MiB; "
            f"at N: {peak / 2**20:.0f} MiB (ratio {peak / small_peak:.2f}: memory does not "
            "grow with N when this is near 1)"
        )


if __name__ == "__main__":
    main()
