"""The case commands as a user runs them: output, JSON, exit codes, one-sentence errors."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys

from desktop import __version__
from desktop.cli import main
from desktop.store.db import schema_version


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.strip() == f"vigil {__version__}"


def test_ingest_prints_a_summary_and_info_counts_it(capsys, tmp_path, sample_evidence):
    case = tmp_path / "c.vigil"
    code, out, _ = run(
        capsys, "ingest", "--case", str(case), "--workers", "2", str(sample_evidence)
    )
    assert code == 0
    assert "Ingest finished" in out and "duplicate" in out and "too_large" in out
    code, out, _ = run(capsys, "info", "--case", str(case), "--json")
    info = json.loads(out)
    assert code == 0
    assert info["files_seen"] == sum(info["file_statuses"].values())
    assert info["hash_algorithms"]["pdq"] and info["hash_algorithms"]["imagehash"]
    assert info["sources"][0]["path"] == str(sample_evidence)


def test_items_json_lists_hashes_and_every_location(capsys, sample_case):
    code, out, _ = run(capsys, "items", "--case", str(sample_case), "--json")
    media = json.loads(out)
    assert code == 0 and media
    copied = [m for m in media if len(m["files"]) > 1]
    assert copied, "exact copies should list every location"
    first = media[0]
    assert {"media_id", "sha256", "md5", "sha1", "perceptual_hashes", "files"} <= set(first)
    code, out, _ = run(
        capsys, "items", "--case", str(sample_case), "--json", "--status", "truncated"
    )
    assert all(m["status"] == "truncated" for m in json.loads(out))
    code, out, _ = run(capsys, "items", "--case", str(sample_case), "--status", "symlink")
    assert "symbolic link" in out


def test_verify_reports_changed_and_missing_files(capsys, tmp_path, sample_evidence):
    evidence = tmp_path / "evidence"
    shutil.copytree(sample_evidence, evidence, symlinks=True)
    case = tmp_path / "c.vigil"
    assert main(["ingest", "--quiet", "--case", str(case), str(evidence)]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "verify", "--case", str(case))
    assert code == 0 and "0 changed, 0 missing" in out
    (evidence / "DCIM" / "Camera" / "IMG_1001.jpg").write_bytes(b"altered")
    (evidence / "DCIM" / "Camera" / "IMG_1002.jpg").unlink()
    code, out, _ = run(capsys, "verify", "--case", str(case), "--json")
    report = json.loads(out)
    assert code == 1
    assert [r["path"].endswith("IMG_1001.jpg") for r in report["changed"]] == [True]
    assert [r["path"].endswith("IMG_1002.jpg") for r in report["missing"]] == [True]


def test_audit_lists_runs_and_verifies_the_chain(capsys, sample_case):
    code, out, _ = run(capsys, "audit", "--case", str(sample_case), "--json")
    actions = [event["action"] for event in json.loads(out)]
    assert code == 0 and actions[0] == "ingest.start" and "ingest.finished" in actions
    code, out, _ = run(capsys, "audit", "--case", str(sample_case), "--verify")
    assert code == 0 and "intact" in out
    conn = sqlite3.connect(sample_case)
    conn.execute("DROP TRIGGER audit_events_no_update")
    conn.execute("UPDATE audit_events SET user = 'someone else' WHERE id = 1")
    conn.commit()
    conn.close()
    code, out, _ = run(capsys, "audit", "--case", str(sample_case), "--verify")
    assert code == 1 and "BROKEN at event 1" in out


def test_user_errors_are_one_sentence_without_traceback(capsys, tmp_path):
    code, out, err = run(capsys, "info", "--case", str(tmp_path / "missing.vigil"))
    assert code == 2 and err.startswith("vigil: There is no case file") and "Traceback" not in err
    (tmp_path / "text.vigil").write_text("not a case")
    code, _, err = run(capsys, "items", "--case", str(tmp_path / "text.vigil"))
    assert code == 2 and "not a Vigil case file" in err
    code, _, err = run(capsys, "ingest", "--case", str(tmp_path / "c.vigil"), str(tmp_path / "no"))
    assert code == 2 and "does not exist" in err
    newer = tmp_path / "newer.vigil"
    assert main(["ingest", "--quiet", "--case", str(newer), str(tmp_path / "text.vigil")]) == 0
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {schema_version() + 5}")
    conn.close()
    capsys.readouterr()
    code, _, err = run(capsys, "info", "--case", str(newer))
    assert code == 2 and "newer version of Vigil" in err


def test_errors_from_a_real_process_have_no_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "verify", "--case", str(tmp_path / "x.vigil")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_demo_without_gui_ingests_sample_evidence(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr("desktop.jobs.demo.DEMO_SCENES", 6)
    code, out, _ = run(capsys, "demo", "--no-gui", "--dir", str(tmp_path / "demo"))
    assert code == 0
    assert "Demo case:" in out and "New distinct media" in out
    assert (tmp_path / "demo" / "demo.vigil").exists()
    assert "partial" in out  # the demo's download cut short (its videos beside the pictures)
    code, out, _ = run(capsys, "info", "--case", str(tmp_path / "demo" / "demo.vigil"), "--json")
    assert json.loads(out)["videos"]["count"] == 8
    # where the phone clip's sound seems to be speech (its loudness strip; nothing played)
    from desktop.core.loudness import SPEECH
    from desktop.core.video_audio import VideoSound

    phone = tmp_path / "demo" / "evidence" / "DCIM" / "Camera" / "IMG_2001.MOV"
    with open(phone, "rb") as handle, VideoSound(handle, "mp4", handle.read(4096)) as sound:
        speech = sound.loudness().spans(SPEECH)
    assert speech and 1.5 <= speech[0][0] <= 2.5 and 5.5 <= speech[-1][1] <= 6.5
