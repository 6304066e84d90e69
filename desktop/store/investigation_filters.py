"""Grid filters on investigation work (clue kind and label, tag, entity, has clues, series
without a victim), registered with the browse queries at import."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from desktop.store import browse

# filter name (for BrowseQuery.extra) -> what it means, for people
FILTERS = {
    "has_clues": "has clues",
    "no_clues": "no clues yet",
    "series_without_victim": "in a series but not linked to a victim",
    "clue_kind": "has a clue of this kind",
    "clue_label": "has a clue whose label contains this text",
    "tag": "carries this tag",
    "entity": "linked to this entity",
}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def condition(name: str, value: Any = None) -> tuple[str, Sequence[Any]]:
    """The SQL condition over media alias `m` (and its parameters) for one filter."""
    if name == "has_clues":
        return "m.id IN (SELECT media_id FROM clues)", []
    if name == "no_clues":
        return "m.id NOT IN (SELECT media_id FROM clues)", []
    if name == "series_without_victim":
        return (
            "m.id IN (SELECT l.media_id FROM links l JOIN entities e ON e.id = l.entity_id"
            " WHERE e.kind = 'series') AND m.id NOT IN (SELECT l.media_id FROM links l"
            " JOIN entities e ON e.id = l.entity_id WHERE e.kind = 'victim')",
            [],
        )
    if name == "clue_kind":
        return "m.id IN (SELECT media_id FROM clues WHERE kind = ?)", [str(value)]
    if name == "clue_label":
        return (
            "m.id IN (SELECT media_id FROM clues WHERE label LIKE ? ESCAPE '\\')",
            ["%" + _escape_like(str(value).strip()) + "%"],
        )
    if name == "tag":
        return (
            "m.id IN (SELECT mt.media_id FROM media_tags mt JOIN tags t ON t.id = mt.tag_id"
            " WHERE t.name = ?)",
            [" ".join(str(value).split())],
        )
    if name == "entity":
        return "m.id IN (SELECT media_id FROM links WHERE entity_id = ?)", [int(value)]
    raise KeyError(name)


def _builder(name: str) -> browse.FilterBuilder:
    def build(value: Any) -> tuple[str, Sequence[Any]]:
        return condition(name, value)

    return build


for _name in FILTERS:
    browse.register_filter(_name, _builder(_name))
