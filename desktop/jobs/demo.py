"""The demo job: write harmless sample evidence and ingest it into a demo case."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

from desktop.core.samples import write_sample_evidence
from desktop.jobs.ingest import IngestSummary, ingest
from desktop.jobs.job_callbacks import Cancel, Progress

DEMO_SCENES = 120
# Written last, so a demo folder interrupted while being written is written again.
COMPLETE_MARKER = ".vigil-sample-complete"


@dataclass
class Demo:
    evidence: Path
    case: Path
    summary: IngestSummary


def default_demo_dir() -> Path:
    return Path(platformdirs.user_data_dir("vigil", appauthor=False)) / "demo"


def prepare_demo(
    folder: Path | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    scenes: int | None = None,
) -> Demo:
    """Sample evidence in `folder`/evidence (made once) ingested into `folder`/demo.vigil."""
    folder = folder or default_demo_dir()
    if progress:
        progress(0, 0, "Writing sample evidence")
    evidence = write_demo_evidence(folder, scenes)
    case = demo_case(folder)
    summary = ingest(case, [evidence], progress, cancel)
    return Demo(evidence, case, summary)


def write_demo_evidence(folder: Path, scenes: int | None = None) -> Path:
    """`folder`/evidence, written once (a folder left half-written is written again)."""
    evidence = folder / "evidence"
    marker = folder / COMPLETE_MARKER
    if not marker.exists():
        # here, not at the top: every `vigil` command imports this module (its help names the
        # demo's folder), and PyAV's import costs each of them about 0.1 s
        from desktop.core.video_samples import write_sample_videos

        folder.mkdir(parents=True, exist_ok=True)
        write_sample_evidence(evidence, scenes=scenes or DEMO_SCENES)
        write_sample_videos(evidence)
        marker.write_text("sample evidence written by vigil demo\n")
    return evidence


def demo_case(folder: Path) -> Path:
    return folder / "demo.vigil"
