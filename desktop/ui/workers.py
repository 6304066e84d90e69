"""Work off the UI thread: QRunnables on a QThreadPool that report through signals only.

Workers never touch widgets. Reads use a read-only connection per pool thread (SQLite
connections belong to one thread); writes stay on the UI thread's connection or in jobs.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage
from shiboken6 import isValid

from desktop.core.ingest import read_and_digest
from desktop.core.media import VIDEO_TYPES, DecodeFailure, decode_partial, decode_reduced
from desktop.jobs.ingest import IngestError, ingest
from desktop.store import browse, media_view
from desktop.store.db import CaseError, connect_readonly, explain_failure
from desktop.ui import imaging
from desktop.ui.hosting import Badge, BadgeSource

_local = threading.local()


def thread_connection(case_path: Path) -> Any:
    """This thread's read-only connection to the case (opened once per thread and case)."""
    connections: dict[str, Any] = getattr(_local, "connections", None) or {}
    _local.connections = connections
    key = str(case_path)
    if key not in connections:
        connections[key] = connect_readonly(case_path)
    return connections[key]


class WorkerSignals(QObject):
    progress = Signal(int, int, str)
    result = Signal(object)
    failed = Signal(str)
    finished = Signal()


class Worker(QRunnable):
    """Runs `fn(*args)` in the pool; emits result or failed (one sentence), then finished."""

    def __init__(self, fn: Callable[..., Any], *args: Any):
        super().__init__()
        self.fn, self.args = fn, args
        self.signals = WorkerSignals()

    def run(self) -> None:
        try:
            value = self.fn(*self.args)
        except (CaseError, IngestError) as error:
            self.signals.failed.emit(str(error))
        except Exception as error:  # noqa: BLE001 - report, never take the window down
            known = explain_failure(error)  # a full disk, a damaged case: their own sentence
            if known is None:
                traceback.print_exc()
            self.signals.failed.emit(known or f"Unexpected error: {error}")
        else:
            self.signals.result.emit(value)
        self.signals.finished.emit()


# Python owns the runnables and their signal objects: keep each alive until it has reported,
# or its queued signals would reach a deleted object and be lost. Then keep it a moment longer:
# the pool thread still holds it while run() returns, and the last reference must be dropped
# here on the UI thread, never there (Qt objects must be destroyed in their own thread).
_running: set[Worker] = set()
_done: list[tuple[float, Worker]] = []
RELEASE_AFTER = 2.0  # seconds after a worker reported


def _release_done(everything: bool = False) -> None:
    now = time.monotonic()
    while _done and (everything or now - _done[0][0] > RELEASE_AFTER):
        _done.pop(0)


def _reported(worker: Worker) -> None:
    _running.discard(worker)
    _done.append((time.monotonic(), worker))


_pools: dict[str, QThreadPool] = {}
# Separate pools, so what the analyst waits for is never queued behind slow work: tiles (what
# the grid paints), "jobs" (an ingest holds a thread for its whole run) and the global pool for
# the rest (details, previews, counts, similar media).
POOL_THREADS = {"tiles": 2, "jobs": 2}


def pool(name: str) -> QThreadPool:
    if name not in _pools:
        _pools[name] = QThreadPool()
        _pools[name].setMaxThreadCount(POOL_THREADS[name])
    return _pools[name]


def start(worker: Worker, pool: QThreadPool | None = None) -> Worker:
    worker.setAutoDelete(False)
    _release_done()
    _running.add(worker)
    worker.signals.finished.connect(lambda: _reported(worker))
    (pool or QThreadPool.globalInstance()).start(worker)
    return worker


def guarded(receiver: QObject, slot: Callable[..., Any]) -> Callable[..., Any]:
    """`slot`, skipped when `receiver` was deleted (a closed case) before the answer came."""

    def call(*args: Any) -> Any:
        return slot(*args) if isValid(receiver) else None

    return call


def wait_all(msecs: int = 30_000) -> None:
    """Let running workers finish (before the program exits: none is cut off mid-write)."""
    for each in (QThreadPool.globalInstance(), *_pools.values()):
        each.waitForDone(msecs)
    _release_done(everything=True)


def busy() -> bool:
    """True while any worker has not reported (tests wait on it)."""
    return bool(_running)


# ---- ingest ------------------------------------------------------------------------------------


class IngestWorker(Worker):
    """desktop.jobs.ingest.ingest with progress signals and a cancel flag."""

    def __init__(self, case_path: Path, sources: Sequence[str], workers: int | None = None):
        super().__init__(self._ingest)
        self.case_path, self.sources, self.workers = case_path, list(sources), workers
        self._cancelled = threading.Event()
        self._last_emit = 0.0

    def cancel(self) -> None:
        self._cancelled.set()

    def _progress(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if now - self._last_emit >= 0.1 or message in ("Done", "Counting files"):
            self._last_emit = now
            self.signals.progress.emit(done, total, message)

    def _ingest(self) -> Any:
        return ingest(
            self.case_path, self.sources, self._progress, self._cancelled.is_set, self.workers
        )


class JobWorker(Worker):
    """Runs a jobs-layer function `fn(progress, cancel)` with throttled progress signals and a
    cancel flag (Cancel buttons call cancel())."""

    def __init__(self, fn: Callable[..., Any]):
        super().__init__(self._run)
        self.job = fn
        self._cancelled = threading.Event()
        self._last = 0.0

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def _progress(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if now - self._last >= 0.1 or message == "Done":
            self._last = now
            self.signals.progress.emit(done, total, message)

    def _run(self) -> Any:
        return self.job(self._progress, self._cancelled.is_set)


# ---- thumbnails --------------------------------------------------------------------------------


def load_tiles(
    case_path: Path, ids: Sequence[int], strength: int, grey: bool, revealed: int | None, side: int
) -> dict[int, QImage | None]:
    """Tile images for `ids`: decoded from stored thumbnails, blurred unless `revealed`."""
    data = media_view.thumbnails(thread_connection(case_path), ids)
    tiles: dict[int, QImage | None] = {}
    for media_id, blob in data.items():
        image = imaging.decode_thumbnail(blob)
        tiles[media_id] = (
            None
            if image is None
            else imaging.prepare(image, strength, grey, media_id == revealed, side)
        )
    return tiles


def load_storyboard_tiles(
    case_path: Path, media_id: int, strength: int, grey: bool, revealed: bool, side: int
) -> tuple[list[QImage], list[float]]:
    """A video's stored storyboard frames prepared like its tile (blurred unless revealed),
    and their times: from the case file, never the evidence."""
    from desktop.core.video_frames import strip_tiles
    from desktop.store import videos

    board = videos.storyboard(thread_connection(case_path), media_id)
    if board is None:
        return [], []
    frames = strip_tiles(board.strip, board.tile_width, len(board.times))
    tiles = [imaging.prepare(imaging.from_pil(f), strength, grey, revealed, side) for f in frames]
    return tiles, board.times


def load_badges(
    case_path: Path, sources: Sequence[BadgeSource], ids: Sequence[int]
) -> dict[int, list[Badge]]:
    """Each tile's badges from every BadgeSource (desktop.ui.hosting), in source order."""
    conn = thread_connection(case_path)
    found: dict[int, list[Badge]] = {}
    for source in sources:
        for media_id, badges in source.badges(conn, ids).items():
            found.setdefault(media_id, []).extend(badges)
    return found


# ---- the viewer --------------------------------------------------------------------------------


def load_preview(case_path: Path, media_id: int) -> dict[str, Any]:
    """The picture at full size from an evidence copy whose SHA-256 still matches.

    Falls back to the stored 256-pixel thumbnail (with a note saying why) when no copy can be
    read: evidence disks are often detached while reviewing.
    """
    conn = thread_connection(case_path)
    detail = media_view.media_detail(conn, media_id)
    if detail is None:
        return {"media_id": media_id, "image": None, "note": "This media is not in the case."}
    note = "No evidence copy could be read; showing the stored thumbnail."
    if detail["file_type"] in VIDEO_TYPES:
        # the player decodes frames from the evidence; meanwhile the stored poster frame
        blob = media_view.thumbnails(conn, [media_id]).get(media_id)
        image = imaging.decode_thumbnail(blob)
        return {"media_id": media_id, "image": image, "note": "video: the poster frame"}
    for location in detail["files"]:
        raw = location["path_raw"]
        if not os.path.exists(raw):
            continue
        try:
            digests, _, content = read_and_digest(raw)
        except OSError:
            continue
        if digests.sha256 != detail["sha256"]:
            note = "The evidence file changed since ingest; showing the stored thumbnail."
            continue
        if content is None:
            continue
        try:
            decoded = decode_reduced(content, full=True)
        except DecodeFailure as failure:
            note = f"Cannot decode: {failure.reason}"
            if failure.status != "truncated":
                break
            try:  # the part of a cut-short JPEG that decodes helps more than nothing
                decoded = decode_partial(content)
            except DecodeFailure:
                break
            note = "The file is cut short: showing the part that decodes (the rest is grey)."
        rgb = decoded.image
        image = QImage(
            rgb.tobytes(), rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888
        )
        partial = note.startswith("The file is cut short")
        return {"media_id": media_id, "image": image.copy(),
                "note": note if partial else location["path"]}  # fmt: skip
    blob = media_view.thumbnails(conn, [media_id]).get(media_id)
    return {"media_id": media_id, "image": imaging.decode_thumbnail(blob), "note": note}


_index_lock = threading.Lock()
_indexes: dict[str, Any] = {}
SIMILAR_SHOWN = 12


def _engine_similar(conn: Any, case_path: Path, media_id: int) -> list[tuple[int, int, str]] | None:
    """The near-duplicate engine's ranking (issue 6: orientation-aware PDQ), or None if the
    case has no engine fingerprints for this media."""
    from desktop.jobs.similar_media import rank_media
    from desktop.store.fingerprint_columns import fingerprints

    key = f"engine:{case_path}"
    with _index_lock:
        fp = _indexes.get(key)
        if fp is None:
            fp = _indexes[key] = fingerprints(conn)
    if fp.oriented.shape[0] == 0:
        return None
    found = rank_media(fp, media_id, SIMILAR_SHOWN)
    if found is None:
        return None
    return [(i, d, why if reliable else f"{why} (picture too plain to be sure)")
            for i, d, why, reliable in found
            if d <= media_view.SIMILAR_MAX_DISTANCE]  # fmt: skip


def load_similar(case_path: Path, media_id: int) -> list[tuple[int, int, str]]:
    """(media id, PDQ distance, explanation) of the nearest media, nearest first.

    Uses the near-duplicate engine's fingerprints when the case has them, else a plain PDQ
    Hamming index; either is built once per case and kept until new media arrive.
    """
    conn = thread_connection(case_path)
    try:
        found = _engine_similar(conn, case_path, media_id)
    except (ImportError, ValueError, KeyError, IndexError):
        found = None
    if found is not None:
        return found
    with _index_lock:
        index = _indexes.get(str(case_path))
        if index is None:
            index = _indexes[str(case_path)] = media_view.pdq_index(conn)
    return [(i, d, "PDQ distance") for i, d in media_view.similar_media(conn, media_id, index)]


def forget_similar_index(case_path: Path) -> None:
    """New media arrived (ingest): the next similar-media query rebuilds the index."""
    with _index_lock:
        _indexes.pop(str(case_path), None)
        _indexes.pop(f"engine:{case_path}", None)


def count_rows(case_path: Path, query: browse.BrowseQuery) -> int:
    return browse.count(thread_connection(case_path), query)


def count_summary(case_path: Path, query: browse.BrowseQuery) -> tuple[int, int, int]:
    """(rows the query shows, media reviewed, media in the case) for the status line."""
    conn = thread_connection(case_path)
    everything = browse.BrowseQuery(stacks=False)
    reviewed = browse.BrowseQuery(stacks=False, reviewed=True)
    return browse.count(conn, query), browse.count(conn, reviewed), browse.count(conn, everything)
