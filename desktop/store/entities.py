"""Victims, series, offenders and locations, and which victims appear in which series; audited."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlite_utils import Database

from desktop.store import audit
from desktop.store.db import now_iso
from desktop.store.investigation import InvestigationError

ENTITY_KINDS = ("victim", "series", "offender", "location")
VICTIM_STATUSES = ("unidentified", "identified", "safeguarded")
OFFENDER_STATUSES = ("unknown", "identified", "arrested", "convicted")
SEXES = ("female", "male", "unknown")
# which optional fields each kind uses; the others stay NULL
KIND_FIELDS = {
    "victim": ("status", "age_min", "age_max", "sex"),
    "series": ("known",),
    "offender": ("status",),
    "location": ("country", "latitude", "longitude"),
}
_DEFAULT_STATUS = {"victim": "unidentified", "offender": "unknown"}
_COLUMNS = (
    "id, kind, name, status, notes, age_min, age_max, sex, known, country, latitude, longitude,"
    " created_at, updated_at"
)


@dataclass(frozen=True)
class Entity:
    id: int
    kind: str
    name: str  # victim reference, series name, offender alias or location name
    status: str | None
    notes: str
    age_min: int | None
    age_max: int | None
    sex: str | None
    known: bool
    country: str | None
    latitude: float | None
    longitude: float | None
    created_at: str
    updated_at: str

    def as_dict(self) -> dict[str, Any]:
        """The fields this kind uses (a victim has no country, a location no age)."""
        data: dict[str, Any] = {"entity_id": self.id, "kind": self.kind, "name": self.name}
        for name in KIND_FIELDS[self.kind]:
            data[name] = getattr(self, name)
        data.update(notes=self.notes, created_at=self.created_at, updated_at=self.updated_at)
        return data


def _entity(row: tuple[Any, ...]) -> Entity:
    values = list(row)
    values[8] = bool(values[8])
    return Entity(*values)


def get_entity(db: Database, entity_id: int) -> Entity:
    row = db.execute(f"SELECT {_COLUMNS} FROM entities WHERE id = ?", [entity_id]).fetchone()
    if row is None:
        raise InvestigationError(f"The case has no entity #{entity_id}.")
    return _entity(row)


def find_entity(db: Database, reference: str, kind: str | None = None) -> Entity:
    """An entity by its number or by its name (ignoring case), optionally of one kind."""
    text = reference.strip().lstrip("#")
    if text.isascii() and text.isdigit():  # not "²": int() refuses it
        entity = get_entity(db, int(text))
        if kind and entity.kind != kind:
            raise InvestigationError(f"Entity #{text} is a {entity.kind}, not a {kind}.")
        return entity
    sql, params = f"SELECT {_COLUMNS} FROM entities WHERE name = ?", [text]
    if kind:
        sql, params = sql + " AND kind = ?", [text, kind]
    rows = db.execute(sql, params).fetchall()
    if not rows:
        raise InvestigationError(f"The case has no {kind or 'entity'} named {text!r}.")
    if len(rows) > 1:
        raise InvestigationError(
            f"Several entities are named {text!r}; give the kind or the entity number."
        )
    return _entity(rows[0])


def _checked(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Validate the fields given for a kind; unknown or foreign fields are refused."""
    allowed = set(KIND_FIELDS[kind]) | {"name", "notes"}
    foreign = sorted(set(values) - allowed)
    if foreign:
        words = {
            "known": "known/solved flag",
            "age_min": "age",
            "age_max": "age",
            "latitude": "coordinates",
            "longitude": "coordinates",
        }
        raise InvestigationError(f"A {kind} has no {words.get(foreign[0], foreign[0])}.")
    out = dict(values)
    if "name" in out:
        out["name"] = " ".join(str(out["name"]).split())
        if not out["name"]:
            what = {"victim": "reference", "offender": "alias"}.get(kind, "name")
            raise InvestigationError(f"A {kind} needs a {what}.")
    if "notes" in out:
        out["notes"] = (out["notes"] or "").strip()
    status = out.get("status")
    statuses = VICTIM_STATUSES if kind == "victim" else OFFENDER_STATUSES
    if status is not None and status not in statuses:
        raise InvestigationError(
            f"{status!r} is not a {kind} status; use one of: {', '.join(statuses)}."
        )
    if out.get("sex") is not None and out["sex"] not in SEXES:
        raise InvestigationError(f"Sex is one of: {', '.join(SEXES)}.")
    for bound in ("age_min", "age_max"):
        if out.get(bound) is not None and not 0 <= int(out[bound]) <= 25:
            raise InvestigationError("An estimated age is between 0 and 25 years.")
    if "known" in out:
        out["known"] = int(bool(out["known"]))
    if out.get("latitude") is not None and not -90 <= float(out["latitude"]) <= 90:
        raise InvestigationError("A latitude is between -90 and 90 degrees.")
    if out.get("longitude") is not None and not -180 <= float(out["longitude"]) <= 180:
        raise InvestigationError("A longitude is between -180 and 180 degrees.")
    return out


def _check_ages(entity: Entity) -> None:
    if entity.age_min is not None and entity.age_max is not None:
        if entity.age_min > entity.age_max:
            raise InvestigationError("The lowest estimated age is above the highest.")


def _check_name_free(db: Database, kind: str, name: str, entity_id: int | None = None) -> None:
    row = db.execute("SELECT id FROM entities WHERE kind = ? AND name = ?", [kind, name]).fetchone()
    if row is not None and row[0] != entity_id:
        raise InvestigationError(f"There is already a {kind} named {name!r} (#{row[0]}).")


def add_entity(db: Database, kind: str, name: str, **values: Any) -> Entity:
    """Record a victim, series, offender or location (audited as entity.add)."""
    if kind not in ENTITY_KINDS:
        raise InvestigationError(f"{kind!r} is not an entity kind; use {', '.join(ENTITY_KINDS)}.")
    data = _checked(kind, {"name": name, **values})
    if kind in _DEFAULT_STATUS and data.get("status") is None:
        data["status"] = _DEFAULT_STATUS[kind]
    with db.atomic():
        _check_name_free(db, kind, data["name"])
        at = now_iso()
        data.update(kind=kind, created_at=at, updated_at=at)
        columns = ", ".join(data)
        cursor = db.execute(
            f"INSERT INTO entities ({columns}) VALUES ({', '.join('?' for _ in data)})",
            list(data.values()),
        )
        entity = get_entity(db, int(cursor.lastrowid or 0))
        _check_ages(entity)
        audit.append(db, "entity.add", f"entity:{entity.id}", None, entity.as_dict())
    return entity


def update_entity(db: Database, entity_id: int, **values: Any) -> Entity:
    """Change an entity's fields; a field given as None is cleared (audited as entity.edit)."""
    with db.atomic():
        before = get_entity(db, entity_id)
        data = _checked(before.kind, values)
        if not data:
            return before
        if "status" in data and data["status"] is None and before.kind in _DEFAULT_STATUS:
            data["status"] = _DEFAULT_STATUS[before.kind]
        if "name" in data:
            _check_name_free(db, before.kind, data["name"], entity_id)
        data["updated_at"] = now_iso()
        assignments = ", ".join(f"{column} = ?" for column in data)
        db.execute(f"UPDATE entities SET {assignments} WHERE id = ?", [*data.values(), entity_id])
        after = get_entity(db, entity_id)
        _check_ages(after)
        audit.append(db, "entity.edit", f"entity:{entity_id}", before.as_dict(), after.as_dict())
    return after


def remove_entity(db: Database, entity_id: int) -> Entity:
    """Delete an entity with its links (audited as entity.remove, listing the links it had)."""
    with db.atomic():
        before = get_entity(db, entity_id)
        linked = [
            {"media_id": m, "role": r, "note": n}
            for m, r, n in db.execute(
                "SELECT media_id, role, note FROM links WHERE entity_id = ? ORDER BY media_id",
                [entity_id],
            )
        ]
        db.execute("DELETE FROM links WHERE entity_id = ?", [entity_id])
        db.execute("DELETE FROM link_opt_outs WHERE entity_id = ?", [entity_id])
        db.execute(
            "DELETE FROM series_victims WHERE series_id = ? OR victim_id = ?",
            [entity_id, entity_id],
        )
        db.execute("DELETE FROM entities WHERE id = ?", [entity_id])
        audit.append(
            db, "entity.remove", f"entity:{entity_id}", {**before.as_dict(), "links": linked}, None
        )
    return before


def list_entities(db: Database, kind: str | None = None) -> list[tuple[Entity, int]]:
    """Entities by kind then name, each with the number of media linked to it."""
    sql = (
        f"SELECT {', '.join('e.' + c.strip() for c in _COLUMNS.split(','))},"
        " (SELECT COUNT(*) FROM links l WHERE l.entity_id = e.id) FROM entities e"
    )
    params: list[Any] = []
    if kind:
        sql, params = sql + " WHERE e.kind = ?", [kind]
    order = "CASE e.kind " + " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(ENTITY_KINDS))
    rows = db.execute(sql + f" ORDER BY {order} END, e.name", params)
    return [(_entity(row[:-1]), int(row[-1])) for row in rows]


# ---- victims appearing in series ---------------------------------------------------------------


def _series_and_victim(db: Database, series_id: int, victim_id: int) -> tuple[Entity, Entity]:
    series, victim = get_entity(db, series_id), get_entity(db, victim_id)
    if series.kind != "series":
        raise InvestigationError(f"Entity #{series_id} is a {series.kind}, not a series.")
    if victim.kind != "victim":
        raise InvestigationError(f"Entity #{victim_id} is a {victim.kind}, not a victim.")
    return series, victim


def add_victim_to_series(db: Database, series_id: int, victim_id: int) -> bool:
    """Record that a victim appears in a series (audited as series.add_victim)."""
    with db.atomic():
        series, victim = _series_and_victim(db, series_id, victim_id)
        added = db.execute(
            "INSERT OR IGNORE INTO series_victims (series_id, victim_id) VALUES (?, ?)",
            [series_id, victim_id],
        ).rowcount
        if added:
            after = {"series": series.name, "victim": victim.name}
            audit.append(db, "series.add_victim", f"entity:{series_id}", None, after)
    return bool(added)


def remove_victim_from_series(db: Database, series_id: int, victim_id: int) -> bool:
    with db.atomic():
        series, victim = _series_and_victim(db, series_id, victim_id)
        removed = db.execute(
            "DELETE FROM series_victims WHERE series_id = ? AND victim_id = ?",
            [series_id, victim_id],
        ).rowcount
        if removed:
            before = {"series": series.name, "victim": victim.name}
            audit.append(db, "series.remove_victim", f"entity:{series_id}", before, None)
    return bool(removed)


def victims_in_series(db: Database, series_id: int) -> list[Entity]:
    """Victims recorded in the series, and victims linked to any media the series holds."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM entities WHERE kind = 'victim' AND id IN ("
        " SELECT victim_id FROM series_victims WHERE series_id = ?"
        " UNION SELECT lv.entity_id FROM links ls JOIN links lv ON lv.media_id = ls.media_id"
        " WHERE ls.entity_id = ?) ORDER BY name",
        [series_id, series_id],
    )
    return [_entity(row) for row in rows]


def series_of_victim(db: Database, victim_id: int) -> list[Entity]:
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM entities WHERE kind = 'series' AND id IN ("
        " SELECT series_id FROM series_victims WHERE victim_id = ?"
        " UNION SELECT ls.entity_id FROM links lv JOIN links ls ON ls.media_id = lv.media_id"
        " WHERE lv.entity_id = ?) ORDER BY name",
        [victim_id, victim_id],
    )
    return [_entity(row) for row in rows]


ENTITY_FIELDS = tuple(f.name for f in fields(Entity))
