"""Investigation commands on clues and tags: list, add, edit, remove, export a clue's crop."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli.case_commands import add_case_argument
from desktop.cli.output import UserError, print_json, stream_json_list, table
from desktop.core.clue_kinds import clue_kinds, kind_keys, kind_name
from desktop.core.regions import RegionError, parse_region
from desktop.core.video_meta import frame_clock, parse_clock
from desktop.jobs.clue_export import ClueExportError, export_clue
from desktop.store import clues, tags
from desktop.store.db import open_case
from desktop.store.investigation import resolve_media


def region_argument(text: str) -> Any:
    try:
        return parse_region(text)
    except RegionError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def time_argument(text: str) -> float:
    try:
        return parse_clock(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("clues", help="list the clues recorded in a case")
    add_case_argument(p)
    p.add_argument("--kind", choices=kind_keys(), help="only clues of this kind")
    p.add_argument("--label", help="only clues whose label contains this text")
    p.add_argument("--media", help="only clues on this media (number or digest)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_clues)

    clue = subparsers.add_parser("clue", help="add, edit, remove or export one clue")
    actions = clue.add_subparsers(title="actions", metavar="ACTION", required=True)
    p = actions.add_parser("add", help="record a clue on a media")
    add_case_argument(p)
    p.add_argument("--media", required=True, help="media number or its SHA-256/MD5/SHA-1")
    p.add_argument("--kind", required=True, choices=kind_keys())
    p.add_argument("--label", required=True, help="what it is, in a few words")
    p.add_argument("--note", default="")
    p.add_argument("--region", type=region_argument, metavar="X,Y,W,H", help="in image pixels")
    p.add_argument(
        "--time",
        type=time_argument,
        metavar="T",
        help="on a video: the frame's time (seconds, M:SS.s or H:MM:SS); the region is in "
        "that frame's pixels",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_clue_add)

    p = actions.add_parser("edit", help="change a clue's kind, label, note or region")
    add_case_argument(p)
    p.add_argument("clue_id", type=int, metavar="CLUE")
    p.add_argument("--kind", choices=kind_keys())
    p.add_argument("--label")
    p.add_argument("--note")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--region", type=region_argument, metavar="X,Y,W,H")
    group.add_argument("--no-region", action="store_true", help="remove the region")
    p.add_argument("--time", type=time_argument, metavar="T", help="on a video: the frame's time")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_clue_edit)

    p = actions.add_parser("remove", help="delete a clue (the audit log keeps it)")
    add_case_argument(p)
    p.add_argument("clue_id", type=int, metavar="CLUE")
    p.set_defaults(handler=cmd_clue_remove)

    p = actions.add_parser("kinds", help="the clue taxonomy")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_clue_kinds)

    p = actions.add_parser(
        "export",
        help="write a clue's region as a picture without metadata, plus a JSON sidecar",
        description="Write only the clue's region (PNG or JPEG, from OUT's suffix) and OUT.json "
        "with kind, label, note, case reference and the source's SHA-256. The crop never "
        "carries EXIF or any other metadata of the source. A clue on a video is cut from the "
        "frame at its time (decoded from the evidence).",
    )
    add_case_argument(p)
    p.add_argument("clue_id", type=int, metavar="CLUE")
    p.add_argument("out", metavar="OUT.png", help="the crop file (.png or .jpg)")
    p.add_argument(
        "--blackout",
        type=region_argument,
        action="append",
        default=[],
        metavar="X,Y,W,H",
        help="paint this rectangle (image pixels) black; repeat for several",
    )
    p.add_argument("--reference", help="case reference for the sidecar (default: the case's)")
    p.add_argument("--force", action="store_true", help="overwrite OUT and its sidecar")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_clue_export)

    p = subparsers.add_parser("tags", help="the tags of a case with how many media carry each")
    add_case_argument(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_tags)

    tag = subparsers.add_parser("tag", help="put a tag on media or take it off")
    actions = tag.add_subparsers(title="actions", metavar="ACTION", required=True)
    for name, handler, text in (
        ("add", cmd_tag_add, "put a tag on media"),
        ("remove", cmd_tag_remove, "take a tag off media"),
    ):
        p = actions.add_parser(name, help=text)
        add_case_argument(p)
        p.add_argument("tag", metavar="TAG")
        p.add_argument("media", nargs="+", metavar="MEDIA", help="media numbers or digests")
        p.set_defaults(handler=handler)


# ---- clues -------------------------------------------------------------------------------------


def _print_clue(clue: clues.Clue) -> None:
    where = (
        f"{clue.region.w}x{clue.region.h} at {clue.region.x},{clue.region.y}"
        if clue.region
        else "whole picture"
    )
    if clue.time is not None:
        where += f" of the frame at {frame_clock(clue.time)}"
    print(
        f"#{clue.id:<5} media #{clue.media_id:<6} {kind_name(clue.kind)}: {clue.label}  ({where})"
    )
    if clue.note:
        print(f"       {clue.note}")


def cmd_clues(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    media_ids = [resolve_media(db, args.media)] if args.media else None
    found = clues.iter_clues(db, kind=args.kind, label=args.label, media_ids=media_ids)
    if args.json:
        stream_json_list(clue.as_dict() for clue in found)
        return 0
    count = 0
    for clue in found:
        _print_clue(clue)
        count += 1
    print(f"{count} clue(s).")
    return 0


def _show(args: argparse.Namespace, clue: clues.Clue, verb: str) -> int:
    if args.json:
        print_json(clue.as_dict())
    else:
        print(f"{verb} clue #{clue.id}.")
        _print_clue(clue)
    return 0


def cmd_clue_add(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    media_id = resolve_media(db, args.media)
    clue = clues.add_clue(db, media_id, args.kind, args.label, args.note, args.region, args.time)
    return _show(args, clue, "Recorded")


def cmd_clue_edit(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    changes: dict[str, Any] = {
        name: getattr(args, name)
        for name in ("kind", "label", "note", "region", "time")
        if getattr(args, name) is not None
    }
    if args.no_region:
        changes["region"] = None
    if not changes:
        raise UserError(
            "Give at least one of --kind, --label, --note, --region, --no-region, --time."
        )
    return _show(args, clues.update_clue(db, args.clue_id, **changes), "Changed")


def cmd_clue_remove(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    clue = clues.remove_clue(db, args.clue_id)
    print(f"Removed clue #{clue.id} ({clue.label}); the audit log keeps what it held.")
    return 0


def cmd_clue_kinds(args: argparse.Namespace) -> int:
    kinds = clue_kinds()
    if args.json:
        print_json([kind.__dict__ for kind in kinds])
        return 0
    table((kind.key, kind.name, kind.examples) for kind in kinds)
    return 0


def cmd_clue_export(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    try:
        result = export_clue(
            db, args.clue_id, args.out, args.blackout, reference=args.reference, force=args.force
        )
    except ClueExportError as error:
        raise UserError(str(error)) from None
    if args.json:
        print_json(
            {
                "crop": str(result.crop_path),
                "sidecar": str(result.sidecar_path),
                **result.sidecar,
            }
        )
    else:
        print(f"Wrote {result.crop_path} and {result.sidecar_path} (no metadata in the crop).")
    return 0


# ---- tags --------------------------------------------------------------------------------------


def cmd_tags(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    counts = tags.tag_counts(db)
    if args.json:
        print_json([{"tag": name, "media_count": count} for name, count in counts])
        return 0
    table((name, f"{count} media") for name, count in counts)
    print(f"{len(counts)} tag(s).")
    return 0


def cmd_tag_add(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    media_ids = [resolve_media(db, ref) for ref in args.media]
    added = tags.add_tag(db, media_ids, args.tag)
    print(f"Tagged {added} media with {args.tag!r} ({len(media_ids) - added} already had it).")
    return 0


def cmd_tag_remove(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    media_ids = [resolve_media(db, ref) for ref in args.media]
    removed = tags.remove_tag(db, media_ids, args.tag)
    print(f"Took {args.tag!r} off {removed} media.")
    return 0
