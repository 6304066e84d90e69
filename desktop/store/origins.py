"""Where investigation rows merged from other agencies' case packages came from (provenance)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from desktop.store.db import now_iso

ROW_KINDS = ("entity", "link", "clue", "tag", "series_victim")
_COLUMNS = (
    "id, row_kind, row_id, source_case_id, organization, original_id, created, sender_record,"
    " sender_hash, local_hash, first_package_id, last_package_id, merged_at"
)


def content_hash(value: Any) -> str:
    """SHA-256 of a record's canonical JSON: what "unchanged" means for a merged row."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Origin:
    id: int
    row_kind: str
    row_id: int
    source_case_id: str
    organization: str
    original_id: str
    created: bool  # the import made the local row (False: it was in the case already)
    sender_record: str
    sender_hash: str
    local_hash: str | None
    first_package_id: int
    last_package_id: int
    merged_at: str

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["sender_record"] = json.loads(self.sender_record)
        return data


def _origin(row: tuple[Any, ...]) -> Origin:
    values = list(row)
    values[6] = bool(values[6])
    return Origin(*values)


def find_origin(
    db: Database, row_kind: str, source_case_id: str, original_id: str
) -> Origin | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM merged_origins"
        " WHERE row_kind = ? AND source_case_id = ? AND original_id = ?",
        [row_kind, source_case_id, original_id],
    ).fetchone()
    return _origin(row) if row else None


def record_origin(
    db: Database,
    *,
    row_kind: str,
    row_id: int,
    source_case_id: str,
    organization: str,
    original_id: str,
    created: bool,
    sender_record: Any,
    local_record: Any,
    package_id: int,
) -> None:
    """Insert or refresh the provenance of one merged row; call inside the import's transaction
    (the package.import audit event written in it records the merge)."""
    if row_kind not in ROW_KINDS:
        raise ValueError(f"unknown row kind {row_kind!r}")
    local_hash = None if local_record is None else content_hash(local_record)
    record = json.dumps(sender_record, sort_keys=True, ensure_ascii=False, default=str)
    db.execute(
        "INSERT INTO merged_origins (row_kind, row_id, source_case_id, organization, original_id,"
        " created, sender_record, sender_hash, local_hash, first_package_id, last_package_id,"
        " merged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (row_kind, source_case_id, original_id) DO UPDATE SET"
        " row_id = excluded.row_id, organization = excluded.organization,"
        " sender_record = excluded.sender_record, sender_hash = excluded.sender_hash,"
        " local_hash = excluded.local_hash, last_package_id = excluded.last_package_id,"
        " merged_at = excluded.merged_at",
        [
            row_kind, row_id, source_case_id, organization, original_id, int(created), record,
            content_hash(sender_record), local_hash, package_id, package_id, now_iso(),
        ],
    )  # fmt: skip


def touch_origin(db: Database, origin_id: int, package_id: int) -> None:
    """Note that a later package carried the same record again (nothing else changes)."""
    db.execute(
        "UPDATE merged_origins SET last_package_id = ? WHERE id = ?", [package_id, origin_id]
    )


def origins_of_rows(db: Database, row_kind: str, row_ids: Sequence[int]) -> dict[int, Origin]:
    """The (first) origin of each local row that came from a package, by local row id."""
    found: dict[int, Origin] = {}
    ids = list(row_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM merged_origins WHERE row_kind = ? AND row_id IN ({marks})"
            " ORDER BY id",
            [row_kind, *chunk],
        )
        for row in rows:
            origin = _origin(row)
            found.setdefault(origin.row_id, origin)
    return found


def entity_origin_labels(db: Database) -> dict[int, str]:
    """entity id -> who it came from ("from ORG" or the sending case id), for the GUI's marker.

    Only entities an import created are marked: a local series a package merely matched by
    name stays the analyst's own."""
    rows = db.execute(
        "SELECT row_id, organization, source_case_id FROM merged_origins"
        " WHERE row_kind = 'entity' AND created = 1 ORDER BY id"
    )
    labels: dict[int, str] = {}
    for row_id, organization, case_id in rows:
        labels.setdefault(int(row_id), organization or f"case {case_id[:8]}")
    return labels


def package_row(db: Database, package_sha256: str) -> tuple[int, str] | None:
    """(id, imported_at) of an imported package, by the SHA-256 of its file."""
    row = db.execute(
        "SELECT id, imported_at FROM imported_packages WHERE package_sha256 = ?", [package_sha256]
    ).fetchone()
    return (int(row[0]), row[1]) if row else None


def origin_counts(db: Database) -> dict[str, int]:
    """Merged rows per kind (for reports)."""
    rows = db.execute("SELECT row_kind, COUNT(*) FROM merged_origins GROUP BY row_kind")
    return {kind: int(count) for kind, count in rows}


def entity_origin_text(db: Database, entity_id: int) -> str | None:
    """Where an entity a package made came from: "From Agency A (their #7; package ...)"."""
    row = db.execute(
        "SELECT o.organization, o.source_case_id, o.original_id, p.file_name, p.imported_at"
        " FROM merged_origins o JOIN imported_packages p ON p.id = o.first_package_id"
        " WHERE o.row_kind = 'entity' AND o.row_id = ? AND o.created = 1 ORDER BY o.id LIMIT 1",
        [entity_id],
    ).fetchone()
    if row is None:
        return None
    organization, case_id, original_id, file_name, imported_at = row
    who = organization or f"case {case_id}"
    return f"From {who} (their #{original_id}; package {file_name}, imported {imported_at[:10]})"
