"""Run a piece of code in a child process under a memory cap and a timeout (hostile inputs)."""

from __future__ import annotations

import os
import subprocess
import sys

MEMORY_CAP = 1 << 30  # address space of the child: a regression fails, it does not take CI down
TIME_CAP = 60.0

_PRELUDE = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
"""


def run_bounded(code: str, *args: str, memory: int = MEMORY_CAP, seconds: float = TIME_CAP) -> str:
    """stdout of `code` run with `args` as sys.argv[1:]; AssertionError when the child runs out
    of memory, past the time cap, or fails."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PRELUDE.format(cap=memory) + code, *args],
            capture_output=True,
            text=True,
            timeout=seconds,
            env=env,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running after {seconds:.0f} s") from None
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    return done.stdout
