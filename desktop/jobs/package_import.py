"""Case package import: verify another agency's package whole, then merge it into a case.

In one transaction: its records are stored and matched by content hash, where its categories
differ from the case's is noted (the analyst may take theirs), and its investigation work is
merged by jobs.package_merge."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop.core.packages import (
    CASE_MEMBER,
    ENTITIES_MEMBER,
    MEDIA_MEMBER,
    PackageError,
    load_public_key,
    read_package,
)
from desktop.jobs.case_work import CaseWork
from desktop.jobs.job_callbacks import Cancel, Progress
from desktop.jobs.match import match_media
from desktop.jobs.merge_report import Sender, conflict_key
from desktop.jobs.package_merge import InvestigationMerge
from desktop.store import audit, known, origins, review
from desktop.store.db import get_info, now_iso

_HEX = {"sha256": 64, "md5": 32, "sha1": 40}
IMPORT_BATCH = 1000
MAX_CONFLICTS_LISTED = 1000  # the summary lists this many; conflict_count has them all


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
