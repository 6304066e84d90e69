"""Walking evidence: links are recorded, never followed; raw byte names survive."""

from __future__ import annotations

import os

from desktop.core import ingest, samples
from desktop.core.hashing import digest_bytes
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


def test_a_file_over_the_in_memory_limit_is_read_in_chunks_and_decoded_from_disk(
    tmp_path, monkeypatch
):
    """Large files are not held in memory: digests come from chunks, the decode from the file;
    both ways give the same analysis."""
    path = tmp_path / "scene.jpg"
    path.write_bytes(samples.jpeg_bytes(samples.scene(3, (900, 600)), quality=90))
    in_memory = analyse_file(os.fsencode(path))
    monkeypatch.setattr(ingest, "IN_MEMORY_LIMIT", 1000)
    monkeypatch.setattr(ingest, "READ_CHUNK", 4096)  # many chunks
    from_disk = analyse_file(os.fsencode(path))
    assert from_disk.status == in_memory.status == "ok"
    assert from_disk.digests == in_memory.digests == digest_bytes(path.read_bytes())
    assert from_disk.hashes == in_memory.hashes and from_disk.thumbnail == in_memory.thumbnail
    assert from_disk.detected_type == "jpeg"
