"""What the CLI prints: one-sentence errors, JSON, progress bars, aligned tables."""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Iterable
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from desktop.core.controls import printable

if TYPE_CHECKING:
    from tqdm import tqdm


class UserError(Exception):
    """A mistake the user can fix; printed as one sentence, exit code 2."""


class HumanOutput:
    """Standard output for people: every write is shown through printable(), except the line
    end print() writes on its own, so names and labels (hostile input) cannot rewrite the
    screen or forge lines. JSON output is never wrapped: it stays exact."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(text if text == "\n" else printable(text))

    def __getattr__(self, name: str) -> Any:  # flush, isatty, encoding...: the stream's own
        return getattr(self.stream, name)


def fail(message: str, code: int = 2) -> int:
    print(f"vigil: {printable(message)}", file=sys.stderr)
    return code


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def stream_json_list(values: Iterable[Any]) -> int:
    """Print a JSON list one element at a time, so a million items need no memory to print."""
    count = 0
    sys.stdout.write("[")
    for value in values:
        sys.stdout.write(",\n" if count else "\n")
        sys.stdout.write(json.dumps(value, ensure_ascii=False, default=str))
        count += 1
    sys.stdout.write("\n]\n" if count else "]\n")
    return count


def table(rows: Iterable[tuple[Any, ...]], indent: str = "  ") -> None:
    rows = list(rows)
    if not rows:
        return
    shown = [[printable(str(cell)) for cell in row] for row in rows]  # aligned as displayed
    widths = [max(len(row[i]) for row in shown) for i in range(len(shown[0]))]
    for row in shown:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        print(indent + "  ".join(cells).rstrip())


BAR_FORMAT = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]"


class ProgressBar:
    """A progress callback (done, total, message) drawn as a bar with files/s and time left."""

    def __init__(self, unit: str = "files", quiet: bool = False, title: str = "Ingesting"):
        self.unit, self.quiet, self.title = unit, quiet, title
        self._bar: tqdm | None = None
        self._last = 0.0

    @property
    def bar(self) -> tqdm:
        """Made at the first progress report, not before: by then an ingest has forked its
        workers, which need nothing of tqdm (its import is a tenth of the command's start)."""
        if self._bar is None:
            from tqdm import tqdm

            # tqdm's monitor thread only retunes a stalled bar's refresh; without it this
            # process has one thread, so ingest can fork its workers (fork_is_safe)
            tqdm.monitor_interval = 0
            self._bar = tqdm(
                total=0,
                unit=f" {self.unit}",
                disable=self.quiet or None,  # None: only on a terminal, so logs stay clean
                dynamic_ncols=True,
                smoothing=0.1,
                bar_format=BAR_FORMAT,
            )
        return self._bar

    def __call__(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        if total != self.bar.total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)
        # before the total is known the job says what it is doing (e.g. counting files)
        # (a file's path: hostile text, and stderr is not wrapped by HumanOutput)
        self.bar.set_description_str(self.title if total else printable(message), refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class Interrupts:
    """The first Ctrl-C asks the job to stop cleanly; a second one stops at once."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def __enter__(self) -> Interrupts:
        self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print(
            "\nStopping after the files in progress (Ctrl-C again to stop at once)...",
            file=sys.stderr,
        )

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGINT, self._previous)

    def __call__(self) -> bool:
        return self.requested
