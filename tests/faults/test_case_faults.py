"""The case file under faults: two writers, damage, a full disk, a cut audit log."""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import threading
import time
import zipfile

import pytest

from desktop.cli import main
from desktop.core import samples
from desktop.jobs import ingest as ingest_job
from desktop.store import audit
from desktop.store.db import open_case
from desktop.store.ingest_lock import IngestLock
from faults.bounded import case_rows


def _run(capsys, *argv):
    """The CLI in this process: (exit code, stdout, stderr); an escaping exception fails."""
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _sentence(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# ---- two writers -------------------------------------------------------------------------


def test_a_writer_that_read_first_waits_its_turn(sample_case):
    """A transaction that reads, then writes after another writer committed, used to be
    refused at once ("database is locked"), whatever the busy timeout."""
    reading = threading.Event()
    errors: list[BaseException] = []

    def read_then_write():
        first = open_case(sample_case)  # a connection belongs to its thread
        try:
            with first.atomic():
                first.execute("SELECT COUNT(*) FROM media").fetchone()
                reading.set()
                time.sleep(0.3)  # meanwhile the other writer tries to commit
                audit.append(first, "test.first")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    thread = threading.Thread(target=read_then_write)
    thread.start()
    assert reading.wait(10)
    second = open_case(sample_case)
    with second.atomic():
        audit.append(second, "test.second")
    thread.join()
    assert not errors, errors
    actions = [e.action for e in audit.events(second)][-2:]
    assert actions == ["test.first", "test.second"]  # in the order they took the lock
    assert audit.verify_chain(second)[1] is None  # one chain, not a fork


def test_a_second_ingest_is_refused_while_the_first_runs(tmp_path, sample_case, capsys):
    db = open_case(sample_case)
    runs_before = db.execute("SELECT id, state FROM ingest_runs").fetchall()
    evidence = tmp_path / "more"
    evidence.mkdir()
    (evidence / "one.jpg").write_bytes(samples.jpeg_bytes(samples.scene(3, (64, 48))))
    with IngestLock(sample_case):  # a live ingest holds it
        code, _, err = _run(capsys, "ingest", "--quiet", "--case", sample_case, evidence)
    assert code == 2 and "Another ingest is adding evidence" in _sentence(err)
    assert db.execute("SELECT id, state FROM ingest_runs").fetchall() == runs_before


# ---- damage ------------------------------------------------------------------------------


def _overwrite_a_page(case, table: str = "media", seed: int = 0) -> None:
    conn = sqlite3.connect(case)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = [
        row[0]
        for row in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
            [table],
        )
    ]
    conn.close()
    page = pages[len(pages) // 2]
    with open(case, "r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(random.Random(seed).randbytes(size))


def test_a_damaged_case_is_said_in_one_sentence_and_never_written(
    sample_case, sample_evidence, capsys
):
    _overwrite_a_page(sample_case)
    for command in (["info"], ["items"], ["items", "--json"]):
        code, _, err = _run(capsys, *command, "--case", sample_case)
        assert code == 0 or "is damaged" in _sentence(err)
    for command in (["verify"], ["audit", "--verify"]):  # both run SQLite's integrity check
        code, _, err = _run(capsys, *command, "--case", sample_case)
        assert code == 2 and "is damaged" in _sentence(err), command
    before = hashlib.sha256(sample_case.read_bytes()).hexdigest()
    code, _, err = _run(capsys, "ingest", "--quiet", "--case", sample_case, sample_evidence)
    assert code == 2 and "is damaged" in _sentence(err)
    # a small write whose own pages are sound is refused too, once the damage was found
    code, _, err = _run(capsys, "tag", "add", "school", "1", "--case", sample_case)
    assert code == 2 and "will not write" in _sentence(err)
    assert hashlib.sha256(sample_case.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("seed", range(3))
def test_flipped_bytes_never_give_a_traceback(sample_case, capsys, seed):
    conn = sqlite3.connect(sample_case)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(sample_case.read_bytes())
    rng = random.Random(seed)
    page = rng.randrange(2, len(data) // size)  # not the first page: that is the schema's
    for _ in range(16):
        data[page * size + rng.randrange(size)] ^= rng.randrange(1, 256)
    sample_case.write_bytes(data)
    for command in (["info"], ["items"], ["audit", "--verify"], ["verify"]):
        code, _, err = _run(capsys, *command, "--case", sample_case)
        assert code in (0, 1, 2) and "Traceback" not in err
        if code == 2:
            _sentence(err)


# ---- a full disk -------------------------------------------------------------------------


def test_a_full_disk_is_one_sentence_and_what_was_written_stays(tmp_path, capsys, monkeypatch):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for seed in range(60):
        (evidence / f"{seed:02d}.jpg").write_bytes(
            samples.jpeg_bytes(samples.scene(seed, (96, 72)))
        )
    case = tmp_path / "case.vigil"
    open_case(case, create=True).close()
    real_open = ingest_job.open_case

    def open_on_a_small_disk(path, create=False):
        db = real_open(path, create=create)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages + 60}")  # SQLite answers SQLITE_FULL past it
        return db

    monkeypatch.setattr(ingest_job, "open_case", open_on_a_small_disk)
    monkeypatch.setattr(ingest_job, "BATCH_FILES", 10)
    code, _, err = _run(capsys, "ingest", "--quiet", "--workers", "2", "--case", case, evidence)
    assert code == 2 and "The disk is full" in _sentence(err)
    kept = case_rows(case, "SELECT COUNT(*) FROM files")[0][0]
    assert 0 < kept < 60  # the batches committed before the disk filled are kept
    monkeypatch.setattr(ingest_job, "open_case", real_open)
    code, out, err = _run(capsys, "ingest", "--quiet", "--case", case, evidence)
    assert code == 0, err
    assert "resumed after interrupted run" in out
    assert case_rows(case, "SELECT COUNT(*), COUNT(DISTINCT path_raw) FROM files")[0] == (60, 60)


# ---- the audit log's tail ----------------------------------------------------------------


def _cut_tail(case, events: int) -> None:
    conn = sqlite3.connect(case)
    conn.execute("DROP TRIGGER audit_events_no_delete")
    conn.execute(
        "DELETE FROM audit_events WHERE id IN"
        f" (SELECT id FROM audit_events ORDER BY id DESC LIMIT {events})"
    )
    conn.commit()
    conn.close()


def test_a_cut_audit_tail_is_seen_through_the_witness(sample_case, capsys):
    for tag in ("one", "two", "three"):
        assert _run(capsys, "tag", "add", tag, "1", "--case", sample_case)[0] == 0
    db = open_case(sample_case)
    head = audit.head(db)
    last = db.execute("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
    count = db.execute("SELECT COUNT(*) FROM audit_events").fetchone()[0]
    assert (head.last_id, head.hash, head.events) == (last[0], last[1], count)
    db.close()
    code, out, _ = _run(capsys, "audit", "--verify", "--case", sample_case)
    assert code == 0 and "intact" in out and "holds the head" in out
    _cut_tail(sample_case, 2)
    code, out, _ = _run(capsys, "audit", "--verify", "--case", sample_case)
    assert code == 1 and "CUT" in out and f"{count} events" in out
    # new work does not paper over the cut: the witness stays where it was
    assert _run(capsys, "tag", "add", "four", "1", "--case", sample_case)[0] == 0
    assert _run(capsys, "audit", "--verify", "--case", sample_case)[0] == 1
    code, out, _ = _run(capsys, "verify", "--case", sample_case)
    assert code == 1 and "CUT" in out


def test_a_case_from_elsewhere_has_no_witness_here(sample_case, capsys, witness_dir):
    assert _run(capsys, "tag", "add", "one", "1", "--case", sample_case)[0] == 0
    for witness in witness_dir.iterdir():
        witness.unlink()  # as on another analyst's machine
    code, out, _ = _run(capsys, "audit", "--verify", "--case", sample_case)
    assert code == 0 and "keeps no witness" in out


def test_reports_and_exports_print_the_audit_head_and_its_check(tmp_path, sample_case, capsys):
    assert _run(capsys, "tag", "add", "one", "1", "--case", sample_case)[0] == 0
    for command in (
        ["export", "--format", "json", tmp_path / "work.json"],
        ["export", "--format", "vics", tmp_path / "vics.json"],
        ["package", "export", tmp_path / "case.vpkg"],
    ):
        code, out, _ = _run(capsys, *command, "--case", sample_case)
        head = audit.head(open_case(sample_case))  # after the export's own event
        assert code == 0 and f"{head.events} events" in out and head.hash in out, (command, out)
    work = json.loads((tmp_path / "work.json").read_text())["audit_head"]
    with zipfile.ZipFile(tmp_path / "case.vpkg") as package:
        manifest = json.loads(package.read("manifest.json"))
    assert manifest["info"]["audit_head"]["events"] >= work["events"] > 0
    assert _run(capsys, "report", "--case", sample_case, tmp_path / "r.html")[0] == 0
    html = (tmp_path / "r.html").read_text("utf-8")
    assert "Audit log intact" in html and "it holds the head this machine saw last" in html
    _cut_tail(sample_case, 2)
    assert _run(capsys, "report", "--case", sample_case, tmp_path / "cut.html")[0] == 0
    assert "Audit log CUT" in (tmp_path / "cut.html").read_text("utf-8")
