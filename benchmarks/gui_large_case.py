"""Open a big case in the real window (offscreen): open time, first paint, filter times.

The baseline is the same window on a 1,000-media case made in the same run, so the ratio says
how much the case's size costs (1.0 = nothing). With --videos the baseline is 1,000 videos, and
the videos-only filter, the sort by duration and stepping a tile through its storyboard are
timed too.

    python benchmarks/make_large_case.py /tmp/large.vigil          # once, ~3 minutes
    python benchmarks/gui_large_case.py /tmp/large.vigil
    python benchmarks/make_large_case.py /tmp/videos.vigil --media 100000 --videos
    python benchmarks/gui_large_case.py /tmp/videos.vigil --videos
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script, as above

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.make_large_case import write_case  # noqa: E402
from desktop.store.db import open_case  # noqa: E402
from desktop.ui import workers  # noqa: E402
from desktop.ui.gc_guard import UiThreadCollector  # noqa: E402
from desktop.ui.main_window import MainWindow  # noqa: E402
from desktop.ui.settings import AnalystSettings  # noqa: E402
from desktop.ui.style import apply_style  # noqa: E402

FILTERS = [
    ("not yet reviewed", lambda bar: bar.review.setCurrentIndex(bar.review.findData(False))),
    ("problems only", lambda bar: bar.status.setCurrentIndex(bar.status.findData("problems"))),
    ("category 1 (none)", lambda bar: bar.category.setCurrentIndex(bar.category.findData(1))),
    ("sort by date taken", lambda bar: bar.sort.setCurrentIndex(bar.sort.findData("taken"))),
    ("sort by camera", lambda bar: bar.sort.setCurrentIndex(bar.sort.findData("camera"))),
    ("search 'iphone' (20%)", lambda bar: (bar.search.setText("iphone"), bar.refresh_filters())),
    ("search a folder (0.1%)", lambda bar: (
        bar.search.setText("folder0420"), bar.refresh_filters(),
    )),
    ("problems+unreviewed+date", lambda bar: (
        bar.status.setCurrentIndex(bar.status.findData("problems")),
        bar.review.setCurrentIndex(bar.review.findData(False)),
        bar.sort.setCurrentIndex(bar.sort.findData("taken")),
    )),
]  # fmt: skip


VIDEO_FILTERS = [
    ("sort by duration", lambda bar: bar.sort.setCurrentIndex(bar.sort.findData("duration"))),
    ("problems+unreviewed+duration", lambda bar: (
        bar.status.setCurrentIndex(bar.status.findData("problems")),
        bar.review.setCurrentIndex(bar.review.findData(False)),
        bar.sort.setCurrentIndex(bar.sort.findData("duration")),
    )),
]  # fmt: skip


def reset(bar) -> None:
    for combo in (bar.sort, bar.review, bar.category, bar.status, bar.type):
        combo.blockSignals(True)
        combo.setCurrentIndex(0)
        combo.blockSignals(False)
    bar.search.blockSignals(True)
    bar.search.clear()
    bar.search.blockSignals(False)
    bar.refresh_filters()


def visible_painted(window: MainWindow) -> bool:
    """Every tile on screen has its (blurred) picture or is known to have none."""
    ws = window.workspace
    assert ws is not None
    grid, model = ws.grid, ws.model
    if model.rowCount() == 0:
        return True
    area = grid.viewport().rect()
    rows = [
        r
        for r in range(min(model.rowCount(), 300))
        if grid.visualRect(model.index(r)).intersects(area)
    ]
    return all(model.has_tile(model.media_id(r)) for r in rows)


def wait_painted(app: QApplication, window: MainWindow, limit: float = 30.0) -> None:
    end = time.perf_counter() + limit
    viewport = window.workspace.grid.viewport()
    while time.perf_counter() < end:
        # offscreen there is no expose from a screen: paint as a screen would, which is
        # also what asks the model for the tiles
        viewport.repaint()
        app.processEvents()
        if visible_painted(window):
            viewport.repaint()
            return
        time.sleep(0.002)
    model = window.workspace.model
    missing = [r.id for r in model.rows[:40] if not model.has_tile(r.id)]
    raise SystemExit(f"tiles did not arrive: {missing[:10]} of {model.rowCount()} rows")


def step_storyboard(app: QApplication, window: MainWindow) -> float:
    """Seconds to step the first tile through its 16 storyboard frames, each painted."""
    ws = window.workspace
    media_id = ws.model.media_id(0)
    start = time.perf_counter()
    for k in range(16):
        ws.model.set_step(media_id, (k + 0.5) / 16)
        end = time.perf_counter() + 10
        while ws.model.storyboard_frames(media_id) is None and time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)
        ws.grid.viewport().repaint()
    ws.model.set_step(None)
    return time.perf_counter() - start


def measure(
    app: QApplication, case: Path, settings_dir: str, videos: bool = False
) -> dict[str, float]:
    open_case(case).close()  # migrations of an older file are not what we time
    settings = AnalystSettings(QSettings(f"{settings_dir}/a.ini", QSettings.Format.IniFormat))
    window = MainWindow(settings)
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    figures: dict[str, float] = {}
    start = time.perf_counter()
    window.open_case(case)
    figures["open"] = time.perf_counter() - start
    wait_painted(app, window)
    figures["first paint"] = time.perf_counter() - start
    bar = window.workspace.filter_bar
    grid = window.workspace.grid
    start = time.perf_counter()
    for _ in range(10):  # ten pages further down, each fetched and painted
        grid.scrollToBottom()
        app.processEvents()
        wait_painted(app, window)
    figures["scroll 10 pages (per page)"] = (time.perf_counter() - start) / 10
    filters = list(FILTERS)
    if videos:
        kinds = window.workspace.video.kind_filter
        filters += VIDEO_FILTERS
        filters.append(("videos only", lambda bar: kinds.setCurrentIndex(kinds.findData("videos"))))
    for name, apply in filters:
        reset(bar)
        wait_painted(app, window)
        start = time.perf_counter()
        apply(bar)
        app.processEvents()
        wait_painted(app, window)
        figures[f"filter: {name}"] = time.perf_counter() - start
    if videos:
        reset(bar)
        window.workspace.video.kind_filter.setCurrentIndex(0)
        wait_painted(app, window)
        figures["storyboard: 16 steps of a tile"] = step_storyboard(app, window)
    window.close()
    workers.wait_all()
    window.deleteLater()
    app.processEvents()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", type=Path, help="a big case (make_large_case.py)")
    parser.add_argument("--videos", action="store_true", help="a case of videos (--videos)")
    args = parser.parse_args()
    if not args.case.exists():
        sys.exit(f"{args.case} does not exist: run benchmarks/make_large_case.py first")
    sys.setswitchinterval(0.001)  # as the program does (see desktop/app.py)
    app = QApplication.instance() or QApplication([])
    apply_style(app)
    UiThreadCollector(app)  # as the program does (see desktop/app.py)
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.vigil"
        write_case(small, 1000, videos=args.videos)
        baseline = measure(app, small, tmp, args.videos)
        large = measure(app, args.case, tmp, args.videos)
    media = open_case(args.case).execute("SELECT COUNT(*) FROM media").fetchone()[0]
    kind = "videos" if args.videos else "media"
    print(f"\n{media:,} {kind} in {args.case}; baseline 1,000 {kind}")
    print(f"{'measure':36} {'large':>9} {'baseline':>9} {'ratio':>7}")
    for name, value in large.items():
        ratio = value / baseline[name] if baseline[name] else float("nan")
        print(f"{name:36} {value:8.3f}s {baseline[name]:8.3f}s {ratio:7.2f}")


if __name__ == "__main__":
    main()
