"""Worker processes that analyse evidence files: a time budget per file, crashes survived, and
workers that die with the ingest.

Each worker is a process with a pipe each way: paths go in, one analysis per path comes out, in
order. So the pool always knows which file each worker is on, and since when:

- a file that runs past its time budget (`core.limits.file_time_budget`, a function of the
  walk's entry) has its worker killed and replaced; it is recorded `too_slow`, with its digests
  and type from a plain read in a fresh worker (under a read budget of its own);
- a worker that dies (a native decoder crashing on a crafted file) is replaced, and its file is
  analysed once more; if it kills that process too, it is recorded `corrupt` ("the decoder
  crashed on this file"), with its digests from a plain read;
- files queued behind either go to the other workers; results of all files keep flowing, so
  the ingest keeps writing while a slow file runs out its budget.

Workers exit as soon as the ingest's process does, even killed with SIGKILL: on Linux the kernel
sends them SIGKILL (PR_SET_PDEATHSIG), and everywhere a thread watches the pipe that multiprocessing
keeps open from the parent (it reads end-of-file when the parent is gone).
"""

from __future__ import annotations

import multiprocessing
import os
import stat
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from desktop.core.ingest import FileAnalysis, WalkEntry
from desktop.core.limits import file_time_budget, read_time_budget
from desktop.jobs.analysis_worker import (
    ANALYSE,
    DESCRIBE,
    Analyse,
    MoreTime,
    analyse_in_worker,
    worker_main,
)

Budget = Callable[[WalkEntry], float]
Result = tuple[WalkEntry, int, FileAnalysis]

CRASH_REASON = (
    "the decoder crashed on this file (the process analysing it died, twice); it was not decoded"
)
TOO_SLOW_REASON = (
    "analysis stopped after {seconds:.0f} s, the time allowed for a file of this size (it may be "
    "crafted to stall decoders); kept with its hashes, not decoded"
)
FAILED_STARTS_LIMIT = 3  # workers in a row that die before they are ready: something is wrong
# How long collect(block=True) waits at most, so the ingest flushes due results and the budgets
# are checked even while every worker is busy with a slow file.
POLL_SECONDS = 0.25
STARTUP_LIMIT = 120.0  # seconds a new worker may take to import and open the case
# A worker on one file for this long has the files queued behind it handed to the others, so
# they are not held for the rest of its budget (an ordinary file takes 20-200 ms).
MOVE_AFTER = 2.0

SHARED_MEMORY = "/dev/shm/"  # where multiprocessing keeps shared values (not a file to fear)


# ---- in the ingest's process ---------------------------------------------------------------


@dataclass
class _Task:
    entry: WalkEntry
    source: int
    kind: str = ANALYSE
    status: str = "corrupt"  # for DESCRIBE: what to record, and why
    reason: str = ""
    attempt: int = 0  # an analysis whose worker died is tried once more
    settled: bool = False  # its analysis was collected (a second one, if any, is dropped)
    moved: bool = False  # handed to another worker, as the one it was sent to is stuck

    def message(self) -> tuple[str, bytes, str, str]:
        return (self.kind, self.entry.path, self.status, self.reason)


@dataclass
class _Worker:
    process: BaseProcess
    tasks: Connection  # we send
    results: Connection  # we receive
    queue: deque[_Task] = field(default_factory=deque)  # sent, not answered yet, in order
    ready: bool = False
    since: float = field(default_factory=time.monotonic)  # started its first queued task
    more_time: float = 0.0  # seconds the file in hand asked for beyond its budget (a video)


class AnalysisPool:
    """Submit files, collect their analyses. At most FILES_PER_WORKER files wait in each
    worker's pipe and as many again in the pool, so memory does not grow with the number of
    files; each file is held to its time budget."""

    FILES_PER_WORKER = 4

    def __init__(
        self,
        case_path: str,
        workers: int,
        analyse: Analyse = analyse_in_worker,
        budget: Budget = file_time_budget,
        fork: bool = False,
    ):
        """`fork`: start the first workers by forking this process where that is sound
        (fork_is_safe), which costs them nothing, where a spawned worker imports Python, numpy,
        Pillow and the engine afresh (about 0.3 s of both cores at every ingest). Pass it only
        while this process has no database open: a SQLite connection or lock must never cross a
        fork. Workers started later (to replace one) are always spawned."""
        self.case_path, self.analyse, self.budget = case_path, analyse, budget
        self._stopped = False
        self.limit = workers * self.FILES_PER_WORKER  # files waiting before the pool is full
        self.waiting: deque[_Task] = deque()
        self.crashes = 0  # files whose decoder killed its process twice
        self.too_slow = 0  # files stopped at their time budget
        self._failed_starts = 0
        self._context = multiprocessing.get_context("spawn")  # fork is unsafe under Qt
        self.submitting = True  # until done_submitting: more files may come
        self._spare = self._context.RawValue("i", 0)  # read by the workers: decoder_threads
        first = multiprocessing.get_context("fork") if fork and fork_is_safe() else self._context
        self.workers = [self._start_worker(first) for _ in range(max(1, workers))]

    def _start_worker(self, context: multiprocessing.context.BaseContext | None = None) -> _Worker:
        context = context or self._context
        task_read, task_write = context.Pipe(duplex=False)
        result_read, result_write = context.Pipe(duplex=False)
        process = context.Process(
            target=worker_main,
            args=(self.case_path, self.analyse, task_read, result_write, self._spare),
            daemon=True,
            name="vigil-analysis",
        )
        process.start()
        task_read.close()  # the worker's ends: closed here so a dead worker reads as EOF
        result_write.close()
        return _Worker(process, task_write, result_read)

    def __enter__(self) -> AnalysisPool:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self._stopped:
            return
        self._stopped = True
        for worker in self.workers:
            if exc_type is None and not worker.queue:
                _send(worker, None)
            else:  # stopped by an error or a second Ctrl-C: nothing in flight is wanted
                worker.process.kill()
        for worker in self.workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            _close(worker)

    # ---- the ingest's side ---------------------------------------------------------------

    def busy(self) -> bool:
        """Files submitted whose analyses have not been collected yet."""
        return bool(self.waiting) or any(
            not task.settled for worker in self.workers for task in worker.queue
        )

    def full(self) -> bool:
        return len(self.waiting) >= self.limit

    def submit(self, entry: WalkEntry, source: int) -> None:
        self.waiting.append(_Task(entry, source))
        self._dispatch()

    def done_submitting(self) -> None:
        """No more files will come: from now on idle workers lend their cores to videos."""
        self.submitting = False
        self._count_spare()

    def cancel_waiting(self) -> None:
        """Drop the files not sent to a worker yet; those sent still finish."""
        self.waiting.clear()

    def collect(self, block: bool) -> list[Result]:
        """Analyses finished so far. With `block`, waits for one, but never longer than
        POLL_SECONDS or the nearest time budget, so the caller can write what is due."""
        results: list[Result] = []
        timeout = self._wait_seconds() if block else 0.0
        watched: list[Connection | int] = []
        for worker in self.workers:
            watched += [worker.results, worker.process.sentinel]
        ready = set(wait(watched, timeout)) if watched else set()
        for worker in list(self.workers):
            # one with nothing to say (no result, not dead) is looked at only while it starts,
            # for its start-up limit: asking each worker at every call cost the ingest's
            # process a third of its time (the collect runs twice a file)
            if not worker.ready or worker.results in ready or worker.process.sentinel in ready:
                self._read(worker, results)
        self._enforce_budgets(results)
        self._move_from_stuck_workers()
        self._dispatch()
        self._count_spare()
        return results

    # ---- bookkeeping ---------------------------------------------------------------------

    def _count_spare(self) -> None:
        """Idle workers per busy one, for the workers to read as they start a video; 0 while
        files may still be handed out (they are the idle workers' to take)."""
        idle = sum(1 for w in self.workers if not w.queue)
        busy = len(self.workers) - idle
        spare = 0 if self.submitting or self.waiting or not busy else idle // busy
        self._spare.value = spare

    def _wait_seconds(self) -> float:
        now = time.monotonic()
        seconds = POLL_SECONDS
        for worker in self.workers:
            if worker.ready and worker.queue:
                seconds = min(seconds, worker.since + self._budget(worker) - now)
        return max(0.0, seconds)

    def _budget(self, worker: _Worker) -> float:
        """Seconds the file a worker is on may take: its budget and what it asked for."""
        task = worker.queue[0]
        base = self.budget(task.entry) if task.kind == ANALYSE else read_time_budget(task.entry)
        return base + worker.more_time

    def _dispatch(self) -> None:
        """Send waiting files to the workers with the fewest queued (a file moved from a stuck
        worker to another than that one)."""
        while self.waiting:
            task = self.waiting[0]
            if task.settled:
                self.waiting.popleft()
                continue
            room = [
                w
                for w in self.workers
                if len(w.queue) < self.FILES_PER_WORKER and all(t is not task for t in w.queue)
            ]
            if not room:
                return
            worker = min(room, key=lambda w: len(w.queue))
            self.waiting.popleft()
            if not worker.queue:
                worker.since = time.monotonic()
            worker.queue.append(task)
            if not _send(worker, task.message()):
                return  # it died: _read finds out and puts its files back

    def _read(self, worker: _Worker, results: list[Result]) -> None:
        try:
            while worker.results.poll():
                analysis = worker.results.recv()
                now = time.monotonic()
                if analysis is None:  # the worker is ready: its clock starts now
                    worker.ready, worker.since = True, now
                    self._failed_starts = 0
                    continue
                if isinstance(analysis, MoreTime):
                    worker.more_time += analysis.seconds
                    continue
                task = worker.queue.popleft()
                worker.since, worker.more_time = now, 0.0
                if not task.settled:
                    task.settled = True
                    results.append((task.entry, task.source, analysis))
        except (EOFError, OSError):
            self._replace(worker, results, died=True)
            return
        if not worker.process.is_alive():
            self._replace(worker, results, died=True)
        elif not worker.ready and time.monotonic() - worker.since > STARTUP_LIMIT:
            raise RuntimeError(f"an analysis worker did not start within {STARTUP_LIMIT:.0f} s")

    def _enforce_budgets(self, results: list[Result]) -> None:
        now = time.monotonic()
        for worker in list(self.workers):
            if worker.ready and worker.queue:
                budget = self._budget(worker)
                if now - worker.since > budget:
                    self._replace(worker, results, died=False, budget=budget)

    def _move_from_stuck_workers(self) -> None:
        """Files queued behind a file that has run for MOVE_AFTER go to a worker with nothing
        to do. Only to an idle one: the stuck worker still analyses them when it gets to them
        (they are in its pipe), so moving them to a busy worker, which is no sooner free, would
        only have them analysed twice (of four two-minute videos on two workers, the last two
        were: each was sent back to the worker it sat on)."""
        if not any(w.ready and not w.queue for w in self.workers):
            return
        now = time.monotonic()
        for worker in self.workers:
            if worker.ready and len(worker.queue) > 1 and now - worker.since > MOVE_AFTER:
                behind = [t for t in list(worker.queue)[1:] if not (t.settled or t.moved)]
                # (moved once: stuck behind a slow file again, it waits for that file's budget)
                for task in behind:
                    task.moved = True
                self.waiting.extendleft(reversed(behind))

    def _replace(
        self, worker: _Worker, results: list[Result], died: bool, budget: float = 0.0
    ) -> None:
        """Stop a worker (dead, or past a file's budget), settle its file, requeue the rest."""
        worker.process.kill()
        worker.process.join(timeout=5)
        _close(worker)
        if not worker.ready:  # died starting up: no file is to blame
            self._failed_starts += 1
            if self._failed_starts >= FAILED_STARTS_LIMIT:
                raise RuntimeError("the analysis workers die as they start")
        self.workers[self.workers.index(worker)] = self._start_worker()
        if not worker.queue:
            return
        task, behind = worker.queue[0], list(worker.queue)[1:]
        # a file can be queued twice (moved from a stuck worker): only its first result counts
        self.waiting.extendleft(reversed([t for t in behind if not t.settled]))
        if task.settled:  # it was repeating a file another worker had done
            return
        if not worker.ready:
            self.waiting.appendleft(task)
            return
        if died and task.kind == ANALYSE and task.attempt == 0:
            task.attempt = 1  # once more: the worker may have died of something else
            self.waiting.appendleft(task)
            return
        task.settled = True
        if task.kind == DESCRIBE:  # even a plain read crashed or ran out of time
            why = "reading it crashed" if died else f"it could not be read within {budget:.0f} s"
            unread = FileAnalysis(task.entry.path, "unreadable", f"{task.reason}; {why}")
            results.append((task.entry, task.source, unread))
        elif died:
            self.crashes += 1
            self.waiting.appendleft(_Task(task.entry, task.source, DESCRIBE, reason=CRASH_REASON))
        else:
            self.too_slow += 1
            reason = TOO_SLOW_REASON.format(seconds=budget)
            self.waiting.appendleft(_Task(task.entry, task.source, DESCRIBE, "too_slow", reason))


def fork_is_safe() -> bool:
    """Whether this process can be forked soundly: on Linux (macOS's system libraries are not
    fork-safe, Windows has no fork), with no thread but this one (a lock another thread holds
    at the fork stays locked for ever in the child), no Qt (which runs threads of its own), and
    no file open: no database, lock or evidence file that a child could disturb."""
    return (
        sys.platform.startswith("linux")
        and threading.active_count() == 1
        and not any(name.split(".")[0] == "PySide6" for name in list(sys.modules))
        and not _files_open()
    )


def _files_open() -> bool:
    """Whether this process holds a regular file open, other than its standard streams (which
    spawned workers share too) and multiprocessing's shared memory (Linux: /proc/self/fd)."""
    try:
        entries = list(os.scandir("/proc/self/fd"))
    except OSError:
        return True  # cannot tell: assume so
    for entry in entries:
        if entry.name in ("0", "1", "2"):
            continue
        try:
            is_file = stat.S_ISREG(os.stat(entry.path).st_mode)
            if is_file and not os.readlink(entry.path).startswith(SHARED_MEMORY):
                return True
        except OSError:
            continue  # closed meanwhile (the scan's own descriptor)
    return False


def _send(worker: _Worker, message: object) -> bool:
    try:
        worker.tasks.send(message)
    except (OSError, EOFError):  # the worker is gone; collect() replaces it
        return False
    return True


def _close(worker: _Worker) -> None:
    for connection in (worker.tasks, worker.results):
        try:
            connection.close()
        except OSError:
            pass
