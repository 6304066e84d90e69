"""What a package merge did: counts per kind of record and outcome, conflicts, skipped records."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MAX_LISTED = 1000  # conflicts and skipped records listed in the summary (all are counted)
OUTCOMES = (
    "added", "matched", "updated", "unchanged", "conflicts", "taken", "kept_removed", "skipped",
)  # fmt: skip


def conflict_key(what: str, original_id: str) -> str:
    """How the analyst names one conflict to take the sender's side of it."""
    return f"{what}:{original_id}"


@dataclass
class Sender:
    """Who a package comes from, and the imported_packages row it is recorded under."""

    package_id: int
    case_id: str
    organization: str

    @property
    def label(self) -> str:
        return self.organization or f"case {self.case_id[:8]}"


@dataclass
class MergeReport:
    counts: dict[str, Counter[str]] = field(
        default_factory=lambda: {
            k: Counter() for k in ("entities", "series_victims", "links", "clues", "tags")
        }
    )
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    created_entities: list[dict[str, Any]] = field(default_factory=list)

    def count(self, what: str, outcome: str) -> None:
        self.counts[what][outcome] += 1

    def conflict(self, what: str, local_id: int | None, original_id: str, reason: str) -> None:
        self.count(what, "conflicts")
        if len(self.conflicts) < MAX_LISTED:
            self.conflicts.append(
                {
                    "what": what,
                    "local_id": local_id,
                    "original_id": original_id,
                    "key": conflict_key(what, original_id),
                    "reason": reason,
                }
            )

    def skip(self, what: str, reason: str) -> None:
        self.count(what, "skipped")
        if len(self.skipped) < MAX_LISTED:
            self.skipped.append(reason)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            what: {outcome: counter.get(outcome, 0) for outcome in OUTCOMES}
            for what, counter in self.counts.items()
        }
        data["conflict_count"] = sum(c["conflicts"] for c in self.counts.values())
        data["conflicts"] = self.conflicts
        data["skipped"] = self.skipped
        data["created_entities"] = self.created_entities
        return data
