"""The lock a running ingest holds on its case; the operating system drops it when the process ends.

A second ingest of the same case sees it and is refused in one sentence, and an ingest that
holds it knows that any run still recorded as `running` belongs to a process that is gone
(killed, or its machine lost power): only those are marked `interrupted`. The lock is an
advisory lock on a small file beside the case (`CASE.vigil-ingest`, like SQLite's own `-wal`
and `-shm`), holding who has it, for the refusal to name.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

from desktop.store.db import CaseError, now_iso

if sys.platform == "win32":  # pragma: no cover - Windows builds only; not exercised here
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # byte 0; the holder is written after it
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


class IngestRunning(CaseError):
    """Another ingest is adding evidence to this case right now."""


def lock_path(case_path: str | os.PathLike[str]) -> Path:
    return Path(os.fspath(case_path) + "-ingest")


class IngestLock:
    """Held for the whole of one ingest: `with IngestLock(case): ...`."""

    def __init__(self, case_path: str | os.PathLike[str]):
        self.case_path = Path(case_path)
        self.path = lock_path(case_path)
        self._fd: int | None = None

    def __enter__(self) -> IngestLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            holder = _holder(fd)
            os.close(fd)
            raise IngestRunning(
                f"Another ingest is adding evidence to {self.case_path} ({holder}): wait for it "
                "to finish, or stop it, then run this one again (it resumes where that one "
                "stopped)."
            )
        self._fd = fd
        info = {"pid": os.getpid(), "host": platform.node(), "since": now_iso()}
        os.ftruncate(fd, 1)
        os.lseek(fd, 1, os.SEEK_SET)
        os.write(fd, json.dumps(info).encode())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock; the small file stays for the next run
            self._fd = None


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 1, os.SEEK_SET)
        info = json.loads(os.read(fd, 4096) or b"{}")
        return f"process {info['pid']} on {info['host']}, since {info['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "process unknown"
