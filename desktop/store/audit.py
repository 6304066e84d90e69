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
from desktop.store import case_witness
from desktop.store.db import CaseDatabase, now_iso

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
    if isinstance(db, CaseDatabase):
        db.after_commit(record_witness)
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


# ---- the head of the log, and its witness outside the case file -------------------------------


@dataclass(frozen=True)
class AuditHead:
    """How many events the log holds and the hash of the last one: what a report prints, so a
    printed page witnesses the log as it was (a chain cannot show its own tail was cut)."""

    events: int
    last_id: int
    hash: str

    def describe(self) -> str:
        return f"{self.events} events, head hash {self.hash}"

    def as_json(self) -> dict[str, Any]:
        """As reports, exports and verify write it."""
        return {"events": self.events, "hash": self.hash}


def head(db: Database) -> AuditHead:
    """The log's head now: for reports and exports to print beside what they write."""
    count, last_id = db.execute("SELECT COUNT(*), MAX(id) FROM audit_events").fetchone()
    row = db.execute("SELECT hash FROM audit_events WHERE id = ?", [last_id]).fetchone()
    return AuditHead(int(count), int(last_id or 0), row[0] if row else GENESIS)


def _holds(db: Database, witness: case_witness.Witness) -> bool:
    """True when the case still holds the event the witness saw last, unchanged."""
    row = db.execute("SELECT hash FROM audit_events WHERE id = ?", [witness.last_id]).fetchone()
    return row is not None and row[0] == witness.head_hash


def record_witness(db: CaseDatabase) -> None:
    """After a commit that added events: move this machine's witness to the new head.

    Never backwards, and never past a loss: when the case no longer holds the event the witness
    saw last, the witness is kept as it is, so `check_witness` goes on reporting the loss.
    """
    if not db.case_id:
        return
    old = case_witness.read(db.case_id)
    if old is not None and old.has_head and not _holds(db, old):
        return
    now = head(db)
    case_witness.write(
        db.case_id,
        case_witness.Witness(
            events=now.events,
            last_id=now.last_id,
            head_hash=now.hash,
            at=now_iso(),
            case_path=str(db.path.resolve()),
            damaged=old.damaged if old else None,
            damaged_path=old.damaged_path if old else "",
        ),
    )


@dataclass(frozen=True)
class WitnessCheck:
    """The case's audit head compared with the witness this machine keeps of it."""

    state: str  # "agrees", "missing" (no witness here) or "lost" (events were cut)
    message: str

    @property
    def lost(self) -> bool:
        return self.state == "lost"


def check_witness(db: CaseDatabase) -> WitnessCheck:
    """Does the case still hold the last event this machine saw written to it?"""
    witness = case_witness.read(db.case_id) if db.case_id else None
    if witness is None or not witness.has_head:
        return WitnessCheck(
            "missing",
            "this machine keeps no witness of this case's audit log (it was last changed "
            "elsewhere), so a cut tail cannot be seen here",
        )
    now = head(db)
    if _holds(db, witness):
        later = now.events - witness.events
        added = f"; {later} events were added since, elsewhere" if later > 0 else ""
        return WitnessCheck("agrees", f"it holds the head this machine saw last{added}")
    return WitnessCheck(
        "lost",
        f"events were removed: on {witness.at} this machine saw {witness.events} events ending "
        f"with event {witness.last_id} (hash {witness.hash_prefix}...), and the case now has "
        f"{now.events} events ending with event {now.last_id} (unless this file is an older "
        "copy of the case)",
    )


@dataclass(frozen=True)
class AuditCheck:
    """The whole check of a case's log: its chain, and its head against this machine's witness."""

    checked: int
    broken: AuditEvent | None
    why: str
    head: AuditHead
    witness: WitnessCheck

    @property
    def intact(self) -> bool:
        return self.broken is None and not self.witness.lost

    def as_dict(self) -> dict[str, Any]:
        return {
            "events_checked": self.checked,
            "intact": self.intact,
            "first_broken_event": self.broken.id if self.broken else None,
            "reason": self.why or (self.witness.message if self.witness.lost else None),
            "head": self.head.as_json(),
            "witness": {"state": self.witness.state, "message": self.witness.message},
        }

    def describe(self) -> str:
        """One line for people."""
        if self.broken is not None:
            return (
                f"Audit log BROKEN at event {self.broken.id} ({self.broken.action}, "
                f"{self.broken.at}): {self.why}."
            )
        if self.witness.lost:
            return f"Audit log CUT: {self.witness.message}."
        return (
            f"Audit log intact: {self.checked} events, hash chain verified, head "
            f"{self.head.hash[:16]}...; witness on this machine: {self.witness.message}."
        )


def check(db: CaseDatabase) -> AuditCheck:
    checked, broken, why = verify_chain(db)
    return AuditCheck(checked, broken, why, head(db), check_witness(db))
