"""`vigil export`: write a case's work in an exchange format (one entry per format below)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.cli.case_commands import add_case_argument
from desktop.cli.output import Interrupts, ProgressBar, UserError, print_json
from desktop.store import audit
from desktop.store.db import open_case


def _export_vics(db: Any, out: Path, args: argparse.Namespace) -> dict[str, Any]:
    from desktop.jobs.export_vics import export_vics

    bar = ProgressBar(unit="media", quiet=args.json, title="Exporting")
    with Interrupts() as interrupts:
        try:
            return export_vics(db, out, bar, interrupts, form=args.vics_form)
        finally:
            bar.close()


def _export_json(db: Any, out: Path, args: argparse.Namespace) -> dict[str, Any]:
    from desktop.jobs.export_work import WorkExportError, export_work

    bar = ProgressBar(unit="media", quiet=args.json, title="Exporting")
    with Interrupts() as interrupts:
        try:
            return export_work(db, out, progress=bar, cancel=interrupts).as_dict()
        except WorkExportError as error:
            raise UserError(str(error)) from None
        finally:
            bar.close()


# format name -> (help, function(db, out path, args) -> summary dict). Add a format here.
FORMATS: dict[str, tuple[str, Callable[[Any, Path, argparse.Namespace], dict[str, Any]]]] = {
    "vics": ("VICS 2.0 JSON for Project VIC / CAID tools and other agencies", _export_vics),
    "json": (
        "the analyst's whole work as JSON: media references, categories, clues, tags, "
        "entities and links",
        _export_json,
    ),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "export",
        help="write a case's work to a file (" + ", ".join(FORMATS) + ")",
        description="Formats: " + "; ".join(f"{k}: {v[0]}" for k, v in FORMATS.items()),
    )
    add_case_argument(p)
    p.add_argument("--format", required=True, choices=sorted(FORMATS))
    p.add_argument("out", metavar="OUT")
    p.add_argument(
        "--vics-form",
        choices=("cases", "media"),
        default="cases",
        help="VICS only: 'cases' (a Case record holding the Media: Griffeye, GLEAPP and Vigil "
        "read it) or 'media' (a bare hash set: IPED's hash-set importer needs this form)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if not out.parent.exists():
        raise UserError(f"Cannot write {out}: the folder {out.parent} does not exist.")
    if out.is_dir():
        raise UserError(f"{out} is a folder; name the file to write.")
    db = open_case(args.case)
    try:
        summary = FORMATS[args.format][1](db, out, args)
    except OSError as error:
        raise UserError(f"Cannot write {out}: {error.strerror or error}.") from None
    head = audit.head(db)  # printed with every export: a witness of the log outside the case
    summary["audit_head"] = head.as_json()
    if args.json:
        print_json(summary)
    elif summary.get("cancelled"):
        print("Export stopped: no file was written.")
    else:
        print(f"Wrote {summary.get('media', 0)} media to {out} ({args.format}).")
        print(f"Audit log: {head.describe()}.")
    return 130 if summary.get("cancelled") else 0
