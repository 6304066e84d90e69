"""Investigation commands on entities (victim, series, offender, location) and media links."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli.case_commands import add_case_argument
from desktop.cli.output import UserError, print_json, table
from desktop.store import clues, entities, links
from desktop.store.db import open_case
from desktop.store.investigation import resolve_media


def _age_range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    try:
        return int(low), int(high or low)
    except ValueError:
        raise argparse.ArgumentTypeError(f"Write an age range as MIN-MAX, not {text!r}.") from None


def _coordinates(text: str) -> tuple[float, float]:
    try:
        lat, lon = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"Write coordinates as LAT,LON, not {text!r}.") from None
    return lat, lon


def _entity_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--status",
        help="victim: unidentified/identified/safeguarded; offender: "
        "unknown/identified/arrested/convicted",
    )
    p.add_argument("--age", type=_age_range, metavar="MIN-MAX", help="victim: estimated age")
    p.add_argument("--sex", choices=entities.SEXES, help="victim")
    p.add_argument("--notes")
    p.add_argument("--known", action=argparse.BooleanOptionalAction, help="series: known/solved")
    p.add_argument("--country", help="location")
    p.add_argument("--coordinates", type=_coordinates, metavar="LAT,LON", help="location")
    p.add_argument("--json", action="store_true")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("entities", help="victims, series, offenders and locations")
    add_case_argument(p)
    p.add_argument("--kind", choices=entities.ENTITY_KINDS)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_entities)

    entity = subparsers.add_parser("entity", help="add, edit, show or remove one entity")
    actions = entity.add_subparsers(title="actions", metavar="ACTION", required=True)
    p = actions.add_parser("add", help="record a victim, series, offender or location")
    add_case_argument(p)
    p.add_argument("kind", choices=entities.ENTITY_KINDS)
    p.add_argument("name", help="victim reference, series name, offender alias, location name")
    _entity_options(p)
    p.set_defaults(handler=cmd_entity_add)

    p = actions.add_parser("edit", help="change an entity's fields")
    add_case_argument(p)
    p.add_argument("entity", metavar="ENTITY", help="entity number or name")
    p.add_argument("--name", help="new reference, name or alias")
    _entity_options(p)
    p.set_defaults(handler=cmd_entity_edit)

    p = actions.add_parser("show", help="an entity with its linked media and their clues")
    add_case_argument(p)
    p.add_argument("entity", metavar="ENTITY")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_entity_show)

    p = actions.add_parser("remove", help="delete an entity and its links (audited)")
    add_case_argument(p)
    p.add_argument("entity", metavar="ENTITY")
    p.set_defaults(handler=cmd_entity_remove)

    p = actions.add_parser("appears-in", help="record that a victim appears in a series")
    add_case_argument(p)
    p.add_argument("victim", metavar="VICTIM")
    p.add_argument("series", metavar="SERIES")
    p.add_argument("--remove", action="store_true", help="take the victim out of the series")
    p.set_defaults(handler=cmd_entity_appears_in)

    p = subparsers.add_parser("links", help="links from media to entities")
    add_case_argument(p)
    p.add_argument("--media", help="only this media's links")
    p.add_argument("--entity", help="only this entity's links")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_links)

    link = subparsers.add_parser("link", help="link media to an entity, edit or remove links")
    actions = link.add_subparsers(title="actions", metavar="ACTION", required=True)
    p = actions.add_parser("add", help="link media (or their near-duplicate stacks) to an entity")
    add_case_argument(p)
    p.add_argument("entity", metavar="ENTITY")
    p.add_argument("media", nargs="+", metavar="MEDIA", help="media numbers or digests")
    p.add_argument("--role", default="", help="e.g. depicted, taken at, member")
    p.add_argument("--note", default="")
    p.add_argument("--stack", action="store_true", help="link every member of each stack")
    p.add_argument(
        "--except",
        dest="exclude",
        nargs="+",
        default=[],
        metavar="MEDIA",
        help="stack members to leave out",
    )
    p.set_defaults(handler=cmd_link_add)

    p = actions.add_parser("edit", help="change a link's role or note")
    add_case_argument(p)
    p.add_argument("link_id", type=int, metavar="LINK")
    p.add_argument("--role")
    p.add_argument("--note")
    p.set_defaults(handler=cmd_link_edit)

    p = actions.add_parser("remove", help="unlink media from an entity")
    add_case_argument(p)
    p.add_argument("entity", metavar="ENTITY")
    p.add_argument("media", nargs="+", metavar="MEDIA")
    p.add_argument(
        "--opt-out",
        action="store_true",
        help="also keep these media out when their stack is linked again",
    )
    p.set_defaults(handler=cmd_link_remove)


# ---- entities ----------------------------------------------------------------------------------


def _values(args: argparse.Namespace) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("status", "sex", "notes", "known", "country"):
        if getattr(args, name, None) is not None:
            values[name] = getattr(args, name)
    if getattr(args, "name_option", None) is not None:
        values["name"] = args.name_option
    if args.age is not None:
        values["age_min"], values["age_max"] = args.age
    if args.coordinates is not None:
        values["latitude"], values["longitude"] = args.coordinates
    return values


def _describe(entity: entities.Entity) -> str:
    data = entity.as_dict()
    extras = [
        f"{key}={value}"
        for key, value in data.items()
        if key not in ("entity_id", "kind", "name", "notes", "created_at", "updated_at")
        and value is not None
    ]
    return f"#{entity.id:<4} {entity.kind:<8} {entity.name}  {' '.join(extras)}".rstrip()


def cmd_entities(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    found = entities.list_entities(db, args.kind)
    if args.json:
        print_json([{**e.as_dict(), "media_count": n} for e, n in found])
        return 0
    for entity, count in found:
        print(f"{_describe(entity)}  ({count} media)")
        if entity.notes:
            print(f"       {entity.notes}")
    print(f"{len(found)} entit{'y' if len(found) == 1 else 'ies'}.")
    return 0


def _show_entity(args: argparse.Namespace, entity: entities.Entity, verb: str) -> int:
    if args.json:
        print_json(entity.as_dict())
    else:
        print(f"{verb} {_describe(entity)}")
    return 0


def cmd_entity_add(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    return _show_entity(
        args, entities.add_entity(db, args.kind, args.name, **_values(args)), "Added"
    )


def cmd_entity_edit(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    entity = entities.find_entity(db, args.entity)
    args.name_option = args.name
    values = _values(args)
    if not values:
        raise UserError("Give at least one field to change (see vigil entity edit --help).")
    return _show_entity(args, entities.update_entity(db, entity.id, **values), "Changed")


def entity_detail(db: Any, entity: entities.Entity) -> dict[str, Any]:
    media_links = links.links_for_entity(db, entity.id)
    media_ids = [link.media_id for link in media_links]
    detail = entity.as_dict()
    detail["links"] = [link.as_dict() for link in media_links]
    detail["clues"] = [c.as_dict() for c in clues.iter_clues(db, media_ids=media_ids)]
    detail["opted_out_media"] = links.opted_out(db, entity.id)
    if entity.kind == "series":
        detail["victims"] = [v.as_dict() for v in entities.victims_in_series(db, entity.id)]
    if entity.kind == "victim":
        detail["series"] = [s.as_dict() for s in entities.series_of_victim(db, entity.id)]
    return detail


def cmd_entity_show(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    entity = entities.find_entity(db, args.entity)
    detail = entity_detail(db, entity)
    if args.json:
        print_json(detail)
        return 0
    print(_describe(entity))
    if entity.notes:
        print(f"  notes: {entity.notes}")
    for key in ("victims", "series"):
        if detail.get(key):
            print(f"  {key}: " + ", ".join(e["name"] for e in detail[key]))
    print(f"  linked media ({len(detail['links'])}):")
    table((f"#{link['media_id']}", link["role"], link["note"]) for link in detail["links"])
    if detail["clues"]:
        print(f"  clues on those media ({len(detail['clues'])}):")
        table(
            (f"#{c['clue_id']}", f"media #{c['media_id']}", c["kind"], c["label"])
            for c in detail["clues"]
        )
    return 0


def cmd_entity_remove(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    entity = entities.remove_entity(db, entities.find_entity(db, args.entity).id)
    print(f"Removed {entity.kind} {entity.name!r} and its links; the audit log keeps them.")
    return 0


def cmd_entity_appears_in(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    victim = entities.find_entity(db, args.victim, kind="victim")
    series = entities.find_entity(db, args.series, kind="series")
    if args.remove:
        changed = entities.remove_victim_from_series(db, series.id, victim.id)
        print(f"{victim.name} {'taken out of' if changed else 'was not in'} {series.name}.")
    else:
        changed = entities.add_victim_to_series(db, series.id, victim.id)
        print(f"{victim.name} {'now appears' if changed else 'already appeared'} in {series.name}.")
    return 0


# ---- links -------------------------------------------------------------------------------------


def cmd_links(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    where, params = ["1"], []
    if args.media:
        where.append("l.media_id = ?")
        params.append(resolve_media(db, args.media))
    if args.entity:
        where.append("l.entity_id = ?")
        params.append(entities.find_entity(db, args.entity).id)
    found = links.query_links(db, " AND ".join(where), params)
    if args.json:
        print_json([link.as_dict() for link in found])
        return 0
    table(
        (f"link #{k.id}", f"media #{k.media_id}", k.entity_kind, k.entity_name, k.role, k.note)
        for k in found
    )
    print(f"{len(found)} link(s).")
    return 0


def cmd_link_add(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    entity = entities.find_entity(db, args.entity)
    media_ids = [resolve_media(db, ref) for ref in args.media]
    exclude = [resolve_media(db, ref) for ref in args.exclude]
    if exclude and not args.stack:
        raise UserError("--except leaves out stack members; use it with --stack.")
    made = []
    if args.stack:
        for media_id in media_ids:
            made += links.link_stack(db, media_id, entity.id, args.role, args.note, exclude=exclude)
    else:
        made = links.link_media(db, media_ids, entity.id, args.role, args.note)
    print(f"Linked {len(made)} media to {entity.kind} {entity.name!r}.")
    return 0


def cmd_link_edit(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    if args.role is None and args.note is None:
        raise UserError("Give --role or --note.")
    link = links.update_link(db, args.link_id, role=args.role, note=args.note)
    print(f"Link #{link.id}: media #{link.media_id} -> {link.entity_name} ({link.role}).")
    return 0


def cmd_link_remove(args: argparse.Namespace) -> int:
    db = open_case(args.case)
    entity = entities.find_entity(db, args.entity)
    removed = 0
    for ref in args.media:
        removed += (
            links.unlink(db, resolve_media(db, ref), entity.id, opt_out=args.opt_out) is not None
        )
    extra = " and kept them out of future stack links" if args.opt_out else ""
    print(f"Unlinked {removed} media from {entity.kind} {entity.name!r}{extra}.")
    return 0
