"""Links from media to entities (role, note); linking a near-duplicate stack; audited."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from desktop.store import audit, browse
from desktop.store.db import now_iso
from desktop.store.entities import get_entity
from desktop.store.investigation import InvestigationError, check_media

ROLE_MAX = 80
# Roles offered per entity kind; any other short word is accepted too.
SUGGESTED_ROLES = {
    "victim": ("depicted", "identified in"),
    "series": ("member",),
    "offender": ("depicted", "producer", "distributor"),
    "location": ("taken at", "shown"),
}
_COLUMNS = (
    "l.id, l.media_id, l.entity_id, e.kind, e.name, l.role, l.note, l.via_media_id, l.created_at"
)


@dataclass(frozen=True)
class Link:
    id: int
    media_id: int
    entity_id: int
    entity_kind: str
    entity_name: str
    role: str
    note: str
    via_media_id: int | None  # the media whose stack was linked, when made that way
    created_at: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "link_id": self.id,
            "media_id": self.media_id,
            "entity_id": self.entity_id,
            "entity_kind": self.entity_kind,
            "entity_name": self.entity_name,
            "role": self.role,
            "note": self.note,
            "via_media_id": self.via_media_id,
            "created_at": self.created_at,
        }


def query_links(db: Database, where: str, params: list[Any]) -> list[Link]:
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM links l JOIN entities e ON e.id = l.entity_id WHERE {where}"
        " ORDER BY l.media_id, e.kind, e.name",
        params,
    )
    return [Link(*row) for row in rows]


def _role(role: str) -> str:
    role = " ".join(role.split())
    if len(role) > ROLE_MAX:
        raise InvestigationError(f"A link role is at most {ROLE_MAX} characters.")
    return role


def stack_members(db: Database, media_id: int) -> list[int]:
    """Every media in the near-duplicate stack of `media_id` (itself first).

    The one place links learn what a stack is: the grid's stacks (store.browse, over the
    near-duplicate groups of migration 3 at the case's strictness), so "link the stack" links
    exactly the tiles the analyst sees stacked; a media in no group is a stack of one.
    """
    members = browse.stack_members(db, media_id)
    return [media_id] + [int(m) for m in members if int(m) != media_id]


def get_link(db: Database, link_id: int) -> Link:
    found = query_links(db, "l.id = ?", [link_id])
    if not found:
        raise InvestigationError(f"The case has no link #{link_id}.")
    return found[0]


def link_media(
    db: Database,
    media_ids: Iterable[int],
    entity_id: int,
    role: str = "",
    note: str = "",
    *,
    via_media_id: int | None = None,
) -> list[Link]:
    """Link each media to the entity (audited as link.add). Media already linked are left as
    they are; a media the analyst had opted out is linked again and its opt-out cleared."""
    role, note = _role(role), note.strip()
    with db.atomic():
        entity = get_entity(db, entity_id)
        ids = check_media(db, media_ids)
        at = now_iso()
        made = []
        for media_id in ids:
            cursor = db.execute(
                "INSERT OR IGNORE INTO links (media_id, entity_id, role, note, via_media_id,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [media_id, entity_id, role, note, via_media_id, at],
            )
            if cursor.rowcount:
                made.append(int(cursor.lastrowid or 0))
            db.execute(
                "DELETE FROM link_opt_outs WHERE media_id = ? AND entity_id = ?",
                [media_id, entity_id],
            )
        links = [get_link(db, link_id) for link_id in made]
        if links:
            after = {
                "entity": entity.name,
                "kind": entity.kind,
                "role": role,
                "note": note,
                "media": [link.media_id for link in links],
                "via_media_id": via_media_id,
            }
            audit.append(db, "link.add", f"entity:{entity_id}", None, after)
    return links


def link_stack(
    db: Database,
    media_id: int,
    entity_id: int,
    role: str = "",
    note: str = "",
    *,
    members: Iterable[int] | None = None,
    exclude: Iterable[int] = (),
) -> list[Link]:
    """Link a media and every member of its stack, except members in `exclude` and members the
    analyst opted out of this entity earlier.

    `members` replaces the stack with the analyst's own choice (the members ticked in the GUI):
    then earlier opt-outs do not apply, since the analyst has just decided member by member.
    """
    stack = list(members) if members is not None else stack_members(db, media_id)
    if media_id not in stack:
        stack.insert(0, media_id)
    skip = set(exclude)
    if members is None:
        skip |= set(opted_out(db, entity_id))
    skip.discard(media_id)  # the media the analyst chose is always linked
    chosen = [m for m in stack if m not in skip]
    via = media_id if len(stack) > 1 else None
    return link_media(db, chosen, entity_id, role, note, via_media_id=via)


def update_link(
    db: Database, link_id: int, *, role: str | None = None, note: str | None = None
) -> Link:
    """Change a link's role or note (audited as link.edit)."""
    with db.atomic():
        before = get_link(db, link_id)
        new_role = before.role if role is None else _role(role)
        new_note = before.note if note is None else note.strip()
        db.execute(
            "UPDATE links SET role = ?, note = ? WHERE id = ?", [new_role, new_note, link_id]
        )
        after = get_link(db, link_id)
        audit.append(db, "link.edit", f"link:{link_id}", before.as_dict(), after.as_dict())
    return after


def unlink(db: Database, media_id: int, entity_id: int, *, opt_out: bool = False) -> Link | None:
    """Remove one media's link (audited as link.remove). With `opt_out` the media is also kept
    out when its stack is linked to this entity again (the per-link opt-out)."""
    with db.atomic():
        found = query_links(db, "l.media_id = ? AND l.entity_id = ?", [media_id, entity_id])
        get_entity(db, entity_id)
        check_media(db, [media_id])
        if found:
            db.execute("DELETE FROM links WHERE id = ?", [found[0].id])
        if opt_out:
            db.execute(
                "INSERT OR IGNORE INTO link_opt_outs (media_id, entity_id, at) VALUES (?, ?, ?)",
                [media_id, entity_id, now_iso()],
            )
        if found or opt_out:
            before = found[0].as_dict() if found else None
            action = "link.opt_out" if opt_out else "link.remove"
            after = {"media_id": media_id} if opt_out else None
            audit.append(db, action, f"entity:{entity_id}", before, after)
    return found[0] if found else None


def opted_out(db: Database, entity_id: int) -> list[int]:
    rows = db.execute(
        "SELECT media_id FROM link_opt_outs WHERE entity_id = ? ORDER BY media_id", [entity_id]
    )
    return [row[0] for row in rows]


def links_for_media(db: Database, media_id: int) -> list[Link]:
    return query_links(db, "l.media_id = ?", [media_id])


def links_for_entity(db: Database, entity_id: int) -> list[Link]:
    return query_links(db, "l.entity_id = ?", [entity_id])


def media_for_entity(db: Database, entity_id: int) -> list[int]:
    rows = db.execute(
        "SELECT media_id FROM links WHERE entity_id = ? ORDER BY media_id", [entity_id]
    )
    return [row[0] for row in rows]


def iter_links(db: Database) -> Iterator[Link]:
    yield from query_links(db, "1", [])
