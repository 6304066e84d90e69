"""What a long job takes from its caller (the CLI's progress bar, a GUI worker): a progress
report (files or steps done, how many in all, what it is doing) and a cancel check, asked
between steps (True: stop, keeping what is done)."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]
