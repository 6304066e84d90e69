"""Workaround: PySide6 6.12 on Python 3.11 drops a reference to None on many void calls.

Measured: QPainter.save(), setPen(), fillRect(), QRect.moveCenter() ... each leave
sys.getrefcount(None) one lower, so a grid that paints for a while ends in "Fatal Python error:
none_dealloc". Python 3.12+ makes None immortal, which is what this PySide build assumes; on 3.11
we give None a reference count that no session can exhaust.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 60


def protect_none() -> None:
    if sys.version_info >= (3, 12):
        return
    refcount = ctypes.c_ssize_t.from_address(id(None))
    if refcount.value < _HEADROOM:
        refcount.value += _HEADROOM
