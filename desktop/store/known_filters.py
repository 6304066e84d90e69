"""Grid filters on known material ("new material only", known, probably known), registered
with the browse queries at import."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from desktop.store import browse
from desktop.store.known import KNOWN_SQL, NEW_MATERIAL_SQL

_PERCEPTUAL_ONLY = (
    "EXISTS (SELECT 1 FROM known_matches k WHERE k.media_id = m.id AND k.kind = 'perceptual')"
    f" AND {NEW_MATERIAL_SQL}"
)
# value of the "known_state" filter -> (what it shows, for people; SQL over media alias m)
STATES = {
    "new": ("New material only", NEW_MATERIAL_SQL),
    "known": ("Known (hash-set or package match)", KNOWN_SQL),
    "probably_known": ("Probably known (to confirm)", _PERCEPTUAL_ONLY),
}


def condition(value: Any) -> tuple[str, Sequence[Any]]:
    return STATES[str(value)][1], []


browse.register_filter("known_state", condition)
