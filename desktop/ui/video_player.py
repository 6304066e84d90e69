"""The player's decoding: one thread per shown video that opens the evidence read-only, seeks
and decodes frames with PyAV (core.video_decode), and prepares each for the screen (the blur's
tiny copy, greyscale) before the UI thread sees it. The UI thread never decodes.

The UI asks with `seek(t)` (the frame at t; `scrub=True`: the nearest keyframe, fast) and
`play(t, speed)`, and collects what is ready with `take()` from a timer: frames travel in a
bounded queue, never as signals, so a slow screen cannot pile frames up.
"""

from __future__ import annotations

import os
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PIL import Image
from PySide6.QtGui import QImage

from desktop.core.ingest import open_evidence
from desktop.core.media import SNIFF_BYTES, VIDEO_TYPES, DecodeFailure
from desktop.core.video_decode import VideoDecoder
from desktop.store import media_view
from desktop.store.browse import Conn
from desktop.store.db import CaseError
from desktop.ui import imaging
from desktop.ui.workers import thread_connection

PLAYER_SIDE = 1280  # longest side frames are decoded to: sharp enough when revealed
AHEAD = 6  # frames decoded ahead of the screen while playing


class VideoUnavailable(CaseError):
    """The evidence cannot be played (detached, changed, undecodable): one sentence (a worker
    reports it as such, never as an unexpected error)."""


def open_video_file(conn: Conn, media_id: int) -> tuple[IO[bytes], str, bytes]:
    """A video's first evidence file that is still as ingest saw it (same size and modification
    time: a cheap check; exports check the SHA-256), opened read-only, its type and first
    bytes."""
    detail = media_view.media_detail(conn, media_id)
    if detail is None or detail["file_type"] not in VIDEO_TYPES:
        raise VideoUnavailable("This media is not a video Vigil can play.")
    changed = False
    for location in detail["files"]:
        raw = location["path_raw"]
        try:
            stat = os.stat(raw)
        except OSError:
            continue
        if stat.st_size != location["size"] or stat.st_mtime_ns != location["mtime_ns"]:
            changed = True
            continue
        handle = open_evidence(raw)
        return handle, detail["file_type"], os.pread(handle.fileno(), SNIFF_BYTES, 0)
    if changed:
        raise VideoUnavailable("The evidence file changed since ingest; it is not played.")
    raise VideoUnavailable("No evidence copy of this video can be read (detached or moved).")


@dataclass(frozen=True)
class Frame:
    """A decoded frame ready for the screen: `picture` carries the blur's tiny copy."""

    media_id: int
    time: float
    picture: imaging.FramePicture
    generation: int  # which request it answers (older ones are dropped)


@dataclass(frozen=True)
class Look:
    blur_strength: int
    greyscale: bool


class FrameEngine:
    """Decodes one video in a thread of its own. Requests replace each other: the newest seek
    or play wins, and frames of older requests are dropped by their generation."""

    def __init__(self, case_path: Path, media_id: int, look: Look):
        self.case_path, self.media_id = case_path, media_id
        self.look = look
        self.frames: queue.Queue[Frame] = queue.Queue(maxsize=AHEAD)
        self.failures: queue.Queue[str] = queue.Queue()
        self._requests: queue.Queue[tuple[str, float, int] | None] = queue.Queue()
        self._generation = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"video-{media_id}", daemon=True)
        self._thread.start()

    # ---- asked from the UI thread --------------------------------------------------------------

    def seek(self, seconds: float, scrub: bool = False) -> int:
        return self._ask("scrub" if scrub else "seek", seconds)

    def play(self, seconds: float) -> int:
        return self._ask("play", seconds)

    def pause(self) -> int:
        return self._ask("pause", 0.0)

    def set_look(self, look: Look) -> None:
        self.look = look  # read by the decoding thread for the next frame it prepares

    def take(self) -> list[Frame]:
        """Frames ready, of the newest request only."""
        found: list[Frame] = []
        while True:
            try:
                frame = self.frames.get_nowait()
            except queue.Empty:
                return [f for f in found if f.generation == self._generation]
            found.append(frame)

    def stop(self) -> None:
        with self._lock:
            self._generation += 1
        self._requests.put(None)
        self._drain()

    def _ask(self, kind: str, seconds: float) -> int:
        with self._lock:
            self._generation += 1
            generation = self._generation
        self._requests.put((kind, seconds, generation))
        self._drain()
        return generation

    def _drain(self) -> None:
        """Make room so a decoder blocked on a full queue sees the new request at once."""
        try:
            while True:
                self.frames.get_nowait()
        except queue.Empty:
            return

    # ---- the decoding thread -------------------------------------------------------------------

    def _current(self, generation: int) -> bool:
        return generation == self._generation and self._requests.empty()

    def _run(self) -> None:
        decoder: VideoDecoder | None = None
        handle: IO[bytes] | None = None
        try:
            handle, file_type, head = open_video_file(thread_connection(self.case_path),
                                                      self.media_id)  # fmt: skip
            decoder = VideoDecoder(handle, file_type, head, max_side=PLAYER_SIDE, threads=2)
            while (request := self._requests.get()) is not None:
                kind, seconds, generation = request
                if kind != "pause" and self._current(generation):
                    self._serve(decoder, kind, seconds, generation)
        except (VideoUnavailable, DecodeFailure, OSError) as error:
            self.failures.put(str(error.reason if isinstance(error, DecodeFailure) else error))
        finally:
            if decoder is not None:
                decoder.close()
            if handle is not None:
                handle.close()

    def _serve(self, decoder: VideoDecoder, kind: str, seconds: float, generation: int) -> None:
        frames = decoder.play_from(seconds, keyframes_only=kind == "scrub")
        for decoded in frames:
            if not self._current(generation):
                return
            frame = Frame(self.media_id, decoded.time, self._prepare(decoded.image), generation)
            if not self._put(frame, generation) or kind != "play":
                return
        if decoder.damage and self._current(generation):
            self.failures.put(f"Damaged from {decoder.damage[-1].message}")
            decoder.damage.clear()

    def _put(self, frame: Frame, generation: int) -> bool:
        while self._current(generation):
            try:
                self.frames.put(frame, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _prepare(self, image: Image.Image) -> imaging.FramePicture:
        look = self.look
        rgb = image.convert("RGB")
        data = rgb.tobytes()
        qimage = QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888)
        return imaging.prepare_frame(qimage.copy(), look.blur_strength, look.greyscale)
