"""`vigil demo`: sample evidence, ingested, opened in the program (or summarised)."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.case_commands import print_summary
from desktop.cli.output import Interrupts, ProgressBar, UserError
from desktop.jobs.demo import default_demo_dir, prepare_demo


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "demo",
        help="ingest built-in synthetic sample evidence and open it",
        description="Writes a folder of harmless generated pictures and videos (with "
        "near-duplicates, camera EXIF, GPS and a few broken files), ingests it into a demo case "
        "and opens it.",
    )
    p.add_argument("--no-gui", action="store_true", help="print the ingest summary instead")
    p.add_argument(
        "--dir", type=Path, default=None, help=f"where to put it (default {default_demo_dir()})"
    )
    p.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    folder = args.dir or default_demo_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"Cannot create the demo folder {folder}: {error.strerror}.") from None
    bar = ProgressBar()
    with Interrupts() as interrupts:
        try:
            demo = prepare_demo(folder, bar, interrupts)
        finally:
            bar.close()
    print(f"Sample evidence: {demo.evidence}")
    print(f"Demo case:       {demo.case}")
    print_summary(demo.summary)
    if args.no_gui:
        return 0
    from desktop.app import run_gui

    return run_gui(demo.case)
