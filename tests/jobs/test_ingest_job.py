"""The ingest job: statuses, duplicates, resumability, read-only evidence."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from desktop.core import samples
from desktop.core.ingest import open_evidence
from desktop.jobs.ingest import IngestError, ingest
from desktop.store import items
from desktop.store.db import connect_readonly, open_case


def _tree_state(folder):
    """(content, mtime, atime) of every file; times are taken before any read of the content."""
    times = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            st = os.lstat(path)
            times[path] = (st.st_mtime_ns, st.st_atime_ns)
    state = {}
    for path, (mtime, atime) in times.items():
        if os.path.islink(path):
            state[path] = (os.readlink(path), mtime, atime)
        else:
            with open_evidence(os.fsencode(path)) as handle:  # O_NOATIME: the test must not touch
                state[path] = (handle.read(), mtime, atime)
    return state


def test_every_file_seen_gets_exactly_one_status(sample_case_template, sample_evidence):
    db = open_case(sample_case_template)
    counts = items.file_status_counts(db)
    on_disk = sum(len(files) for _, _, files in os.walk(sample_evidence))
    on_disk += sum(
        1
        for root, dirs, _ in os.walk(sample_evidence)
        for d in dirs
        if os.path.islink(os.path.join(root, d))
    )
    assert sum(counts.values()) == on_disk
    assert counts["ok"] > 0 and counts["duplicate"] > 0
    assert counts["truncated"] >= 1 and counts["too_large"] == 1 and counts["symlink"] == 1
    assert counts["unsupported"] >= 2  # notes dressed as a picture, the empty file
    media = list(items.iter_media(db))
    assert len({m["sha256"] for m in media}) == len(media)
    ok = [m for m in media if m["status"] == "ok"]
    assert all(
        {h["algorithm"] for h in m["perceptual_hashes"]} >= {"phash", "dhash", "pdq"} for m in ok
    )
    thumbs = db.execute("SELECT COUNT(*) FROM media WHERE thumbnail IS NOT NULL").fetchone()[0]
    assert thumbs == len(ok)
    with_serial = db.execute("SELECT COUNT(*) FROM media WHERE camera_serial IS NOT NULL")
    assert with_serial.fetchone()[0] > 0
    lying = db.execute("SELECT COUNT(*) FROM files WHERE extension_mismatch = 1").fetchone()[0]
    assert lying >= 2


def test_evidence_content_and_times_are_unchanged(tmp_path):
    evidence = tmp_path / "evidence"
    samples.write_sample_evidence(evidence, scenes=4, size=(160, 120))
    # Old access times: with relatime, a plain read would update them.
    for root, _, files in os.walk(evidence):
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.utime(path, ns=(1_500_000_000_000_000_000, 1_400_000_000_000_000_000))
    before = _tree_state(evidence)
    ingest(tmp_path / "case.vigil", [evidence], workers=1)
    after = _tree_state(evidence)
    assert {p: (c, m) for p, (c, m, _) in before.items()} == {
        p: (c, m) for p, (c, m, _) in after.items()
    }
    if os.geteuid() == 0 or all(os.stat(p).st_uid == os.geteuid() for p in before):
        # O_NOATIME is allowed to the owner: access times must not move either
        assert {p: a for p, (_, _, a) in before.items()} == {p: a for p, (_, _, a) in after.items()}
    assert set(after) == set(before)  # nothing written beside the evidence


def test_rerun_skips_unchanged_and_picks_up_changes(tmp_path):
    evidence = tmp_path / "evidence"
    samples.write_sample_evidence(evidence, scenes=3, size=(160, 120))
    case = tmp_path / "case.vigil"
    first = ingest(case, [evidence], workers=1)
    second = ingest(case, [evidence], workers=1)
    assert second.skipped_unchanged == first.seen - first.statuses["symlink"]
    assert second.new_media == 0 and second.seen == first.seen
    (evidence / "new.jpg").write_bytes(samples.jpeg_bytes(samples.scene(999, (100, 80))))
    third = ingest(case, [evidence], workers=1)
    assert third.new_media == 1 and third.seen == first.seen + 1
    db = open_case(case)
    assert db.execute("SELECT COUNT(*) FROM files").fetchone()[0] == first.seen + 1


def test_case_inside_evidence_and_missing_sources_are_refused(tmp_path):
    with pytest.raises(IngestError, match="does not exist"):
        ingest(tmp_path / "c.vigil", [tmp_path / "nope"])
    assert not (tmp_path / "c.vigil").exists()
    (tmp_path / "ev").mkdir()
    with pytest.raises(IngestError, match="must not be inside"):
        ingest(tmp_path / "ev" / "c.vigil", [tmp_path / "ev"])


def test_cancel_keeps_finished_work_and_resume_completes_it(tmp_path):
    evidence = tmp_path / "evidence"
    samples.write_sample_evidence(evidence, scenes=8, size=(160, 120))
    case = tmp_path / "case.vigil"
    calls = {"n": 0}

    def cancel_soon():
        calls["n"] += 1
        return calls["n"] > 10

    partial = ingest(case, [evidence], cancel=cancel_soon, workers=1)
    assert partial.cancelled and 0 < partial.seen
    full = ingest(case, [evidence], workers=1)
    assert not full.cancelled
    fresh = ingest(tmp_path / "fresh.vigil", [evidence], workers=1)
    assert full.seen == fresh.seen
    assert full.statuses == fresh.statuses


def test_kill_9_loses_at_most_the_batch_in_flight(tmp_path):
    evidence = tmp_path / "evidence"
    samples.write_sample_evidence(evidence, scenes=150, size=(240, 180))  # over two batches
    case = tmp_path / "case.vigil"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop",
            "ingest",
            "--quiet",
            "--workers",
            "1",
            "--case",
            str(case),
            str(evidence),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait for the first committed batch, reading only
        time.sleep(0.05)
        try:
            conn = connect_readonly(case)
            found = conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
            conn.close()
        except sqlite3.Error:  # not created yet, or mid-creation
            continue
        if found:
            break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    state = open_case(case).execute("SELECT state FROM ingest_runs").fetchone()[0]
    assert state == "running", "the ingest finished before it could be killed"
    resumed = ingest(case, [evidence], workers=1)
    assert resumed.resumed_interrupted_run is not None
    fresh = ingest(tmp_path / "fresh.vigil", [evidence], workers=1)
    db = open_case(case)
    assert db.execute("SELECT COUNT(*) FROM files").fetchone()[0] == fresh.seen
    assert items.media_count(db) == fresh.media_in_case
    assert resumed.statuses == fresh.statuses


def test_a_decoder_crash_is_recorded_and_the_ingest_goes_on(tmp_path):
    from helpers.crashing_decoder import MARKER, analyse_or_die

    evidence = tmp_path / "evidence"
    samples.write_sample_evidence(evidence, scenes=4, size=(120, 90))
    hostile = evidence / ("holiday_" + MARKER.decode() + ".jpg")
    hostile.write_bytes(samples.jpeg_bytes(samples.scene(77, (64, 48))))
    case = tmp_path / "case.vigil"
    summary = ingest(case, [evidence], workers=2, analyse=analyse_or_die)
    fresh = ingest(tmp_path / "fresh.vigil", [evidence], workers=2)
    assert summary.decoder_crashes == 1
    assert summary.seen == fresh.seen  # nothing lost with the pool that broke
    db = open_case(case)
    status, reason, media_id = db.execute(
        "SELECT status, reason, media_id FROM files WHERE path LIKE ?", [f"%{MARKER.decode()}%"]
    ).fetchone()
    assert status == "corrupt" and "decoder crashed" in reason
    sha256 = db.execute("SELECT sha256 FROM media WHERE id = ?", [media_id]).fetchone()[0]
    assert sha256 == hashlib.sha256(hostile.read_bytes()).hexdigest()  # hashed all the same
    assert items.media_count(db) == fresh.media_in_case
