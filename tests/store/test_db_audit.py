"""Case files: pragmas, schema refusal, foreign files; the hash-chained audit log."""

from __future__ import annotations

import sqlite3

import pytest

from desktop.store import audit
from desktop.store.db import CaseError, open_case, schema_version


def test_new_case_has_safe_pragmas(tmp_path):
    db = open_case(tmp_path / "c.vigil", create=True)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema_version()


def test_missing_foreign_and_newer_files_are_refused(tmp_path):
    with pytest.raises(CaseError, match="no case file"):
        open_case(tmp_path / "nothing.vigil")
    text = tmp_path / "notes.vigil"
    text.write_text("hello")
    with pytest.raises(CaseError, match="not a Vigil case"):
        open_case(text)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(CaseError, match="not a Vigil case"):
        open_case(other)
    newer = tmp_path / "newer.vigil"
    open_case(newer, create=True).close()
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {schema_version() + 1}")
    conn.close()
    with pytest.raises(CaseError, match="newer version of Vigil"):
        open_case(newer)


def _make_unwritable(folder) -> bool:
    """Make a folder nobody can create files in; as root, through the immutable attribute."""
    import os
    import subprocess

    folder.chmod(0o500)
    if not os.access(folder, os.W_OK):
        return True
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
    return done.returncode == 0


def test_read_only_destination_is_a_clear_error(tmp_path):
    import subprocess

    locked = tmp_path / "locked"
    locked.mkdir()
    if not _make_unwritable(locked):
        pytest.skip("cannot make a folder read-only here (root without chattr)")
    try:
        with pytest.raises(CaseError, match="read-only"):
            open_case(locked / "c.vigil", create=True)
    finally:
        subprocess.run(["chattr", "-i", str(locked)], capture_output=True)
        locked.chmod(0o700)


def test_audit_chain_verifies_and_names_the_first_tampered_event(tmp_path):
    path = tmp_path / "c.vigil"
    db = open_case(path, create=True)
    with db.atomic():
        for n in range(5):
            audit.append(db, "test.change", f"media {n}", before={"v": n}, after={"v": n + 1})
    checked, broken, _ = audit.verify_chain(db)
    assert (checked, broken) == (5, None)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit_events SET after = 'x' WHERE id = 3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit_events WHERE id = 3")
    db.close()
    # Someone with raw SQLite access drops the triggers and edits history:
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_events_no_update")
    conn.execute("UPDATE audit_events SET after = '{\"v\": 99}' WHERE id = 3")
    conn.commit()
    conn.close()
    checked, broken, why = audit.verify_chain(open_case(path))
    assert checked == 2 and broken is not None and broken.id == 3
    assert "altered" in why
