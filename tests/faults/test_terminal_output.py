"""Names and labels holding terminal escapes are shown escaped to people, exact in JSON."""

from __future__ import annotations

import json

from desktop.cli import main
from desktop.core import samples
from desktop.jobs.ingest import ingest

TITLE = "\x1b]0;owned\x07"  # sets the terminal's window title
CLEAR = "\x1b[2J\x1b[H"  # clears the screen
FORGED = "\rCHANGED  other.jpg"  # overwrites the line it is printed on


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
