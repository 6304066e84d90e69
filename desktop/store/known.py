"""Known-material matches of a case's media (hash sets, packages), apart from analyst work."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from desktop.store.db import now_iso

MATCH_FIELDS = (
    "origin", "set_name", "set_source_sha256", "source", "purpose", "kind", "matched_on",
    "distance", "scheme", "category", "series", "victim_identified", "offender_identified",
    "is_distributed", "tags", "comments", "time", "known_time", "frames",
)  # fmt: skip
FLAGS = ("victim_identified", "offender_identified", "is_distributed")
# SQL condition (on media alias m) for "new material": no exact match in any set or package.
NEW_MATERIAL_SQL = (
    "NOT EXISTS (SELECT 1 FROM known_matches k WHERE k.media_id = m.id AND k.kind = 'exact')"
)
KNOWN_SQL = "EXISTS (SELECT 1 FROM known_matches k WHERE k.media_id = m.id AND k.kind = 'exact')"


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def replace_matches(
    db: Database, media_ids: Sequence[int] | None, matches: Iterable[dict[str, Any]]
) -> int:
    """Set the matches of the given media (every media when None); call inside a transaction.

    Matches are facts computed from the library, so a re-run replaces them; the analyst's own
    category lives elsewhere and is never touched here.
    """
    if media_ids is None:
        db.execute("DELETE FROM known_matches")
    else:
        for chunk in _chunks(media_ids):
            marks = ", ".join("?" for _ in chunk)
            db.execute(f"DELETE FROM known_matches WHERE media_id IN ({marks})", chunk)
    at = now_iso()
    rows = []
    for match in matches:
        values = [match.get(name) for name in MATCH_FIELDS]
        rows.append((match["media_id"], *(_db_value(v) for v in values), at))
    marks = ", ".join("?" for _ in range(len(MATCH_FIELDS) + 2))
    db.conn.executemany(
        f"INSERT INTO known_matches (media_id, {', '.join(MATCH_FIELDS)}, matched_at)"
        f" VALUES ({marks})",
        rows,
    )
    return len(rows)


def _db_value(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def matches_for(db: Database, media_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Each media's matches, exact first then nearest perceptual."""
    found: dict[int, list[dict[str, Any]]] = {}
    for chunk in _chunks(media_ids):
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(
            f"SELECT media_id, {', '.join(MATCH_FIELDS)} FROM known_matches"
            f" WHERE media_id IN ({marks}) ORDER BY media_id, kind, distance, set_name, id",
            chunk,
        )
        for row in rows:
            match = dict(zip(MATCH_FIELDS, row[1:], strict=True))
            for flag in FLAGS:
                if match[flag] is not None:
                    match[flag] = bool(match[flag])
            found.setdefault(int(row[0]), []).append(match)
    return found


def known_status(matches: Sequence[dict[str, Any]]) -> str | None:
    """known (an exact match of material of interest), known_good (only NSRL-like sets),
    probably_known (perceptual only, for the analyst to confirm) or None."""
    exact = [m for m in matches if m["kind"] == "exact"]
    if any(m["purpose"] != "known_good" for m in exact):
        return "known"
    if exact:
        return "known_good"
    return "probably_known" if matches else None


def disagreement(matches: Sequence[dict[str, Any]]) -> bool:
    """True when two matches give different categories or series (both are shown)."""
    relevant = [m for m in matches if m["purpose"] != "known_good"]
    categories = {(m["scheme"], m["category"]) for m in relevant if m["category"] is not None}
    series = {m["series"] for m in relevant if m["series"]}
    return len(categories) > 1 or len(series) > 1


def known_summary(matches: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What `vigil items --json` shows under "known" for one media."""
    return {
        "status": known_status(matches),
        "disagreement": disagreement(matches),
        "matches": list(matches),
    }


def add_known(db: Database, by_id: dict[int, dict[str, Any]]) -> None:
    """Attach "known" to media dicts keyed by id (used by items._with_details)."""
    found = matches_for(db, list(by_id))
    for media_id, media in by_id.items():
        media["known"] = known_summary(found.get(media_id, []))


def status_counts(db: Database) -> dict[str, int]:
    """Media per known status: known, known_good, probably_known, new."""
    counts = {"known": 0, "known_good": 0, "probably_known": 0, "new": 0}
    rows = db.execute(
        "SELECT m.id,"
        " MAX(k.kind = 'exact' AND k.purpose != 'known_good'),"
        " MAX(k.kind = 'exact'), COUNT(k.id)"
        " FROM media m LEFT JOIN known_matches k ON k.media_id = m.id GROUP BY m.id"
    )
    for _, known, exact, any_match in rows:
        if known:
            counts["known"] += 1
        elif exact:
            counts["known_good"] += 1
        elif any_match:
            counts["probably_known"] += 1
        else:
            counts["new"] += 1
    return counts


def media_with_matches(db: Database) -> set[int]:
    return {int(r[0]) for r in db.execute("SELECT DISTINCT media_id FROM known_matches")}


# ---- case packages -------------------------------------------------------------------------------

PACKAGE_RECORD_FIELDS = (
    "sha256", "md5", "sha1", "scheme", "category", "series", "victim_identified",
    "offender_identified", "is_distributed", "tags", "comments", "work",
)  # fmt: skip


def package_imported(db: Database, package_sha256: str) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT file_name, imported_at FROM imported_packages WHERE package_sha256 = ?",
        [package_sha256],
    ).fetchone()
    return {"file_name": row[0], "imported_at": row[1]} if row else None


def add_package(db: Database, values: dict[str, Any]) -> int:
    """Record an imported package (its records follow); call inside the import's transaction."""
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cursor = db.execute(
        f"INSERT INTO imported_packages ({columns}) VALUES ({marks})",
        [_db_value(v) for v in values.values()],
    )
    return int(cursor.lastrowid or 0)


def add_package_records(db: Database, package_id: int, records: Iterable[dict[str, Any]]) -> int:
    """What a package says per content (a batch); call inside the import's transaction."""
    rows = []
    for record in records:
        values = [record.get(name) for name in PACKAGE_RECORD_FIELDS]
        values[-1] = json.dumps(values[-1], sort_keys=True) if values[-1] else None
        rows.append((package_id, *(_db_value(v) for v in values)))
    marks = ", ".join("?" for _ in range(len(PACKAGE_RECORD_FIELDS) + 1))
    db.conn.executemany(
        f"INSERT INTO package_records (package_id, {', '.join(PACKAGE_RECORD_FIELDS)})"
        f" VALUES ({marks})",
        rows,
    )
    return len(rows)


def finish_package(db: Database, package_id: int, summary: str) -> None:
    db.execute("UPDATE imported_packages SET summary = ? WHERE id = ?", [summary, package_id])


def package_matches(db: Database, media_ids: Sequence[int] | None) -> list[dict[str, Any]]:
    """Exact (SHA-256) matches of media against every imported package's records."""
    where, params = "", []
    if media_ids is not None:
        if not media_ids:
            return []
        where = f" AND m.id IN ({', '.join('?' for _ in media_ids)})"
        params = list(media_ids)
    rows = db.execute(
        "SELECT m.id, p.file_name, p.package_sha256, p.organization, r.scheme, r.category,"
        " r.series, r.victim_identified, r.offender_identified, r.is_distributed, r.tags,"
        " r.comments FROM package_records r JOIN imported_packages p ON p.id = r.package_id"
        " JOIN media m ON m.sha256 = r.sha256 WHERE m.size > 0" + where,
        params,
    )
    matches = []
    for row in rows:
        keys = ("media_id", "set_name", "set_source_sha256", "source", "scheme", "category",
                "series", "victim_identified", "offender_identified", "is_distributed", "tags",
                "comments")  # fmt: skip
        match = dict(zip(keys, row, strict=True))
        match.update(origin="package", purpose="known", kind="exact", matched_on="sha256",
                     distance=0)  # fmt: skip
        matches.append(match)
    return matches


def media_hashes(db: Database, media_ids: Sequence[int] | None) -> list[dict[str, Any]]:
    """id, md5, sha1, sha256 and the original-picture PDQ (with quality) and pHash of media.

    Media of zero bytes are left out: the digest of nothing is in most lists (md5deep output of
    any folder, NSRL) and would mark every empty evidence file known; no content, no match."""
    where, params = " WHERE m.size > 0", []
    if media_ids is not None:
        if not media_ids:
            return []
        where += f" AND m.id IN ({', '.join('?' for _ in media_ids)})"
        params = list(media_ids)
    rows = db.execute(
        "SELECT m.id, m.md5, m.sha1, m.sha256, pdq.hash, pdq.quality, ph.hash FROM media m"
        " LEFT JOIN perceptual_hashes pdq ON pdq.media_id = m.id AND pdq.algorithm = 'pdq'"
        " AND pdq.variant = 'original'"
        " LEFT JOIN perceptual_hashes ph ON ph.media_id = m.id AND ph.algorithm = 'phash'"
        " AND ph.variant = 'original'" + where + " ORDER BY m.id",
        params,
    )
    keys = ("id", "md5", "sha1", "sha256", "pdq", "pdq_quality", "phash")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def pdq_variants(
    db: Database, media_ids: Sequence[int], variants: Sequence[str]
) -> dict[int, list[tuple[str, str]]]:
    """(variant, hex) of the given PDQ variants of each of the media that has them."""
    found: dict[int, list[tuple[str, str]]] = {}
    if not media_ids or not variants:
        return found
    names = ", ".join("?" for _ in variants)
    for chunk in _chunks(media_ids):
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(
            "SELECT media_id, variant, hash FROM perceptual_hashes WHERE algorithm = 'pdq'"
            f" AND variant IN ({names}) AND media_id IN ({marks}) ORDER BY media_id, variant",
            [*variants, *chunk],
        )
        for media_id, variant, hex_ in rows:
            found.setdefault(int(media_id), []).append((variant, hex_))
    return found


def media_ids(db: Database) -> list[int]:
    return [int(r[0]) for r in db.execute("SELECT id FROM media ORDER BY id")]


def media_of_unfinished_runs(db: Database) -> list[int]:
    """Media first seen by the ingest now running or one that never finished (not yet matched)."""
    rows = db.execute(
        "SELECT id FROM media WHERE first_run_id IN"
        " (SELECT id FROM ingest_runs WHERE state != 'finished') ORDER BY id"
    )
    return [int(r[0]) for r in rows]


def has_package_records(db: Database) -> bool:
    return db.execute("SELECT 1 FROM package_records LIMIT 1").fetchone() is not None


def thumbnails(db: Database, media_ids: Sequence[int]) -> dict[int, tuple[str, bytes]]:
    """media id -> (sha256, JPEG thumbnail) for media that have one (for case packages)."""
    found: dict[int, tuple[str, bytes]] = {}
    for chunk in _chunks(media_ids):
        marks = ", ".join("?" for _ in chunk)
        for media_id, sha256, thumb in db.execute(
            f"SELECT id, sha256, thumbnail FROM media WHERE id IN ({marks})"
            " AND thumbnail IS NOT NULL",
            chunk,
        ):
            found[int(media_id)] = (sha256, bytes(thumb))
    return found


def media_ids_for_sha256(db: Database, digests: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(digests), 500):
        chunk = list(digests[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        for media_id, sha256 in db.execute(
            f"SELECT id, sha256 FROM media WHERE sha256 IN ({marks})", chunk
        ):
            found[sha256] = int(media_id)
    return found


def status_for_ids(conn: Any, media_ids: Sequence[int]) -> dict[int, str]:
    """media id -> known, known_good or probably_known, for the media that have any match.

    `conn` is a sqlite_utils Database or a plain sqlite3 connection (the grid's)."""
    found: dict[int, str] = {}
    for chunk in _chunks(media_ids):
        marks = ", ".join("?" for _ in chunk)
        rows = conn.execute(
            "SELECT media_id, MAX(kind = 'exact' AND purpose != 'known_good'),"
            f" MAX(kind = 'exact') FROM known_matches WHERE media_id IN ({marks})"
            " GROUP BY media_id",
            chunk,
        )
        for media_id, known, exact in rows:
            found[int(media_id)] = "known" if known else "known_good" if exact else "probably_known"
    return found
