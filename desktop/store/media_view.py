"""What the viewer reads about media: stored thumbnails, full details, similar pictures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from desktop.core.hamming import HammingIndex
from desktop.store.browse import Conn, stack_members
from desktop.store.db import stored_json

# ---- pictures and details ----------------------------------------------------------------------


def thumbnails(conn: Conn, ids: Sequence[int]) -> dict[int, bytes | None]:
    """The stored thumbnail (JPEG, longest side 256 px) of each media; None when it has none."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT id, thumbnail FROM media WHERE id IN ({marks})", list(ids))
    found = {int(i): (bytes(t) if t is not None else None) for i, t in rows}
    return {i: found.get(i) for i in ids}


_DETAIL_COLUMNS = (
    "id", "sha256", "md5", "sha1", "size", "file_type", "mime_type", "status", "reason",
    "width", "height", "frames", "exif", "taken_at", "camera_make", "camera_model",
    "camera_serial", "gps_lat", "gps_lon", "category", "category_source", "reviewed", "copies",
)  # fmt: skip


def media_detail(conn: Conn, media_id: int) -> dict[str, Any] | None:
    """Everything the viewer's metadata panel shows about one media, or None if unknown."""
    row = conn.execute(
        f"SELECT {', '.join(_DETAIL_COLUMNS)} FROM media WHERE id = ?", [media_id]
    ).fetchone()
    if row is None:
        return None
    detail = dict(zip(_DETAIL_COLUMNS, row, strict=True))
    detail["exif"] = stored_json(detail["exif"], {})
    detail["files"] = [
        {"path": p, "path_raw": bytes(r), "status": s, "reason": why, "size": n, "mtime_ns": t,
         "extension_mismatch": bool(x)}
        for p, r, s, why, n, t, x in conn.execute(
            "SELECT path, path_raw, status, reason, size, mtime_ns, extension_mismatch"
            " FROM files WHERE media_id = ? ORDER BY id",
            [media_id],
        )
    ]  # fmt: skip
    detail["perceptual_hashes"] = [
        {"algorithm": a, "variant": v, "hash": h, "quality": q}
        for a, v, h, q in conn.execute(
            "SELECT algorithm, variant, hash, quality FROM perceptual_hashes"
            " WHERE media_id = ? ORDER BY algorithm, variant",
            [media_id],
        )
    ]
    detail["stack"] = stack_members(conn, media_id)
    return detail


# ---- similar media -------------------------------------------------------------------------


def pdq_index(conn: Conn) -> HammingIndex:
    """Every original-picture PDQ hash of the case in a Hamming index (built once per viewer)."""
    index = HammingIndex(256)
    ids: list[int] = []
    hexes: list[str] = []
    for media_id, value in conn.execute(
        "SELECT media_id, hash FROM perceptual_hashes"
        " WHERE algorithm = 'pdq' AND variant = 'original'"
    ):
        ids.append(media_id)
        hexes.append(value)
        if len(ids) >= 100_000:
            index.add(ids, hexes)
            ids, hexes = [], []
    if ids:
        index.add(ids, hexes)
    return index


def pdq_of(conn: Conn, media_id: int) -> str | None:
    row = conn.execute(
        "SELECT hash FROM perceptual_hashes WHERE media_id = ? AND algorithm = 'pdq'"
        " AND variant = 'original'",
        [media_id],
    ).fetchone()
    return str(row[0]) if row else None


# PDQ distances up to about 31 of 256 bits are the same picture; the strip shows a little further.
SIMILAR_MAX_DISTANCE = 70


def similar_media(
    conn: Conn, media_id: int, index: HammingIndex, limit: int = 12
) -> list[tuple[int, int]]:
    """(media id, PDQ distance) of the nearest other media, nearest first."""
    query = pdq_of(conn, media_id)
    if query is None:
        return []
    hits = index.query(query, SIMILAR_MAX_DISTANCE)
    return [(i, d) for i, d in hits if i != media_id][:limit]
