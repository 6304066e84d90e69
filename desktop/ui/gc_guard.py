"""Cyclic garbage collection only on the UI thread, so Qt objects are destroyed where they live.

Python's collector runs in whichever thread happens to allocate past its threshold. When that
is a worker and the garbage holds a Qt object owned by Python (a closed window or dialog in a
reference cycle with its slots), Qt destroys it from the wrong thread ("QObject::killTimer:
Timers cannot be stopped from another thread"), and the program can crash. The usual remedy
for Qt programs with worker threads: switch automatic collection off and collect from a timer
on the UI thread, generation by generation as the thresholds say.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_MS = 500


class UiThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(CHECK_MS)

    def check(self) -> None:
        count0, count1, count2 = gc.get_count()
        if count0 > self.thresholds[0]:
            gc.collect(0)
            if count1 > self.thresholds[1]:
                gc.collect(1)
                if count2 > self.thresholds[2]:
                    gc.collect(2)

    def stop(self) -> None:
        """Back to Python's own collection (tests, or leaving the GUI)."""
        self.timer.stop()
        gc.enable()
