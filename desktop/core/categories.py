"""Category schemes (Project VIC US, CAID UK, ...) read from resources/categories.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Category:
    value: int
    key: str
    name: str
    colour: str


@dataclass(frozen=True)
class Scheme:
    name: str
    title: str
    categories: tuple[Category, ...]

    def by_value(self, value: int | None) -> Category | None:
        return next((c for c in self.categories if c.value == value), None)

    def by_key(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)


@cache
def _data() -> dict:
    text = resources.files("desktop.resources").joinpath("categories.json").read_text("utf-8")
    return json.loads(text)


def default_scheme_name() -> str:
    return str(_data()["default_scheme"])


def scheme_names() -> list[str]:
    return list(_data()["schemes"])


@cache
def scheme(name: str | None = None) -> Scheme:
    """A scheme by VICS name (US, UK, CUSTOM, Default); unknown names raise KeyError."""
    name = name or default_scheme_name()
    raw = _data()["schemes"][name]
    return Scheme(name, raw["title"], tuple(Category(**c) for c in raw["categories"]))
