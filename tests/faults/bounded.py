"""Running what hostile input meets under a memory cap and a timeout, and checking the answer."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Address space per process of a child command (each of its workers inherits the cap): enough
# for Python, numpy and one decode at Vigil's own limits, far below what the machine has.
MEMORY_CAP = 3 * 1024**3
TIMEOUT = 90.0


# Runs the command as its child and reports the largest resident size any process of the tree
# reached (Linux keeps the maximum over every descendant that was waited for: the workers too).
_PEAK = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "sys.stderr.write(f'\\n{sys.argv[1]} {peak}\\n')\n"
    "sys.exit(code)\n"
)
_PEAK_MARK = "peak-rss-kib"


@dataclass
class Ran:
    """What a bounded command did; `peak_rss`: the largest resident size (bytes) any of its
    processes reached (its analysis workers included)."""

    code: int
    stdout: str
    stderr: str
    peak_rss: int = 0


def _cap(memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def run_vigil(
    *args: str | os.PathLike[str],
    timeout: float = TIMEOUT,
    memory: int = MEMORY_CAP,
    env: dict[str, str] | None = None,
) -> Ran:
    """`vigil ARGS` in a child process group; killed whole (and the test failed) on timeout."""
    command = [sys.executable, "-c", _PEAK, _PEAK_MARK, sys.executable, "-m", "desktop"]
    command += map(str, args)
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=True,
        preexec_fn=lambda: _cap(memory),  # noqa: PLW1509 - only resource limits, no threads
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError(f"vigil {' '.join(map(str, args))} ran past {timeout} s") from None
    stderr, _, peak = stderr.rstrip("\n").rpartition(f"\n{_PEAK_MARK} ")
    return Ran(process.returncode, stdout, stderr, int(peak) * 1024)


def assert_one_sentence(ran: Ran, code: int = 2, contains: str | None = None) -> str:
    """The command failed the way users are promised: its exit code, one line, no traceback."""
    assert "Traceback" not in ran.stderr, ran.stderr
    lines = [line for line in ran.stderr.splitlines() if line.strip()]
    assert ran.code == code, (ran.code, ran.stderr)
    assert len(lines) == 1, ran.stderr
    if contains is not None:
        assert contains in lines[0], lines[0]
    return lines[0]


class TimeLimit(Exception):
    """An in-process call ran past its time limit."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block (even a blocking system call, such as opening a pipe) after
    `seconds`: SIGALRM, so the main thread only."""

    def expire(signum: int, frame: object) -> None:
        raise TimeLimit(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def case_rows(case: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Read a case without Vigil's code (a plain read-only connection)."""
    import sqlite3

    conn = sqlite3.connect(f"{Path(case).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
