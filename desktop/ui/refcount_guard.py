"""Workaround: PySide6 6.12 on Python 3.11 drops references to objects 3.12 made immortal.

pyproject.toml keeps PySide6 below 6.12 (6.11.3 does not have the fault: a test loop of 10,000
paints leaves None's count unchanged, where 6.12.0 aborts with none_dealloc). This guard only
acts if a 6.12 build is installed anyway, on Python 3.11.

Measured: QPainter.save(), setPen(), fillRect(), QRect.moveCenter() ... each leave
sys.getrefcount(None) one lower; True and False drift the same way more slowly. A grid that
paints for a while then ends in "Fatal Python error: none_dealloc" (or bool_dealloc), or in a
segmentation fault when the garbage collector meets a freed singleton. Python 3.12+ makes these
objects immortal, which is what this PySide build assumes; on 3.11 we give each of them a
reference count no session can exhaust. They live as long as the interpreter anyway.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 60


def _singletons() -> list[object]:
    objects: list[object] = [None, True, False, Ellipsis, NotImplemented, (), "", b""]
    objects += list(range(-5, 257))  # the small-int cache
    objects += [chr(i) for i in range(256)]  # one-character latin-1 strings are cached
    objects += [bytes([i]) for i in range(256)]  # and one-byte bytes
    return objects


def _affected_pyside() -> bool:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("PySide6-Essentials").startswith("6.12")
    except PackageNotFoundError:
        return True  # another PySide6 distribution: be safe


def protect_none() -> None:
    """Give Python's shared singletons (None first) a reference count that cannot run out."""
    if sys.version_info >= (3, 12) or not _affected_pyside():
        return
    for obj in _singletons():
        refcount = ctypes.c_ssize_t.from_address(id(obj))
        if refcount.value < _HEADROOM:
            refcount.value += _HEADROOM
