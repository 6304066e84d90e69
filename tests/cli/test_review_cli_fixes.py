"""A read-only command never turns a file into a case; a bad worker count is one sentence."""

from __future__ import annotations

from desktop.cli import main


def test_info_refuses_an_empty_file_and_leaves_it_empty(tmp_path, capsys):
    empty = tmp_path / "empty.vigil"
    empty.write_bytes(b"")
    assert main(["info", "--case", str(empty)]) == 2
    assert "is an empty file, not a Vigil case file" in capsys.readouterr().err
    assert empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.vigil"]


def test_ingest_refuses_a_negative_worker_count_before_making_a_case(tmp_path, capsys):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "a.txt").write_text("x")
    case = tmp_path / "case.vigil"
    try:
        code = main(["ingest", "--case", str(case), str(evidence), "--workers", "-3"])
    except SystemExit as stop:  # argparse refuses it with its usage line
        code = stop.code
    assert code == 2
    err = capsys.readouterr().err
    assert "must be 1 or more, not -3" in err and "Traceback" not in err
    assert not case.exists()


def test_the_ingest_job_refuses_it_too(tmp_path):
    import pytest

    from desktop.jobs.ingest import IngestError, ingest

    evidence = tmp_path / "evidence"
    evidence.mkdir()
    with pytest.raises(IngestError, match="1 or more"):
        ingest(tmp_path / "case.vigil", [evidence], workers=0)
    assert not (tmp_path / "case.vigil").exists()
