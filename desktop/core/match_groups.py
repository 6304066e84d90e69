"""Groups of media joined by accepted matches: disjoint sets (union-find) over media ids."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from desktop.core.similarity import Match


class UnionFind:
    """Disjoint sets over media ids, with path halving."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, item: int) -> int:
        parent = self.parent
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)

    def groups(self) -> list[list[int]]:
        """Sets of two or more members, largest first, members in id order."""
        sets: dict[int, list[int]] = {}
        for item in self.parent:
            sets.setdefault(self.find(item), []).append(item)
        found = [sorted(members) for members in sets.values() if len(members) > 1]
        return sorted(found, key=lambda members: (-len(members), members[0]))


def joined(existing: Sequence[Sequence[int]], matches: Iterable[Match]) -> UnionFind:
    """Disjoint sets of groups already known with matches added."""
    sets = UnionFind()
    for members in existing:
        for member in members[1:]:
            sets.union(members[0], member)
    for match in matches:
        sets.union(match.media_a, match.media_b)
    return sets


def group_matches(existing: Sequence[Sequence[int]], matches: Iterable[Match]) -> list[list[int]]:
    """Groups after adding matches to groups already known (incremental update)."""
    return joined(existing, matches).groups()
