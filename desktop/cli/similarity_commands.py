"""Near-duplicate commands: groups (per strictness) and similar (from a media or an image file)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.cli.case_commands import add_case_argument
from desktop.cli.output import Interrupts, UserError, print_json, stream_json_list, table
from desktop.core.similarity import STRICTNESS
from desktop.core.video_meta import clock
from desktop.store import groups as group_store
from desktop.store.db import open_case
from desktop.store.investigation import resolve_media


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "groups",
        help="near-duplicate groups of a case, largest first",
        description="Group copies of the same picture (resized, recompressed, mirrored, turned, "
        "bordered, recoloured). Groups are brought up to date first: only new media are looked "
        "up. Exact copies are already one media and are listed with all their paths.",
    )
    add_case_argument(p)
    p.add_argument(
        "--strictness",
        choices=sorted(STRICTNESS),
        help="how alike copies must be (default: the case's setting, normal unless changed)",
    )
    p.add_argument(
        "--set-default",
        action="store_true",
        help="also make --strictness the case's setting (recorded in the audit log)",
    )
    p.add_argument("--rebuild", action="store_true", help="recompute from scratch")
    p.add_argument("--json", action="store_true", help="print the groups as JSON")
    p.set_defaults(handler=cmd_groups)

    p = subparsers.add_parser(
        "similar",
        help="pictures of a case nearest to one of its media or to an image file",
    )
    add_case_argument(p)
    p.add_argument(
        "target", metavar="MEDIA|IMAGE_FILE",
        help="a media (12, #12 or its SHA-256, MD5 or SHA-1) or a picture file",
    )  # fmt: skip
    p.add_argument("--top", type=int, default=10, help="how many results (default 10)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(handler=cmd_similar)


def cmd_groups(args: argparse.Namespace) -> int:
    # the grouping's modules (OpenCV among them) are imported by the commands that group, not
    # at every start of the CLI: `vigil ingest` forks its workers sooner without them
    from desktop.jobs.grouping import update_groups

    if args.set_default and not args.strictness:
        raise UserError("--set-default needs --strictness.")
    db = open_case(args.case)
    try:
        if args.set_default:
            group_store.set_strictness(db, args.strictness)
        level = args.strictness or group_store.strictness(db)
        with Interrupts() as cancel:
            summary = update_groups(
                db, _steps(quiet=args.json), cancel, strictness=level, rebuild=args.rebuild
            )
        if summary.cancelled:
            raise UserError("Stopped before the groups were brought up to date.")
        if args.json:
            stream_json_list(
                [_member_json(m) for m in group] for group in group_store.iter_groups(db, level)
            )
            return 0
        count, media = group_store.group_counts(db, level)
        print(f"{count} near-duplicate groups ({media} media), strictness {level}")
        for number, group in enumerate(group_store.iter_groups(db, level), 1):
            members = sum(1 for m in group if m["relation"] == "member")
            inside = len(group) - members
            print(f"group {number}: {members} media" + (f", {inside} containing" if inside else ""))
            table(
                (
                    m["media_id"],
                    "representative" if m["representative"] else _described(m),
                    "" if m["distance"] is None else f"{m['distance']} bits",
                    m["paths"][0] if m["paths"] else "(no file)",
                    f"+{len(m['paths']) - 1} copies" if len(m["paths"]) > 1 else "",
                )
                for m in group
            )
        return 0
    finally:
        db.close()


def _described(member: dict[str, Any]) -> str:
    """The member's explanation, with the times of the matching frames of videos."""
    words = member["explanation"] or ""
    if member["relation"] == "member" and member["time"] is not None:
        words += f" (frame at {clock(member['time'])}"
        if member["matched_time"] is not None:
            words += f", at {clock(member['matched_time'])} in media {member['matched_media_id']}"
        words += ")"
    elif member["relation"] == "member" and member["matched_time"] is not None:
        words += (
            f" (frame at {clock(member['matched_time'])} of media {member['matched_media_id']})"
        )
    return words


def _steps(quiet: bool) -> Callable[[int, int, str], None]:
    """Progress for a job of a few long steps: each step's name on stderr, on a terminal."""

    def show(done: int, total: int, message: str) -> None:
        if not quiet and sys.stderr.isatty() and done < total:
            print(f"{message}...", file=sys.stderr)

    return show


def _member_json(member: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "media_id",
        "sha256",
        "paths",
        "width",
        "height",
        "duration",
        "representative",
        "relation",
        "matched_media_id",
        "distance",
        "explanation",
        "time",
        "matched_time",
    )
    shown = {key: member[key] for key in keys}
    if member["relation"] == "contains":
        shown["contains"] = member["contains"]
    return shown


def cmd_similar(args: argparse.Namespace) -> int:
    from desktop.jobs.similar_media import similar_to_file, similar_to_media

    if args.top < 1:
        raise UserError("--top must be 1 or more.")
    db = open_case(args.case)
    try:
        target = args.target
        path = Path(target)
        reference = target.strip().lstrip("#")
        if (reference.isascii() and reference.isdigit()) or (
            len(reference) in (32, 40, 64) and not path.is_file()
        ):
            # a media as the other commands take it: 12, #12, or its SHA-256, MD5 or SHA-1
            found = similar_to_media(db, resolve_media(db, target), args.top)
        elif path.is_file():
            found = similar_to_file(db, path, args.top)
        else:
            raise UserError(f"{target} is neither a media id nor an image file.")
        if args.json:
            print_json(found)
            return 0
        if not found:
            print("No pictures with fingerprints in this case.")
        table(
            (
                r["media_id"],
                f"{r['distance']} bits",
                "near duplicate" if r["near_duplicate"] else "",
                r["explanation"] if r["near_duplicate"] else "",
                r["paths"][0] if r.get("paths") else "",
            )
            for r in found
        )
        return 0
    finally:
        db.close()
