"""The append-only, hash-chained audit log: who did what, when, with which version."""

from __future__ import annotations

import getpass
import hashlib
import json
import platform
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from desktop import __version__
from desktop.store.db import now_iso

GENESIS = "0" * 64


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers), no login name
        return "unknown"


def _host() -> str:
    return platform.node() or "unknown"  # the kernel's name for this machine (uname)


def _canonical(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def _event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps([prev_hash, fields], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_HASHED = ("at", "user", "host", "tool_version", "action", "target", "before", "after")


def append(
    db: Database,
    action: str,
    target: str | None = None,
    before: Any = None,
    after: Any = None,
    user: str | None = None,
) -> int:
    """Append one event; call it inside the transaction that makes the change it records."""
    row = db.execute("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
    prev_hash = row[0] if row else GENESIS
    fields = {
        "at": now_iso(),
        "user": user or current_user(),
        "host": _host(),
        "tool_version": __version__,
        "action": action,
        "target": target,
        "before": _canonical(before),
        "after": _canonical(after),
    }
    digest = _event_hash(prev_hash, fields)
    cursor = db.execute(
        "INSERT INTO audit_events (at, user, host, tool_version, action, target, before, after,"
        " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [*(fields[k] for k in _HASHED), prev_hash, digest],
    )
    return int(cursor.lastrowid or 0)


@dataclass
class AuditEvent:
    id: int
    at: str
    user: str
    host: str
    tool_version: str
    action: str
    target: str | None
    before: str | None
    after: str | None
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        for key in ("before", "after"):
            data[key] = json.loads(data[key]) if data[key] is not None else None
        return data


def events(db: Database, after_id: int = 0) -> Iterator[AuditEvent]:
    cursor = db.execute(
        "SELECT id, at, user, host, tool_version, action, target, before, after, prev_hash, hash"
        " FROM audit_events WHERE id > ? ORDER BY id",
        [after_id],
    )
    for row in cursor:
        yield AuditEvent(*row)


def verify_chain(db: Database) -> tuple[int, AuditEvent | None, str]:
    """Check every link. Returns (events checked, first broken event or None, why it is broken)."""
    prev_hash = GENESIS
    checked = 0
    for event in events(db):
        if event.prev_hash != prev_hash:
            return (
                checked,
                event,
                "it does not follow the event before it (an event is missing)",
            )
        fields = {key: getattr(event, key) for key in _HASHED}
        if _event_hash(prev_hash, fields) != event.hash:
            return checked, event, "its content does not match its hash (the event was altered)"
        prev_hash = event.hash
        checked += 1
    return checked, None, ""
