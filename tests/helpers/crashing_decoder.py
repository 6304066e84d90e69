"""An analysis that dies like a native decoder crashing on a crafted file (for ingest tests).

It lives in an importable module because the ingest's worker processes import it by name.
"""

from __future__ import annotations

import os

from desktop.core.ingest import FileAnalysis
from desktop.jobs.analysis_worker import analyse_in_worker

MARKER = b"crash_the_decoder"


def analyse_or_die(path: bytes) -> FileAnalysis:
    if MARKER in os.path.basename(path):
        os._exit(139)  # what a segmentation fault in libjpeg looks like to the pool
    return analyse_in_worker(path)
