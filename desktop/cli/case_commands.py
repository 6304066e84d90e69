"""Case commands: ingest, info, items, verify, audit."""

from __future__ import annotations

import argparse
import json
from typing import Any

from desktop.cli.output import Interrupts, ProgressBar, print_json, stream_json_list, table
from desktop.core.video_meta import clock
from desktop.jobs.ingest import IngestSummary, ingest
from desktop.jobs.verify import verify
from desktop.store import audit, exposure, items, known, videos
from desktop.store.audit import current_user
from desktop.store.db import CaseDatabase, get_info, open_case


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (argparse says why otherwise)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"it must be 1 or more, not {value}")
    return value


def add_case_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--case", required=True, metavar="CASE.vigil", help="the case file")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "ingest",
        help="add evidence folders or files to a case (created if missing)",
        description="Walk evidence read-only, hash and describe every file, and record it in "
        "the case. Run it again to resume: unchanged files are skipped.",
    )
    add_case_argument(p)
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="evidence folder or file")
    p.add_argument(
        "--workers", type=positive_int, default=None, help="processes (default: all cores)"
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_ingest)

    p = subparsers.add_parser("info", help="counts, sources and hash algorithms of a case")
    add_case_argument(p)
    p.add_argument(
        "--exposure",
        action="store_true",
        help="your own exposure per day instead: seconds of pictures revealed, video shown "
        "sharp and sound heard (nobody else's figures are shown)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_info)

    p = subparsers.add_parser("items", help="media with their hashes and file locations")
    add_case_argument(p)
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--status",
        choices=items.FILE_STATUSES,
        help="only media (or, for unreadable and symlink, files) with this status",
    )
    p.set_defaults(handler=cmd_items)

    p = subparsers.add_parser(
        "verify", help="re-read the evidence; exit 1 if any file changed or went missing"
    )
    add_case_argument(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_verify)

    p = subparsers.add_parser("audit", help="the case's audit log")
    add_case_argument(p)
    p.add_argument("--verify", action="store_true", help="check the hash chain; exit 1 if broken")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_audit)


# ---- ingest ----------------------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace) -> int:
    bar = ProgressBar(quiet=args.quiet or args.json)
    with Interrupts() as interrupts:
        try:
            summary = ingest(args.case, args.sources, bar, interrupts, workers=args.workers)
        finally:
            bar.close()
    if args.json:
        print_json(summary.as_dict())
    else:
        print_summary(summary)
    return 130 if summary.cancelled else 0


def print_summary(summary: IngestSummary) -> None:
    rate = summary.seen / summary.elapsed if summary.elapsed else 0.0
    state = "Stopped early" if summary.cancelled else "Ingest finished"
    print(f"{state}: {summary.seen} files in {summary.elapsed:.1f} s ({rate:.0f} files/s)")
    if summary.resumed_interrupted_run:
        print(f"  resumed after interrupted run {summary.resumed_interrupted_run}")
    table((status, count) for status, count in summary.statuses.items() if count)
    if summary.skipped_unchanged:
        print(f"  ({summary.skipped_unchanged} unchanged since an earlier ingest, not read again)")
    duplicates = summary.statuses.get("duplicate", 0)
    print(
        f"New distinct media: {summary.new_media}; exact duplicate files: {duplicates}; "
        f"media in case: {summary.media_in_case}"
    )
    if summary.extension_mismatches:
        print(f"Files whose extension does not match their content: {summary.extension_mismatches}")
    if summary.decoder_crashes:
        print(
            f"A decoder crashed on {summary.decoder_crashes} file(s): recorded as corrupt with "
            "their hashes; the ingest went on."
        )
    if summary.too_slow:
        print(
            f"{summary.too_slow} file(s) took longer than the time allowed per file: recorded as "
            "too_slow with their hashes; the ingest went on."
        )
    problems = sum(
        summary.statuses.get(s, 0)
        for s in ("truncated", "corrupt", "too_large", "too_slow", "unreadable")
    )
    if problems:
        print(f"{problems} files could not be decoded or read: see `vigil items --status ...`.")


# ---- info ------------------------------------------------------------------------------------


def case_info(db: Any) -> dict[str, Any]:
    algorithms = get_info(db, "hash_algorithms")
    statuses = items.file_status_counts(db)
    return {
        "case_id": get_info(db, "case_id"),
        "created_at": get_info(db, "created_at"),
        "files_seen": sum(statuses.values()),
        "file_statuses": statuses,
        "media": items.media_count(db),
        "media_types": items.type_counts(db),
        "videos": _video_totals(db),
        "sources": items.sources(db),
        "hash_algorithms": json.loads(algorithms) if algorithms else {},
        "known_material": known.status_counts(db),
    }


def _video_totals(db: Any) -> dict[str, float | int]:
    count, seconds = videos.video_counts(db)
    return {"count": count, "hours": round(seconds / 3600, 3)}


def cmd_info(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    if args.exposure:
        return _print_exposure(db, args.json)
    info = case_info(db)
    if args.json:
        print_json(info)
        return 0
    print(f"Case {args.case}  (id {info['case_id']}, created {info['created_at']})")
    print(f"Files seen: {info['files_seen']}   distinct media: {info['media']}")
    if info["videos"]["count"]:
        shown = clock(info["videos"]["hours"] * 3600)
        print(f"Videos (and animated pictures): {info['videos']['count']}, {shown} in all")
    counts = info["known_material"]
    print(
        f"Known material: {counts['known']} known, {counts['probably_known']} probably known "
        f"(to confirm), {counts['known_good']} known good, {counts['new']} new"
    )
    print("By status:")
    table((s, n) for s, n in info["file_statuses"].items() if n)
    print("Media by type:")
    table(info["media_types"].items())
    print("Sources:")
    table((s["path"], f"{s['files']} files", f"added {s['added_at']}") for s in info["sources"])
    print("Hash algorithms and library versions:")
    table(info["hash_algorithms"].items())
    return 0


def _print_exposure(db: CaseDatabase, as_json: bool) -> int:
    """The analyst's own figures (this OS user's events only), per local day."""
    days = exposure.by_day(db)
    user = current_user()
    if as_json:
        print_json(
            {"analyst": user, "days": [{"day": d, **{k: round(v, 1) for k, v in kinds.items()}}
                                       for d, kinds in days]}
        )  # fmt: skip
        return 0
    if not days:
        print(f"No exposure recorded for {user} in this case.")
        return 0
    print(f"Exposure of {user} in this case (seconds shown sharp or heard):")
    table(
        [("day", "pictures", "video", "sound")]
        + [(d, clock(k["picture"]), clock(k["video"]), clock(k["sound"])) for d, k in days]
    )
    return 0


# ---- items -----------------------------------------------------------------------------------


def _item_json(media: dict[str, Any]) -> dict[str, Any]:
    media = dict(media)
    media["media_id"] = media.pop("id")
    return media


def cmd_items(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    if args.status in ("unreadable", "symlink"):
        rows = items.iter_files_without_media(db, args.status)
        if args.json:
            stream_json_list(rows)
        else:
            for row in rows:
                print(f"{row['status']:<11} {row['path']}  ({row['reason']})")
        return 0
    media = items.iter_media(db, args.status)
    if args.json:
        stream_json_list(_item_json(m) for m in media)
        return 0
    for m in media:
        dims = f"{m['width']}x{m['height']}" if m["width"] else "-"
        print(
            f"#{m['id']:<6} {m['status']:<11} {m['file_type'] or '?':<5} {dims:<10} {m['sha256']}"
        )
        if m["video"]:
            print(f"         {_video_line(m['video'])}")
        if m["reason"]:
            print(f"         {m['reason']}")
        for f in m["files"]:
            flag = "  [extension does not match content]" if f["extension_mismatch"] else ""
            print(f"         {f['status']:<9} {f['path']}{flag}")
    return 0


def _video_line(video: dict[str, Any]) -> str:
    sound = f"sound ({video['audio_codec']})" if video["has_audio"] else "no sound"
    rate = f", {video['fps']:g} fps" if video["fps"] else ""
    return (
        f"{clock(video['duration'])} {video['video_codec']}{rate}, {sound}, "
        f"{video['kept_frames']} frames kept"
    )


# ---- verify ----------------------------------------------------------------------------------


def cmd_verify(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    bar = ProgressBar(quiet=args.json, title="Verifying")
    with Interrupts() as interrupts:
        try:
            report = verify(db, bar, interrupts)
        finally:
            bar.close()
    if args.json:
        print_json(report.as_dict())
    else:
        print(
            f"Checked {report.checked} files: {report.unchanged} unchanged, "
            f"{len(report.changed)} changed, {len(report.missing)} missing."
        )
        for row in report.changed:
            print(f"  CHANGED  {row['path']}  ({row['problem']})")
        for row in report.missing:
            print(f"  MISSING  {row['path']}")
        if report.audit is not None:
            print(report.audit.describe())
        if report.cancelled:
            print("Stopped before every file was checked.")
    return 0 if report.clean else 1


# ---- audit -----------------------------------------------------------------------------------


def cmd_audit(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    if args.verify:
        db.require_sound()  # a damaged file is said in one sentence before the chain is read
        result = audit.check(db)
        if args.json:
            print_json(result.as_dict())
        else:
            print(result.describe())
        return 0 if result.intact else 1
    if args.json:
        stream_json_list(event.as_dict() for event in audit.events(db))
        return 0
    for event in audit.events(db):
        detail = event.after or event.before or ""
        if len(detail) > 120:
            detail = detail[:117] + "..."
        print(
            f"{event.id:>5}  {event.at}  {event.user}@{event.host}  v{event.tool_version}  "
            f"{event.action}  {event.target or ''}  {detail}"
        )
    return 0
