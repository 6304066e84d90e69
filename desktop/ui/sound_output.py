"""The sound card, opened only by the listen control (desktop.ui.listening): nothing else in
Vigil creates an output, so a video can never be heard by accident.

miniaudio (pyminiaudio on PyPI) plays the samples: its wheels carry the miniaudio C library
and load the system's ALSA or PulseAudio (or CoreAudio, WASAPI) when a device is opened, so a
machine without a sound card imports it and only the listen control fails, with one sentence.
PySide6-Essentials has no QtMultimedia, sounddevice needs the system's PortAudio, and PyAudio
has no Linux wheels.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import numpy as np

# The loudest a video is ever played: half of full scale, whatever the recording. Peaks over it
# are clipped rather than the whole scaled down, so quiet speech stays audible.
MAX_VOLUME = 0.5


class NoSoundDevice(Exception):
    """No output device could be opened; the message is one sentence for the analyst."""


class SoundOutput(Protocol):
    """An opened output: `start` plays float32 samples (frames x channels) pulled from
    `source` until it ends or `stop()`; `close()` gives the device back."""

    def start(self, source: Iterator[np.ndarray]) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


def capped(samples: np.ndarray, volume: float) -> np.ndarray:
    """Samples at `volume` (0..1 of MAX_VOLUME), never louder than MAX_VOLUME."""
    gain = MAX_VOLUME * min(max(volume, 0.0), 1.0)
    return np.clip(samples * gain, -MAX_VOLUME, MAX_VOLUME).astype(np.float32)


class MiniaudioOutput:
    """The default playback device through miniaudio."""

    def __init__(self, rate: int, channels: int):
        import miniaudio

        self._miniaudio = miniaudio
        self.rate, self.channels = rate, channels
        backends = [b for b in miniaudio.Backend if b is not miniaudio.Backend.NULL]
        try:
            self.device = miniaudio.PlaybackDevice(
                output_format=miniaudio.SampleFormat.FLOAT32, nchannels=channels,
                sample_rate=rate, backends=backends, app_name="Vigil",
            )  # fmt: skip
        except miniaudio.MiniaudioError:
            raise NoSoundDevice(
                "No sound output device was found on this computer; nothing can be played."
            ) from None

    def start(self, source: Iterator[np.ndarray]) -> None:
        generator = self._feed(source)
        next(generator)  # miniaudio's generators are primed before they are handed over
        self.device.start(generator)

    def _feed(self, source: Iterator[np.ndarray]) -> object:
        """miniaudio asks for a number of frames and takes bytes; silence once the sound ends."""
        pending = np.zeros((0, self.channels), np.float32)
        wanted = yield b""
        while True:
            while len(pending) < wanted:
                chunk = next(source, None)
                if chunk is None:
                    break
                pending = np.concatenate([pending, chunk])
            out, pending = pending[:wanted], pending[wanted:]
            if len(out) < wanted:
                silence = np.zeros((wanted - len(out), self.channels), np.float32)
                out = np.concatenate([out, silence])
            wanted = yield out.astype(np.float32).tobytes()

    def stop(self) -> None:
        self.device.stop()

    def close(self) -> None:
        self.device.close()


def open_output(rate: int, channels: int) -> SoundOutput:
    """Open the default sound output; NoSoundDevice when there is none."""
    return MiniaudioOutput(rate, channels)
