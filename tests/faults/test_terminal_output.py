"""Names and labels holding terminal escapes are shown escaped to people, exact in JSON."""

from __future__ import annotations

import hashlib
import json

import pytest

from desktop.cli import main
from desktop.core import samples
from desktop.jobs.ingest import ingest

TITLE = "\x1b]0;owned\x07"  # sets the terminal's window title
CLEAR = "\x1b[2J\x1b[H"  # clears the screen
FORGED = "\rCHANGED  other.jpg"  # overwrites the line it is printed on
E = "\x1b[2J"  # in every name and label of the case below
SHOWN = "\\x1b[2J"
RAW = ("\x1b", "\r", "\x07", "\u202e")


def _run(capsys, *argv) -> tuple[int, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out + err


def _clean(text: str) -> bool:
    return not any(ch in text for ch in RAW)


def test_escapes_in_names_and_labels_are_shown_escaped_and_json_is_exact(tmp_path, capsys):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    name = f"holiday{TITLE}{CLEAR}{FORGED}.jpg"
    (evidence / name).write_bytes(samples.jpeg_bytes(samples.scene(1, (64, 48))))
    case = tmp_path / "case.vigil"
    ingest(case, [evidence], workers=1)
    label = f"shop sign{CLEAR}\u202egpj.exe"
    argv = ["clue", "add", "--case", str(case), "--media", "1", "--kind", "text"]
    assert main([*argv, "--label", label]) == 0
    capsys.readouterr()
    for command in (["items"], ["clues"], ["info"], ["audit"]):
        assert main([*command, "--case", str(case)]) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\r" not in out and "\u202e" not in out, command
    assert main(["items", "--case", str(case)]) == 0
    assert "holiday\\x1b]0;owned\\x07\\x1b[2J\\x1b[H\\x0dCHANGED" in capsys.readouterr().out
    assert main(["clues", "--case", str(case)]) == 0
    assert "shop sign\\x1b[2J\\x1b[H\\u202egpj.exe" in capsys.readouterr().out
    assert main(["items", "--json", "--case", str(case)]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items[0]["files"][0]["path"].endswith(name)
    assert main(["clues", "--json", "--case", str(case)]) == 0
    assert json.loads(capsys.readouterr().out)[0]["label"] == label  # exact, not escaped


@pytest.fixture(scope="module")
def hostile_case(tmp_path_factory):
    """A case where every name a person reads holds an escape: its evidence folder and files,
    a tag, an entity (and its notes), a link note, a clue, a hash set; one file gone since."""
    root = tmp_path_factory.mktemp("terminal")
    evidence = root / f"seized{E}"
    evidence.mkdir()
    picture = samples.scene(2, (160, 120))
    (evidence / f"one{E}.jpg").write_bytes(samples.jpeg_bytes(picture))
    (evidence / f"two{E}.jpg").write_bytes(samples.jpeg_bytes(picture.resize((150, 112))))
    (evidence / f"gone{E}.jpg").write_bytes(samples.jpeg_bytes(samples.scene(3, (96, 72))))
    case = root / "case.vigil"
    ingest(case, [evidence], workers=1)
    (evidence / f"gone{E}.jpg").unlink()
    hashset = root / f"set{E}.md5"
    one = hashlib.md5((evidence / f"one{E}.jpg").read_bytes()).hexdigest()
    hashset.write_text(f"{one}  one.jpg\n")
    return case, hashset


# Each command people read, and what of the hostile case it shows. Writing commands print what
# they wrote (the name back): they are run first, in order, to build the rest of the case.
WRITES = [
    ["tag", "add", f"t{E}", "1"],
    ["entity", "add", "victim", f"v{E}", "--notes", f"n{E}"],
    ["link", "add", f"v{E}", "1", "--note", f"l{E}"],
    ["clue", "add", "--media", "1", "--kind", "text", "--label", f"c{E}"],
    ["match"],
]
READS = [
    ["info"], ["items"], ["clues"], ["tags"], ["entities"], ["entity", "show", "1"], ["links"],
    ["groups"], ["similar", "1"], ["match"], ["verify"], ["audit"], ["hashset", "list"],
    ["entity", "show", f"nobody{E}"],  # an error sentence quoting what was typed
]  # fmt: skip


def test_every_command_people_read_shows_escapes_escaped(hostile_case, capsys):
    case, hashset = hostile_case
    code, out = _run(capsys, "hashset", "import", "--quiet", "--name", f"s{E}", hashset)
    assert code == 0 and _clean(out) and SHOWN in out
    for command in [*WRITES, *READS]:
        with_case = command if command == ["hashset", "list"] else [*command, "--case", case]
        code, out = _run(capsys, *with_case)
        assert code in (0, 1, 2), (command, out)  # verify: 1 (a file is gone); show nobody: 2
        assert _clean(out), (command, out)
        assert SHOWN in out, (command, out)  # the hostile text was shown, escaped
    code, out = _run(capsys, "tags", "--json", "--case", case)
    assert json.loads(out)[0]["tag"] == f"t{E}"  # JSON: exact
