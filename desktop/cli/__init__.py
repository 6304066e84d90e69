"""The `vigil` command: every headless command, one module per family of subcommands."""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from collections.abc import Sequence

from desktop import __version__
from desktop.cli import (
    case_commands,
    demo_command,
    entity_commands,
    export_command,
    gui_commands,
    hashset_commands,
    investigation_commands,
    report_command,
    similarity_commands,
)
from desktop.cli.output import HumanOutput, UserError, fail
from desktop.jobs.ingest import IngestError
from desktop.store.db import CaseError, explain_failure

# Each family module has register(subparsers); its parsers set `handler` to a function that
# takes the parsed arguments and returns the exit code.
COMMAND_FAMILIES = [case_commands, demo_command, investigation_commands, entity_commands]
COMMAND_FAMILIES += [hashset_commands, export_command]  # known material, exchange (issue 5)
COMMAND_FAMILIES += [similarity_commands]  # near-duplicate groups and similar (issue 6)
COMMAND_FAMILIES += [report_command]  # vigil report (issue 15)
COMMAND_FAMILIES += [gui_commands]  # vigil open (issue 3)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vigil",
        description="Vigil: offline workstation for child-victim identification. "
        "Run without a command to open the program.",
    )
    parser.add_argument("--version", action="version", version=f"vigil {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for family in COMMAND_FAMILIES:
        family.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the PyInstaller build starts ingest workers through us
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    stdout = sys.stdout
    try:
        if handler is None:
            from desktop.app import run_gui

            return run_gui(None)
        if not getattr(args, "json", False):
            sys.stdout = HumanOutput(stdout)
        return int(handler(args) or 0)
    except (UserError, CaseError, IngestError) as error:
        return fail(str(error))
    except KeyboardInterrupt:
        return fail("Stopped.", code=130)
    except BrokenPipeError:  # `vigil items --json | head` closes the pipe early: not an error
        sys.stderr.close()
        return 0
    except Exception as error:
        # a full disk, a damaged case, a failing disk: one sentence, what was written is kept
        message = explain_failure(error, getattr(args, "case", None))
        if message is None:
            raise
        return fail(message)
    finally:
        sys.stdout = stdout


if __name__ == "__main__":
    sys.exit(main())
