"""Worker processes that analyse evidence files, and survive a decoder dying on a hostile one.

A native decoder (libjpeg, libtiff, libheif) can crash on a crafted file and take its process
with it; the pool then breaks and every file in flight is lost with it. Here the files in flight
become suspects: each is analysed again alone, in a process of its own, and the one that kills
that process too is recorded as `corrupt` ("the decoder crashed on it") with its digests, taken
by a plain read that decodes nothing. The ingest goes on.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sqlite3
import sys
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from desktop.core.ingest import FileAnalysis, WalkEntry, analyse_file, describe_undecoded
from desktop.store.db import connect_readonly

Analyse = Callable[[bytes], FileAnalysis]
Result = tuple[WalkEntry, int, FileAnalysis]

_worker_conn: sqlite3.Connection | None = None


def _worker_start(case_path: str) -> None:
    global _worker_conn
    # Ctrl-C is the parent's to handle: it stops submitting and writes what is done.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _keep_freed_memory()
    _worker_conn = connect_readonly(case_path)


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


BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _one_blas_thread_per_worker() -> None:
    """Workers inherit one BLAS thread each (unless the user chose otherwise).

    Each worker is one core's worth of work already. Left to itself, numpy's OpenBLAS starts a
    thread per core in every worker for a matrix product as small as the crop windows' (40x128
    by 128x96), and the idle ones spin: ingest took twice the CPU time. The variables are read
    when a process loads numpy, so they are set before the workers are spawned; this process's
    own numpy has already read them and is unchanged.
    """
    for name in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(name, "1")


def _content_in_case(sha256: str) -> bool:
    assert _worker_conn is not None
    row = _worker_conn.execute("SELECT 1 FROM media WHERE sha256 = ?", [sha256]).fetchone()
    return row is not None


def analyse_in_worker(path: bytes) -> FileAnalysis:
    # Exact copies already in the case are common in seized material: skip their decode.
    return analyse_file(path, is_known=_content_in_case)


CRASH_REASON = (
    "the decoder crashed on this file (the process analysing it died); it was not decoded"
)


def _analyse_each(analyse: Analyse, paths: list[bytes]) -> list[FileAnalysis]:
    return [analyse(path) for path in paths]


Entry = tuple[WalkEntry, int]  # a file and its source id


class AnalysisPool:
    """Submit files, collect analyses; files go to the workers in chunks of CHUNK_FILES, and at
    most CHUNKS_PER_WORKER chunks a worker are in flight, so memory does not grow with the
    number of files."""

    CHUNK_FILES = 8  # one message each way per chunk, not per file: 3% less work in all
    CHUNKS_PER_WORKER = 4

    def __init__(self, case_path: str, workers: int, analyse: Analyse = analyse_in_worker):
        self.case_path, self.workers, self.analyse = case_path, workers, analyse
        self.limit = workers * self.CHUNKS_PER_WORKER * self.CHUNK_FILES  # files in flight
        self.in_flight: dict[Future[list[FileAnalysis]], list[Entry]] = {}
        self.waiting: list[Entry] = []  # the chunk being filled
        self.crashes = 0
        self._executor = self._new_executor(workers)

    def _new_executor(self, workers: int) -> ProcessPoolExecutor:
        _one_blas_thread_per_worker()
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),  # fork is unsafe under Qt
            initializer=_worker_start,
            initargs=(self.case_path,),
        )

    def __enter__(self) -> AnalysisPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def busy(self) -> bool:
        """Files submitted whose analyses have not been collected yet."""
        return bool(self.in_flight or self.waiting)

    def full(self) -> bool:
        files = sum(len(chunk) for chunk in self.in_flight.values()) + len(self.waiting)
        return files >= self.limit

    def submit(self, entry: WalkEntry, source: int) -> None:
        self.waiting.append((entry, source))
        if len(self.waiting) >= self.CHUNK_FILES:
            self._send()

    def _send(self) -> None:
        if self.waiting:
            chunk, self.waiting = self.waiting, []
            paths = [entry.path for entry, _ in chunk]
            self.in_flight[self._executor.submit(_analyse_each, self.analyse, paths)] = chunk

    def cancel_waiting(self) -> None:
        """Drop the files not started yet; those being analysed still finish."""
        self.waiting = []
        for future in list(self.in_flight):
            if future.cancel():
                del self.in_flight[future]

    def collect(self, block: bool) -> list[Result]:
        """Analyses finished so far (waiting for at least one chunk when `block`)."""
        if block:
            self._send()  # a part-filled chunk goes now rather than wait for more files
        if not self.in_flight:
            return []
        done, _ = wait(
            list(self.in_flight), timeout=None if block else 0, return_when=FIRST_COMPLETED
        )
        results: list[Result] = []
        suspects: list[Entry] = []
        for future in done:
            chunk = self.in_flight.pop(future)
            try:
                analyses = future.result()
            except BrokenProcessPool:
                suspects.extend(chunk)
                continue
            results.extend((e, s, a) for (e, s), a in zip(chunk, analyses, strict=True))
        if suspects:
            for chunk in self.in_flight.values():
                suspects.extend(chunk)
            self.in_flight.clear()
            results += self._isolate(suspects)
        return results

    def _isolate(self, suspects: list[Entry]) -> list[Result]:
        """Analyse each suspect alone; the one that kills its process again crashed the pool."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        results: list[Result] = []
        single = self._new_executor(1)
        for entry, source in suspects:
            try:
                results.append((entry, source, single.submit(self.analyse, entry.path).result()))
            except BrokenProcessPool:
                self.crashes += 1
                results.append((entry, source, describe_undecoded(entry.path, CRASH_REASON)))
                single.shutdown(wait=False, cancel_futures=True)
                single = self._new_executor(1)
        single.shutdown(wait=True)
        self._executor = self._new_executor(self.workers)
        return results
