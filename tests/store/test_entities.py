"""Entities: victims, series, offenders, locations; victims in series; all changes audited."""

from __future__ import annotations

import pytest

from desktop.store import audit, entities, links
from desktop.store.db import open_case
from desktop.store.investigation import InvestigationError


@pytest.fixture
def db(sample_case):
    return open_case(sample_case)


def _last(db):
    return list(audit.events(db))[-1].as_dict()


def test_each_kind_keeps_its_own_fields(db):
    victim = entities.add_entity(db, "victim", "V-001", age_min=6, age_max=9, sex="female")
    series = entities.add_entity(db, "series", "Blue room", notes="first seen 2024", known=True)
    offender = entities.add_entity(db, "offender", "uploader77", status="identified")
    place = entities.add_entity(
        db, "location", "Flat", country="NL", latitude=52.37, longitude=4.89
    )
    assert victim.as_dict()["status"] == "unidentified"  # the default
    assert (victim.age_min, victim.age_max, victim.sex) == (6, 9, "female")
    assert series.known is True and "status" not in series.as_dict()
    assert offender.status == "identified"
    assert (place.country, place.latitude, place.longitude) == ("NL", 52.37, 4.89)
    assert "age_min" not in place.as_dict()
    assert _last(db)["action"] == "entity.add"
    kinds = [e.kind for e, _ in entities.list_entities(db)]
    assert kinds == ["victim", "series", "offender", "location"]


@pytest.mark.parametrize(
    "kind, values, message",
    [
        ("victim", {"status": "found"}, "not a victim status"),
        ("victim", {"age_min": 12, "age_max": 8}, "lowest estimated age"),
        ("victim", {"country": "NL"}, "no country"),
        ("series", {"status": "identified"}, "no status"),
        ("location", {"latitude": 91}, "latitude"),
        ("planet", {}, "not an entity kind"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(db, kind, values, message):
    with pytest.raises(InvestigationError, match=message):
        entities.add_entity(db, kind, "X", **values)
    assert entities.list_entities(db) == []
    assert not [e for e in audit.events(db) if e.action.startswith("entity.")]


def test_names_are_unique_per_kind_ignoring_case(db):
    entities.add_entity(db, "series", "Blue room")
    with pytest.raises(InvestigationError, match="already a series"):
        entities.add_entity(db, "series", "BLUE ROOM")
    entities.add_entity(db, "location", "Blue room")  # another kind may share the name
    with pytest.raises(InvestigationError, match="Several entities"):
        entities.find_entity(db, "blue room")
    assert entities.find_entity(db, "blue room", kind="location").kind == "location"


def test_edit_audits_before_and_after(db):
    victim = entities.add_entity(db, "victim", "V-001")
    edited = entities.update_entity(db, victim.id, status="safeguarded", notes="safe 2025-01")
    assert (edited.status, edited.notes) == ("safeguarded", "safe 2025-01")
    event = _last(db)
    assert event["action"] == "entity.edit"
    assert event["before"]["status"] == "unidentified" and event["after"]["status"] == "safeguarded"


def test_remove_takes_links_with_it_and_records_them(db):
    media = [r[0] for r in db.execute("SELECT id FROM media ORDER BY id LIMIT 2")]
    victim = entities.add_entity(db, "victim", "V-001")
    links.link_media(db, media, victim.id, "depicted")
    entities.remove_entity(db, victim.id)
    assert links.links_for_media(db, media[0]) == []
    event = _last(db)
    assert event["action"] == "entity.remove"
    assert [link["media_id"] for link in event["before"]["links"]] == media


def test_victims_appear_in_series_explicitly_and_through_shared_media(db):
    a, b = [r[0] for r in db.execute("SELECT id FROM media ORDER BY id LIMIT 2")]
    series = entities.add_entity(db, "series", "Blue room")
    v1 = entities.add_entity(db, "victim", "V-001")
    v2 = entities.add_entity(db, "victim", "V-002")
    assert entities.add_victim_to_series(db, series.id, v1.id) is True
    assert entities.add_victim_to_series(db, series.id, v1.id) is False
    assert _last(db)["action"] == "series.add_victim"
    links.link_media(db, [a], series.id)
    links.link_media(db, [a, b], v2.id)
    assert [v.name for v in entities.victims_in_series(db, series.id)] == ["V-001", "V-002"]
    assert [s.name for s in entities.series_of_victim(db, v2.id)] == ["Blue room"]
    with pytest.raises(InvestigationError, match="not a series"):
        entities.add_victim_to_series(db, v1.id, v2.id)
    assert entities.remove_victim_from_series(db, series.id, v1.id) is True
    assert _last(db)["action"] == "series.remove_victim"
    assert _last(db)["before"] == {"series": "Blue room", "victim": "V-001"}
    assert [v.name for v in entities.victims_in_series(db, series.id)] == ["V-002"]


def test_a_reference_in_other_digits_is_a_sentence_not_a_traceback(db):
    """'²' is a digit to str.isdigit() and a ValueError to int(): it names no entity or media."""
    from desktop.store.investigation import resolve_media

    with pytest.raises(InvestigationError):
        entities.find_entity(db, "²")
    with pytest.raises(InvestigationError):
        resolve_media(db, "#²")
