"""What the analyst was exposed to: every reveal of a picture, every stretch of video shown
sharp and every listening, recorded in the audit log with its seconds; the totals per analyst
per day."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from sqlite_utils import Database

from desktop.store import audit

# Kinds of exposure, each counted on its own: a revealed picture (or part of one), seconds of
# a video shown sharp (the player, a contact sheet frame), seconds of a video's sound heard.
KINDS = ("picture", "video", "sound")
ACTION_PREFIX = "exposure."


def record(
    db: Database,
    kind: str,
    media_id: int,
    seconds: float,
    *,
    started_at: str,
    how: str,
    where: str,
    region: dict[str, int] | None = None,
    extra: dict[str, Any] | None = None,
) -> int:
    """Append one exposure: `seconds` of `kind` from media `media_id`, started at `started_at`
    (UTC ISO), revealed `how` ("held" or "until moved") in `where` (the grid and viewer, a clue
    export...), limited to `region` when only part of the picture was shown."""
    if kind not in KINDS:
        raise ValueError(f"unknown exposure kind: {kind}")
    after = {
        "media": media_id,
        "seconds": round(max(0.0, seconds), 2),
        "started_at": started_at,
        "how": how,
        "where": where,
    }
    if region is not None:
        after["region"] = region
    after.update(extra or {})
    with db.atomic():
        return audit.append(db, ACTION_PREFIX + kind, f"media:{media_id}", None, after)


def start_of_today() -> str:
    """Local midnight, as the audit log's UTC ISO time (a day is the analyst's own day)."""
    midnight = datetime.combine(datetime.now().date(), time()).astimezone()
    return midnight.astimezone(UTC).isoformat(timespec="milliseconds")


def seconds_since(db: Database, since: str, user: str | None = None) -> dict[str, float]:
    """Seconds of each kind of exposure the analyst (default: this OS user) had since `since`."""
    totals = dict.fromkeys(KINDS, 0.0)
    rows = db.execute(
        "SELECT action, SUM(json_extract(after, '$.seconds')) FROM audit_events"
        " WHERE action LIKE 'exposure.%' AND user = ? AND at >= ? GROUP BY action",
        [user or audit.current_user(), since],
    )
    for action, seconds in rows:
        kind = str(action)[len(ACTION_PREFIX) :]
        totals[kind] = totals.get(kind, 0.0) + float(seconds or 0.0)
    return totals


def seconds_today(db: Database, user: str | None = None) -> dict[str, float]:
    return seconds_since(db, start_of_today(), user)


def by_day(db: Database, user: str | None = None) -> list[tuple[str, dict[str, float]]]:
    """The analyst's (default: this OS user's) seconds of each kind per local day, oldest
    first: what `vigil info --exposure` prints. Only this analyst's own events are read."""
    days: dict[str, dict[str, float]] = {}
    rows = db.execute(
        "SELECT action, at, json_extract(after, '$.seconds') FROM audit_events"
        " WHERE action LIKE 'exposure.%' AND user = ? ORDER BY id",
        [user or audit.current_user()],
    )
    for action, at, seconds in rows:
        day = datetime.fromisoformat(str(at)).astimezone().date().isoformat()
        totals = days.setdefault(day, dict.fromkeys(KINDS, 0.0))
        kind = str(action)[len(ACTION_PREFIX) :]
        totals[kind] = totals.get(kind, 0.0) + float(seconds or 0.0)
    return sorted(days.items())
