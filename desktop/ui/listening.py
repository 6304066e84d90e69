"""The one way a video's sound is heard: a deliberate listen (held, or a toggle the analyst
agreed to for that video), at a capped volume, for at most a time limit, stopped when the
selection moves; each listening recorded as exposure (who, which video, from where, how long).

The sound output is opened here and nowhere else (desktop.ui.sound_output.open_output), and only
when a listening starts: a video shown, played or scrubbed opens none.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from desktop.core.media import DecodeFailure
from desktop.core.video_audio import PLAY_CHANNELS, PLAY_RATE, VideoSound
from desktop.store.db import now_iso
from desktop.ui import sound_output
from desktop.ui.reveal import RevealController
from desktop.ui.sound_output import NoSoundDevice, SoundOutput, capped
from desktop.ui.video_player import VideoUnavailable, open_video_file
from desktop.ui.workers import thread_connection

PLAYER = "player"  # where the exposure happened


class ListenController(QObject):
    """At most one listening at a time. `start(media, at, how)` opens the output and plays from
    `at` seconds; `stop()` ends it and records the seconds heard (store.exposure kind sound)."""

    changed = Signal(object)  # media id listened to, or None
    refused = Signal(str)  # one sentence: no device, no sound, evidence unavailable

    def __init__(
        self,
        case_path: Path,
        reveals: RevealController,
        limit_seconds: Callable[[], int],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.case_path, self.reveals, self.limit_seconds = case_path, reveals, limit_seconds
        self.media_id: int | None = None
        self.volume = 0.6  # of sound_output.MAX_VOLUME
        self._output: SoundOutput | None = None
        self._sound: VideoSound | None = None
        self._handle: IO[bytes] | None = None
        self._stopping = threading.Event()
        self._started = 0.0
        self._started_at = ""
        self._from = 0.0
        self._how = ""
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.stop)

    def start(self, media_id: int, at: float, how: str) -> bool:
        """Listen to `media_id` from `at` seconds ("held" or "toggle"); False (and `refused`)
        when it cannot be played."""
        self.stop()
        try:
            handle, file_type, head = open_video_file(thread_connection(self.case_path), media_id)
        except (VideoUnavailable, OSError) as error:
            self.refused.emit(str(error))
            return False
        try:
            sound = VideoSound(handle, file_type, head)
        except DecodeFailure as failure:
            handle.close()
            self.refused.emit(f"No sound to play: {failure.reason}.")
            return False
        try:
            output = sound_output.open_output(PLAY_RATE, PLAY_CHANNELS)
        except NoSoundDevice as error:
            sound.close()
            handle.close()
            self.refused.emit(str(error))
            return False
        self._stopping.clear()
        self._output, self._sound, self._handle = output, sound, handle
        self.media_id, self._from, self._how = media_id, at, how
        self._started, self._started_at = time.monotonic(), now_iso()
        output.start(self._samples(sound, at))
        self._timer.start(max(1, self.limit_seconds()) * 1000)
        self.changed.emit(media_id)
        return True

    def _samples(self, sound: VideoSound, at: float) -> Iterator[np.ndarray]:
        for chunk in sound.samples(PLAY_RATE, PLAY_CHANNELS, at, stop=self._stopping.is_set):
            yield capped(chunk, self.volume)

    def set_volume(self, volume: float) -> None:
        self.volume = min(max(volume, 0.0), 1.0)

    def stop(self) -> None:
        """End the listening (released, toggled off, moved on, timed out, case closed) and
        record it."""
        self._timer.stop()
        output, self._output = self._output, None
        if output is None or self.media_id is None:
            return
        self._stopping.set()
        output.stop()  # the device stops pulling samples before the file is closed
        output.close()
        if self._sound is not None:
            self._sound.close()
        if self._handle is not None:
            self._handle.close()
        self._sound = self._handle = None
        media_id, self.media_id = self.media_id, None
        self.reveals.count(
            "sound", media_id, time.monotonic() - self._started, started_at=self._started_at,
            how=self._how, where=PLAYER, extra={"from_seconds": round(self._from, 2),
                                                "volume": round(self.volume, 2)},
        )  # fmt: skip
        self.changed.emit(None)
