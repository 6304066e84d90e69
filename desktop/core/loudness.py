"""Where a video's sound is loud and what it seems to be (speech, music, screaming), measured
from the samples so an analyst can see it on the timeline without hearing it.

The strip has one entry per BIN_SECONDS: a level (dBFS, 0 = full scale) and a kind. The kind is
a rule over a few measures of the bin, not a trained classifier, and says "seems":
- silence: quieter than SILENCE_DB;
- scream: loud (over LOUD_DB) and high (spectral centroid over SCREAM_CENTROID Hz) and tonal;
- speech: energy that comes and goes at the pace of syllables (20 ms energies vary a lot
  within the bin) with most of it where voices are (80-4000 Hz) and a centroid a voice has;
- music: steady and tonal (low spectral flatness);
- other: the rest (noise, traffic, wind).
Each bin's kind is then the majority of itself and its two neighbours, so one odd bin does not
flicker.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

RATE = 16_000  # samples a second the meter reads (mono)
BIN_SECONDS = 0.5
FRAME = RATE // 50  # 20 ms: the pace of syllables shows in energies this short
SILENCE_DB = -45.0
LOUD_DB = -28.0
SCREAM_CENTROID = 1200.0
KINDS = ("silence", "speech", "music", "scream", "other")
SILENCE, SPEECH, MUSIC, SCREAM, OTHER = range(len(KINDS))
_MAGIC = b"VLS1"
FLOOR_DB = -90.0


@dataclass(frozen=True)
class LoudnessStrip:
    """Levels (dBFS) and kinds, one per bin of `bin_seconds`, from the start of the sound."""

    bin_seconds: float
    levels: np.ndarray  # float32 dBFS
    kinds: np.ndarray  # uint8 index into KINDS

    def __len__(self) -> int:
        return len(self.levels)

    def to_bytes(self) -> bytes:
        """Stored form: magic, bin length in ms, count, then a byte per level (dB + 100) and a
        byte per kind."""
        levels = np.clip(np.round(self.levels + 100), 0, 255).astype(np.uint8)
        header = _MAGIC + struct.pack("<HI", round(self.bin_seconds * 1000), len(levels))
        return header + levels.tobytes() + self.kinds.astype(np.uint8).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> LoudnessStrip:
        if not data.startswith(_MAGIC) or len(data) < 10:
            raise ValueError("not a loudness strip")
        bin_ms, count = struct.unpack_from("<HI", data, 4)
        if len(data) != 10 + 2 * count:
            raise ValueError("a loudness strip of the wrong length")
        levels = np.frombuffer(data, np.uint8, count, 10).astype(np.float32) - 100
        kinds = np.frombuffer(data, np.uint8, count, 10 + count).copy()
        return cls(bin_ms / 1000, levels, kinds)

    def spans(self, kind: int) -> list[tuple[float, float]]:
        """(start, end) seconds of each run of bins of one kind, in order."""
        found: list[tuple[float, float]] = []
        start = None
        for k, value in enumerate([*self.kinds.tolist(), -1]):
            if value == kind and start is None:
                start = k
            elif value != kind and start is not None:
                found.append((start * self.bin_seconds, k * self.bin_seconds))
                start = None
        return found

    def next_start(self, kind: int, after: float) -> float | None:
        """Where the next run of `kind` starts after `after` seconds (None: no more)."""
        return next((s for s, _ in self.spans(kind) if s > after + 1e-6), None)


def _db(power: float) -> float:
    return max(FLOOR_DB, 10 * np.log10(power)) if power > 0 else FLOOR_DB


_FREQS = np.fft.rfftfreq(RATE // 2, 1 / RATE)
_VOICE = (_FREQS >= 80) & (_FREQS <= 4000)


def classify_bin(samples: np.ndarray) -> tuple[float, int]:
    """(level in dBFS, kind) of one bin of mono samples at RATE (-1..1)."""
    samples = samples.astype(np.float64)
    level = _db(float(np.mean(samples**2)) if len(samples) else 0.0)
    if level < SILENCE_DB or len(samples) < 4 * FRAME:
        return level, SILENCE
    frames = samples[: len(samples) // FRAME * FRAME].reshape(-1, FRAME)
    energies = np.mean(frames**2, axis=1)
    variation = float(np.std(energies) / (np.mean(energies) + 1e-12))
    padded = np.zeros(RATE // 2)
    padded[: min(len(samples), len(padded))] = samples[: len(padded)]
    spectrum = np.abs(np.fft.rfft(padded * np.hanning(len(padded)))) ** 2 + 1e-12
    total = float(spectrum.sum())
    centroid = float((spectrum * _FREQS).sum() / total)
    voice_share = float(spectrum[_VOICE].sum() / total)
    flatness = float(np.exp(np.mean(np.log(spectrum))) / np.mean(spectrum))
    tonal = flatness < 0.05
    if level >= LOUD_DB and centroid >= SCREAM_CENTROID and tonal:
        return level, SCREAM
    if variation >= 0.6 and voice_share >= 0.6 and 150 <= centroid <= 2500:
        return level, SPEECH
    if tonal and variation < 0.6:
        return level, MUSIC
    return level, OTHER


def _smoothed(kinds: np.ndarray) -> np.ndarray:
    """Each bin's kind becomes the majority of itself and its neighbours (ties keep its own)."""
    out = kinds.copy()
    for k in range(1, len(kinds) - 1):
        a, b, c = kinds[k - 1], kinds[k], kinds[k + 1]
        if a == c and a != b:
            out[k] = a
    return out


class LoudnessMeter:
    """Takes mono samples at RATE in chunks of any length; finish() gives the strip."""

    def __init__(self, bin_seconds: float = BIN_SECONDS):
        self.bin_seconds = bin_seconds
        self._size = round(bin_seconds * RATE)
        self._pending = np.zeros(0, np.float32)
        self._levels: list[float] = []
        self._kinds: list[int] = []

    def add(self, samples: np.ndarray) -> None:
        self._pending = np.concatenate([self._pending, samples.astype(np.float32).ravel()])
        while len(self._pending) >= self._size:
            chunk, self._pending = self._pending[: self._size], self._pending[self._size :]
            self._add_bin(chunk)

    def seconds(self) -> float:
        return len(self._levels) * self.bin_seconds

    def _add_bin(self, chunk: np.ndarray) -> None:
        level, kind = classify_bin(chunk)
        self._levels.append(level)
        self._kinds.append(kind)

    def finish(self) -> LoudnessStrip:
        if len(self._pending) >= self._size // 4:
            self._add_bin(self._pending)
        self._pending = np.zeros(0, np.float32)
        kinds = _smoothed(np.array(self._kinds, np.uint8))
        return LoudnessStrip(self.bin_seconds, np.array(self._levels, np.float32), kinds)
