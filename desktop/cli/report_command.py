"""`vigil report`: a case report for a court or a partner (HTML, PDF, CSV, XLSX)."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.case_commands import add_case_argument
from desktop.cli.output import Interrupts, ProgressBar, UserError, print_json
from desktop.jobs.report import ReportError, make_scope, write_report
from desktop.jobs.verify import verify
from desktop.store.db import open_case


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report",
        help="write a case report (OUT.html, OUT.pdf, OUT.csv or OUT.xlsx)",
        description="A report of the case or part of it: cover (sources, evidence check, audit "
        "log head, versions), summary, one section per victim, series, offender and location, "
        "the media table and an appendix. Pictures are blurred unless --unblurred --reason is "
        "given. CSV and XLSX hold the media table.",
    )
    add_case_argument(p)
    p.add_argument("out", metavar="OUT", help="the report file; its suffix gives the format")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--scope", choices=["all"], default="all", help="the whole case (default)")
    scope.add_argument("--category", type=int, metavar="N", help="media of one category (-1: none)")
    scope.add_argument("--tag", metavar="T", help="media carrying this tag")
    scope.add_argument("--entity", metavar="E", help="media linked to this entity (number or name)")
    scope.add_argument("--media", metavar="IDS", help="these media, by number: 3,17,42")
    p.add_argument("--unblurred", action="store_true", help="sharp pictures (needs --reason)")
    p.add_argument("--reason", help="why the pictures must be sharp (goes into the audit log)")
    p.add_argument(
        "--verify", action="store_true",
        help="re-read the evidence now and print the result on the cover (else the last verify)",
    )  # fmt: skip
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(handler=cmd_report)


def _scope_choice(args: argparse.Namespace) -> tuple[str, object]:
    if args.category is not None:
        return "category", args.category
    if args.tag is not None:
        return "tag", args.tag
    if args.entity is not None:
        return "entity", args.entity
    if args.media is not None:
        try:
            return "media", [int(part.strip().lstrip("#")) for part in args.media.split(",")]
        except ValueError:
            raise UserError("--media takes media numbers separated by commas.") from None
    return "all", None


def cmd_report(args: argparse.Namespace) -> int:
    if args.unblurred and not (args.reason or "").strip():
        raise UserError('--unblurred needs --reason "...": the reason goes into the audit log.')
    if args.reason and not args.unblurred:
        raise UserError("--reason goes with --unblurred.")
    db = open_case(args.case)
    scope = make_scope(db, *_scope_choice(args))  # refusals are CaseErrors: one sentence
    fresh = None
    with Interrupts() as interrupts:
        if args.verify:
            bar = ProgressBar(quiet=args.json, title="Verifying")
            try:
                fresh = verify(db, bar, interrupts).as_dict()
            finally:
                bar.close()
        bar = ProgressBar(unit="media", quiet=args.json, title="Writing")
        try:
            summary = write_report(
                db, args.case, Path(args.out), scope,
                unblurred_reason=args.reason if args.unblurred else None,
                verification=fresh, force=args.force, progress=bar, cancel=interrupts,
            )  # fmt: skip
        except ReportError as error:
            raise UserError(str(error)) from None
        finally:
            bar.close()
    if args.json:
        print_json(summary.as_dict())
    elif summary.cancelled:
        print("Report stopped: no file was written.")
    else:
        pages = f", {summary.pages} pages" if summary.pages else ""
        state = "UNBLURRED" if summary.unblurred else "pictures blurred"
        print(f"Wrote {summary.media} media to {summary.path} ({summary.format}{pages}, {state}).")
    return 130 if summary.cancelled else 0
