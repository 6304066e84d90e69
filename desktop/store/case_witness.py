"""What this machine remembers of each case outside its file: the audit head, and damage found.

A hash chain cannot see its own tail cut off: delete the last events (with the triggers
dropped) and what is left is still a valid chain. So after every write transaction that adds
audit events, the head of the log (the number of events and the last event's hash) is written to
a small file in the analyst's data directory, one per case id, and `vigil audit --verify` and
`vigil verify` compare the case with it. The same file records that the case file was found
damaged, so that no later command writes to it until an integrity check passes again.

A witness only ever moves forward: when the case no longer holds the event the witness names,
it is left as it is, so the loss stays visible. Writing a witness is best effort (a read-only
data directory must not stop the analyst's work); `store.audit.check_witness` says when there
is none.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import platformdirs

# Where the witnesses live; tests and analysts who keep them on another disk set this.
WITNESS_DIR_VARIABLE = "VIGIL_WITNESS_DIR"


def witness_dir() -> Path:
    chosen = os.environ.get(WITNESS_DIR_VARIABLE)
    if chosen:
        return Path(chosen)
    return Path(platformdirs.user_data_dir("vigil", appauthor=False)) / "case-witnesses"


def _path(case_id: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9-]", "_", case_id)[:100]  # a case id is a UUID; never trust it
    return witness_dir() / f"{safe}.json"


@dataclass(frozen=True)
class Witness:
    """The head of a case's audit log as last seen on this machine, and damage found."""

    events: int = 0
    last_id: int = 0
    head_hash: str = ""
    at: str = ""
    case_path: str = ""
    damaged: str | None = None  # why the case file was found damaged, while it is
    damaged_path: str = ""  # which copy of the case (a backup elsewhere is another file)

    @property
    def has_head(self) -> bool:
        return bool(self.head_hash)

    @property
    def hash_prefix(self) -> str:
        return self.head_hash[:16]


def read(case_id: str) -> Witness | None:
    """The witness kept for a case, or None when this machine has none (or it is unreadable)."""
    try:
        data = json.loads(_path(case_id).read_text("utf-8"))
        return Witness(
            events=int(data.get("events", 0)),
            last_id=int(data.get("last_id", 0)),
            head_hash=str(data.get("head_hash", "")),
            at=str(data.get("at", "")),
            case_path=str(data.get("case_path", "")),
            damaged=data.get("damaged") or None,
            damaged_path=str(data.get("damaged_path", "")),
        )
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def write(case_id: str, witness: Witness) -> bool:
    """Replace the witness atomically; False when it could not be written."""
    path = _path(case_id)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(witness.__dict__, indent=1), "utf-8")
        os.replace(temporary, path)
    except OSError:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass
        return False
    return True
