"""Shared fixtures: synthetic evidence folders and ingested cases (harmless generated pictures)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.core.samples import write_sample_evidence  # noqa: E402
from desktop.jobs.ingest import ingest  # noqa: E402


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Vigil never opens a socket: any attempt in any test fails it."""

    def refuse(*args, **kwargs):
        raise AssertionError("Vigil tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(autouse=True)
def library_path(tmp_path, monkeypatch) -> Path:
    """No test may read or change the analyst's real hash library: each gets its own."""
    path = tmp_path / "library.sqlite"
    monkeypatch.setenv("VIGIL_HASH_LIBRARY", str(path))
    return path


@pytest.fixture(autouse=True)
def witness_dir(tmp_path, monkeypatch) -> Path:
    """Nor the analyst's real case witnesses (audit heads kept outside case files)."""
    path = tmp_path / "witnesses"
    monkeypatch.setenv("VIGIL_WITNESS_DIR", str(path))
    return path


@pytest.fixture(scope="session", autouse=True)
def session_witness_dir(tmp_path_factory):
    """Session fixtures (the sample case) write witnesses too: never into the real folder."""
    os.environ["VIGIL_WITNESS_DIR"] = str(tmp_path_factory.mktemp("witnesses"))


@pytest.fixture(scope="session")
def sample_evidence(tmp_path_factory) -> Path:
    """A small evidence folder: 12 scenes with near-duplicates, exact copies, broken files."""
    folder = tmp_path_factory.mktemp("evidence")
    write_sample_evidence(folder, scenes=12, size=(320, 240))
    return folder


@pytest.fixture(scope="session")
def sample_case_template(tmp_path_factory, sample_evidence) -> Path:
    case = tmp_path_factory.mktemp("cases") / "sample.vigil"
    ingest(case, [sample_evidence], workers=2)
    return case


def _copy_case(template: Path, target: Path) -> Path:
    import sqlite3

    source = sqlite3.connect(template)
    dest = sqlite3.connect(target)
    source.backup(dest)
    source.close()
    dest.close()
    return target


@pytest.fixture
def sample_case(tmp_path, sample_case_template) -> Path:
    """A fresh copy of an ingested sample case, free to change."""
    return _copy_case(sample_case_template, tmp_path / "case.vigil")


@pytest.fixture(scope="session")
def video_evidence(tmp_path_factory) -> Path:
    """A few tiny videos beside a picture: an MP4 with sound, a phone MOV turned a quarter,
    an animated GIF, and a download cut short."""
    from helpers.videos import small_video

    from desktop.core.video_samples import animated_picture

    folder = tmp_path_factory.mktemp("video_evidence")
    small_video(folder / "clip.mp4", seeds=(1, 2, 3), audio_seconds=4.5)
    small_video(folder / "IMG_0002.mov", seeds=(4,), rotation=-90,
                metadata={"make": "Apple", "model": "iPhone 12"})  # fmt: skip
    animated_picture(folder / "moving.gif", seed=5, size=(80, 60))
    whole = small_video(
        folder / "whole.mp4", seeds=(6, 7, 8), container_options={"movflags": "faststart"}
    )
    (folder / "cut.mp4").write_bytes(whole.read_bytes()[: whole.stat().st_size * 6 // 10])
    whole.unlink()
    write_sample_evidence(folder / "pictures", scenes=1, size=(160, 120))
    return folder


@pytest.fixture(scope="session")
def video_case_template(tmp_path_factory, video_evidence) -> Path:
    case = tmp_path_factory.mktemp("video_cases") / "videos.vigil"
    ingest(case, [video_evidence], workers=2)
    return case


@pytest.fixture
def video_case(tmp_path, video_case_template) -> Path:
    """A fresh copy of the ingested video case (its evidence stays where it was), free to
    change."""
    return _copy_case(video_case_template, tmp_path / "videos.vigil")
