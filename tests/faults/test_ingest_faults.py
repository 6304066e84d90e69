"""Ingest against files that stall, vanish into pipes, and a parent that is killed."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from helpers.slow_decoder import (
    HOG,
    LONG,
    SLOW,
    STARTED,
    SWAP,
    analyse_lengthily_noting_starts,
    analyse_like_a_long_video,
    analyse_noting_threads,
    analyse_or_hog,
    analyse_or_stall,
    swap_then_analyse,
)

from desktop.core import samples
from desktop.jobs import analysis_pool
from desktop.jobs.ingest import ingest
from faults.bounded import case_rows, run_vigil, time_limit


def _ordinary(folder, count):
    folder.mkdir(parents=True, exist_ok=True)
    for seed in range(count):
        (folder / f"ordinary_{seed:02d}.jpg").write_bytes(
            samples.jpeg_bytes(samples.scene(seed, (96, 72)))
        )


def test_a_stalling_file_is_stopped_at_its_budget_while_the_others_are_written(tmp_path):
    evidence = tmp_path / "evidence"
    _ordinary(evidence, 20)
    stalled = evidence / ("a_" + SLOW.decode() + ".jpg")  # sorted first: the walk meets it first
    stalled.write_bytes(samples.jpeg_bytes(samples.scene(99, (96, 72))))
    case = tmp_path / "case.vigil"
    budget = 8.0
    outcome = {}

    def run():
        outcome["summary"] = ingest(
            case,
            [evidence],
            workers=2,
            analyse=analyse_or_stall,
            time_budget=lambda entry: budget if SLOW in entry.path else 30.0,
        )

    runner = threading.Thread(target=run)
    stalled_row = "SELECT COUNT(*) FROM files WHERE path LIKE ?", (f"%{SLOW.decode()}%",)
    written_while_stalled = False
    with time_limit(60):
        runner.start()
        while runner.is_alive() and not written_while_stalled:
            time.sleep(0.2)
            try:
                ok = case_rows(case, "SELECT COUNT(*) FROM files WHERE status = 'ok'")[0][0]
                settled = case_rows(case, *stalled_row)[0][0]
            except Exception:  # noqa: BLE001 - the case is being created
                continue
            written_while_stalled = ok == 20 and settled == 0
        runner.join()
    # every ordinary file reached the case while the stalled one still ran out its budget
    assert written_while_stalled
    summary = outcome["summary"]
    assert summary.too_slow == 1 and summary.seen == 21
    status, reason, sha256 = case_rows(
        case,
        "SELECT f.status, f.reason, m.sha256 FROM files f JOIN media m ON m.id = f.media_id"
        " WHERE f.path LIKE ?",
        (f"%{SLOW.decode()}%",),
    )[0]
    assert status == "too_slow" and f"after {budget:.0f} s" in reason
    assert sha256 == hashlib.sha256(stalled.read_bytes()).hexdigest()  # hashed all the same


def test_a_decoder_that_asks_for_more_time_gets_it(tmp_path):
    evidence = tmp_path / "evidence"
    _ordinary(evidence, 2)
    (evidence / ("d_" + LONG.decode() + ".jpg")).write_bytes(
        samples.jpeg_bytes(samples.scene(7, (96, 72)))
    )
    with time_limit(60):
        summary = ingest(
            tmp_path / "case.vigil",
            [evidence],
            workers=1,
            analyse=analyse_like_a_long_video,
            time_budget=lambda entry: 2.0,  # the 4 s it takes fit only with the 8 s it asked for
        )
    assert summary.too_slow == 0 and summary.statuses["ok"] == 3


def test_files_behind_a_lengthy_one_move_only_to_an_idle_worker(tmp_path, monkeypatch):
    # every worker busy past MOVE_AFTER with the file in hand (two-minute videos): the files
    # queued behind go nowhere, so none is started twice (each was, on the worker it sat on)
    monkeypatch.setattr(analysis_pool, "MOVE_AFTER", 0.2)
    evidence = tmp_path / "evidence"
    _ordinary(evidence, 4)
    with time_limit(60):
        summary = ingest(
            tmp_path / "case.vigil", [evidence], workers=2, analyse=analyse_lengthily_noting_starts
        )
    assert summary.statuses["ok"] == 4
    started = (tmp_path / STARTED.decode()).read_bytes().split()
    assert sorted(started) == sorted(p.name.encode() for p in evidence.iterdir())


@pytest.mark.parametrize("files", [1, 2])
def test_a_video_borrows_the_cores_of_idle_workers(tmp_path, files):
    # one file on two workers: nothing is left for the other, so its core is lent (a video
    # decodes its keyframes on two threads); two files: each worker has its own
    evidence = tmp_path / "evidence"
    _ordinary(evidence, files)
    with time_limit(60):
        ingest(tmp_path / "case.vigil", [evidence], workers=2, analyse=analyse_noting_threads)
    noted = (tmp_path / STARTED.decode()).read_bytes().split(b"\n")
    threads = sorted(int(line.split()[1]) for line in noted if line)
    assert threads == ([2] if files == 1 else [1, 1])


def test_a_file_swapped_for_a_pipe_is_recorded_not_waited_for(tmp_path):
    evidence = tmp_path / "evidence"
    _ordinary(evidence, 3)
    (evidence / ("b_" + SWAP.decode() + ".jpg")).write_bytes(b"\xff\xd8\xff" + bytes(100))
    case = tmp_path / "case.vigil"
    with time_limit(45):  # a blocking open would hang here; the budget would call it too_slow
        summary = ingest(
            case, [evidence], workers=1, analyse=swap_then_analyse, time_budget=lambda e: 20.0
        )
    assert summary.seen == 4 and summary.too_slow == 0
    status, reason = case_rows(
        case, "SELECT status, reason FROM files WHERE path LIKE ?", (f"%{SWAP.decode()}%",)
    )[0]
    assert status == "unsupported" and "not a regular file" in reason


@pytest.mark.skipif(not hasattr(os, "fork"), reason="resource limits are POSIX")
def test_a_worker_that_runs_away_with_memory_fails_its_allocation(tmp_path):
    evidence = tmp_path / "evidence"
    _ordinary(evidence, 2)
    (evidence / ("c_" + HOG.decode() + ".jpg")).write_bytes(b"\xff\xd8\xff" + bytes(64))
    with time_limit(60):
        summary = ingest(tmp_path / "case.vigil", [evidence], workers=1, analyse=analyse_or_hog)
    assert summary.seen == 3 and summary.statuses["ok"] == 2
    status, reason = case_rows(
        tmp_path / "case.vigil",
        "SELECT status, reason FROM files WHERE path LIKE ?",
        (f"%{HOG.decode()}%",),
    )[0]
    assert status == "too_large" and "memory a worker may use" in reason


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads children from /proc")
def test_workers_exit_when_the_ingest_is_killed(tmp_path):
    evidence = tmp_path / "evidence"
    _ordinary(evidence, 2)
    for index in range(2):  # one stalling file for each worker
        (evidence / f"{index}_{SLOW.decode()}.jpg").write_bytes(b"\xff\xd8\xff" + bytes(64))
    driver = textwrap.dedent(
        f"""
        from desktop.jobs.ingest import ingest
        from helpers.slow_decoder import analyse_or_stall
        if __name__ == "__main__":
            ingest({str(tmp_path / "case.vigil")!r}, [{str(evidence)!r}], workers=2,
                   analyse=analyse_or_stall)
        """
    )
    script = tmp_path / "driver.py"
    script.write_text(driver)
    tests_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([tests_dir, *sys.path])}
    parent = subprocess.Popen([sys.executable, str(script)], env=env, start_new_session=True)
    try:
        workers = _wait_for_workers(parent.pid, 2, seconds=60)
        time.sleep(1.0)  # the workers are analysing (stalled in the marked files)
        os.kill(parent.pid, signal.SIGKILL)  # only the ingest, as `kill -9` would
        parent.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in workers), "workers outlived the killed ingest"
    finally:
        try:  # whatever happened, leave nothing running (workers keep the session id)
            os.killpg(parent.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        parent.wait()
    # its run is `interrupted` once its process is gone, and the next ingest resumes it
    case = tmp_path / "case.vigil"
    assert case_rows(case, "SELECT id, state FROM ingest_runs") == [(1, "running")]
    with time_limit(60):
        summary = ingest(case, [evidence], workers=1)
    assert summary.resumed_interrupted_run == 1
    runs = case_rows(case, "SELECT id, state FROM ingest_runs ORDER BY id")
    assert runs == [(1, "interrupted"), (2, "finished")]


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as children:
            found += [int(child) for child in children.read().split()]
    return found


def _wait_for_workers(pid: int, count: int, seconds: float) -> list[int]:
    """The analysis workers among a process's children (not multiprocessing's tracker): spawned
    ones, or forked ones (the ingest's first workers: its own command line)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        own = _cmdline(pid)  # read each time: empty until the process has exec'd
        workers = [c for c in _children(pid)
                   if b"spawn_main" in _cmdline(c) or own and _cmdline(c) == own]  # fmt: skip
        if len(workers) >= count:
            return workers
        time.sleep(0.1)
    raise AssertionError("the ingest did not start its workers")


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"  # a zombie has exited
    except (OSError, IndexError):
        return False


def test_verify_reports_an_evidence_file_swapped_for_a_pipe(tmp_path):
    evidence = tmp_path / "evidence"
    _ordinary(evidence, 3)
    case = tmp_path / "case.vigil"
    ingest(case, [evidence], workers=1)
    swapped = evidence / "ordinary_01.jpg"
    swapped.unlink()
    os.mkfifo(swapped)  # nobody will ever write to it: opening it for reading used to wait
    ran = run_vigil("verify", "--case", case, timeout=60)
    assert ran.code == 1 and "Traceback" not in ran.stderr
    assert "CHANGED" in ran.stdout and "not a regular file" in ran.stdout
