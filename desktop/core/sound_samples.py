"""Synthetic sounds that stand for speech, music, screaming and noise (nothing recorded): sound
tracks for the demo's videos and the loudness tests."""

from __future__ import annotations

import numpy as np

from desktop.core.loudness import RATE


def _times(seconds: float) -> np.ndarray:
    return np.arange(int(RATE * seconds)) / RATE


def _buzz(t: np.ndarray, pitch: np.ndarray, harmonics: int) -> np.ndarray:
    """A tone gliding with `pitch` (Hz at each of `t`) and its first harmonics, falling 1/k."""
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    return sum((np.sin(k * phase) / k for k in range(1, harmonics + 1)), np.zeros_like(t))


def speech_like(seconds: float = 4.0) -> np.ndarray:
    """A voice-like buzz (130 Hz and its harmonics, gliding) switched on and off three times a
    second, as syllables and the pauses between them."""
    t = _times(seconds)
    voice = _buzz(t, 130 + 20 * np.sin(2 * np.pi * 0.7 * t), 24)
    syllables = np.clip(np.sin(2 * np.pi * 3 * t), 0, None) ** 2
    return (0.2 * voice * syllables).astype(np.float32)


def music_like(seconds: float = 4.0) -> np.ndarray:
    """A steady C major chord with a few harmonics."""
    t = _times(seconds)
    chord = sum(
        (np.sin(2 * np.pi * f * k * t + k) / k**1.5 for f in (262, 330, 392) for k in range(1, 7)),
        np.zeros_like(t),
    )
    return (0.05 * chord).astype(np.float32)


def scream_like(seconds: float = 4.0) -> np.ndarray:
    """A loud, high, wavering tone (about 1.1 kHz)."""
    t = _times(seconds)
    return (0.7 * _buzz(t, 1100 + 200 * np.sin(2 * np.pi * 1.5 * t), 4)).astype(np.float32)


def noise(seconds: float = 4.0, level: float = 0.1) -> np.ndarray:
    return (level * np.random.default_rng(1).standard_normal(len(_times(seconds)))).astype(
        np.float32
    )
