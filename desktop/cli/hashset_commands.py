"""Known-material commands: hash sets in the library, matching, signing keys, case packages."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop.cli.case_commands import add_case_argument
from desktop.cli.output import Interrupts, ProgressBar, UserError, print_json, table
from desktop.core.hashsets import FORMATS, HashSetError
from desktop.jobs.hashset_import import import_hashset
from desktop.jobs.match import match_media
from desktop.store import audit, hashlibrary
from desktop.store.db import open_case


def register(subparsers: argparse._SubParsersAction) -> None:
    hashset = subparsers.add_parser("hashset", help="hash sets in the workstation's hash library")
    sets = hashset.add_subparsers(title="hashset commands", metavar="ACTION", required=True)
    p = sets.add_parser(
        "import",
        help="import a hash set (VICS JSON, digest list, md5sum, md5deep, hashdeep, certutil, "
        "CSV, NSRL RDS, PDQ, pHash)",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--name", help="name of the set (default: the file name)")
    p.add_argument("--format", choices=FORMATS, help="the file's format (default: detected)")
    p.add_argument(
        "--known-good",
        action="store_true",
        help="files of no interest (like NSRL, which is always known good): hidden as known, "
        "never a pre-categorisation",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_import)
    p = sets.add_parser("list", help="the sets in the hash library")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)
    p = sets.add_parser("remove", help="remove a set from the hash library")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=cmd_remove)

    p = subparsers.add_parser(
        "match", help="match a case's media against the hash library and imported packages"
    )
    add_case_argument(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_match)

    key = subparsers.add_parser("key", help="Ed25519 keys that sign case packages")
    keys = key.add_subparsers(title="key commands", metavar="ACTION", required=True)
    p = keys.add_parser("new", help="make a key pair: KEYFILE (private) and KEYFILE.pub")
    p.add_argument("keyfile", nargs="?", default="vigil-signing-key.pem", metavar="KEYFILE")
    p.set_defaults(handler=cmd_key_new)

    package = subparsers.add_parser("package", help="case packages exchanged between agencies")
    packages = package.add_subparsers(title="package commands", metavar="ACTION", required=True)
    p = packages.add_parser("export", help="write the case's work as one (signed) package file")
    add_case_argument(p)
    p.add_argument("out", metavar="OUT")
    p.add_argument("--thumbnails", action="store_true", help="include the (blurred) thumbnails")
    p.add_argument("--sign", metavar="KEYFILE", help="sign with this private key")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_package_export)
    p = packages.add_parser(
        "import", help="check a package (signature, every hash) and merge it into a case"
    )
    add_case_argument(p)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--trust", metavar="PUBKEY", help="require a signature by this public key")
    p.add_argument(
        "--preview", action="store_true",
        help="show what would be merged and every conflict (with its key); write nothing",
    )  # fmt: skip
    p.add_argument(
        "--take-theirs", action="append", default=[], metavar="KEY",
        help="for this conflict (a key from --preview) take the package's record; repeatable",
    )  # fmt: skip
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_package_import)


def _library_label() -> str:
    return str(hashlibrary.default_library_path())


def cmd_import(args: argparse.Namespace) -> int:
    bar = ProgressBar(unit="records", quiet=args.quiet or args.json, title="Importing")
    with Interrupts() as interrupts:
        try:
            result = import_hashset(
                args.file, args.name, args.format, None, bar, interrupts, args.known_good or None
            )
        except HashSetError as error:
            raise UserError(str(error)) from None
        finally:
            bar.close()
    if args.json:
        print_json(result.as_dict())
        return 130 if result.cancelled else 0
    if result.cancelled:
        print("Import stopped: nothing was added to the hash library.")
        return 130
    scheme = f", scheme {result.scheme}" if result.scheme else ""
    print(
        f"Imported {result.records} records as {result.name!r} ({result.format}{scheme}) "
        f"in {result.elapsed:.1f} s into {_library_label()}"
    )
    if result.bad_records:
        print(f"{result.bad_records} malformed records were skipped, for example:")
        for reason in result.reasons[:5]:
            print(f"  {reason}")
    if result.truncated:
        print(f"Warning: {result.truncated_reason}; the records before it were kept.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    if not hashlibrary.library_exists():
        sets: list[Any] = []
    else:
        db = hashlibrary.open_library(create=False)
        sets = [s.as_dict() for s in hashlibrary.hash_sets(db)]
    if args.json:
        print_json(sets)
        return 0
    if not sets:
        print(f"The hash library ({_library_label()}) is empty.")
        return 0
    rows = [("NAME", "RECORDS", "BAD", "FORMAT", "SCHEME", "PURPOSE", "IMPORTED", "SOURCE")]
    for s in sets:
        rows.append(
            (
                s["name"] + (" (incomplete)" if s["truncated"] else ""),
                s["record_count"],
                s["bad_records"],
                s["format"],
                s["scheme"] or "-",
                s["purpose"],
                s["imported_at"][:19],
                s["source_path"],
            )
        )
    table(rows, indent="")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    if not hashlibrary.library_exists():
        raise UserError(f"The hash library has no set named {args.name!r}.")
    db = hashlibrary.open_library(create=False)
    removed = hashlibrary.remove_set(db, args.name)
    print(f"Removed {removed.name!r} ({removed.record_count} records) from the hash library.")
    print("Run `vigil match --case C` to refresh the matches of a case.")
    return 0


def cmd_match(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    bar = ProgressBar(unit="media", quiet=args.quiet or args.json, title="Matching")
    with Interrupts() as interrupts:
        try:
            summary = match_media(db, None, bar, interrupts)
        finally:
            bar.close()
    if args.json:
        print_json(summary.as_dict())
        return 130 if summary.cancelled else 0
    if summary.skipped:
        print(f"Nothing to match: {summary.skipped}.")
        return 0
    print(
        f"Checked {summary.media_checked} media against {summary.library_records} library "
        f"records in {summary.elapsed:.1f} s: {summary.known} known, {summary.known_good} "
        f"known good, {summary.probably_known} probably known (to confirm)."
    )
    if summary.disagreements:
        print(f"{summary.disagreements} media match sets that disagree (both are shown).")
    table(summary.sets.items())
    return 130 if summary.cancelled else 0


def cmd_key_new(args: argparse.Namespace) -> int:
    # the package commands import them here, not at the top: signatures (cryptography) would
    # cost every vigil command 30 ms to import
    from desktop.core.packages import PackageError
    from desktop.jobs.package_export import new_key_pair

    try:
        private, public, fingerprint = new_key_pair(Path(args.keyfile))
    except PackageError as error:
        raise UserError(str(error)) from None
    print(f"Private key: {private} (keep it secret)")
    print(f"Public key:  {public} (give it to others)")
    print(f"Fingerprint: {fingerprint}")
    return 0


def cmd_package_export(args: argparse.Namespace) -> int:
    from desktop.core.packages import PackageError
    from desktop.jobs.package_export import export_package

    db = open_case(args.case)
    try:
        result = export_package(db, Path(args.out), args.thumbnails, args.sign)
    except PackageError as error:
        raise UserError(str(error)) from None
    head = audit.head(db)  # printed with every export: a witness of the log outside the case
    result["audit_head"] = head.as_json()
    if args.json:
        print_json(result)
        return 0
    signed = f", signed by key {result['signer']}" if result["signer"] else ", unsigned"
    print(
        f"Wrote {args.out}: {result['media']} media, {result['members']} members"
        f"{signed} (SHA-256 {result['sha256']})."
    )
    print(f"Audit log: {head.describe()}.")
    return 0


def cmd_package_import(args: argparse.Namespace) -> int:
    from desktop.core.packages import PackageError
    from desktop.jobs.package_import import import_package

    db = open_case(args.case)
    try:
        result = import_package(
            db, Path(args.file), Path(args.trust) if args.trust else None,
            preview=args.preview, take_theirs=args.take_theirs,
        )  # fmt: skip
    except PackageError as error:
        raise UserError(str(error)) from None
    if args.json:
        print_json(result)
        return 0
    trust = "signed by the trusted key" if result["trusted"] else (
        f"signed by an untrusted key {result['signer']}" if result["signer"] else "UNSIGNED"
    )  # fmt: skip
    what = "Would import (preview, nothing written)" if args.preview else "Imported"
    print(
        f"{what} {args.file} ({trust}): {result['records']} records, {result['in_case']} "
        f"match media in this case."
    )
    if result.get("already_imported"):
        print(f"  (already imported on {result['already_imported']}: merged again, no duplicates)")
    for line in _merge_lines(result.get("investigation")):
        print(line)
    if args.preview:
        for choice in result["choices"]:
            print(f"  conflict {choice['key']}: {choice['reason']}")
        if result["choices"]:
            print("  (--take-theirs KEY takes the package's record for that conflict)")
        return 0
    for conflict in result["conflicts"][:20]:
        print(f"  conflict: {conflict}")
    if result["conflict_count"] > 20:
        print(f"  ... and {result['conflict_count'] - 20} more conflicts (see --json)")
    return 0


_MERGED = (("entities", "entities"), ("series_victims", "victims in series"), ("links", "links"),
           ("clues", "clues"), ("tags", "tags"))  # fmt: skip
_OUTCOMES = (("added", "added"), ("matched", "already here"), ("updated", "updated"),
             ("unchanged", "unchanged"), ("conflicts", "in conflict"),
             ("taken", "taken from the package over yours"),
             ("kept_removed", "removed here, not restored"), ("skipped", "not merged"))  # fmt: skip


def _merge_lines(investigation: dict[str, Any] | None) -> list[str]:
    """What the merge of the sender's investigation did, one line per kind of record."""
    if not investigation:
        return []
    if "not_merged" in investigation:
        return [f"Investigation work not merged: {investigation['not_merged']}."]
    lines = ["Merged the sender's investigation work:"]
    for key, label in _MERGED:
        counts = investigation[key]
        parts = [f"{counts[o]} {word}" for o, word in _OUTCOMES if counts.get(o)]
        lines.append(f"  {label + ':':<19}{', '.join(parts) if parts else 'none'}")
    for made in investigation["created_entities"]:
        if made["name"] != " ".join(made["sent_name"].split()):
            lines.append(
                f"  renamed: their {made['kind']} {made['sent_name']!r} is {made['name']!r} here "
                "(the name was in use)"
            )
    for reason in investigation["skipped"][:5]:
        lines.append(f"  not merged: {reason}")
    return lines
