"""Merge another agency's investigation work (entities, links, clues, tags) into a case.

Called by the package import inside its one transaction: every write goes through the
investigation stores (which audit), and each merged row's provenance is kept in
merged_origins, so importing again never duplicates and a local edit is never overwritten.
Rules, per sender record (keyed by the sending case and the sender's own id):
- new: created here (entity, clue, link, tag, victim-in-series), provenance recorded;
- seen before, same content: nothing to do;
- seen before, changed by the sender, unchanged here since the last merge: updated;
- seen before, changed by the sender AND changed here: a conflict, the case keeps its word,
  unless the analyst chose to take the sender's record for that conflict (its key, listed by a
  preview of the import): then it is updated and counted "taken";
- seen before but removed here (or opted out): kept removed, reported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from desktop.core.clue_kinds import clue_kind
from desktop.core.regions import Region
from desktop.jobs.merge_report import MAX_LISTED, MergeReport, Sender, conflict_key
from desktop.store import clues, entities, links, origins, tags
from desktop.store.investigation import InvestigationError

_ENTITY_SYSTEM_FIELDS = ("entity_id", "kind", "created_at", "updated_at", "victims", "origin")
_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "notes": str, "status": str, "sex": str, "country": str, "age_min": int, "age_max": int,
    "known": (bool, int), "latitude": (int, float), "longitude": (int, float),
}  # fmt: skip


def _entity_content(kind: str, name: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"kind": kind, "name": name, **fields}


def _local_entity_content(entity: entities.Entity) -> dict[str, Any]:
    data = entity.as_dict()
    return {k: v for k, v in data.items() if k not in _ENTITY_SYSTEM_FIELDS} | {"kind": entity.kind}


class InvestigationMerge:
    """One package's merge: entities first (to map their ids), then media batch by batch."""

    def __init__(self, db: Database, sender: Sender, take_theirs: frozenset[str] = frozenset()):
        self.db = db
        self.sender = sender
        self.take_theirs = take_theirs  # conflict keys where the sender's record wins
        self.report = MergeReport()
        self.entity_map: dict[int, int] = {}  # sender entity id -> local entity id
        self.removed: set[int] = set()  # sender entity ids merged before, removed here since
        self.names: dict[tuple[str, str], int] = {}  # (kind, folded name) -> local entity id
        self.pending_tags: dict[str, tuple[str, list[int]]] = {}  # one tag.add per tag a batch
        self.series_victims: dict[int, set[int]] = {}  # local series id -> its victims' ids
        for entity, _count in entities.list_entities(db):
            self.names[(entity.kind, _folded(entity.name))] = entity.id

    def _free_name(self, kind: str, name: str, own_id: int | None) -> str:
        """The sender's name, or with the sender added when the case uses it for another."""
        name = " ".join(name.split())
        label = self.sender.label
        candidates = [name, f"{name} [{label}]", *(f"{name} [{label} {n}]" for n in range(2, 100))]
        for candidate in candidates:
            if self.names.get((kind, _folded(candidate)), own_id) == own_id:
                return candidate
        raise InvestigationError(f"no free name for the {kind} {name!r}")

    def _named(self, entity: entities.Entity, old_name: str | None = None) -> None:
        if old_name is not None:
            self.names.pop((entity.kind, _folded(old_name)), None)
        self.names[(entity.kind, _folded(entity.name))] = entity.id

    def _theirs(self, what: str, original_id: str) -> bool:
        return conflict_key(what, original_id) in self.take_theirs

    def _origin(self, row_kind: str, original_id: str) -> origins.Origin | None:
        return origins.find_origin(self.db, row_kind, self.sender.case_id, original_id)

    def _record(
        self,
        row_kind: str,
        row_id: int,
        original_id: str,
        created: bool,
        sender_record: Any,
        local_record: Any,
    ) -> None:
        origins.record_origin(
            self.db,
            row_kind=row_kind,
            row_id=row_id,
            source_case_id=self.sender.case_id,
            organization=self.sender.organization,
            original_id=original_id,
            created=created,
            sender_record=sender_record,
            local_record=local_record,
            package_id=self.sender.package_id,
        )

    # ---- entities ------------------------------------------------------------------------------

    def merge_entities(self, sent: list[Any]) -> None:
        for record in sent:
            try:
                self._merge_entity(record)
            except InvestigationError as error:
                self.report.skip("entities", f"entity {_describe(record)}: {error}")
        for record in sent:
            if isinstance(record, dict) and record.get("kind") == "series":
                victims = record.get("victims")
                for victim in victims if isinstance(victims, list) else []:
                    if isinstance(victim, int) and isinstance(record.get("entity_id"), int):
                        self._merge_series_victim(record["entity_id"], victim)

    def _merge_entity(self, record: Any) -> None:
        if not (
            isinstance(record, dict)
            and isinstance(record.get("entity_id"), int)
            and record.get("kind") in entities.ENTITY_KINDS
            and isinstance(record.get("name"), str)
        ):
            raise InvestigationError("it lacks an id, a known kind or a name")
        kind, sent_id = record["kind"], record["entity_id"]
        fields = {k: record.get(k) for k in (*entities.KIND_FIELDS[kind], "notes")}
        for key, value in fields.items():
            wanted = _FIELD_TYPES.get(key, (str, int, float))
            if value is not None and not isinstance(value, wanted):
                raise InvestigationError(f"its {key.replace('_', ' ')} has the wrong type")
        fields["notes"] = fields["notes"] or ""
        content = _entity_content(kind, record["name"], fields)
        original_id = str(sent_id)
        origin = self._origin("entity", original_id)
        if origin is None:
            self._new_entity(kind, sent_id, record["name"], fields, content)
            return
        local = _alive(origin, lambda: entities.get_entity(self.db, origin.row_id))
        if local is None or local.kind != kind:
            self.removed.add(sent_id)
            self.report.count("entities", "kept_removed")
            return
        self.entity_map[sent_id] = local.id
        if origin.sender_hash == origins.content_hash(content) or not origin.created:
            # unchanged by the sender, or a local series the package only matched by name
            origins.touch_origin(self.db, origin.id, self.sender.package_id)
            self.report.count("entities", "unchanged")
            return
        taken = origins.content_hash(_local_entity_content(local)) != origin.local_hash
        if taken and not self._theirs("entities", original_id):
            self.report.conflict(
                "entities",
                local.id,
                original_id,
                f"{kind} {local.name!r} (#{local.id}) was changed here and in the package from "
                f"{self.sender.label}; yours is kept",
            )
            return
        before = origin.as_dict()["sender_record"]
        name = local.name
        if before.get("name") != record["name"]:
            name = self._free_name(kind, record["name"], local.id)
        after = entities.update_entity(self.db, local.id, name=name, **fields)
        self._named(after, local.name)
        self._record("entity", local.id, original_id, True, content, _local_entity_content(after))
        self.report.count("entities", "taken" if taken else "updated")

    def _new_entity(
        self, kind: str, sent_id: int, name: str, fields: dict[str, Any], content: dict[str, Any]
    ) -> None:
        original_id = str(sent_id)
        if kind == "series":  # series names are shared between agencies (VICS): same series
            local_id = self.names.get(("series", _folded(name)))
            if local_id is not None:
                self.entity_map[sent_id] = local_id
                self._record("entity", local_id, original_id, False, content, None)
                self.report.count("entities", "matched")
                return
        local_name = self._free_name(kind, name, None)
        values = {k: v for k, v in fields.items() if v is not None}
        made = entities.add_entity(self.db, kind, local_name, **values)
        self._named(made)
        self.entity_map[sent_id] = made.id
        self._record("entity", made.id, original_id, True, content, _local_entity_content(made))
        self.report.count("entities", "added")
        if len(self.report.created_entities) < MAX_LISTED:
            self.report.created_entities.append(
                {
                    "entity_id": made.id,
                    "kind": kind,
                    "name": made.name,
                    "sent_name": name,
                    "original_id": sent_id,
                }
            )

    def _merge_series_victim(self, series: int, victim: int) -> None:
        series_id, victim_id = self.entity_map.get(series), self.entity_map.get(victim)
        if series in self.removed or victim in self.removed:
            self.report.count("series_victims", "kept_removed")
            return
        if series_id is None or victim_id is None:
            self.report.skip("series_victims", f"victim {victim} in series {series}: not merged")
            return
        original_id = f"{series}:{victim}"
        origin = self._origin("series_victim", original_id)
        pair = {"series": series, "victim": victim}
        if origin is not None:
            if series_id not in self.series_victims:  # once per series: big series hold many
                found = entities.victims_in_series(self.db, series_id)
                self.series_victims[series_id] = {v.id for v in found}
            present = victim_id in self.series_victims[series_id]
            self.report.count("series_victims", "unchanged" if present else "kept_removed")
            return
        try:
            added = entities.add_victim_to_series(self.db, series_id, victim_id)
        except InvestigationError as error:
            self.report.skip("series_victims", f"victim {victim} in series {series}: {error}")
            return
        self._record("series_victim", series_id, original_id, added, pair, pair)
        self.report.count("series_victims", "added" if added else "matched")

    # ---- per media -----------------------------------------------------------------------------

    def merge_media(self, media_id: int, sha256: str, work: dict[str, Any]) -> None:
        """The sender's links, clues and tags of one media the case holds too."""
        for what, items, merge in (
            ("links", work.get("links"), self._merge_link),
            ("clues", work.get("clues"), self._merge_clue),
            ("tags", work.get("tags"), self._merge_tag),
        ):
            if items is None:
                continue
            if not isinstance(items, list):
                self.report.skip(what, f"media {sha256[:12]}: its {what} are not a list")
                continue
            for item in items:
                try:
                    merge(media_id, sha256, item)
                except InvestigationError as error:
                    self.report.skip(
                        what, f"media {sha256[:12]}, {what[:-1]} {item!r:.80}: {error}"
                    )

    def flush(self) -> None:
        """Write the tags gathered from a batch of media (call after each batch)."""
        for name, media_ids in self.pending_tags.values():
            tags.add_tag(self.db, media_ids, name)
        self.pending_tags.clear()

    def _merge_link(self, media_id: int, sha256: str, item: Any) -> None:
        if not isinstance(item, dict) or not isinstance(item.get("entity_id"), int):
            raise InvestigationError("not a link to an entity")
        sent_entity = item["entity_id"]
        entity_id = self.entity_map.get(sent_entity)
        if sent_entity in self.removed:
            self.report.count("links", "kept_removed")
            return
        if entity_id is None:
            raise InvestigationError("its entity was not merged")
        content = {"role": str(item.get("role") or ""), "note": str(item.get("note") or "")}
        original_id = f"{sha256}:{sent_entity}"
        origin = self._origin("link", original_id)
        found = links.query_links(
            self.db, "l.media_id = ? AND l.entity_id = ?", [media_id, entity_id]
        )
        local = found[0] if found else None
        mine = {"role": local.role, "note": local.note} if local else None
        if origin is not None:
            if local is None:
                self.report.count("links", "kept_removed")
            elif origin.sender_hash == origins.content_hash(content):
                origins.touch_origin(self.db, origin.id, self.sender.package_id)
                self.report.count("links", "unchanged")
            elif origins.content_hash(mine) != origin.local_hash and not self._theirs(
                "links", original_id
            ):
                self._link_conflict(local, original_id, "was changed here and in the package")
            else:
                taken = origins.content_hash(mine) != origin.local_hash
                self._take_link(local, original_id, origin.created, content, taken)
            return
        if local is not None:  # the analyst linked it already: theirs stays as it is
            differs = mine != content and any(content.values())
            if differs and self._theirs("links", original_id):
                self._take_link(local, original_id, False, content, True)
                return
            self._record("link", local.id, original_id, False, content, mine)
            if differs:
                self._link_conflict(local, original_id, "has another role or note here")
            else:
                self.report.count("links", "matched")
            return
        if media_id in links.opted_out(self.db, entity_id):
            self.report.count("links", "kept_removed")  # the analyst opted this media out
            return
        (made,) = links.link_media(self.db, [media_id], entity_id, content["role"], content["note"])
        self._record("link", made.id, original_id, True, content,
                     {"role": made.role, "note": made.note})  # fmt: skip
        self.report.count("links", "added")

    def _take_link(
        self, local: links.Link, original_id: str, created: bool, content: dict[str, str],
        taken: bool,
    ) -> None:  # fmt: skip
        """The sender's role and note on a link the case has (an update, or a conflict the
        analyst settled their way)."""
        after = links.update_link(self.db, local.id, role=content["role"], note=content["note"])
        self._record("link", local.id, original_id, created, content,
                     {"role": after.role, "note": after.note})  # fmt: skip
        self.report.count("links", "taken" if taken else "updated")

    def _link_conflict(self, local: links.Link, original_id: str, why: str) -> None:
        self.report.conflict(
            "links",
            local.id,
            original_id,
            f"link of media {local.media_id} to {local.entity_kind} {local.entity_name!r} {why} "
            f"({self.sender.label}); yours is kept",
        )

    def _merge_clue(self, media_id: int, sha256: str, item: Any) -> None:
        if not isinstance(item, dict) or not isinstance(item.get("clue_id"), int):
            raise InvestigationError("not a clue")
        kind = clue_kind(str(item.get("kind") or ""))
        note = str(item.get("note") or "")
        if kind is None:  # a taxonomy this Vigil does not know: keep it, say what it was
            note = f"[their kind: {item.get('kind')}] {note}".strip()
        content: dict[str, Any] = {
            "kind": kind.key if kind else "other",
            "label": str(item.get("label") or ""),
            "note": note,
            "region": _region(item.get("region")),
        }
        region = Region(**content["region"]) if content["region"] else None
        time = item.get("time")
        if isinstance(time, int | float) and not isinstance(time, bool):
            content["time"] = float(time)  # on a video's frame (only then: older hashes hold)
        original_id = str(item["clue_id"])
        origin = self._origin("clue", original_id)
        if origin is None:
            made = clues.add_clue(
                self.db, media_id, content["kind"], content["label"], note, region,
                content.get("time"),
            )  # fmt: skip
            self._record("clue", made.id, original_id, True, content, _clue_content(made))
            self.report.count("clues", "added")
            return
        local = _alive(origin, lambda: clues.get_clue(self.db, origin.row_id))
        if local is None or local.media_id != media_id:
            self.report.count("clues", "kept_removed")
            return
        if origin.sender_hash == origins.content_hash(content):
            origins.touch_origin(self.db, origin.id, self.sender.package_id)
            self.report.count("clues", "unchanged")
        elif origins.content_hash(_clue_content(local)) != origin.local_hash and not self._theirs(
            "clues", original_id
        ):
            self.report.conflict(
                "clues",
                local.id,
                original_id,
                f"clue #{local.id} {local.label!r} on media {media_id} was changed here and in "
                f"the package from {self.sender.label}; yours is kept",
            )
        else:
            after = clues.update_clue(
                self.db, local.id, kind=content["kind"], label=content["label"], note=note,
                region=region, time=content.get("time"),
            )  # fmt: skip
            taken = origins.content_hash(_clue_content(local)) != origin.local_hash
            self._record("clue", local.id, original_id, True, content, _clue_content(after))
            self.report.count("clues", "taken" if taken else "updated")

    def _merge_tag(self, media_id: int, sha256: str, item: Any) -> None:
        if not isinstance(item, str):
            raise InvestigationError("not a tag")
        name = tags.normalise_tag(item)
        original_id = f"{sha256}:{name.lower()}"
        if self._origin("tag", original_id) is not None:
            self.report.count("tags", "unchanged")  # also when the analyst took it off since
            return
        present = name.lower() in {t.lower() for t in tags.tags_for_media(self.db, media_id)}
        if not present:
            self.pending_tags.setdefault(name.lower(), (name, []))[1].append(media_id)
        self._record("tag", media_id, original_id, not present, name, name)
        self.report.count("tags", "matched" if present else "added")


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def _alive(origin: origins.Origin, get: Callable[[], Any]) -> Any:
    """The local row an origin names, or None when it was removed here since.

    Row ids can be used again after a removal (SQLite reuses the highest id), so a row made
    after the last merge is someone else's, not the one merged."""
    try:
        row = get()
    except InvestigationError:
        return None
    return row if row.created_at <= origin.merged_at else None


def _region(value: Any) -> dict[str, int] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(value.get(k), int) and not isinstance(value.get(k), bool) for k in "xywh"
    ):
        raise InvestigationError("its region is malformed")
    return {k: value[k] for k in "xywh"}


def _clue_content(clue: clues.Clue) -> dict[str, Any]:
    return {
        "kind": clue.kind,
        "label": clue.label,
        "note": clue.note,
        "region": clue.region.as_dict() if clue.region else None,
        **({"time": clue.time} if clue.time is not None else {}),
    }


def _describe(record: Any) -> str:
    if isinstance(record, dict):
        return f"{record.get('kind')} {record.get('name')!r} (#{record.get('entity_id')})"
    return repr(record)[:60]
