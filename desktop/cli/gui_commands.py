"""`vigil open CASE`: open a case in the review window."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.store.db import open_case


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "open",
        help="open a case in the review window",
        description="Open a case file in the review window (pictures are shown blurred until "
        "you reveal one). Run `vigil` without a command for the start screen.",
    )
    p.add_argument("case", type=Path, metavar="CASE.vigil", help="the case file to open")
    p.set_defaults(handler=cmd_open)


def cmd_open(args: argparse.Namespace) -> int:
    open_case(args.case).close()  # a missing or foreign file is one sentence here, not a dialog
    from desktop.app import run_gui

    return run_gui(args.case)
