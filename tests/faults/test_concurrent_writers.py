"""Analysts' commands while an ingest writes to the same case: every one waits its turn."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

from helpers.slow_decoder import HOLD

from desktop.cli import main
from desktop.core import samples
from faults.bounded import case_rows

FILES = 60


def _driver(tmp_path, case, evidence):
    """`ingest` in its own process with small batches (a transaction every 3 files)."""
    script = tmp_path / "driver.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from desktop.jobs import ingest as job
            from helpers.slow_decoder import analyse_steadily_then_hold
            if __name__ == "__main__":
                job.BATCH_FILES, job.BATCH_SECONDS = 3, 0.05
                job.ingest({str(case)!r}, [{str(evidence)!r}], workers=1,
                           analyse=analyse_steadily_then_hold)
            """
        )
    )
    tests_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([tests_dir, *sys.path])}
    return subprocess.Popen([sys.executable, str(script)], env=env, start_new_session=True)


def test_commands_wait_their_turn_while_an_ingest_writes(tmp_path, sample_case, capsys):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for index in range(FILES):
        (evidence / f"{index:03d}.jpg").write_bytes(
            samples.jpeg_bytes(samples.scene(100 + index, (48, 36)))
        )
    (evidence / f"zz_{HOLD.decode()}.jpg").write_bytes(samples.jpeg_bytes(samples.scene(7)))
    hold = tmp_path / "hold"
    hold.write_text("the ingest waits on its last file while this exists")
    runs_before = case_rows(sample_case, "SELECT COUNT(*) FROM ingest_runs")[0][0]
    ingest = _driver(tmp_path, sample_case, evidence)
    try:
        deadline = time.monotonic() + 60
        while case_rows(sample_case, "SELECT COUNT(*) FROM ingest_runs")[0][0] == runs_before:
            assert time.monotonic() < deadline and ingest.poll() is None, "the ingest did not start"
            time.sleep(0.1)
        codes = {}
        for index in range(4):  # 16 writing commands, as in the tries
            for command in (
                ["tag", "add", f"t{index}", "1"],
                ["clue", "add", "--media", "1", "--kind", "text", "--label", f"c{index}"],
                ["entity", "add", "victim", f"v{index}"],
                ["verify"],
            ):
                capsys.readouterr()
                code = main([*command, "--case", str(sample_case)])
                codes[(index, command[0])] = (code, capsys.readouterr().err)
        # a second ingest of the same case while this one lives: refused, the first untouched
        capsys.readouterr()
        second = main(["ingest", "--quiet", "--case", str(sample_case), str(evidence)])
        refusal = capsys.readouterr().err
        running = case_rows(sample_case, "SELECT state FROM ingest_runs ORDER BY id DESC LIMIT 1")
        assert ingest.poll() is None, "the ingest ended before the commands did: not concurrent"
        hold.unlink()
        assert ingest.wait(timeout=120) == 0
    finally:
        if ingest.poll() is None:
            os.killpg(ingest.pid, 9)
            ingest.wait()
    assert all(code == 0 for code, _ in codes.values()), codes  # never "database is locked"
    assert second == 2 and "Another ingest is adding evidence" in refusal
    assert running == [("running",)]  # not marked interrupted by the refused ingest
    assert case_rows(sample_case, "SELECT state FROM ingest_runs ORDER BY id DESC LIMIT 1") == [
        ("finished",)
    ]
    tags = case_rows(sample_case, "SELECT COUNT(*) FROM tags WHERE name LIKE 't_'")[0][0]
    assert tags == 4
    ingested = case_rows(
        sample_case, "SELECT COUNT(*) FROM files WHERE path LIKE ?", (f"{evidence}/%",)
    )[0][0]
    assert ingested == FILES + 1


# ---- every write transaction takes the lock before it reads ----------------------------------

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


class TransactionWatch:
    """Follows the statements of every connection opened while it is installed and records each
    write made in a deferred transaction after a read: the pattern that fails at once with
    "database is locked" (a stale snapshot) when another writer commits in between, whatever the
    busy timeout. Deterministic, unlike a race with a running ingest."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def connect(self, real):
        def connect(*args, **kwargs):
            conn = real(*args, **kwargs)
            state = {"txn": None, "read": False}
            conn.set_trace_callback(lambda sql: self._statement(state, sql))
            return conn

        return connect

    def _statement(self, state, sql: str) -> None:
        words = sql.strip().upper().split()
        if not words or words[0].startswith("--"):  # a trigger's statements: part of a write
            return
        head = words[0]
        if head == "BEGIN":
            state["txn"], state["read"] = " ".join(words[1:2]) or "DEFERRED", False
        elif head == "SAVEPOINT" and state["txn"] is None:
            state["txn"], state["read"] = "DEFERRED", False
        elif head in ("COMMIT", "END") or (head == "ROLLBACK" and "TO" not in words):
            state["txn"] = None
        elif state["txn"] == "DEFERRED":
            if head in _WRITES:
                if state["read"]:
                    self.problems.append(sql.strip()[:120])
            elif head in ("SELECT", "WITH", "PRAGMA"):
                state["read"] = True


def test_no_write_transaction_reads_before_it_takes_the_lock(
    tmp_path, sample_case, sample_evidence, capsys, monkeypatch
):
    import sqlite3

    watch = TransactionWatch()
    monkeypatch.setattr(sqlite3, "connect", watch.connect(sqlite3.connect))
    md5 = case_rows(sample_case, "SELECT md5 FROM media WHERE id = 1")[0][0]
    hashset = tmp_path / "set.md5"
    hashset.write_text(f"{md5}  x.jpg\n")
    more = tmp_path / "more"
    more.mkdir()
    (more / "new.jpg").write_bytes(samples.jpeg_bytes(samples.scene(77, (64, 48))))
    case = ["--case", str(sample_case)]
    for command in (
        ["tag", "add", "school", "1", *case],
        ["tag", "remove", "school", "1", *case],
        ["clue", "add", "--media", "1", "--kind", "text", "--label", "sign", *case],
        ["clue", "edit", "1", "--label", "shop sign", *case],
        ["entity", "add", "victim", "V1", *case],
        ["entity", "edit", "V1", "--notes", "seen twice", *case],
        ["link", "add", "V1", "1", "2", *case],
        ["hashset", "import", "--quiet", str(hashset)],
        ["match", "--quiet", *case],
        ["verify", *case],
        ["ingest", "--quiet", "--workers", "1", *case, str(more)],
        ["groups", *case],
    ):
        capsys.readouterr()
        assert main(command) == 0, (command, capsys.readouterr().err)
    assert not watch.problems, watch.problems
