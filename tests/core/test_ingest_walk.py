"""Walking evidence: links are recorded, never followed; raw byte names survive."""

from __future__ import annotations

import os

from desktop.core.ingest import analyse_file, display_path, walk


def test_walk_records_links_without_following(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.bin").write_bytes(b"1")
    os.symlink(tmp_path / "a", tmp_path / "loop")  # following it would walk a twice
    entries = list(walk(os.fsencode(tmp_path)))
    kinds = sorted((os.path.basename(e.path), e.kind) for e in entries)
    assert kinds == [(b"loop", "symlink"), (b"one.bin", "file")]


def test_non_utf8_names_keep_their_bytes(tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9.jpg"  # Latin-1 name from an old Windows disk
    with open(raw, "wb") as handle:
        handle.write(b"x")
    [entry] = list(walk(os.fsencode(tmp_path)))
    assert entry.path == raw
    assert display_path(entry.path).endswith("caf\\xe9.jpg")


def test_unreadable_file_gets_a_status(tmp_path):
    result = analyse_file(os.fsencode(tmp_path / "gone.jpg"))
    assert result.status == "unreadable"
    assert "No such file" in result.reason
