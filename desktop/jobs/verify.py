"""The verify job: check the case file, re-read the evidence, check the audit log's head."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from desktop.core.hashing import MultiDigest
from desktop.core.ingest import READ_CHUNK, NotRegularFile, open_evidence
from desktop.jobs.job_callbacks import Cancel, Progress
from desktop.store import audit
from desktop.store.db import CaseDatabase


@dataclass
class VerifyReport:
    checked: int = 0
    unchanged: int = 0
    changed: list[dict[str, str]] = field(default_factory=list)
    missing: list[dict[str, str]] = field(default_factory=list)
    cancelled: bool = False
    audit: audit.AuditCheck | None = None

    @property
    def clean(self) -> bool:
        audit_intact = self.audit is None or self.audit.intact
        return not self.changed and not self.missing and not self.cancelled and audit_intact

    def as_dict(self) -> dict[str, object]:
        return {
            "checked": self.checked,
            "unchanged": self.unchanged,
            "changed": self.changed,
            "missing": self.missing,
            "cancelled": self.cancelled,
            "case_file": "sound",  # a damaged one stops verify with CaseDamaged
            "audit": self.audit.as_dict() if self.audit else None,
        }


def _current_sha256(path: bytes) -> tuple[str | None, str | None]:
    """(SHA-256 now, or None and why it could not be read)."""
    digest = MultiDigest()
    try:
        with open_evidence(path) as handle:
            while chunk := handle.read(READ_CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return None, "missing"
    except NotRegularFile as error:
        return None, str(error)
    except OSError as error:
        return None, f"unreadable: {error.strerror or error}"
    return digest.result().sha256, None


def verify(
    db: CaseDatabase,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    workers: int | None = None,
) -> VerifyReport:
    """Check the case file (SQLite's integrity check: CaseDamaged if it fails), every file
    read at ingest against the SHA-256 recorded for it, and the audit log (its chain, and its
    head against this machine's witness). Records a `verify` audit event."""
    progress = progress or (lambda done, total, message: None)
    cancel = cancel or (lambda: False)
    progress(0, 0, "Checking the case file")
    db.require_sound()
    query = "FROM files f JOIN media m ON m.id = f.media_id"
    total = db.execute(f"SELECT COUNT(*) {query}").fetchone()[0]
    rows = db.execute(f"SELECT f.path_raw, f.path, m.sha256 {query} ORDER BY f.id")
    report = VerifyReport()
    # Reading is I/O-bound and hashlib releases the GIL on large buffers: threads suffice.
    # Rows are fetched a window at a time so a million files need no list in memory.
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        while chunk := rows.fetchmany(64):
            if cancel():
                report.cancelled = True
                break
            for (_, path, expected), (actual, problem) in zip(
                chunk, pool.map(_current_sha256, [row[0] for row in chunk]), strict=True
            ):
                report.checked += 1
                if actual == expected:
                    report.unchanged += 1
                elif problem == "missing":
                    report.missing.append({"path": path, "expected_sha256": expected})
                else:
                    report.changed.append(
                        {
                            "path": path,
                            "expected_sha256": expected,
                            "actual_sha256": actual or "",
                            "problem": problem or "content changed",
                        }
                    )
            progress(report.checked, total, "Verifying")
    rows.close()  # a statement left open would hold an old snapshot into the write below
    report.audit = audit.check(db)
    with db.atomic():
        audit.append(
            db,
            "verify",
            after={
                "checked": report.checked,
                "unchanged": report.unchanged,
                "changed": len(report.changed),
                "missing": len(report.missing),
                "cancelled": report.cancelled,
                "audit_intact": report.audit.intact,
            },
        )
    return report
