"""The clue taxonomy (object, text, clothing, ...) read from resources/clue_kinds.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class ClueKind:
    key: str  # stored with every clue; never renamed once used
    name: str
    shortcut: str
    colour: str
    examples: str


@cache
def clue_kinds() -> tuple[ClueKind, ...]:
    """Every kind, in the order the taxonomy lists them ("other" last)."""
    text = resources.files("desktop.resources").joinpath("clue_kinds.json").read_text("utf-8")
    return tuple(ClueKind(**raw) for raw in json.loads(text)["kinds"])


def kind_keys() -> list[str]:
    return [kind.key for kind in clue_kinds()]


def clue_kind(key: str) -> ClueKind | None:
    """The kind with this key (case-insensitive), or None when the taxonomy has no such kind."""
    key = key.strip().lower()
    return next((kind for kind in clue_kinds() if kind.key == key), None)


def kind_name(key: str) -> str:
    """A kind's display name; a key the taxonomy no longer has is shown as it is stored."""
    kind = clue_kind(key)
    return kind.name if kind else key
