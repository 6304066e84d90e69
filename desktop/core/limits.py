"""The limits Vigil holds hostile input to: time per file, memory per decode and per worker.

Each is a named number here so the code that enforces it, the tests and docs/architecture.md
("Limits") agree. What happens when one is hit is said beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.core.ingest import WalkEntry

# ---- time ---------------------------------------------------------------------------------------
# Every file gets a time budget in its worker. A picture takes about 20 ms; big ordinary ones
# took 1-3.3 s on one core of a loaded machine (a 100 MP JPEG 1.1 s, a 120 MP PNG 3.3 s, a
# 24 MP HEIC 2.5 s), and the largest the memory limit admits would take about 8-10 s. A
# crafted file can take minutes (a progressive JPEG of thousands of scans: 450 s). Past its
# budget the worker is stopped and replaced, the file is recorded `too_slow` with its hashes
# (read again without decoding, under a budget of its own), and the files queued behind it go
# to other workers. The budget grows with the file's size at READ_RATE_FLOOR, so a big file on a
# slow disk (USB 2, a network share) is never cut for being read slowly.
FILE_TIME_BASE = 30.0  # seconds
READ_RATE_FLOOR = 10 * 1024 * 1024  # bytes a second
# Hashing alone (the re-read of a file that ran out of time, or whose decoder crashed).
READ_TIME_BASE = 10.0  # seconds


# A progressive JPEG with more scans than this is not decoded (`too_slow`): each scan is a pass
# over the whole canvas, and a crafted file repeats one thousands of times (the 450 s file).
# Ordinary ones have 6 to 12 (libjpeg's and mozjpeg's scripts); at this limit the largest
# canvas the memory limit admits decodes in a few seconds.
MAX_JPEG_SCANS = 100


def file_time_budget(entry: WalkEntry) -> float:
    """Seconds one file may take in its worker: read, digest, decode, hash, fingerprint.

    A function of the walk's entry (its path and size, known before the file is opened). A
    decoder that learns from the content that it needs longer (a video) asks for more from
    inside the worker: `analyse_file(..., more_time=...)`, see video_decode_budget.
    """
    return FILE_TIME_BASE + (entry.size or 0) / READ_RATE_FLOOR


def read_time_budget(entry: WalkEntry) -> float:
    """Seconds a plain read (digests, type, no decode) of the file may take."""
    return READ_TIME_BASE + (entry.size or 0) / READ_RATE_FLOOR


# A video's decoding has a soft budget of its own (core/video_ingest.py): past it, the frames
# decoded so far are kept and the video is recorded `partial`. Its worker asks the pool for
# that much more time before it starts decoding, so the hard budget above never cuts a video
# the soft one would have stopped gracefully; a decoder that hangs inside one frame (where the
# soft budget is not checked) is still stopped.
VIDEO_DECODE_BASE = 60.0  # seconds
VIDEO_DECODE_PER_GIB = 60.0  # more seconds a GiB of file: it must all be read and demuxed


def video_decode_budget(size: int) -> float:
    """Seconds a video (or animated picture) of `size` bytes may spend decoding its frames."""
    return VIDEO_DECODE_BASE + VIDEO_DECODE_PER_GIB * size / 2**30


# ---- memory -------------------------------------------------------------------------------------
# A decode is refused (`too_large`) before any pixel is decoded when the memory it would need
# (media.decode_memory) passes this. For a JPEG that is what the reduced (draft) decode holds,
# plus the whole coefficient buffer of a progressive one; formats Pillow cannot decode at
# reduced size (PNG, GIF, TIFF, BMP, WebP, HEIC) hold the whole canvas, so for them this is a
# lower pixel limit: 134 megapixels of RGB, 67 of RGBA or HEIC (a 48 MP phone HEIC needs about
# 390 MiB), 200 (the pixel limit) of greyscale or palette. Any baseline JPEG up to the pixel
# limit needs a few megabytes; a progressive one up to 178 megapixels (4:2:0).
MAX_DECODE_BYTES = 512 * 1024 * 1024
# The same for a full-size decode (the viewer, clue export): one picture an analyst asked for.
MAX_FULL_DECODE_BYTES = 1024 * 1024 * 1024
# Pillow's own limit on the claimed canvas (a decompression bomb), whatever the format.
MAX_IMAGE_PIXELS = 200_000_000
# Each analysis worker's data (heap and anonymous mappings) is capped here (RLIMIT_DATA, on
# Linux and other systems that have it): a decoder that runs away past the checks above fails
# its allocation instead of eating the machine, and the file is recorded `too_large`. A worker
# uses about 250 MB analysing ordinary files.
WORKER_MEMORY_LIMIT = 2 * 1024 * 1024 * 1024
