"""Reading the audit log for people: its actions and analysts, and events by filter."""

from __future__ import annotations

from typing import Any

from desktop.store.audit import AuditEvent
from desktop.store.browse import Conn


def actions(conn: Conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT action FROM audit_events ORDER BY 1")]


def analysts(conn: Conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT user FROM audit_events ORDER BY 1")]


def find_events(
    conn: Conn,
    action: str | None = None,
    user: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 5000,
) -> tuple[list[AuditEvent], int]:
    """(the newest `limit` events that pass the filters, newest first; how many pass in all).

    `since` and `until` are dates (YYYY-MM-DD), both days included."""
    where, params = [], []
    if action:
        where.append("action = ?")
        params.append(action)
    if user:
        where.append("user = ?")
        params.append(user)
    if since:
        where.append("at >= ?")
        params.append(since)
    if until:
        where.append("at < date(?, '+1 day')")
        params.append(until)
    sql = " WHERE " + " AND ".join(where) if where else ""
    total = int(conn.execute(f"SELECT COUNT(*) FROM audit_events{sql}", params).fetchone()[0])
    rows = conn.execute(
        "SELECT id, at, user, host, tool_version, action, target, before, after, prev_hash, hash"
        f" FROM audit_events{sql} ORDER BY id DESC LIMIT ?",
        [*params, limit],
    )
    found: list[Any] = [AuditEvent(*row) for row in rows]
    return found, total
