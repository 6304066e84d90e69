"""Case reports: HTML and PDF of 10,000 and 2,500 media with blurred thumbnails.

Prints, per format and size, the time, media per second, the peak memory of the process that
wrote it, and the ratio of its time to reading the same rows and thumbnails from the case
(report_rows.iter_media plus decoding each thumbnail) in the same run. Targets: at least 300
media/s into HTML; memory flat between the two sizes. Each measure runs in a fresh process.

    python -m benchmarks.report [--media 10000] [--dir /tmp/vigil-report-bench]
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

from benchmarks.make_large_case import write_case


def _peak_mb() -> float:
    """This process's peak resident memory. ru_maxrss survives fork and exec (getrusage(2)):
    a measure started by the parent after it made a 10,000-media case would report the
    parent's size. VmHWM belongs to the process's own memory map, new at exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, case: Path, out: Path) -> dict[str, float]:
    """One measure in this process (run by the parent in a fresh one)."""
    from desktop.jobs.report import write_report
    from desktop.store import report_rows
    from desktop.store.db import open_case

    db = open_case(case)
    started = time.perf_counter()
    media = 0
    if kind == "read":
        for batch in report_rows.iter_media(db, report_rows.Scope()):
            for row in batch:
                if row.thumbnail:
                    Image.open(io.BytesIO(row.thumbnail)).convert("RGB")
            media += len(batch)
    else:
        media = write_report(db, case, out, force=True).media
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "media": media, "peak_mb": _peak_mb(),
            "bytes": out.stat().st_size if out.exists() else 0}  # fmt: skip


def run(kind: str, case: Path, out: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.report", "--measure", kind, str(case), str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--media", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/vigil-report-bench2"))
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "CASE", "OUT"))
    args = parser.parse_args()
    if args.measure:
        kind, case, out = args.measure
        print(json.dumps(measure(kind, Path(case), Path(out))))
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    sizes = (args.media, args.media // 4)
    results: dict[tuple[str, int], dict[str, float]] = {}
    for size in sizes:
        case = args.dir / f"report-{size}.vigil"
        if not case.exists():
            # thumbnails as ingest stores them, each different (a PDF stores a repeat once)
            write_case(case, size, thumb_side=256, distinct_thumbnails=True)
        for kind in ("read", "html", "pdf"):
            results[kind, size] = r = run(kind, case, args.dir / f"report-{size}.{kind}")
            rate = r["media"] / r["seconds"]
            print(f"{kind:>4} {size:>6} media: {r['seconds']:7.2f} s  {rate:7.0f} media/s  "
                  f"peak {r['peak_mb']:6.0f} MiB  file {r['bytes'] / 1e6:6.1f} MB")  # fmt: skip
    big, small = sizes
    for kind in ("html", "pdf"):
        ratio = results[kind, big]["seconds"] / results["read", big]["seconds"]
        rate = results[kind, big]["media"] / results[kind, big]["seconds"]
        growth = results[kind, big]["peak_mb"] / results[kind, small]["peak_mb"]
        print(
            f"{kind}: {rate:.0f} media/s at {big} media; time / reading the same rows and "
            f"thumbnails {ratio:.2f}; peak memory {big} vs {small} media x{growth:.2f}"
        )
    html_rate = results["html", big]["media"] / results["html", big]["seconds"]
    growth = {k: results[k, big]["peak_mb"] / results[k, small]["peak_mb"] for k in ("html", "pdf")}
    flat = "; ".join(
        f"{k.upper()} memory flat (x{g:.2f}): {'met' if g < 1.1 else 'NOT met'}"
        for k, g in growth.items()
    )
    print(f"targets: HTML >= 300 media/s: {'met' if html_rate >= 300 else 'NOT met'}; {flat}")


if __name__ == "__main__":
    main()
