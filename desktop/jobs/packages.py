"""Case package jobs: export a case's work (signed), import another agency's after checking it."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop import __version__
from desktop.core.categories import default_scheme_name
from desktop.core.packages import (
    PackageError,
    load_private_key,
    load_public_key,
    new_keys,
    read_package,
    write_package,
)
from desktop.jobs.case_work import CaseWork, media_batches
from desktop.jobs.match import match_media
from desktop.jobs.merge_report import Sender, conflict_key
from desktop.jobs.package_merge import InvestigationMerge
from desktop.store import audit, entities, items, known, origins, review
from desktop.store.db import get_info, now_iso

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]
MEDIA_MEMBER = "work/media.jsonl"
CASE_MEMBER = "work/case.json"
ENTITIES_MEMBER = "work/entities.json"
_HEX = {"sha256": 64, "md5": 32, "sha1": 40}
IMPORT_BATCH = 1000
MAX_CONFLICTS_LISTED = 1000  # the summary lists this many; conflict_count has them all


def new_key_pair(private_path: Path) -> tuple[Path, Path, str]:
    """Write KEYFILE (private, owner-only) and KEYFILE.pub; refuses to overwrite either."""
    public_path = private_path.with_name(private_path.name + ".pub")
    for path in (private_path, public_path):
        if path.exists():
            raise PackageError(f"{path} exists already; choose another name for the key.")
    if not private_path.parent.exists():
        raise PackageError(f"The folder {private_path.parent} does not exist.")
    private_pem, public_pem, fingerprint = new_keys()
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_pem)
    public_path.write_bytes(public_pem)
    return private_path, public_path, fingerprint


# ---- export --------------------------------------------------------------------------------------


def _media_lines(db: Database, work: CaseWork) -> Iterator[bytes]:
    media_by_id: dict[int, dict[str, Any]] = {}
    for media in items.iter_media(db):
        media_by_id[media["id"]] = media
        if len(media_by_id) == 500:
            yield from _lines_for(work, media_by_id)
            media_by_id = {}
    yield from _lines_for(work, media_by_id)


def _lines_for(work: CaseWork, media_by_id: dict[int, dict[str, Any]]) -> Iterator[bytes]:
    found = work.for_media(list(media_by_id))
    for media_id, media in media_by_id.items():
        w = found[media_id]
        pre = w.precategorisation()
        line = {
            "sha256": media["sha256"],
            "md5": media["md5"],
            "sha1": media["sha1"],
            "size": media["size"],
            "file_type": media["file_type"],
            "perceptual_hashes": media["perceptual_hashes"],
            "paths": [f["path"] for f in media["files"]],
            "category": w.category,
            "category_source": w.category_source,
            "precategorisation": pre,
            "series": w.series(),
            "victim_identified": w.victim_identified(),
            "offender_identified": w.offender_identified(),
            "tags": w.tags,
            "clues": w.clues,
            "links": w.links,
            "matches": w.matches,
        }
        yield (json.dumps(line, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _package_entities(db: Database, work: CaseWork) -> list[dict[str, Any]]:
    """The case's entities; each series lists the ids of the victims appearing in it."""
    listed = work.entities()
    for entity in listed:
        if entity["kind"] == "series":
            found = entities.victims_in_series(db, entity["entity_id"])
            entity["victims"] = [victim.id for victim in found]
    return listed


def export_package(
    db: Database,
    out: Path,
    thumbnails: bool = False,
    sign: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> dict[str, Any]:
    """Write the case's work (and optionally its thumbnails) as one package file; a cancel
    stops it with no file written (PackageError says so)."""
    progress = progress or (lambda done, total, message: None)
    cancel = cancel or (lambda: False)
    key = load_private_key(sign) if sign else None
    if not out.parent.exists():
        raise PackageError(f"Cannot write {out}: the folder {out.parent} does not exist.")
    work = CaseWork(db)
    head = audit.head(db)
    info = {
        "case_id": get_info(db, "case_id"),
        "organization": get_info(db, "organization"),
        "exported_at": now_iso(),
        "exported_by": audit.current_user(),
        "tool": f"Vigil {__version__}",
        "scheme": default_scheme_name(),
        "media": items.media_count(db),
        # the sender's audit log as the package was made: a witness of it outside the case
        "audit_head": head.as_json(),
    }

    def counted(lines: Iterator[bytes]) -> Iterator[bytes]:
        for number, line in enumerate(lines, 1):
            if number % 200 == 0:
                progress(number, info["media"], "Writing the package")
                if cancel():
                    raise PackageError("The export was stopped; no file was written.")
            yield line

    def members() -> Iterator[tuple[str, bytes | Iterator[bytes]]]:
        yield CASE_MEMBER, json.dumps(info, sort_keys=True).encode("utf-8")
        yield ENTITIES_MEMBER, json.dumps(_package_entities(db, work), sort_keys=True).encode()
        yield MEDIA_MEMBER, counted(_media_lines(db, work))
        if thumbnails:
            for ids in media_batches(db):
                for sha256, jpeg in known.thumbnails(db, ids).values():
                    yield f"thumbnails/{sha256}.jpg", jpeg

    try:
        manifest = write_package(out, members(), info, key)
    except OSError as error:
        raise PackageError(f"Cannot write {out}: {error.strerror or error}.") from None
    sha256 = hashlib.sha256(out.read_bytes()).hexdigest()
    signer = manifest["signer"]["fingerprint"] if manifest["signer"] else None
    result = {
        "path": str(out.resolve()),
        "sha256": sha256,
        "media": info["media"],
        "members": len(manifest["members"]),
        "thumbnails": thumbnails,
        "signer": signer,
    }
    with db.atomic():
        audit.append(db, "package.export", str(out.resolve()), after=result)
    return result


# ---- import --------------------------------------------------------------------------------------


def _flag(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise PackageError("The package is refused: its work file has a malformed flag.")


def _record(line: bytes, number: int, scheme: str | None) -> dict[str, Any]:
    bad = f"The package is refused: line {number} of its media list is malformed"
    try:
        data = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # nested past the parser
        raise PackageError(f"{bad} (not JSON).") from None
    if not isinstance(data, dict):
        raise PackageError(f"{bad}.")
    for name, length in _HEX.items():
        value = data.get(name)
        if (value is not None or name == "sha256") and not (
            isinstance(value, str) and re.fullmatch(f"[0-9a-f]{{{length}}}", value)
        ):
            raise PackageError(f"{bad} ({name}).")
    pre = data.get("precategorisation") if isinstance(data.get("precategorisation"), dict) else {}
    category = data.get("category")
    if category is None:  # no word of their analyst: the hash set's, in its own scheme
        category = pre.get("category")
        scheme = pre.get("scheme") if isinstance(pre.get("scheme"), str) else scheme
    if category is not None and not (isinstance(category, int) and 0 <= category <= 255):
        raise PackageError(f"{bad} (category).")
    tags = data.get("tags") or []
    if not isinstance(tags, list):
        raise PackageError(f"{bad} (tags).")
    return {
        "sha256": data["sha256"],
        "md5": data.get("md5"),
        "sha1": data.get("sha1"),
        "scheme": scheme,
        "category": category,
        "series": data.get("series") if isinstance(data.get("series"), str) else None,
        "victim_identified": _flag(data.get("victim_identified")),
        "offender_identified": _flag(data.get("offender_identified")),
        "is_distributed": None,
        "tags": ", ".join(str(t) for t in tags) or None,
        "comments": None,
        "work": {k: data.get(k) for k in ("clues", "links", "category_source", "paths", "tags")},
    }


class _Preview(Exception):  # noqa: N818 - not an error: carries the summary out of the rollback
    def __init__(self, summary: dict[str, Any]):
        super().__init__("preview")
        self.summary = summary


class ImportStopped(PackageError):
    """The analyst stopped the import; the case is as it was."""


def import_package(
    db: Database,
    path: Path,
    trust: Path | None = None,
    *,
    preview: bool = False,
    take_theirs: Collection[str] = (),
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> dict[str, Any]:
    """Verify a package completely, then merge it into the case by content hash.

    `preview` does the whole merge and rolls it back: the summary says what would be merged
    and lists every conflict with its key (`choices`); nothing is written, not even an audit
    event. `take_theirs` names conflicts (keys from a preview) where the sender's record
    replaces the case's: a changed entity, link or clue, or a media's category. Cancelling
    between batches rolls everything back (ImportStopped).

    The whole file is checked before anything is written, and everything is written in one
    transaction that a late surprise (a malformed line, a member changed since the check)
    rolls back: a refused package leaves the case as it was. PackageError says why.
    Besides the per-media records (matches), the sender's entities, links, clues and tags are
    merged into the case's investigation (jobs.package_merge), with their provenance. Importing
    the same package again merges again without duplicating anything (media ingested since
    then get the sender's work too)."""
    progress = progress or (lambda done, total, message: None)
    cancel = cancel or (lambda: False)
    theirs = frozenset(take_theirs)
    trusted = load_public_key(trust) if trust else None
    progress(0, 0, "Checking the package")
    package = read_package(path, trusted, keep=(CASE_MEMBER, ENTITIES_MEMBER))
    earlier = origins.package_row(db, package.sha256)
    info = package.manifest.get("info") or {}
    scheme = info.get("scheme") if isinstance(info.get("scheme"), str) else None
    if not any(m["path"] == MEDIA_MEMBER for m in package.manifest["members"]):
        raise PackageError("The package is refused: it has no media list (work/media.jsonl).")
    try:
        sent_entities = json.loads(package.members.get(ENTITIES_MEMBER, b"[]"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        sent_entities = None
    if not isinstance(sent_entities, list):
        raise PackageError("The package is refused: its entity list is malformed.")
    organization = str(info.get("organization") or "")
    sender_case = str(info.get("case_id") or "") or f"package:{package.sha256}"
    summary: dict[str, Any] = {
        "file": str(path.resolve()),
        "package_sha256": package.sha256,
        "signer": package.signer,
        "trusted": package.trusted,
        "source_case_id": info.get("case_id"),
        "organization": organization or None,
        "already_imported": earlier[1] if earlier else None,
        "records": 0,
        "in_case": 0,
        "entities": len(sent_entities),
        "conflicts": [],
        "conflict_count": 0,
        "choices": [],
        "taken": sorted(theirs),
        "investigation": None,
        "preview": preview,
    }
    expected = info.get("media") if isinstance(info.get("media"), int) else 0
    matched: list[int] = []

    def step(done: int) -> None:
        progress(done, max(done, expected), "Merging")
        if cancel():
            raise ImportStopped("The import was stopped; nothing was written.")

    try:
        with db.atomic():
            if earlier is not None:
                package_id = earlier[0]  # its records are kept already: merge again, add nothing
            else:
                package_id = known.add_package(
                    db,
                    {
                        "package_sha256": package.sha256,
                        "file_name": path.name,
                        "source_case_id": str(info.get("case_id") or ""),
                        "organization": organization,
                        "created_at": str(info.get("exported_at") or ""),
                        "signer": package.signer,
                        "trusted": package.trusted,
                        "imported_at": now_iso(),
                        "imported_by": audit.current_user(),
                    },
                )
            merging = _Merging(db, package_id, summary, theirs, path.name)
            merge = None
            if sender_case != get_info(db, "case_id"):  # a case's own package brings nothing new
                sender = Sender(package_id, sender_case, organization)
                merge = InvestigationMerge(db, sender, theirs)
                merge.merge_entities(sent_entities)
            batch: list[dict[str, Any]] = []
            lines = package.iter_lines(MEDIA_MEMBER)
            for number, line in enumerate(lines, 1):
                if line.strip():
                    batch.append(_record(line, number, scheme))
                if len(batch) >= IMPORT_BATCH:
                    matched += merging.merge(batch, merge, earlier is None)
                    batch = []
                    step(summary["records"])
            matched += merging.merge(batch, merge, earlier is None)
            step(summary["records"])
            _add_investigation(summary, merge)
            if preview:
                raise _Preview(summary)  # rolls the whole merge back
            if earlier is None:
                stored = {**summary, "entity_list": sent_entities}
                known.finish_package(db, package_id, json.dumps(stored, default=str))
            audit.append(db, "package.import", path.name, after=summary)
    except _Preview as done:
        return done.summary
    if matched:
        match_media(db, sorted(matched))
    return summary


def _add_investigation(summary: dict[str, Any], merge: InvestigationMerge | None) -> None:
    if merge is None:
        summary["investigation"] = {"not_merged": "the package was exported from this case"}
        return
    report = merge.report.as_dict()
    summary["investigation"] = report
    summary["conflict_count"] += report["conflict_count"]
    room = MAX_CONFLICTS_LISTED - len(summary["conflicts"])
    summary["conflicts"] += [c["reason"] for c in report["conflicts"][: max(0, room)]]
    summary["choices"] += [
        {"key": c["key"], "what": c["what"], "reason": c["reason"]}
        for c in report["conflicts"][: max(0, room)]
    ]


@dataclass
class _Merging:
    """One import's batches: records stored, conflicts noted (the analyst's choices applied),
    the sender's work merged on media the case holds."""

    db: Database
    package_id: int
    summary: dict[str, Any]
    theirs: frozenset[str]
    source: str

    def merge(
        self, batch: list[dict[str, Any]], merge: InvestigationMerge | None, store_records: bool
    ) -> list[int]:
        """Store a batch; the ids of the media of the case it names."""
        db, summary = self.db, self.summary
        if store_records:
            known.add_package_records(db, self.package_id, batch)
        in_case = known.media_ids_for_sha256(db, [r["sha256"] for r in batch])
        conflicts = self._settle(_conflicts(db, batch, in_case))
        summary["records"] += len(batch)
        summary["in_case"] += len(in_case)
        summary["conflict_count"] += len(conflicts)
        room = MAX_CONFLICTS_LISTED - len(summary["conflicts"])
        summary["conflicts"] += [reason for _, _, reason in conflicts[: max(0, room)]]
        summary["choices"] += [
            {"key": key, "what": "category", "reason": reason}
            for key, choosable, reason in conflicts[: max(0, room)]
            if choosable
        ]
        if merge is not None:
            for record in batch:
                media_id = in_case.get(record["sha256"])
                if media_id is not None:
                    merge.merge_media(media_id, record["sha256"], record["work"])
            merge.flush()
        return list(in_case.values())

    def _settle(self, found: list[tuple[str, bool, str, int, int]]) -> list[tuple[str, bool, str]]:
        """Apply the sender's category where the analyst chose so; the conflicts left."""
        left = []
        for key, choosable, reason, media_id, category in found:
            if choosable and key in self.theirs:
                review.set_category(self.db, [media_id], category, f"package:{self.source}")
            else:
                left.append((key, choosable, reason))
        return left


def _conflicts(
    db: Database, records: list[dict[str, Any]], in_case: dict[str, int]
) -> list[tuple[str, bool, str, int, int]]:
    """Where the package's category differs from the case's own (the analyst may take theirs)
    or from a hash set's (both are shown): (key, choosable, reason, media id, their category)."""
    if not in_case:
        return []
    work = CaseWork(db).for_media(list(in_case.values()))
    conflicts = []
    for record in records:
        media_id = in_case.get(record["sha256"])
        if media_id is None or record["category"] is None:
            continue
        mine = work[media_id]
        short = record["sha256"][:12]
        theirs = record["category"]
        if mine.category is not None and mine.category != theirs:
            conflicts.append((
                conflict_key("category", record["sha256"]), True,
                f"media {media_id} ({short}): your category {mine.category}, "
                f"the package says {theirs} (yours is kept)", media_id, theirs,
            ))  # fmt: skip
        for match in mine.matches:
            if match["kind"] == "exact" and match["category"] not in (None, theirs):
                reason = (
                    f"media {media_id} ({short}): set {match['set_name']!r} says "
                    f"{match['category']}, the package says {theirs} (both shown)"
                )
                key = f"set:{match['set_name']}:{record['sha256']}"
                conflicts.append((key, False, reason, media_id, theirs))
    return conflicts
