"""Investigation commands as a user scripts them: clues, tags, entities, links, clue export."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from desktop.cli import main
from desktop.store import audit, fingerprint_columns, groups
from desktop.store.db import open_case


def make_stack(db, members):
    """Make `members` one near-duplicate group (replacing the case's groups), as grouping would."""
    level = groups.strictness(db)
    groups.replace_groups(
        db, level, [list(members)], {}, fingerprint_columns.last_media_id(db), "test"
    )


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def case(sample_case):
    return str(sample_case)


def _media(case, n=3):
    db = open_case(case)
    return db.execute(
        "SELECT id, sha256 FROM media WHERE status = 'ok' ORDER BY id LIMIT ?", [n]
    ).fetchall()


def test_clue_add_list_edit_remove(capsys, case):
    (first, sha), (second, _), _ = _media(case)
    code, out, _ = run(
        capsys,
        "clue",
        "add",
        "--case",
        case,
        "--media",
        sha,
        "--kind",
        "electrical",
        "--label",
        "Type F socket",
        "--region",
        "10,20,30,40",
        "--json",
    )
    assert code == 0
    added = json.loads(out)
    assert added["media_id"] == first and added["region"] == {"x": 10, "y": 20, "w": 30, "h": 40}
    run(
        capsys,
        "clue",
        "add",
        "--case",
        case,
        "--media",
        str(second),
        "--kind",
        "object",
        "--label",
        "cuddly toy",
        "--note",
        "brown bear",
    )
    code, out, _ = run(capsys, "clues", "--case", case, "--json", "--kind", "object")
    assert [c["label"] for c in json.loads(out)] == ["cuddly toy"]
    code, out, _ = run(capsys, "clues", "--case", case)
    assert "Electrical fittings: Type F socket" in out and "2 clue(s)." in out
    code, out, _ = run(
        capsys, "clue", "edit", "--case", case, str(added["clue_id"]), "--no-region", "--json"
    )
    assert code == 0 and json.loads(out)["region"] is None
    code, out, _ = run(capsys, "clue", "remove", "--case", case, str(added["clue_id"]))
    assert code == 0
    actions = [e.action for e in audit.events(open_case(case))]
    assert actions[-4:] == ["clue.add", "clue.add", "clue.edit", "clue.remove"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["clue", "add", "--media", "999999", "--kind", "object", "--label", "x"], "no media"),
        (
            [
                "clue",
                "add",
                "--media",
                "1",
                "--kind",
                "object",
                "--label",
                "x",
                "--region",
                "300,200,100,100",
            ],
            "outside the picture",
        ),
        (["clue", "edit", "4242", "--label", "x"], "no clue #4242"),
        (["clue", "edit", "1"], "Give at least one"),
        (["entity", "add", "victim", "V1", "--status", "gone"], "not a victim status"),
        (["link", "add", "nobody", "1"], "no entity named 'nobody'"),
        (["tag", "add", "x", "abc"], "neither a media number nor"),
    ],
)
def test_user_mistakes_get_one_sentence_and_exit_2(capsys, case, argv, message):
    if argv[:2] == ["clue", "edit"] and argv[2] == "1":
        run(capsys, "clue", "add", "--case", case, "--media", "1", "--kind", "text", "--label", "x")
    code, out, err = run(capsys, *argv[:2], "--case", case, *argv[2:])
    assert code == 2
    assert message in err and "Traceback" not in err
    assert err.startswith("vigil: ") and err.count("\n") == 1


def test_entities_links_tags_and_stack_opt_out(capsys, case):
    (a, _), (b, _), (c, _) = _media(case)
    run(
        capsys,
        "entity",
        "add",
        "--case",
        case,
        "victim",
        "V-001",
        "--age",
        "6-9",
        "--sex",
        "female",
    )
    run(capsys, "entity", "add", "--case", case, "series", "Blue room", "--known")
    run(
        capsys,
        "entity",
        "add",
        "--case",
        case,
        "location",
        "Flat",
        "--country",
        "NL",
        "--coordinates",
        "52.37,4.89",
    )
    code, out, _ = run(capsys, "entities", "--case", case, "--json")
    listed = {e["name"]: e for e in json.loads(out)}
    assert listed["V-001"]["age_min"] == 6 and listed["Blue room"]["known"] is True
    assert listed["Flat"]["latitude"] == 52.37

    # a media in no group is a stack of one; then a stack linked at once, one member left out
    db = open_case(case)
    make_stack(db, [b, c])
    code, out, _ = run(
        capsys, "link", "add", "--case", case, "V-001", str(a), "--stack", "--role", "depicted"
    )
    assert code == 0 and "Linked 1 media" in out
    make_stack(db, [a, b, c])
    code, out, _ = run(
        capsys, "link", "add", "--case", case, "Blue room", str(a), "--stack", "--except", str(c)
    )
    assert "Linked 2 media" in out
    run(capsys, "link", "remove", "--case", case, "Blue room", str(b), "--opt-out")
    run(capsys, "link", "add", "--case", case, "Blue room", str(a), "--stack")
    code, out, _ = run(capsys, "links", "--case", case, "--entity", "Blue room", "--json")
    assert sorted(link["media_id"] for link in json.loads(out)) == [a, c]

    run(capsys, "entity", "appears-in", "--case", case, "V-001", "Blue room")
    code, out, _ = run(capsys, "entity", "show", "--case", case, "Blue room", "--json")
    shown = json.loads(out)
    assert [v["name"] for v in shown["victims"]] == ["V-001"]
    assert shown["opted_out_media"] == [b]

    run(capsys, "tag", "add", "--case", case, "bedroom", str(a), str(b))
    code, out, _ = run(capsys, "tags", "--case", case, "--json")
    assert json.loads(out) == [{"tag": "bedroom", "media_count": 2}]
    code, out, _ = run(capsys, "entity", "remove", "--case", case, "V-001")
    assert code == 0
    assert audit.verify_chain(open_case(case))[1] is None


def test_clue_export_command_writes_crop_and_sidecar(capsys, case, tmp_path):
    (a, sha), _, _ = _media(case)
    code, out, _ = run(
        capsys,
        "clue",
        "add",
        "--case",
        case,
        "--media",
        str(a),
        "--kind",
        "clothing",
        "--label",
        "badge",
        "--region",
        "5,5,40,30",
        "--json",
    )
    clue_id = json.loads(out)["clue_id"]
    crop = tmp_path / "badge.png"
    code, out, err = run(
        capsys,
        "clue",
        "export",
        "--case",
        case,
        str(clue_id),
        str(crop),
        "--blackout",
        "5,5,10,10",
        "--reference",
        "OP-2025-17",
        "--json",
    )
    assert code == 0, err
    meta = json.loads(out)
    assert meta["source_sha256"] == sha and meta["case_reference"] == "OP-2025-17"
    assert Image.open(crop).size == (40, 30)
    assert json.loads(crop.with_suffix(".json").read_text())["label"] == "badge"
    code, _, err = run(capsys, "clue", "export", "--case", case, str(clue_id), str(crop))
    assert code == 2 and "already exists" in err
