"""An ingest worker's life (jobs/analysis_pool.py starts and watches the workers): it dies with
the ingest (PR_SET_PDEATHSIG on Linux, and a thread watching the pipe from its parent), caps its
heap, keeps freed memory, runs one BLAS thread, opens the case read-only at its first lookup (a
file whose content is already in the case is not decoded again), then answers each task in
order until told to stop, and leaves with os._exit."""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import NoReturn

from threadpoolctl import threadpool_limits

from desktop.core.ingest import FileAnalysis, analyse_file, describe_undecoded
from desktop.core.limits import WORKER_MEMORY_LIMIT
from desktop.store.db import connect_readonly

Analyse = Callable[[bytes], FileAnalysis]

# A video started while other workers are idle (nothing left to hand out: the last files of an
# ingest, a single video) decodes its keyframes on their cores too, up to this many threads.
MAX_DECODER_THREADS = 4

_worker_case: str | None = None  # the case this worker looks up known content in
_worker_conn: sqlite3.Connection | None = None  # opened at the first lookup
_worker_results: Connection | None = None  # this worker's pipe to the pool
_spare_cores: ctypes.c_int | None = None  # the pool's idle workers per busy one (shared)


def _worker_start(case_path: str) -> None:
    global _worker_case
    _die_with_parent()
    # Ctrl-C is the parent's to handle: it stops submitting and writes what is done.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _cap_memory()
    _keep_freed_memory()
    # Each worker is one core's worth of work already. Left to itself, numpy's OpenBLAS runs a
    # thread per core in every worker for a matrix product as small as the crop windows' (40x128
    # by 128x96), and the idle ones spin: ingest took twice the CPU time. Limited here, at run
    # time, as a forked worker's BLAS was loaded by the ingest's process before it started.
    threadpool_limits(1)
    _worker_case = case_path


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Exit as soon as the process that started this worker is gone."""
    parent = multiprocessing.parent_process()
    if sys.platform.startswith("linux"):
        # immediate even while a native decoder holds the GIL
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if parent is None:
        return
    if not parent.is_alive():  # gone before prctl took effect
        os._exit(1)
    watch = threading.Thread(target=_exit_when_readable, args=(parent.sentinel,), daemon=True)
    watch.start()


def _exit_when_readable(sentinel: int) -> None:
    wait([sentinel])  # the parent's end closes only when it exits
    os._exit(1)


def _cap_memory() -> None:
    """Cap this worker's heap, so a runaway decoder fails an allocation instead of the machine."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows: no resource limits
        return
    limit = getattr(resource, "RLIMIT_DATA", None)
    if limit is None:  # pragma: no cover
        return
    try:
        _, hard = resource.getrlimit(limit)
        soft = WORKER_MEMORY_LIMIT
        if hard != resource.RLIM_INFINITY:
            soft = min(hard, soft)
        resource.setrlimit(limit, (soft, hard))
    except (ValueError, OSError):
        pass


# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def _keep_freed_memory() -> None:
    """Let the C allocator reuse freed memory rather than hand it back to the system.

    Every picture allocates the same few arrays of 0.5-2 MB (decoded pixels, the float luma
    PDQ is taken from); by default glibc maps each afresh and unmaps it when freed, so every one
    costs page faults: 7% of a worker's time on 12-megapixel photographs. Blocks up to 32 MiB
    now come from the heap, and up to 64 MiB of free heap is kept. Only glibc has mallopt;
    elsewhere nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 32 << 20)
        libc.mallopt(_M_TRIM_THRESHOLD, 64 << 20)
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return


def _content_in_case(sha256: str) -> bool:
    global _worker_conn
    if _worker_conn is None:  # here, not at the start: a forked worker starts before the case
        assert _worker_case is not None  # is opened (or made), see AnalysisPool
        _worker_conn = connect_readonly(_worker_case)
    row = _worker_conn.execute("SELECT 1 FROM media WHERE sha256 = ?", [sha256]).fetchone()
    return row is not None


@dataclass(frozen=True)
class MoreTime:
    """A worker's message: the file it is on may take this many seconds more."""

    seconds: float


def _more_time(seconds: float) -> None:
    """Tell the pool the file in hand needs `seconds` more than its budget (a video)."""
    if _worker_results is not None:
        _worker_results.send(MoreTime(seconds))


def decoder_threads() -> int:
    """Decoder threads for a video this worker starts now: its own core and its share of the
    idle workers' (1 outside a pool, or while files remain to be handed out)."""
    spare = _spare_cores.value if _spare_cores is not None else 0
    return max(1, min(MAX_DECODER_THREADS, 1 + spare))


def analyse_in_worker(path: bytes) -> FileAnalysis:
    # Exact copies already in the case are common in seized material: skip their decode.
    return analyse_file(
        path, is_known=_content_in_case, more_time=_more_time, threads=decoder_threads
    )


ANALYSE, DESCRIBE = "analyse", "describe"


def worker_main(
    case_path: str,
    analyse: Analyse,
    tasks: Connection,
    results: Connection,
    spare: ctypes.c_int | None = None,
) -> None:
    """A worker's life: say it is ready, then answer each task in order until told to stop."""
    global _worker_results, _spare_cores
    _worker_start(case_path)
    _worker_results, _spare_cores = results, spare
    results.send(None)
    while True:
        try:
            task = tasks.recv()
        except EOFError:
            task = None
        if task is None:
            _exit_now()
        kind, path, status, reason = task
        try:
            result = analyse(path) if kind == ANALYSE else describe_undecoded(path, reason, status)
        except MemoryError:
            result = _described(path, "too_large", "ran out of the memory a worker may use")
        except Exception as error:  # noqa: BLE001 - a bug must cost one file, not the ingest
            result = _described(path, "corrupt", f"analysis failed: {error!r}")
        results.send(result)


def _exit_now() -> NoReturn:
    """Leave at once: everything is sent and nothing is held open for writing, so the
    interpreter's teardown (modules, numpy, Pillow: 50-100 ms that an ingest's end waited
    for) has nothing to do."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _described(path: bytes, status: str, reason: str) -> FileAnalysis:
    try:
        return describe_undecoded(path, reason, status)
    except MemoryError:
        return FileAnalysis(path, status, reason)
