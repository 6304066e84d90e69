"""Read-only queries behind the review grid: keyset pages, counts, thumbnails, media details."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from sqlite_utils import Database

# Either the case's sqlite-utils Database or a plain (read-only, per-thread) sqlite3 connection.
Conn = Database | sqlite3.Connection

# Sort name -> (key expression over media alias m, descending, its covering index from
# migration 2). The index holds the key, the id tie-breaker and every filtered column, so any
# page is read from it alone.
SORTS: dict[str, tuple[str, bool, str]] = {
    "ingest": ("m.id", False, "media_browse_id"),
    "group": ("m.copies", True, "media_browse_copies"),
    "taken": ("ifnull(m.taken_at, '~')", False, "media_browse_taken"),
    "camera": (
        "ifnull(m.camera_make, '~') || ' ' || ifnull(m.camera_model, '~')",
        False,
        "media_browse_camera",
    ),
    "path": ("ifnull(m.first_path, '')", False, "media_browse_path"),
    "duration": ("ifnull(m.duration, -1)", True, "media_browse_duration"),  # longest first
}
FILTER_INDEX = "media_browse_filter"
SORT_TITLES = {
    "ingest": "Order found",
    "group": "Group size",
    "taken": "Date taken",
    "camera": "Camera",
    "path": "Path",
    "duration": "Duration",
}
MEDIA_STATUSES = (
    "ok",
    "partial",
    "unsupported",
    "truncated",
    "corrupt",
    "too_large",
    "too_slow",
)
UNCATEGORISED = -1  # stands for "no category" in BrowseQuery.categories

# Filters other features add (known material, tags, ...): name -> builder(value) giving an SQL
# condition over media alias m and its parameters. Register at import of the owning module.
FilterBuilder = Callable[[Any], tuple[str, Sequence[Any]]]
EXTRA_FILTERS: dict[str, FilterBuilder] = {}


def register_filter(name: str, builder: FilterBuilder) -> None:
    """Make a named filter available to BrowseQuery.extra (e.g. "known" for known material)."""
    EXTRA_FILTERS[name] = builder


@dataclass(frozen=True)
class BrowseQuery:
    """What the grid shows: one sort and any number of filters (all must hold)."""

    sort: str = "ingest"
    statuses: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    categories: tuple[int, ...] = ()  # scheme values; UNCATEGORISED for none
    reviewed: bool | None = None
    text: str = ""
    stacks: bool = True  # one tile per near-duplicate group
    extra: tuple[tuple[str, Any], ...] = field(default=())


class BrowseRow(NamedTuple):
    """One tile of the grid: small, so a million of them fit in memory."""

    id: int
    key: Any  # sort key value, for the next keyset page
    status: str
    file_type: str | None
    category: int | None
    reviewed: int
    copies: int
    stack_size: int  # media in its near-duplicate group (1 when not grouped)


# ---- near-duplicate stacks ------------------------------------------------------------------


def group_level(conn: Conn) -> str | None:
    """The strictness whose near-duplicate groups make the stacks, or None before grouping."""
    if not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'similarity_members'"
    ).fetchone():
        return None
    from desktop.store.groups import strictness  # migration 3 (issue 6) is there

    level = strictness(conn)  # type: ignore[arg-type]
    grouped = conn.execute(
        "SELECT 1 FROM similarity_groups WHERE strictness = ? LIMIT 1", [level]
    ).fetchone()
    return level if grouped else None


def stack_members(conn: Conn, media_id: int) -> list[int]:
    """Every media in the stack of `media_id` (itself alone when it has no group)."""
    level = group_level(conn)
    if level is not None:
        rows = conn.execute(
            "SELECT s2.media_id FROM similarity_members s1 JOIN similarity_members s2"
            " ON s2.group_id = s1.group_id AND s2.strictness = s1.strictness"
            " WHERE s1.strictness = ? AND s1.media_id = ? ORDER BY s2.media_id",
            [level, media_id],
        ).fetchall()
        if rows:
            return [int(r[0]) for r in rows]
    return [media_id]


def _stack_of(value: tuple[int, str]) -> tuple[str, Sequence[Any]]:
    media_id, level = value
    return (
        "m.id = ? OR m.id IN (SELECT s2.media_id FROM similarity_members s1"
        " JOIN similarity_members s2 ON s2.group_id = s1.group_id"
        " WHERE s1.strictness = ? AND s1.media_id = ?)",
        [media_id, level, media_id],
    )


def stack_query(conn: Conn, query: BrowseQuery, media_id: int) -> BrowseQuery:
    """`query` opened on one stack: its members, each as its own tile."""
    level = group_level(conn)
    if level is None:
        return replace(query, stacks=False, extra=(*query.extra, ("only_media", media_id)))
    return replace(query, stacks=False, extra=(*query.extra, ("stack_of", (media_id, level))))


def _source(conn: Conn, query: BrowseQuery, index: str) -> tuple[str, list[Any], str, list[str]]:
    """FROM clause, its parameters, the stack size expression and stack conditions."""
    media = _media(conn, index)
    level = group_level(conn)
    if level is None:
        return media, [], "1", []
    source = (
        f"{media} LEFT JOIN similarity_members s ON s.strictness = ? AND s.media_id = m.id"
        " LEFT JOIN similarity_groups g ON g.id = s.group_id"
    )
    where = ["(s.group_id IS NULL OR g.representative_media_id = m.id)"] if query.stacks else []
    return source, [level], "ifnull(g.size, 1)", where


# ---- the grid's pages ----------------------------------------------------------------------------


_WORD = re.compile(r"\w+", re.UNICODE)


def fts_expression(text: str) -> str | None:
    """Typed text as an FTS5 query: every word must occur, each as a prefix."""
    words = _WORD.findall(text)
    return " ".join(f'"{w}"*' for w in words) if words else None


# A text search with at most this many hits reads its hits by id and sorts them; with more it
# walks the sort's index and checks each row against the hits.
FEW_HITS = 5000


def search_hits(conn: Conn, text: str) -> tuple[int, int] | None:
    """Run a text search once per connection and case content; (its key, number of media).

    The hits are kept in TEMP tables of this connection (never in the case file), so the
    pages that follow look them up instead of searching again.
    """
    expression = fts_expression(text)
    if expression is None:
        return None
    generation = conn.execute("SELECT ifnull(max(rowid), 0) FROM media_search").fetchone()[0]
    query = f"{generation}:{expression}"
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS search_done"
        " (id INTEGER PRIMARY KEY, query TEXT UNIQUE, hits INTEGER)"
    )
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS search_hits (search_id INTEGER, media_id INTEGER,"
        " PRIMARY KEY (search_id, media_id)) WITHOUT ROWID"
    )
    row = conn.execute("SELECT id, hits FROM temp.search_done WHERE query = ?", [query]).fetchone()
    if row is not None:
        return int(row[0]), int(row[1])
    key = conn.execute(
        "INSERT INTO temp.search_done (query, hits) VALUES (?, 0)", [query]
    ).lastrowid
    conn.execute(
        "INSERT OR IGNORE INTO temp.search_hits SELECT ?, media_id FROM media_search"
        " WHERE media_search MATCH ?",
        [key, expression],
    )
    hits = conn.execute(
        "SELECT COUNT(*) FROM temp.search_hits WHERE search_id = ?", [key]
    ).fetchone()[0]
    conn.execute("UPDATE temp.search_done SET hits = ? WHERE id = ?", [hits, key])
    getattr(conn, "conn", conn).commit()  # end the implicit transaction: no stale snapshot
    return int(key or 0), int(hits)


def _conditions(
    query: BrowseQuery, search: tuple[int, int] | None = None
) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if query.statuses:
        where.append(f"m.status IN ({','.join('?' * len(query.statuses))})")
        params += list(query.statuses)
    if query.types:
        where.append(f"m.file_type IN ({','.join('?' * len(query.types))})")
        params += list(query.types)
    if query.categories:
        values = [c for c in query.categories if c != UNCATEGORISED]
        parts = [f"m.category IN ({','.join('?' * len(values))})"] if values else []
        if UNCATEGORISED in query.categories:
            parts.append("m.category IS NULL")
        where.append("(" + " OR ".join(parts) + ")")
        params += values
    if query.reviewed is not None:
        where.append("m.reviewed = ?")
        params.append(int(query.reviewed))
    if search is not None:
        key, hits = search
        if hits <= FEW_HITS:  # few: read them by id (the caller drops the sort index)
            where.append("m.id IN (SELECT media_id FROM temp.search_hits WHERE search_id = ?)")
        else:
            where.append(
                "EXISTS (SELECT 1 FROM temp.search_hits h"
                " WHERE h.search_id = ? AND h.media_id = m.id)"
            )
        params.append(key)
    for name, value in query.extra:
        sql, extra_params = EXTRA_FILTERS[name](value)
        where.append(f"({sql})")
        params += list(extra_params)
    return where, params


def _indexes(conn: Conn) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    return {str(r[0]) for r in rows}


def _media(conn: Conn, index: str) -> str:
    """`media m`, told to use `index` (cases made before it existed fall back to the planner)."""
    return f"media m INDEXED BY {index}" if index in _indexes(conn) else "media m"


def is_selective(conn: Conn, query: BrowseQuery) -> bool:
    """Kept for callers of the first version; pages read covering indexes and need no hint."""
    return False


def page(
    conn: Conn,
    query: BrowseQuery,
    after: tuple[Any, int] | None = None,
    limit: int = 300,
    selective: bool = False,  # ignored: see is_selective
) -> list[BrowseRow]:
    """The next `limit` rows after the row with (key, id) `after`, in the query's order."""
    key, descending, index = SORTS[query.sort]
    search = search_hits(conn, query.text)
    if search is not None and search[1] <= FEW_HITS:
        index = ""  # drive from the few hits, not from the sort's index
    level = group_level(conn) if query.sort == "group" else None
    if level is not None:
        if query.stacks:
            return _stacks_by_size(conn, query, level, search, index, after, limit)
        key, index = GROUP_KEY, ""  # every media by its group's size: a sort, not an index
    source, source_params, stack_size, where = _source(conn, query, index)
    conditions, params = _conditions(query, search)
    where += conditions
    params = source_params + params
    if after is not None:
        op = "<" if descending else ">"
        if key == "m.id":
            where.append(f"m.id {op} ?")
            params.append(after[1])
        else:
            where.append(f"({key}, m.id) {op} (?, ?)")
            params += [after[0], after[1]]
    direction = "DESC" if descending else "ASC"
    order = f"m.id {direction}" if key == "m.id" else f"{key} {direction}, m.id {direction}"
    sql = (
        f"SELECT m.id, {key}, m.status, m.file_type, m.category, m.reviewed, m.copies,"
        f" {stack_size} FROM {source}{' WHERE ' + ' AND '.join(where) if where else ''}"
        f" ORDER BY {order} LIMIT ?"
    )
    rows = conn.execute(sql, [*params, limit]).fetchall()
    return [BrowseRow(*row) for row in rows]


# With near-duplicate groups, "group size" means the stack's size; media in no group follow,
# by their exact copies. One number orders both: grouped keys sit above GROUPED.
GROUPED = 1_000_000_000
GROUP_KEY = f"CASE WHEN g.size IS NULL THEN m.copies ELSE {GROUPED} + g.size END"


def _stacks_by_size(
    conn: Conn,
    query: BrowseQuery,
    level: str,
    search: tuple[int, int] | None,
    index: str,
    after: tuple[Any, int] | None,
    limit: int,
) -> list[BrowseRow]:
    """Stacks largest first (read from the groups' size index), then the media in no group by
    exact copies (from the copies index): two keyset pages joined, so no sort of the case."""
    conditions, params = _conditions(query, search)
    columns = "m.id, {key}, m.status, m.file_type, m.category, m.reviewed, m.copies, {size}"
    parts: list[str] = []
    values: list[Any] = []
    if after is None or after[0] >= GROUPED:
        where = ["g.strictness = ?", *conditions]
        extra: list[Any] = [level, *params]
        if after is not None:
            where.append(f"({GROUPED} + g.size, m.id) < (?, ?)")
            extra += [after[0], after[1]]
        parts.append(
            f"SELECT * FROM (SELECT {columns.format(key=f'{GROUPED} + g.size', size='g.size')}"
            " FROM similarity_groups g CROSS JOIN media m ON m.id = g.representative_media_id"
            f" WHERE {' AND '.join(where)} ORDER BY g.size DESC, m.id DESC LIMIT ?)"
        )
        values += [*extra, limit]
    where = [
        "NOT EXISTS (SELECT 1 FROM similarity_members s"
        " WHERE s.strictness = ? AND s.media_id = m.id)",
        *conditions,
    ]
    extra = [level, *params]
    if after is not None and after[0] < GROUPED:
        where.append("(m.copies, m.id) < (?, ?)")
        extra += [after[0], after[1]]
    media = _media(conn, index or "")
    parts.append(
        f"SELECT * FROM (SELECT {columns.format(key='m.copies', size='1')} FROM {media}"
        f" WHERE {' AND '.join(where)} ORDER BY m.copies DESC, m.id DESC LIMIT ?)"
    )
    values += [*extra, limit]
    sql = " UNION ALL ".join(parts) + " ORDER BY 2 DESC, 1 DESC LIMIT ?"
    rows = conn.execute(sql, [*values, limit]).fetchall()
    return [BrowseRow(*row) for row in rows]


def count(conn: Conn, query: BrowseQuery) -> int:
    """How many rows the query shows in all."""
    search = search_hits(conn, query.text)
    only_text = replace(query, text="", sort="ingest") == BrowseQuery(stacks=query.stacks)
    if search is not None and only_text and group_level(conn) is None:
        return search[1]  # every hit is a tile of its own
    index = "" if search is not None and search[1] <= FEW_HITS else FILTER_INDEX
    source, params, _, where = _source(conn, query, index)
    conditions, more = _conditions(query, search)
    where += conditions
    sql = f"SELECT COUNT(*) FROM {source}" + (" WHERE " + " AND ".join(where) if where else "")
    return int(conn.execute(sql, params + more).fetchone()[0])


def refresh_rows(conn: Conn, ids: Sequence[int]) -> dict[int, tuple[int | None, int]]:
    """Current (category, reviewed) of some media, after a review change or an undo."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT id, category, reviewed FROM media WHERE id IN ({marks})", list(ids)
    )
    return {int(i): (c, int(r)) for i, c, r in rows}


def file_types(conn: Conn) -> list[str]:
    """The content types present in the case, for the type filter."""
    rows = conn.execute("SELECT DISTINCT file_type FROM media WHERE file_type IS NOT NULL")
    return sorted(str(r[0]) for r in rows)


register_filter("stack_of", _stack_of)
register_filter("only_media", lambda media_id: ("m.id = ?", [media_id]))
