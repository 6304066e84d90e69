"""Case package files: signed round trip and every refusal (tampering, keys, paths, sizes)."""

from __future__ import annotations

import json
import zipfile

import pytest
from cryptography.hazmat.primitives import serialization

from desktop.core import packages
from desktop.core.packages import (
    MANIFEST,
    SIGNATURE,
    PackageError,
    new_keys,
    read_package,
    write_package,
)

MEMBERS = [
    ("work/case.json", b'{"case_id": "a"}'),
    ("work/media.jsonl", b'{"sha256": "00"}\n'),
    ("thumbnails/ab.jpg", b"\xff\xd8 not really a jpeg"),
]


def keys():
    private_pem, public_pem, fp = new_keys()
    private = serialization.load_pem_private_key(private_pem, password=None)
    public = serialization.load_pem_public_key(public_pem)
    return private, public, fp


def rewrite(source, target, change):
    """Copy a package member by member, letting `change(name, data)` alter or drop members."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            result = change(info.filename, old.read(info))
            if result is not None:
                new.writestr(info.filename, result)
    return target


@pytest.fixture
def signed(tmp_path):
    private, public, fp = keys()
    path = tmp_path / "case.vpkg"
    write_package(path, MEMBERS, {"case_id": "a"}, private)
    return path, public, fp


def test_signed_round_trip_keeps_work_members_only(signed):
    path, public, fp = signed
    package = read_package(path, public)
    assert package.signer == fp and package.trusted
    assert set(package.members) == {"work/case.json", "work/media.jsonl"}
    assert package.members["work/media.jsonl"] == MEMBERS[1][1]
    listed = {m["path"]: m["sha256"] for m in package.manifest["members"]}
    assert set(listed) == {name for name, _ in MEMBERS}


def test_unsigned_package_reads_untrusted_but_trust_requires_a_signature(tmp_path):
    path = tmp_path / "plain.vpkg"
    write_package(path, MEMBERS, {})
    package = read_package(path)
    assert package.signer is None and not package.trusted
    _, public, _ = keys()
    with pytest.raises(PackageError, match="not signed"):
        read_package(path, public)


def test_wrong_key_is_refused(signed):
    path, _, fp = signed
    _, other, other_fp = keys()
    with pytest.raises(PackageError, match=f"signed by the key {fp}"):
        read_package(path, other)


def test_tampered_member_is_refused(signed, tmp_path):
    path, public, _ = signed

    def change(name, data):
        return data.replace(b"00", b"11") if name == "work/media.jsonl" else data

    bad = rewrite(path, tmp_path / "bad.vpkg", change)
    with pytest.raises(PackageError, match="does not match its manifest hash"):
        read_package(bad, public)


def test_tampered_manifest_is_refused_even_without_trust(signed, tmp_path):
    path, _, _ = signed

    def change(name, data):
        if name != MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["info"]["case_id"] = "forged"
        return json.dumps(manifest, indent=1, sort_keys=True).encode()

    bad = rewrite(path, tmp_path / "bad.vpkg", change)
    with pytest.raises(PackageError, match="signature does not match"):
        read_package(bad)


def test_removed_signature_with_signer_left_is_refused(signed, tmp_path):
    path, _, _ = signed
    bad = rewrite(path, tmp_path / "bad.vpkg", lambda n, d: None if n == SIGNATURE else d)
    with pytest.raises(PackageError, match="signature is missing"):
        read_package(bad)


def test_extra_member_not_in_manifest_is_refused(signed, tmp_path):
    path, public, _ = signed
    bad = tmp_path / "extra.vpkg"
    rewrite(path, bad, lambda n, d: d)
    with zipfile.ZipFile(bad, "a") as archive:
        archive.writestr("work/extra.json", b"{}")
    with pytest.raises(PackageError, match="not in its manifest"):
        read_package(bad, public)


@pytest.mark.parametrize("name", ["../escape.json", "/etc/passwd", "work/../../x", "C:/x", "a\\b"])
def test_unsafe_member_paths_are_refused(tmp_path, name):
    path = tmp_path / "evil.vpkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(name, b"x")
        archive.writestr(MANIFEST, b"{}")
    with pytest.raises(PackageError, match="member path"):
        read_package(path)
    with pytest.raises(PackageError, match="member path"):
        write_package(tmp_path / "out.vpkg", [(name, b"x")], {})


def test_unsafe_path_inside_the_manifest_is_refused(tmp_path):
    path = tmp_path / "evil.vpkg"
    manifest = {"format": "vigil-case-package", "version": 1, "info": {}, "signer": None,
                "members": [{"path": "../x", "size": 1, "sha256": "0" * 64}]}  # fmt: skip
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(MANIFEST, json.dumps(manifest))
    with pytest.raises(PackageError, match="member path"):
        read_package(path)


def test_oversized_member_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "big.vpkg"
    write_package(path, [("work/media.jsonl", b"x" * 5000)], {})
    monkeypatch.setattr(packages, "MAX_MEMBER", 1000)
    with pytest.raises(PackageError, match="too large"):
        read_package(path)


@pytest.mark.parametrize(
    "manifest",
    [
        b"not json",
        b"[]",
        json.dumps({"format": "something-else", "version": 1, "members": []}).encode(),
        json.dumps({"format": "vigil-case-package", "version": 99, "members": []}).encode(),
        json.dumps(
            {"format": "vigil-case-package", "version": 1, "members": [{"path": "a"}]}
        ).encode(),
    ],
)
def test_malformed_manifest_is_refused(tmp_path, manifest):
    path = tmp_path / "m.vpkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(MANIFEST, manifest)
    with pytest.raises(PackageError, match="manifest is malformed"):
        read_package(path)


def test_not_a_package(tmp_path):
    (tmp_path / "x.vpkg").write_bytes(b"PK but not really")
    with pytest.raises(PackageError, match="not a Vigil case package"):
        read_package(tmp_path / "x.vpkg")
    with zipfile.ZipFile(tmp_path / "y.zip", "w") as archive:
        archive.writestr("readme.txt", b"hello")
    with pytest.raises(PackageError, match="no manifest"):
        read_package(tmp_path / "y.zip")


def test_key_files_load_and_foreign_files_are_refused(tmp_path):
    private_pem, public_pem, fp = new_keys()
    (tmp_path / "k.pem").write_bytes(private_pem)
    (tmp_path / "k.pub").write_bytes(public_pem)
    assert packages.fingerprint(packages.load_private_key(tmp_path / "k.pem").public_key()) == fp
    assert packages.fingerprint(packages.load_public_key(tmp_path / "k.pub")) == fp
    with pytest.raises(PackageError, match="not an Ed25519 public key"):
        packages.load_public_key(tmp_path / "k.pem")
    with pytest.raises(PackageError, match="Cannot read"):
        packages.load_private_key(tmp_path / "missing.pem")


def test_members_stream_in_and_out_line_by_line(tmp_path):
    lines = [f'{{"n": {i}}}'.encode() for i in range(50_000)]
    path = tmp_path / "big.vpkg"
    chunks = (line + b"\n" for line in lines)  # a generator: never one bytes object
    write_package(path, [("work/media.jsonl", chunks), ("work/case.json", b"{}")], {})
    package = read_package(path, keep=("work/case.json",))
    assert set(package.members) == {"work/case.json"}
    assert list(package.iter_lines("work/media.jsonl")) == lines


def test_a_member_changed_after_the_check_fails_at_the_end_of_streaming(tmp_path):
    path = tmp_path / "p.vpkg"
    write_package(path, [("work/media.jsonl", b"a\nb\n")], {})
    package = read_package(path)
    rewrite(path, tmp_path / "swap.vpkg", lambda n, d: d.replace(b"b", b"c"))
    (tmp_path / "swap.vpkg").replace(path)
    lines = package.iter_lines("work/media.jsonl")
    assert next(lines) == b"a"
    with pytest.raises(PackageError, match="does not match its manifest"):
        list(lines)


def test_a_kept_member_over_the_memory_limit_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "p.vpkg"
    write_package(path, [("work/entities.json", b"x" * 2000)], {})
    monkeypatch.setattr(packages, "MAX_KEPT", 1000)
    with pytest.raises(PackageError, match="too large"):
        read_package(path)
