"""Case packages: one ZIP file, a manifest with every member's SHA-256, an Ed25519 signature.

Reading is defensive: the whole package is checked (member names, sizes, manifest, signature,
every hash) before anything is handed to the caller, and nothing is ever extracted to disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PACKAGE_FORMAT = "vigil-case-package"
PACKAGE_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MAX_MANIFEST = 64 << 20  # bytes
MAX_MEMBER = 16 << 30  # bytes: a million media's work is about 2 GiB; streamed, never held
MAX_KEPT = 64 << 20  # bytes: the small members handed over in memory (case, entities)
MAX_MEMBERS = 2_000_000
# The members that carry a case's work (jobs.package_export writes them, jobs.package_import
# reads them); thumbnails go under thumbnails/.
MEDIA_MEMBER = "work/media.jsonl"
CASE_MEMBER = "work/case.json"
ENTITIES_MEMBER = "work/entities.json"
# What each kind of member may hold, checked on the manifest before a byte is read (and while
# reading, against a zip header that lies): member path prefix -> bytes. Others: MAX_MEMBER.
MEMBER_LIMITS = {
    CASE_MEMBER: 1 << 20,
    ENTITIES_MEMBER: MAX_KEPT,
    "thumbnails/": 8 << 20,  # a 256 px JPEG is about 20 KB
}
# A line of a streamed member (one media's work in work/media.jsonl: a few kilobytes, its
# clues' notes included). A longer one is refused before it is held whole: a "line" of 2 GiB
# of zeros took 687 MB and over a minute.
MAX_LINE = 8 << 20
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class PackageError(Exception):
    """A package that is refused, or a key that cannot be used; one sentence for the user."""


# ---- keys ----------------------------------------------------------------------------------------


def fingerprint(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


def new_keys() -> tuple[bytes, bytes, str]:
    """(private PEM, public PEM, fingerprint) of a fresh Ed25519 key pair."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = private.public_key()
    public_pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem, fingerprint(public)


def load_private_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except OSError as error:
        raise PackageError(f"Cannot read the key {path}: {error.strerror}.") from None
    except (ValueError, TypeError):
        raise PackageError(f"{path} is not an unencrypted Ed25519 private key (PEM).") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise PackageError(f"{path} is not an Ed25519 private key.")
    return key


def load_public_key(path: str | os.PathLike[str]) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except OSError as error:
        raise PackageError(f"Cannot read the key {path}: {error.strerror}.") from None
    except (ValueError, TypeError):
        raise PackageError(f"{path} is not an Ed25519 public key (PEM).") from None
    if not isinstance(key, Ed25519PublicKey):
        raise PackageError(f"{path} is not an Ed25519 public key.")
    return key


def _raw_public(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


# ---- writing -------------------------------------------------------------------------------------


def write_package(
    out: str | os.PathLike[str],
    members: Iterable[tuple[str, bytes | Iterable[bytes]]],
    info: dict[str, Any],
    key: Ed25519PrivateKey | None = None,
) -> dict[str, Any]:
    """Write the package atomically (a partial file beside `out`, then renamed).

    A member is bytes or an iterable of byte chunks (streamed: a million media's work never
    sits in memory). Returns the manifest written."""
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    listed: list[dict[str, Any]] = []
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                check_member_name(name)
                listed.append(_write_member(archive, name, data))
            manifest = {
                "format": PACKAGE_FORMAT,
                "version": PACKAGE_VERSION,
                "info": info,
                "members": listed,
                "signer": None,
            }
            if key is not None:
                public = key.public_key()
                manifest["signer"] = {
                    "algorithm": "Ed25519",
                    "public_key": _raw_public(public),
                    "fingerprint": fingerprint(public),
                }
            manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
            archive.writestr(MANIFEST, manifest_bytes)
            if key is not None:
                archive.writestr(SIGNATURE, key.sign(manifest_bytes).hex())
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def _write_member(
    archive: zipfile.ZipFile, name: str, data: bytes | Iterable[bytes]
) -> dict[str, Any]:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED if name.endswith(".jpg") else zipfile.ZIP_DEFLATED
    digest, size = hashlib.sha256(), 0
    with archive.open(info, "w", force_zip64=True) as handle:
        for chunk in [data] if isinstance(data, bytes) else data:
            handle.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    return {"path": name, "size": size, "sha256": digest.hexdigest()}


# ---- reading -------------------------------------------------------------------------------------


def check_member_name(name: str) -> None:
    """Refuse names that could escape a folder or mean different things on different systems."""
    if not name or "\x00" in name or "\\" in name or name.startswith("/"):
        raise PackageError(f"The package is refused: the member path {name!r} is not allowed.")
    if re.match(r"^[A-Za-z]:", name):
        raise PackageError(f"The package is refused: the member path {name!r} is absolute.")
    if any(part in ("..", ".", "") for part in PurePosixPath(name).parts) or name.endswith("/"):
        raise PackageError(f"The package is refused: the member path {name!r} is not allowed.")


@dataclass
class VerifiedPackage:
    manifest: dict[str, Any]
    members: dict[str, bytes]  # only those the caller asked to keep
    signer: str | None  # fingerprint, None when unsigned
    trusted: bool
    sha256: str  # of the package file
    path: Path

    def iter_lines(self, name: str) -> Iterator[bytes]:
        """Stream a verified member line by line (for members too big to keep in memory).

        The member is hashed again as it is read: if the file changed since it was checked,
        PackageError is raised at the end, so a caller writing inside one transaction rolls
        everything back."""
        entry = next((e for e in self.manifest["members"] if e["path"] == name), None)
        if entry is None:
            raise PackageError(f"The package has no member {name!r}.")
        try:
            with zipfile.ZipFile(self.path) as archive:
                yield from _lines(_stream_member(archive, name, entry), name)
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error, KeyError) as error:
            raise PackageError(f"The package is refused: it is damaged ({error}).") from None


def _lines(chunks: Iterable[bytes], name: str) -> Iterator[bytes]:
    """Lines of a stream of chunks, none longer than MAX_LINE (the part of a line met so far is
    kept in pieces, never copied again and again)."""
    pieces: list[bytes] = []
    held = 0
    for chunk in chunks:
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            held += end - start
            _check_line(held, name)
            pieces.append(chunk[start:end])
            yield b"".join(pieces)
            pieces, held, start = [], 0, end + 1
        held += len(chunk) - start
        _check_line(held, name)
        pieces.append(chunk[start:])
    if held:
        yield b"".join(pieces)


def _check_line(length: int, name: str) -> None:
    if length > MAX_LINE:
        raise PackageError(
            f"The package is refused: a line of its member {name!r} is longer than "
            f"{MAX_LINE >> 20} MiB."
        )


def member_limit(name: str) -> int:
    """The most bytes a member of this name may hold."""
    for prefix, limit in MEMBER_LIMITS.items():
        if name.startswith(prefix):
            return limit
    return MAX_MEMBER


def _check_regular(info: zipfile.ZipInfo) -> None:
    """A ZIP entry records a Unix file type in its external attributes; only plain files (or
    none recorded, as Windows tools write) are members: never a link, folder or device."""
    kind = stat.S_IFMT(info.external_attr >> 16)
    if info.is_dir() or (kind and kind != stat.S_IFREG):
        raise PackageError(
            f"The package is refused: the member {info.filename!r} is not a regular file "
            "(a symbolic link, folder or device)."
        )


def _read_limited(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    chunks = list(_chunks(archive, info, limit))
    return b"".join(chunks)


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    if info.file_size > limit:
        raise PackageError(
            f"The package is refused: the member {info.filename!r} is too large "
            f"({info.file_size} bytes, at most {limit})."
        )
    total = 0
    with archive.open(info) as handle:
        while chunk := handle.read(1 << 20):
            total += len(chunk)
            if total > limit:  # the header lied about the size (a zip bomb)
                raise PackageError(
                    f"The package is refused: the member {info.filename!r} is too large."
                )
            yield chunk


def _stream_member(archive: zipfile.ZipFile, name: str, entry: dict[str, Any]) -> Iterator[bytes]:
    """A member's bytes in chunks, checked against its manifest entry once all are read."""
    digest, size = hashlib.sha256(), 0
    for chunk in _chunks(archive, archive.getinfo(name), min(entry["size"], member_limit(name))):
        digest.update(chunk)
        size += len(chunk)
        yield chunk
    if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
        raise PackageError(
            f"The package is refused: the member {name!r} does not match its manifest "
            "hash (it was altered or damaged)."
        )


def _check_manifest(raw: bytes) -> dict[str, Any]:
    malformed = "The package is refused: its manifest is malformed"
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # nested past the parser
        raise PackageError(f"{malformed} (not JSON).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != PACKAGE_FORMAT:
        raise PackageError(f"{malformed} (not a Vigil case package manifest).")
    version = manifest.get("version")
    if not isinstance(version, int) or version > PACKAGE_VERSION or version < 1:
        raise PackageError(f"{malformed} (version {version!r} is not one this Vigil reads).")
    members = manifest.get("members")
    if not isinstance(members, list) or len(members) > MAX_MEMBERS:
        raise PackageError(f"{malformed} (no member list).")
    seen = set()
    for entry in members:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and isinstance(entry.get("size"), int)
            and isinstance(entry.get("sha256"), str)
            and _HEX64.match(entry["sha256"])
        ):
            raise PackageError(f"{malformed} (a member entry lacks path, size or SHA-256).")
        check_member_name(entry["path"])
        if entry["path"] in seen or entry["path"] in (MANIFEST, SIGNATURE):
            raise PackageError(f"{malformed} (the member {entry['path']!r} is listed twice).")
        seen.add(entry["path"])
        if entry["size"] > member_limit(entry["path"]) or entry["size"] < 0:
            raise PackageError(
                f"The package is refused: the member {entry['path']!r} is too large "
                f"({entry['size']} bytes, at most {member_limit(entry['path'])})."
            )
    if not isinstance(manifest.get("info", {}), dict):
        raise PackageError(f"{malformed} (info is not an object).")
    signer = manifest.get("signer")
    if signer is not None and not (
        isinstance(signer, dict) and isinstance(signer.get("public_key"), str)
    ):
        raise PackageError(f"{malformed} (the signer entry is malformed).")
    return manifest


def _check_signature(
    archive: zipfile.ZipFile, manifest: dict[str, Any], raw: bytes, trusted: Ed25519PublicKey | None
) -> tuple[str | None, bool]:
    names = set(archive.namelist())
    signer = manifest.get("signer")
    if SIGNATURE not in names or signer is None:
        if SIGNATURE in names or signer is not None:
            raise PackageError("The package is refused: its signature is missing or incomplete.")
        if trusted is not None:
            raise PackageError("The package is refused: it is not signed, but --trust asks for it.")
        return None, False
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(signer["public_key"]))
        signature = bytes.fromhex(
            _read_limited(archive, archive.getinfo(SIGNATURE), 1024).decode("ascii").strip()
        )
    except (ValueError, UnicodeDecodeError):
        raise PackageError("The package is refused: its signature is malformed.") from None
    try:
        public.verify(signature, raw)
    except InvalidSignature:
        raise PackageError(
            "The package is refused: its signature does not match its manifest (it was altered)."
        ) from None
    if trusted is not None and _raw_public(trusted) != _raw_public(public):
        raise PackageError(
            f"The package is refused: it is signed by the key {fingerprint(public)}, "
            f"not by the trusted key {fingerprint(trusted)}."
        )
    return fingerprint(public), trusted is not None


def read_package(
    path: str | os.PathLike[str],
    trusted: Ed25519PublicKey | None = None,
    keep: tuple[str, ...] = ("work/",),
) -> VerifiedPackage:
    """Check a whole package and return its manifest and the members under `keep` prefixes.

    Raises PackageError (nothing usable is returned) for a foreign or damaged file, a bad
    member path, an oversized member, a malformed manifest, a wrong or missing signature, or a
    member whose bytes do not match the manifest."""
    path = Path(path)
    if not path.is_file():
        raise PackageError(f"There is no package file at {path}.")
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise PackageError(f"{path} is not a Vigil case package (not a ZIP file).") from None
    try:
        return _verify(archive, path, trusted, keep, digest.hexdigest())
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as error:
        raise PackageError(f"The package is refused: it is damaged ({error}).") from None
    finally:
        archive.close()


def _verify(
    archive: zipfile.ZipFile,
    path: Path,
    trusted: Ed25519PublicKey | None,
    keep: tuple[str, ...],
    sha256: str,
) -> VerifiedPackage:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS + 2:
        raise PackageError("The package is refused: it has too many members.")
    for info in infos:
        check_member_name(info.filename)
        _check_regular(info)
    names = [info.filename for info in infos]
    if len(names) != len(set(names)):
        raise PackageError("The package is refused: a member name appears twice.")
    if MANIFEST not in names:
        raise PackageError(f"{path} is not a Vigil case package (it has no manifest).")
    raw = _read_limited(archive, archive.getinfo(MANIFEST), MAX_MANIFEST)
    manifest = _check_manifest(raw)
    signer, is_trusted = _check_signature(archive, manifest, raw, trusted)
    listed = {entry["path"]: entry for entry in manifest["members"]}
    extra = set(names) - set(listed) - {MANIFEST, SIGNATURE}
    if extra:
        raise PackageError(
            f"The package is refused: the member {sorted(extra)[0]!r} is not in its manifest."
        )
    kept: dict[str, bytes] = {}
    for name, entry in listed.items():
        if name not in names:
            raise PackageError(f"The package is refused: the member {name!r} is missing.")
        wanted = name.startswith(keep)
        if wanted and entry["size"] > MAX_KEPT:
            raise PackageError(f"The package is refused: the member {name!r} is too large.")
        chunks = [c for c in _stream_member(archive, name, entry) if wanted]
        if wanted:
            kept[name] = b"".join(chunks)
    return VerifiedPackage(manifest, kept, signer, is_trusted, sha256, path)
