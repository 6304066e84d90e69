"""Walk evidence read-only and analyse each file: digests, type, decode status, hashes, EXIF."""

from __future__ import annotations

import errno
import io
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PIL import Image

from desktop.core import exif as exif_fields
from desktop.core.hashing import Digests, MultiDigest, PerceptualHash
from desktop.core.limits import video_decode_budget
from desktop.core.media import (
    ANIMATED_TYPES,
    IMAGE_TYPES,
    MIME_TYPES,
    SNIFF_BYTES,
    VIDEO_TYPES,
    DecodeFailure,
    decode_reduced,
    extension_mismatch,
    sniff_type,
)
from desktop.core.picture_hashes import PREVIEW_SIDE, picture_hashes

if TYPE_CHECKING:  # PyAV loads in 0.1 s: only the processes that decode video import it
    from desktop.core.video_ingest import VideoAnalysis

THUMBNAIL_SIDE = PREVIEW_SIDE
THUMBNAIL_QUALITY = 80
# Files up to this size are kept in memory after the one read, so decoding needs no second read.
IN_MEMORY_LIMIT = 256 * 1024 * 1024
# Larger files are read in chunks of 256 KiB: 1 MiB reads each fault in fresh pages, 30% slower
READ_CHUNK = 1 << 18
# O_NOATIME keeps reading from touching access times; the kernel allows it to the file's owner
# (and root). Others fall back to a plain read-only open.
_NOATIME = getattr(os, "O_NOATIME", 0)
# A path listed as a regular file can be something else by the time it is read: a FIFO (whose
# open waits for a writer for ever), a device, a symbolic link. O_NONBLOCK makes opening a FIFO
# return at once (it changes nothing for regular files), O_NOFOLLOW refuses a link, and fstat
# on what was opened decides before a byte is read.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def display_path(raw: bytes) -> str:
    """A path for people: undecodable bytes shown as \\xNN rather than lost."""
    return raw.decode("utf-8", "backslashreplace")


@dataclass
class WalkEntry:
    """One thing found under a source: a regular file, a symbolic link, or something unreadable."""

    path: bytes
    kind: str  # "file", "symlink", "special" (fifo, device, socket) or "error"
    size: int | None = None
    mtime_ns: int | None = None
    ctime_ns: int | None = None
    link_target: str | None = None
    error: str | None = None


def _entry_from_stat(path: bytes, st: os.stat_result) -> WalkEntry:
    return WalkEntry(path, "file", st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def walk(source: bytes) -> Iterator[WalkEntry]:
    """Every entry under `source` (a file or a folder), depth first, never following links."""
    try:
        st = os.lstat(source)
    except OSError as error:
        yield WalkEntry(source, "error", error=_os_error(error))
        return
    if stat.S_ISLNK(st.st_mode):
        yield _symlink(source, st)
    elif stat.S_ISREG(st.st_mode):
        yield _entry_from_stat(source, st)
    elif stat.S_ISDIR(st.st_mode):
        yield from _walk_dir(source)
    else:
        yield WalkEntry(source, "special", st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _walk_dir(folder: bytes) -> Iterator[WalkEntry]:
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as error:
            yield WalkEntry(current, "error", error=f"cannot list folder: {_os_error(error)}")
            continue
        subfolders = []
        for entry in entries:
            path = os.fsencode(entry.path)
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as error:
                yield WalkEntry(path, "error", error=_os_error(error))
                continue
            if stat.S_ISLNK(st.st_mode):
                yield _symlink(path, st)
            elif stat.S_ISDIR(st.st_mode):
                subfolders.append(path)
            elif stat.S_ISREG(st.st_mode):
                yield _entry_from_stat(path, st)
            else:
                yield WalkEntry(path, "special", st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        stack.extend(reversed(subfolders))


def _symlink(path: bytes, st: os.stat_result) -> WalkEntry:
    try:
        target = display_path(os.readlink(path))
    except OSError as error:
        target = f"(unreadable link: {_os_error(error)})"
    return WalkEntry(
        path, "symlink", st.st_size, st.st_mtime_ns, st.st_ctime_ns, link_target=target
    )


def _os_error(error: OSError) -> str:
    return error.strerror or str(error)


@dataclass
class FileAnalysis:
    """Everything ingest learns from one file, produced in a worker process."""

    path: bytes
    status: str  # ok, unsupported, truncated, corrupt, too_large, unreadable
    reason: str | None = None
    digests: Digests | None = None
    detected_type: str | None = None
    mime_type: str | None = None
    extension_mismatch: bool = False
    width: int | None = None
    height: int | None = None
    frames: int | None = None
    exif: dict[str, Any] = field(default_factory=dict)
    hashes: list[PerceptualHash] = field(default_factory=list)
    thumbnail: bytes | None = None
    # True when the content was already in the case, so the decode was skipped
    known_content: bool = False
    video: VideoAnalysis | None = None  # videos and animated pictures: frames, storyboard


class NotRegularFile(OSError):
    """What was opened is not a regular file (it was swapped for a pipe, device or link)."""

    def __init__(self, what: str):
        super().__init__(f"not a regular file when opened ({what}): not read")
        self.strerror = str(self)


def open_evidence(path: bytes) -> io.FileIO:
    """Open an evidence file for reading only, without updating its access time where allowed.

    Raises NotRegularFile, never blocks, when the path is no longer a regular file.
    """
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | _NONBLOCK | _NOFOLLOW
    try:
        try:
            fd = os.open(path, flags | _NOATIME)
        except PermissionError:
            fd = os.open(path, flags)
    except OSError as error:
        if _NOFOLLOW and error.errno == errno.ELOOP:
            raise NotRegularFile("a symbolic link") from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(mode) else "a device, pipe or socket"
        raise NotRegularFile(kind)
    return io.FileIO(fd, "rb", closefd=True)


def read_and_digest(path: bytes) -> tuple[Digests, bytes, bytes | None]:
    """One read: the digests, the first bytes, and the whole content when small enough.

    A video is never kept in memory (it is decoded from the file, a part at a time), so its
    memory does not grow with its length."""
    digest = MultiDigest()
    with open_evidence(path) as handle:
        head = os.pread(handle.fileno(), SNIFF_BYTES, 0)
        small = os.fstat(handle.fileno()).st_size <= IN_MEMORY_LIMIT
        if small and sniff_type(head) not in VIDEO_TYPES:
            # one read of the whole file: 4% less than reading in chunks and joining them
            content = handle.readall()
            digest.update(content)
            return digest.result(), content[:SNIFF_BYTES], content
        head = b""
        while chunk := handle.read(READ_CHUNK):
            head = head or chunk[:SNIFF_BYTES]
            digest.update(chunk)
    return digest.result(), head, None


def _undecoded(path: bytes, digests: Digests, head: bytes, status: str) -> FileAnalysis:
    """What one read tells without decoding: digests, type from content, a lying extension."""
    detected = sniff_type(head)
    return FileAnalysis(
        path,
        status,
        digests=digests,
        detected_type=detected,
        mime_type=MIME_TYPES.get(detected or ""),
        extension_mismatch=extension_mismatch(os.path.basename(path), detected),
    )


def _unread(path: bytes, error: OSError) -> FileAnalysis:
    if isinstance(error, NotRegularFile):
        return FileAnalysis(path, "unsupported", str(error))
    return FileAnalysis(path, "unreadable", f"cannot read: {_os_error(error)}")


def describe_undecoded(path: bytes, reason: str, status: str = "corrupt") -> FileAnalysis:
    """A file recorded with its digests and type but never decoded (the decoder crashed on it)."""
    try:
        digests, head, _ = read_and_digest(path)
    except OSError as error:
        return _unread(path, error)
    result = _undecoded(path, digests, head, status)
    result.reason = reason
    return result


def analyse_file(
    path: bytes,
    is_known: Callable[[str], bool] | None = None,
    more_time: Callable[[float], None] | None = None,
    threads: Callable[[], int] | None = None,
) -> FileAnalysis:
    """Read a file once and learn what ingest records about it. Never raises for bad input.

    `more_time(seconds)` is called before a decode that may take longer than a picture's (a
    video): the analysis pool adds that much to the file's time budget (core/limits.py).
    `threads()`, asked as a video's decoding starts: the decoder threads it may use (the
    analysis pool's idle cores; one without it)."""
    try:
        digests, head, content = read_and_digest(path)
    except OSError as error:
        return _unread(path, error)
    result = _undecoded(path, digests, head, "ok")
    detected = result.detected_type
    if is_known is not None and is_known(digests.sha256):
        result.known_content = True
        return result
    if detected in VIDEO_TYPES:
        return _analysed_video(result, head, digests.size, more_time=more_time, threads=threads)
    if detected not in IMAGE_TYPES:
        result.status = "unsupported"
        result.reason = (
            f"{detected} file: not a picture; kept with its hashes for hash-set matching"
            if detected
            else ("empty file" if digests.size == 0 else "not a picture format Vigil can decode")
        )
        return result
    try:
        if content is not None:
            decoded = decode_reduced(content)
            if decoded.frames > 1 and detected in ANIMATED_TYPES:
                return _analysed_video(result, head, digests.size, content, more_time)
        else:  # a picture over the in-memory limit: decode from the file itself
            with open_evidence(path) as handle:
                decoded = decode_reduced(handle)
        # one small copy serves as the thumbnail and as the similarity engine's working copy
        result.hashes, preview = picture_hashes(decoded.image, decoded.orientation)
        result.thumbnail = encode_thumbnail(preview)
    except DecodeFailure as failure:
        result.status, result.reason = failure.status, failure.reason
        return result
    except OSError as error:
        return FileAnalysis(path, "unreadable", f"cannot read: {_os_error(error)}", digests)
    result.width, result.height, result.frames = decoded.width, decoded.height, decoded.frames
    result.exif = exif_fields.summarize(decoded.exif, decoded.exif_raw)
    return result


def _analysed_video(
    result: FileAnalysis,
    head: bytes,
    size: int,
    content: bytes | None = None,
    more_time: Callable[[float], None] | None = None,
    threads: Callable[[], int] | None = None,
) -> FileAnalysis:
    """A video (decoded from its file) or an animated picture (from its `content`) analysed."""
    from desktop.core.video_ingest import analyse_video, open_video

    if more_time is not None:
        more_time(video_decode_budget(size))
    assert result.detected_type is not None
    try:
        if content is not None:
            with open_video(content, result.detected_type, head) as decoder:
                outcome = analyse_video(decoder, size)
        else:
            with open_evidence(result.path) as handle:
                count = threads() if threads is not None else 1
                with open_video(handle, result.detected_type, head, count) as decoder:
                    outcome = analyse_video(decoder, size)
    except DecodeFailure as failure:
        result.status, result.reason = failure.status, failure.reason
        return result
    except OSError as error:
        return FileAnalysis(result.path, "unreadable", f"cannot read: {_os_error(error)}",
                            result.digests)  # fmt: skip
    result.status, result.reason = outcome.status, outcome.reason
    result.width, result.height = outcome.width, outcome.height
    result.frames = outcome.video.frames_total
    result.exif = outcome.summary
    result.thumbnail = outcome.thumbnail
    result.video = outcome.video
    return result


def encode_thumbnail(preview: Image.Image) -> bytes:
    """The stored thumbnail: the preview (already at most THUMBNAIL_SIDE px) as a JPEG."""
    buffer = io.BytesIO()
    preview.save(buffer, "JPEG", quality=THUMBNAIL_QUALITY)
    return buffer.getvalue()
