"""The hash library file: where it lives, that it is ours, sets and records, removal, lookups."""

from __future__ import annotations

import sqlite3

import pytest

from desktop.core.hashsets import HashRecord
from desktop.store import audit, hashlibrary
from desktop.store.db import CaseError, open_case

MD5 = "a" * 32


@pytest.fixture(autouse=True)
def library_path(tmp_path, monkeypatch):
    path = tmp_path / "data" / "vigil" / "hash-library.sqlite"
    monkeypatch.setenv(hashlibrary.LIBRARY_ENV, str(path))
    return path


def add_set(db, name, records, **values):
    with db.atomic():
        set_id = hashlibrary.begin_set(
            db,
            {"name": name, "source_path": "/x", "source_sha256": name * 4, "format": "csv",
             "purpose": "known", **values},
        )  # fmt: skip
        count = hashlibrary.add_records(db, set_id, records)
        hashlibrary.finish_set(db, set_id, {"record_count": count})
    return set_id


def test_library_is_made_where_the_environment_says_with_its_own_id(library_path):
    assert hashlibrary.default_library_path() == library_path
    assert not hashlibrary.library_exists()
    db = hashlibrary.open_library()
    db.close()
    assert hashlibrary.library_exists()
    conn = sqlite3.connect(library_path)
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    conn.close()
    assert app_id == hashlibrary.LIBRARY_APPLICATION_ID


def test_a_case_is_not_a_library_and_a_library_is_not_a_case(tmp_path, library_path):
    open_case(tmp_path / "c.vigil", create=True).close()
    with pytest.raises(CaseError, match="not a Vigil"):
        hashlibrary.open_library(tmp_path / "c.vigil")
    hashlibrary.open_library().close()
    with pytest.raises(CaseError):
        open_case(library_path)


def test_open_without_create_refuses_a_missing_library(tmp_path):
    with pytest.raises(CaseError, match="no hash library"):
        hashlibrary.open_library(tmp_path / "none.sqlite", create=False)


def test_sets_records_lookups_and_audited_removal():
    db = hashlibrary.open_library()
    add_set(
        db,
        "alpha",
        [
            HashRecord(md5=MD5, category=1, series="S", victim_identified=True),
            HashRecord(pdq="0" * 64, pdq_quality=30),
            HashRecord(pdq="f" * 64, pdq_quality=90),
        ],
        scheme="UK",
    )
    add_set(db, "beta", [HashRecord(md5=MD5, category=2)])
    assert [s.name for s in hashlibrary.hash_sets(db)] == ["alpha", "beta"]
    assert hashlibrary.record_count(db) == 4
    hits = sorted(
        (m["set_name"], m["category"], m["scheme"], m["victim_identified"])
        for _, _, m in hashlibrary.exact_matches(db, "md5", [MD5, "b" * 32])
    )
    assert hits == [("alpha", 1, "UK", True), ("beta", 2, None, None)]
    assert [h for _, h in hashlibrary.perceptual_hashes(db, "pdq", 50)] == ["f" * 64]
    removed = hashlibrary.remove_set(db, "alpha")
    assert removed.record_count == 3
    assert hashlibrary.record_count(db) == 1
    assert [e.action for e in audit.events(db)] == ["hashset.remove"]
    assert audit.verify_chain(db)[1] is None
    with pytest.raises(CaseError, match="no set named"):
        hashlibrary.remove_set(db, "alpha")
