"""The ingest job: walk evidence, analyse files on all cores, write results in batches."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from desktop import __version__
from desktop.core.hashing import algorithm_versions
from desktop.core.ingest import FileAnalysis, WalkEntry, display_path, walk
from desktop.core.limits import file_time_budget
from desktop.jobs.analysis_pool import AnalysisPool, Budget
from desktop.jobs.analysis_worker import Analyse, analyse_in_worker
from desktop.jobs.job_callbacks import Cancel, Progress
from desktop.store import audit, items
from desktop.store.db import CaseError, get_info, now_iso, open_case, set_info
from desktop.store.ingest_lock import IngestLock

BATCH_FILES = 200  # files per write transaction: a crash loses at most this many
BATCH_SECONDS = 2.0  # and at most this much work, so the GUI sees rows arrive while it runs


class IngestError(Exception):
    """A problem with the request the user can fix (a missing source, a case inside evidence)."""


@dataclass
class IngestSummary:
    run_id: int
    seen: int = 0
    statuses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(items.FILE_STATUSES, 0))
    skipped_unchanged: int = 0
    new_media: int = 0
    media_in_case: int = 0
    extension_mismatches: int = 0
    elapsed: float = 0.0
    cancelled: bool = False
    resumed_interrupted_run: int | None = None
    decoder_crashes: int = 0  # files whose decoder killed its process (recorded as corrupt)
    too_slow: int = 0  # files stopped at their time budget (recorded as too_slow)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


# ---- the job -----------------------------------------------------------------------------------


def _as_bytes(source: str | bytes | os.PathLike[str]) -> bytes:
    raw = source if isinstance(source, bytes) else os.fsencode(source)
    return os.path.abspath(raw)


def check_sources(case_path: Path, sources: Sequence[bytes]) -> None:
    case_abs = os.fsencode(case_path.resolve())
    for source in sources:
        if not os.path.lexists(source):
            raise IngestError(f"The evidence path {display_path(source)} does not exist.")
        real = os.path.realpath(source)
        if os.path.isdir(real) and (case_abs + b"/").startswith(real.rstrip(b"/") + b"/"):
            raise IngestError(
                f"The case file must not be inside the evidence folder {display_path(source)}: "
                "Vigil never writes beside evidence. Choose another place for the case."
            )


def _count(sources: Iterable[bytes], cancel: Cancel) -> int:
    total = 0
    for source in sources:
        for _ in walk(source):
            total += 1
            if total % 5000 == 0 and cancel():
                break
    return total


def _start_run(db: Database, sources: Sequence[bytes]) -> tuple[int, int | None]:
    """Record a new run. Called with the ingest lock held, so a run still `running` belongs to
    a process that is gone: it is marked `interrupted` and this run resumes its work."""
    shown = [display_path(s) for s in sources]
    with db.atomic():
        interrupted = db.execute(
            "SELECT MAX(id) FROM ingest_runs WHERE state = 'running'"
        ).fetchone()[0]
        db.execute("UPDATE ingest_runs SET state = 'interrupted' WHERE state = 'running'")
        cursor = db.execute(
            "INSERT INTO ingest_runs (started_at, user, tool_version, sources, state)"
            " VALUES (?, ?, ?, ?, 'running')",
            [now_iso(), audit.current_user(), __version__, json.dumps(shown)],
        )
        run_id = int(cursor.lastrowid or 0)
        audit.append(db, "ingest.start", f"run {run_id}", after={"sources": shown})
    return run_id, interrupted


def _finish_run(db: Database, summary: IngestSummary) -> None:
    state = "cancelled" if summary.cancelled else "finished"
    counts = {k: v for k, v in summary.as_dict().items() if k != "run_id"}
    with db.atomic():
        db.execute(
            "UPDATE ingest_runs SET finished_at = ?, state = ?, summary = ? WHERE id = ?",
            [now_iso(), state, json.dumps(counts), summary.run_id],
        )
        audit.append(db, f"ingest.{state}", f"run {summary.run_id}", after=counts)


def ingest(
    case_path: str | os.PathLike[str],
    sources: Sequence[str | bytes | os.PathLike[str]],
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    workers: int | None = None,
    analyse: Analyse = analyse_in_worker,
    time_budget: Budget = file_time_budget,
) -> IngestSummary:
    """Add evidence to a case (created if missing). Resumable: unchanged files are skipped.

    `analyse` runs in the worker processes (a module-level function, so it can be pickled);
    `time_budget` gives each file's seconds there (core.limits). Raises IngestError or
    CaseError for problems the user can fix.
    """
    progress = progress or (lambda done, total, message: None)
    cancel = cancel or (lambda: False)
    case_path = Path(case_path)
    raw_sources = [_as_bytes(s) for s in sources]
    if not raw_sources:
        raise IngestError("Name at least one evidence folder or file to ingest.")
    if workers is not None and workers < 1:
        raise IngestError(f"The number of worker processes must be 1 or more, not {workers}.")
    check_sources(case_path, raw_sources)
    workers = workers or os.cpu_count() or 1
    # The workers start before this process opens the case, so that they may be forked (see
    # AnalysisPool); each opens the case itself, read-only, when it first looks in it.
    with AnalysisPool(str(case_path), workers, analyse, time_budget, fork=True) as pool:
        db = open_case(case_path, create=True)
        try:
            with IngestLock(case_path):
                db.require_sound(quick=True)  # never add to a damaged case (about 1 s a GB)
                return _run(db, raw_sources, progress, cancel, pool)
        finally:
            db.close()


def _run(
    db: Database,
    sources: list[bytes],
    progress: Progress,
    cancel: Cancel,
    pool: AnalysisPool,
) -> IngestSummary:
    started = time.monotonic()
    if get_info(db, "hash_algorithms") is None:
        with db.atomic():
            set_info(db, "hash_algorithms", json.dumps(algorithm_versions(), sort_keys=True))
    run_id, interrupted = _start_run(db, sources)
    summary = IngestSummary(run_id=run_id, resumed_interrupted_run=interrupted)
    progress(0, 0, "Counting files")
    total = _count(sources, cancel)
    writer = _BatchWriter(db, run_id, summary)
    with pool:  # stopped once every file is in: the workers' memory is not kept while grouping

        def collect(block: bool) -> None:
            for entry, source, analysis in pool.collect(block):
                writer.add_analysis(entry, source, analysis)
            writer.flush_if_due()  # also while waiting on a slow file: results reach the case

        for source_path in sources:
            if summary.cancelled:
                break
            with db.atomic():
                source = items.source_id(db, source_path)
            for entry in walk(source_path):
                if cancel():
                    summary.cancelled = True
                    break
                if entry.kind != "file":
                    writer.add_entry(entry, source)
                elif not writer.skip_if_unchanged(entry):
                    pool.submit(entry, source)
                if not pool.full():
                    collect(block=False)  # what is done meanwhile
                while pool.full():
                    collect(block=True)
                progress(writer.done(), total, display_path(entry.path))
        pool.done_submitting()
        if summary.cancelled:
            pool.cancel_waiting()
        while pool.busy():
            collect(block=True)
            progress(writer.done(), total, "Finishing")
        summary.decoder_crashes, summary.too_slow = pool.crashes, pool.too_slow
    writer.flush()
    summary.media_in_case = items.media_count(db)
    # imported here, not at the top: `vigil ingest` forks its workers sooner without them
    from desktop.jobs.grouping import update_groups_after_ingest
    from desktop.jobs.match import match_after_ingest

    match_after_ingest(db, progress, cancel)  # known material; never raises
    if not summary.cancelled:
        update_groups_after_ingest(db, progress, cancel)  # near duplicates; never raises
    summary.elapsed = time.monotonic() - started
    _finish_run(db, summary)
    progress(summary.seen, max(total, summary.seen), "Done")
    return summary


class _BatchWriter:
    """Collects results and writes them in transactions of BATCH_FILES or BATCH_SECONDS."""

    def __init__(self, db: Database, run_id: int, summary: IngestSummary):
        self.db, self.run_id, self.summary = db, run_id, summary
        self.pending: list[tuple[WalkEntry, int, FileAnalysis | None]] = []
        self.last_flush = time.monotonic()

    def done(self) -> int:
        return self.summary.seen + len(self.pending)

    def skip_if_unchanged(self, entry: WalkEntry) -> bool:
        known = items.known_file(self.db, entry.path)
        if known is None or known[2] == "unreadable":
            return False
        size, mtime_ns, status = known
        if (size, mtime_ns) != (entry.size, entry.mtime_ns):
            return False
        self.summary.skipped_unchanged += 1
        self._count(status)
        return True

    def _count(self, status: str) -> None:
        self.summary.seen += 1
        self.summary.statuses[status] = self.summary.statuses.get(status, 0) + 1

    def add_entry(self, entry: WalkEntry, source: int) -> None:
        self.pending.append((entry, source, None))

    def add_analysis(self, entry: WalkEntry, source: int, analysis: FileAnalysis) -> None:
        self.pending.append((entry, source, analysis))

    def flush_if_due(self) -> None:
        if len(self.pending) >= BATCH_FILES or (
            self.pending and time.monotonic() - self.last_flush >= BATCH_SECONDS
        ):
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        with self.db.atomic():
            for entry, source, analysis in self.pending:
                if analysis is None:
                    status, reason = _status_of_entry(entry)
                    items.record_entry(self.db, entry, source, self.run_id, status, reason)
                else:
                    status, _, new = items.record_analysis(
                        self.db, entry, analysis, source, self.run_id
                    )
                    self.summary.new_media += int(new)
                    self.summary.extension_mismatches += int(analysis.extension_mismatch)
                self._count(status)
        self.pending = []
        self.last_flush = time.monotonic()


def _status_of_entry(entry: WalkEntry) -> tuple[str, str | None]:
    if entry.kind == "symlink":
        return "symlink", f"symbolic link, not followed: -> {entry.link_target}"
    if entry.kind == "special":
        return "unsupported", "not a regular file (device, pipe or socket): not read"
    return "unreadable", entry.error


__all__ = ["CaseError", "IngestError", "IngestSummary", "ingest"]
