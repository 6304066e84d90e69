"""Video ingest speed: video seconds fingerprinted per wall second by `vigil ingest` (2 workers),
beside a bare single-process PyAV loop decoding the same frames in the same run; peak memory at
N and N/4 videos; and what each of FFmpeg's cheaper decoding modes buys. Also the CPU seconds
of each (a run's ratio on a loaded machine says little; its CPU a video still does), and the
bare loop with the ingest's own decoder setting (loop filter skipped), for the ratio owed to the
rest of the ingest. Every file is read once before each timed run (a warm page cache for all).
The bare loop decodes the frames the ingest kept: its keyframes, and, where keyframes are far
apart (the 720p profile), the frames the ingest decoded between them, read from the case.

Videos are generated once with PyAV (kept in --store, reused by later runs): 1080p H.264 as
phones write it (a keyframe a second) and 720p H.264 as a download is encoded (x264's own
keyframe rule: at cuts and every 250 frames), minutes long, of real photographs panned and
cut, with moving shapes, a text overlay and sensor noise. Vigil's own modules are compiled to
bytecode first, as an installed program has them (see benchmarks/ingest.py).

    pip install -e '.[bench]'
    flock /tmp/vigil-bench.lock python benchmarks/video_ingest.py [--videos 4] [--minutes 2]
        [--profiles 1080p 720p] [--rounds 3] [--make-only: the videos alone, untimed, outside
        the lock]

(a) and (b) are measured in turn, --rounds times (a shared machine's speed drifts by 10% within
minutes), and the verdict is on the median ratio.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

from desktop.core.video_samples import write_video

FPS = 25
SHOT_SECONDS = (4, 9)  # shots last between these (cuts between them)
# (size, frames between forced keyframes, name): phone-like and download-like encodes
PROFILES = {
    "1080p": ((1920, 1080), FPS, "H.264 1080p, a keyframe a second (as phones record)"),
    "720p": ((1280, 720), 250, "H.264 720p, x264's keyframes (cuts, every 250 frames)"),
}


def _photographs() -> list[Image.Image]:
    import skimage.data as data

    return [Image.fromarray(f()) for f in (data.astronaut, data.coffee, data.chelsea,
                                           data.rocket, data.immunohistochemistry)]  # fmt: skip


def synthetic_frames(size: tuple[int, int], seconds: float, seed: int):
    """Shots of photographs panned slowly and cut, a bright square and disc moving across, a
    text overlay (a camera's time stamp) and sensor noise."""
    rng = np.random.default_rng(seed)
    width, height = size
    photos = _photographs()
    noise = [rng.integers(-5, 6, size=(height, width, 3), dtype=np.int16) for _ in range(4)]
    label = Image.new("RGB", (width // 3, height // 16), (0, 0, 0))
    ImageDraw.Draw(label).text((4, 2), f"CAM {seed:02d}  2024-05-0{seed % 9 + 1}  REC",
                               fill=(255, 255, 255))  # fmt: skip
    text = np.asarray(label)
    total, frame = int(seconds * FPS), 0
    while frame < total:
        shot = int(rng.integers(*SHOT_SECONDS)) * FPS
        photo = photos[int(rng.integers(len(photos)))]
        big = np.asarray(photo.resize((int(width * 1.3), int(height * 1.3)), Image.BILINEAR))
        for k in range(min(shot, total - frame)):
            x = int(k / shot * width * 0.3)
            y = int(k / shot * height * 0.15)
            image = big[y : y + height, x : x + width].astype(np.int16) + noise[frame % 4]
            side = height // 8
            left = (frame * 7) % (width - side)
            image[height // 2 : height // 2 + side, left : left + side] = 240
            top = (frame * 5) % (height - side)
            image[top : top + side, width // 3 : width // 3 + side] = (200, 40, 40)
            place = (frame // FPS) % 4
            image[16 + place * 4 : 16 + place * 4 + text.shape[0], 16 : 16 + text.shape[1]] = text
            yield np.clip(image, 0, 255).astype(np.uint8)
            frame += 1


def make_videos(
    store: Path, count: int, minutes: float, profiles: list[str] | None = None
) -> dict[str, list[Path]]:
    """`count` videos of each profile in `store` (made once, reused when already there)."""
    made: dict[str, list[Path]] = {}
    for name, (size, gop, _) in PROFILES.items():
        if profiles and name not in profiles:
            continue
        folder = store / f"{name}-{minutes:g}min"
        folder.mkdir(parents=True, exist_ok=True)
        made[name] = []
        for number in range(count):
            path = folder / f"video{number:02d}.mp4"
            if not path.exists():
                started = time.perf_counter()
                partial = path.with_suffix(".part.mp4")
                write_video(partial, synthetic_frames(size, minutes * 60, number + 1), fps=FPS,
                            gop=gop, bit_rate=8_000_000 if name == "1080p" else 3_000_000,
                            options={"preset": "superfast"})  # fmt: skip
                partial.rename(path)
                print(f"  made {path.name} ({name}) in {time.perf_counter() - started:.0f} s",
                      file=sys.stderr)  # fmt: skip
            made[name].append(path)
    return made


def duration(path: Path) -> float:
    with av.open(str(path)) as container:
        return float(container.duration or 0) / av.time_base


def _children_cpu() -> float:
    """CPU seconds of every child process waited for so far (their own children included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ingest_run(
    folder: Path, workers: int = 2
) -> tuple[float, float, float, dict[str, list[float]]]:
    """(wall seconds, CPU seconds of all its processes, peak MiB of the largest process) of
    `vigil ingest` on a folder, and the times of the frames it kept of each file (by name)."""
    with tempfile.TemporaryDirectory() as tmp:
        case = Path(tmp) / "bench.vigil"
        cpu = _children_cpu()
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "desktop", "ingest", "--case", str(case),
                        "--workers", str(workers), "--quiet", str(folder)], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        seconds = time.perf_counter() - started
        cpu = _children_cpu() - cpu
        with sqlite3.connect(case) as db:
            rows = db.execute(
                "SELECT f.path, v.frame_times FROM files f JOIN videos v ON v.media_id = f.media_id"
            ).fetchall()
        kept = {Path(p).name: (np.frombuffer(t, "<i4") / 1000).tolist() for p, t in rows}
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, cpu, peak, kept


def bare_run(
    paths: list[Path], kept: dict[str, list[float]], loop_filter: str | None = None
) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, frames) of the bare loop over `paths`, one after the other,
    decoding the frames the ingest kept of each (`kept`, by name)."""
    cpu, started = time.process_time(), time.perf_counter()
    frames = sum(
        bare_decode(p, loop_filter=loop_filter, between=kept.get(p.name, [])) for p in paths
    )
    return time.perf_counter() - started, time.process_time() - cpu, frames


def read_through(paths: list[Path]) -> None:
    """Read every file once, so each timed run finds them in the page cache (a run must not pay
    for a disk read the other did not: the machine may evict pages left alone for a minute)."""
    for path in paths:
        with open(path, "rb") as handle:
            while handle.read(1 << 22):
                pass


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def bare_decode(path: Path, skip: str = "NONKEY", loop_filter: str | None = None,
                threads: int = 1, thread_type: str | None = None, spacing: float = 0.95,
                convert: bool = True, between: list[float] | None = None) -> int:  # fmt: skip
    """A bare PyAV loop: every packet read, the keyframes at least `spacing` apart decoded (as
    the ingest's selection takes them) and turned into a 512-pixel RGB array; then the frames
    at the times in `between` that are not keyframes (those the ingest kept between keyframes
    far apart), each from a seek to the keyframe before it. Frames decoded."""
    decoded, last, keys, taken = 0, -1e9, [], []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        context = stream.codec_context
        context.thread_count = threads
        if thread_type:
            context.thread_type = thread_type
        if loop_filter:
            context.options = {"skip_loop_filter": loop_filter}
        context.skip_frame = skip
        base, start = float(stream.time_base), stream.start_time or 0
        for packet in container.demux(stream):
            if skip == "NONKEY" and (not packet.is_keyframe or packet.size == 0):
                continue
            when = ((packet.pts or 0) - start) * base
            keys.append(when)  # every keyframe: where a group of pictures starts
            if skip == "NONKEY" and when - last < spacing:
                continue
            last = when
            taken.append(when)
            for frame in context.decode(packet):
                decoded += _use(frame, convert)
        try:
            for frame in context.decode(None):  # what the decoder still holds back
                decoded += _use(frame, convert)
        except av.EOFError:  # already drained (frame threads)
            pass
        if between and skip == "NONKEY":
            targets = [t for t in between if all(abs(t - k) > 1e-3 for k in taken)]
            decoded += _frames_at(container, stream, targets, keys, convert)
    return decoded


def _frames_at(container, stream, targets: list[float], keys: list[float], convert: bool) -> int:
    """The first frame at or after each time (sorted), one seek per group of pictures, frames
    no other refers to skipped (as the ingest decodes them)."""
    context = stream.codec_context
    context.skip_frame = "NONREF"
    base, start = float(stream.time_base), stream.start_time or 0
    decoded, pending = 0, list(targets)
    while pending:
        container.seek(int(pending[0] / base) + start, stream=stream, backward=True)
        at, count = -1.0, 0
        for packet in container.demux(stream):
            for frame in context.decode(packet):
                at, count = ((frame.pts or 0) - start) * base, count + 1
                if at >= pending[0] - 1e-3:
                    decoded += _use(frame, convert)
                    while pending and pending[0] <= at + 1e-3:
                        pending.pop(0)
            if not pending or (at >= 0 and any(at < k <= pending[0] for k in keys)):
                break
        else:
            break
        if count == 0:
            pending.pop(0)  # nothing decodes there
    return decoded


def _use(frame: av.VideoFrame, convert: bool) -> int:
    if convert:
        frame.reformat(width=512, height=288, format="rgb24", interpolation="AREA").to_ndarray()
    return 1


def linked(paths: list[Path], folder: Path) -> Path:
    """A folder of hard links to `paths` (a subset to ingest; the evidence is not copied)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths:
        target = folder / path.name
        if not target.exists():
            os.link(path, target)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=4, help="videos of each profile (N)")
    parser.add_argument("--minutes", type=float, default=2.0, help="length of each video")
    parser.add_argument("--store", type=Path, default=Path("/tmp/vigil-bench-videos"))
    parser.add_argument("--profiles", nargs="+", choices=list(PROFILES), default=list(PROFILES))
    parser.add_argument("--rounds", type=int, default=3, help="(a) and (b) in turn, this often")
    parser.add_argument("--make-only", action="store_true", help="make the videos, measure nothing")
    args = parser.parse_args()
    made = make_videos(args.store, args.videos, args.minutes, args.profiles)
    if args.make_only:
        return
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    compileall.compile_dir(Path(__file__).resolve().parents[1] / "desktop", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        for name, paths in made.items():
            seconds_of_video = sum(duration(p) for p in paths)
            quarter = linked(paths[: max(1, len(paths) // 4)], Path(tmp) / f"{name}-quarter")
            whole = linked(paths, Path(tmp) / f"{name}-all")
            print(f"{PROFILES[name][2]}: {len(paths)} videos, {seconds_of_video / 60:.1f} min "
                  f"(load average {load()})")  # fmt: skip
            read_through(paths)
            small_wall, _, small_peak, _ = ingest_run(quarter)
            count = len(paths)
            ratios, ratios_same, peak = [], [], 0.0
            for round_number in range(1, args.rounds + 1):
                read_through(paths)
                wall, cpu, round_peak, kept = ingest_run(whole)
                peak = max(peak, round_peak)
                read_through(paths)
                bare, bare_cpu, frames = bare_run(paths, kept)
                # the ingest skips the loop filter in its keyframe pass (core/video_decode.py):
                # the bare loop with that setting too, for the ratio owed to the rest of ingest
                same, same_cpu, _ = bare_run(paths, kept, "all")
                a, b, c = seconds_of_video / wall, seconds_of_video / bare, seconds_of_video / same
                ratios.append(a / b)
                ratios_same.append(a / c)
                print(f"  round {round_number}:")
                print(
                    f"    (a) vigil ingest, 2 workers: {a:.1f}x real time ({wall:.1f} s wall; "
                    f"CPU of all its processes {cpu:.1f} s, {cpu / count:.2f} s a video)"
                )
                print(
                    f"    (b) bare PyAV loop, one process, the same frames ({frames} frames): "
                    f"{b:.1f}x real time ({bare:.1f} s; CPU {bare_cpu / count:.2f} s a video)"
                )
                print(f"    (b') the bare loop with the ingest's decoder setting (loop filter "
                      f"skipped): {c:.1f}x real time ({same:.1f} s; CPU {same_cpu / count:.2f} s "
                      f"a video)")  # fmt: skip
                print(f"    (a)/(b) = {a / b:.2f}; (a)/(b') = {a / c:.2f}")
            print(f"  (a)/(b), median of {len(ratios)} rounds: {statistics.median(ratios):.2f} "
                  f"(target >= 1.5); (a)/(b'): {statistics.median(ratios_same):.2f}")  # fmt: skip
            print(f"  peak memory of the largest process: {small_peak:.0f} MiB at "
                  f"{len(list(quarter.iterdir()))} videos ({small_wall:.1f} s), {peak:.0f} MiB "
                  f"at {count}")  # fmt: skip
            print(f"  load average after: {load()}")
    first = next(iter(made))
    sample = made[first][0]
    print(
        f"Decoding modes, one {PROFILES[first][2]} video ({duration(sample):.0f} s), one "
        "process, a frame a second turned into a 512-pixel RGB array:"
    )
    for label, options in (
        ("every frame decoded (no skipping), 1 thread", {"skip": "DEFAULT", "spacing": 0}),
        ("keyframes only (skip_frame=NONKEY), 1 thread", {}),
        ("keyframes only, loop filter skipped", {"loop_filter": "all"}),
        ("keyframes only, 2 frame threads", {"threads": 2, "thread_type": "FRAME"}),
        ("keyframes only, 2 slice threads", {"threads": 2, "thread_type": "SLICE"}),
    ):
        started = time.perf_counter()
        count = bare_decode(sample, convert=options.get("skip") != "DEFAULT", **{
            k: v for k, v in options.items()})  # fmt: skip
        spent = time.perf_counter() - started
        print(
            f"  {label}: {spent:.2f} s ({duration(sample) / spent:.0f}x real time, {count} frames)"
        )


if __name__ == "__main__":
    main()
