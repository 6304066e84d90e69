"""Frame latency of the player: seek to a time and paint the blurred frame, median and 95th
percentile on a 1080p H.264 video, beside a bare PyAV seek-and-decode of the same frames in the
same run (the baseline: what decoding alone costs).

The video is generated here with PyAV (moving shapes over generated scenes, a cut every 3 s,
a keyframe every 2 s as phone cameras write), ingested into a fresh case, then shown in the real
viewer offscreen: each measured seek goes through FrameEngine (evidence opened read-only, PyAV
decode in the player's thread, prepared with the blur's tiny copy) to a painted ImageView.

    python benchmarks/video_frame_latency.py [--seconds 30] [--seeks 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import av  # noqa: E402
import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.core.video_samples import scene_frames, write_video  # noqa: E402
from desktop.jobs.ingest import ingest  # noqa: E402
from desktop.store.db import open_case  # noqa: E402
from desktop.ui.video_player import FrameEngine, Look  # noqa: E402
from desktop.ui.widgets.image_view import ImageView  # noqa: E402


def make_video(path: Path, seconds: float) -> Path:
    shots = max(1, round(seconds / 3))
    frames = scene_frames(range(shots), (1920, 1080), 3.0, 25)
    return write_video(path, frames, fps=25, gop=50)


def bare_pyav(path: Path, times: list[float]) -> list[float]:
    """Seconds per seek: seek to the keyframe before, decode up to the time, to RGB."""
    spent = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_count = 2
        for wanted in times:
            start = time.perf_counter()
            container.seek(int(wanted / stream.time_base), stream=stream, backward=True)
            for frame in container.decode(stream):
                if frame.time is not None and frame.time >= wanted - 0.02:
                    frame.to_ndarray(format="rgb24")
                    break
            spent.append(time.perf_counter() - start)
    return spent


def player(app: QApplication, case: Path, media_id: int, times: list[float]) -> list[float]:
    """Seconds per seek: FrameEngine.seek until the blurred frame is painted in the viewer."""
    view = ImageView()
    view.resize(1280, 720)
    view.show()
    engine = FrameEngine(case, media_id, Look(40, False))
    spent = []
    try:
        for wanted in times:
            start = time.perf_counter()
            engine.seek(wanted)
            frames: list = []
            while not frames:
                app.processEvents()
                frames = engine.take()
                if not frames:
                    time.sleep(0.0005)
                if time.perf_counter() - start > 30:
                    raise SystemExit(f"no frame at {wanted:.2f} s")
            view.show_frame(frames[-1].picture)
            view.repaint()
            spent.append(time.perf_counter() - start)
    finally:
        engine.stop()
    return spent


def summary(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seeks", type=int, default=60)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "evidence"
        folder.mkdir()
        started = time.perf_counter()
        video = make_video(folder / "clip.mp4", args.seconds)
        print(
            f"wrote a {args.seconds:g} s 1080p H.264 video in {time.perf_counter() - started:.1f} s"
        )
        case = Path(tmp) / "case.vigil"
        ingest(case, [folder], workers=1)
        media_id = int(open_case(case).execute("SELECT id FROM media").fetchone()[0])
        rng = np.random.default_rng(14)
        times = sorted(rng.uniform(0, args.seconds - 0.5, args.seeks).tolist())
        rng.shuffle(times)
        bare_pyav(video, times[:5])  # warm the file cache for both
        baseline = bare_pyav(video, times)
        ours = player(app, case, media_id, times)
    b_median, b_p95 = summary(baseline)
    o_median, o_p95 = summary(ours)
    print(f"\n{args.seeks} seeks on 1080p H.264 (keyframe every 2 s), times in ms")
    print(f"{'':34} {'median':>8} {'p95':>8}")
    print(f"{'bare PyAV seek + decode + RGB':34} {b_median * 1000:8.1f} {b_p95 * 1000:8.1f}")
    print(f"{'player: seek to blurred frame shown':34} {o_median * 1000:8.1f} {o_p95 * 1000:8.1f}")
    print(f"{'ratio (player / bare)':34} {o_median / b_median:8.2f} {o_p95 / b_p95:8.2f}")


if __name__ == "__main__":
    main()
