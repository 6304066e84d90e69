"""`vigil open CASE`: a bad path is one sentence before any window; a good one opens it."""

from __future__ import annotations

import desktop.app
from desktop.cli import main


def test_open_refuses_what_is_not_a_case(tmp_path, capsys):
    assert main(["open", str(tmp_path / "missing.vigil")]) == 2
    err = capsys.readouterr().err
    assert "There is no case file" in err and "Traceback" not in err
    bogus = tmp_path / "notes.vigil"
    bogus.write_text("not a database")
    assert main(["open", str(bogus)]) == 2
    assert "not a Vigil case file" in capsys.readouterr().err


def test_open_starts_the_window_on_the_case(sample_case, monkeypatch):
    opened = []
    monkeypatch.setattr(desktop.app, "run_gui", lambda case: opened.append(case) or 0)
    assert main(["open", str(sample_case)]) == 0
    assert [str(c) for c in opened] == [str(sample_case)]
