"""Case package export: write a case's work as one package file, signed when a key is given.

Also makes the Ed25519 key pairs that sign packages; jobs.package_import reads a package into
another case."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop import __version__
from desktop.core.categories import default_scheme_name
from desktop.core.packages import (
    CASE_MEMBER,
    ENTITIES_MEMBER,
    MEDIA_MEMBER,
    PackageError,
    load_private_key,
    new_keys,
    write_package,
)
from desktop.jobs.case_work import CaseWork, media_batches
from desktop.jobs.job_callbacks import Cancel, Progress
from desktop.store import audit, entities, items, known
from desktop.store.db import get_info, now_iso


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
