"""Analyses that misbehave on marked files, like decoders meeting crafted input (ingest tests).

They live in an importable module because the ingest's worker processes import them by name.
"""

from __future__ import annotations

import os
import time

from desktop.core.ingest import FileAnalysis
from desktop.jobs.analysis_worker import analyse_in_worker

SLOW = b"stall_the_decoder"
SWAP = b"swapped_for_a_pipe"
STALL_SECONDS = 60.0


def analyse_or_stall(path: bytes) -> FileAnalysis:
    """Stalls on a marked file as a decoder does on a crafted one (the 450 s progressive JPEG)."""
    if SLOW in os.path.basename(path):
        time.sleep(STALL_SECONDS)
    return analyse_in_worker(path)


def swap_then_analyse(path: bytes) -> FileAnalysis:
    """The marked file is replaced by a FIFO between the walk and the read (nobody writes it)."""
    if SWAP in os.path.basename(path):
        os.unlink(path)
        os.mkfifo(path)
    return analyse_in_worker(path)


HOG = b"hog_the_memory"


def analyse_or_hog(path: bytes) -> FileAnalysis:
    """Allocates past a worker's memory cap on a marked file, as a runaway decoder would."""
    if HOG in os.path.basename(path):
        hoard = bytearray(3 * 1024**3)  # more than WORKER_MEMORY_LIMIT
        hoard[-1] = 1
    return analyse_in_worker(path)


LONG = b"long_video"


def analyse_like_a_long_video(path: bytes) -> FileAnalysis:
    """Asks for more time, then takes longer than the file's own budget, as a video decode."""
    from desktop.jobs.analysis_worker import _more_time

    if LONG in os.path.basename(path):
        _more_time(8.0)
        time.sleep(4.0)
    return analyse_in_worker(path)


HOLD = b"hold_the_ingest"
STEP_SECONDS = 0.05


def analyse_steadily_then_hold(path: bytes) -> FileAnalysis:
    """Takes a little time on every file (so the ingest writes batch after batch for a while),
    and on the marked file waits while a file named `hold` exists beside the evidence folder."""
    time.sleep(STEP_SECONDS)
    if HOLD in os.path.basename(path):
        hold = os.path.join(os.path.dirname(os.path.dirname(path)), b"hold")
        deadline = time.monotonic() + STALL_SECONDS
        while os.path.exists(hold) and time.monotonic() < deadline:
            time.sleep(STEP_SECONDS)
    return analyse_in_worker(path)


STARTED = b"started.log"  # beside the evidence folder: one line per analysis started
LENGTHY_SECONDS = 0.6


def analyse_lengthily_noting_starts(path: bytes) -> FileAnalysis:
    """Notes the file's name as it starts on it, then takes a while, as a video does."""
    log = os.path.join(os.path.dirname(os.path.dirname(path)), STARTED)
    with open(log, "ab") as handle:
        handle.write(os.path.basename(path) + b"\n")
    time.sleep(LENGTHY_SECONDS)
    return analyse_in_worker(path)


def analyse_noting_threads(path: bytes) -> FileAnalysis:
    """Notes the decoder threads a video started now would get, then takes a while."""
    from desktop.jobs.analysis_worker import decoder_threads

    log = os.path.join(os.path.dirname(os.path.dirname(path)), STARTED)
    with open(log, "ab") as handle:
        handle.write(b"%s %d\n" % (os.path.basename(path), decoder_threads()))
    time.sleep(LENGTHY_SECONDS)
    return analyse_in_worker(path)
