"""Links media -> entity: roles, notes, stacks with per-link opt-out; every change audited."""

from __future__ import annotations

import pytest

from desktop.store import audit, entities, fingerprint_columns, groups, links
from desktop.store.db import open_case
from desktop.store.investigation import InvestigationError


def make_stack(db, members):
    """Make `members` one near-duplicate group (replacing the case's groups), as grouping would."""
    level = groups.strictness(db)
    groups.replace_groups(
        db, level, [list(members)], {}, fingerprint_columns.last_media_id(db), "test"
    )


@pytest.fixture
def db(sample_case):
    return open_case(sample_case)


@pytest.fixture
def media(db):
    return [r[0] for r in db.execute("SELECT id FROM media ORDER BY id LIMIT 5")]


def _last(db):
    return list(audit.events(db))[-1].as_dict()


def test_link_media_with_role_and_note(db, media):
    victim = entities.add_entity(db, "victim", "V-001")
    made = links.link_media(db, media[:2], victim.id, "depicted", "left of picture")
    assert [(k.media_id, k.role, k.note, k.entity_name) for k in made] == [
        (media[0], "depicted", "left of picture", "V-001"),
        (media[1], "depicted", "left of picture", "V-001"),
    ]
    event = _last(db)
    assert event["action"] == "link.add" and event["after"]["media"] == media[:2]
    assert links.link_media(db, media[:1], victim.id) == []  # already linked: no change
    assert links.media_for_entity(db, victim.id) == media[:2]


def test_edit_and_remove_a_link(db, media):
    place = entities.add_entity(db, "location", "Flat")
    (link,) = links.link_media(db, media[:1], place.id, "taken at")
    edited = links.update_link(db, link.id, note="window view matches")
    assert (edited.role, edited.note) == ("taken at", "window view matches")
    assert _last(db)["action"] == "link.edit"
    assert links.unlink(db, media[0], place.id) == edited
    assert links.links_for_media(db, media[0]) == []
    assert _last(db)["action"] == "link.remove"


def test_linking_a_stack_links_every_member_except_opt_outs(db, media):
    victim = entities.add_entity(db, "victim", "V-001")
    stack = media[:4]
    make_stack(db, stack)
    made = links.link_stack(db, stack[0], victim.id, "depicted", exclude=[stack[3]])
    assert [k.media_id for k in made] == stack[:3]
    assert {k.via_media_id for k in made} == {stack[0]}
    # the analyst opts one member out: it stays out when the stack is linked again
    links.unlink(db, stack[1], victim.id, opt_out=True)
    assert _last(db)["action"] == "link.opt_out"
    assert links.opted_out(db, victim.id) == [stack[1]]
    again = links.link_stack(db, stack[2], victim.id)
    assert [k.media_id for k in again] == [stack[3]]
    assert links.media_for_entity(db, victim.id) == [stack[0], stack[2], stack[3]]
    # an explicit choice of members (ticked one by one) is taken as it is
    links.unlink(db, stack[3], victim.id)
    chosen = links.link_stack(db, stack[0], victim.id, members=[stack[0], stack[1]])
    assert [k.media_id for k in chosen] == [stack[1]]
    # linking a member directly is a deliberate act: it clears its opt-out
    assert links.opted_out(db, victim.id) == []


def test_stack_members_follow_near_duplicate_groups_when_the_case_has_them(db, media):
    make_stack(db, [media[3], media[4]])
    assert links.stack_members(db, media[0]) == [media[0]]
    make_stack(db, [media[1], media[0], media[2]])
    assert links.stack_members(db, media[1]) == [media[1], media[0], media[2]]
    victim = entities.add_entity(db, "victim", "V-001")
    links.link_stack(db, media[1], victim.id)
    assert links.media_for_entity(db, victim.id) == sorted(media[:3])


def test_bad_links_are_refused(db, media):
    victim = entities.add_entity(db, "victim", "V-001")
    with pytest.raises(InvestigationError, match="no entity"):
        links.link_media(db, media[:1], 9999)
    with pytest.raises(InvestigationError, match="no media"):
        links.link_media(db, [media[0], 987654], victim.id)
    assert links.links_for_media(db, media[0]) == []
    with pytest.raises(InvestigationError, match="no link"):
        links.update_link(db, 4242, role="x")
    assert audit.verify_chain(db)[1] is None
