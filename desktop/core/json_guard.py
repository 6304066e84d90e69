"""A byte stream in front of a streaming JSON parser that bounds depth, string and record size."""

from __future__ import annotations

from typing import IO

import numpy as np

# VICS nests seven levels (file, value, Case, Media list, Media record, its lists, their
# entries); a file ten times deeper is hostile. A parser that tracks its path costs memory in
# the square of the depth: 100,000 levels took 2.8 GB before this bound.
MAX_DEPTH = 64
# The longest string a hash-set record needs is a comment or a base64 PhotoDNA (hundreds of
# bytes); one string of 200 MB made the import run for minutes.
MAX_STRING = 1 << 20
# One Media record (with its lists) larger than this is not a record another tool wrote.
MAX_RECORD = 16 << 20
# The Case fields written after the Media list are kept up to this size (see case_tail).
MAX_TAIL = 1 << 20

_QUOTE, _BACKSLASH = 34, 92
_STEP = np.zeros(256, dtype=np.int64)  # what each byte does to the depth outside strings
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1


class JsonLimitError(ValueError):
    """The JSON passed a bound; the message says which and where (`at`, a byte offset)."""

    def __init__(self, message: str, at: int):
        super().__init__(message)
        self.at = at


class BoundedJson:
    """Reads a UTF-8 JSON stream for a parser and stops it at the first bound passed.

    Each chunk is scanned before the parser sees it (numpy over the bytes: strings are told by
    their unescaped quotes), so a hostile file is refused after at most one chunk. Records are
    the objects that open at `record_depth` (a Media record: 5 in a Cases file, 3 in a bare Media
    set). With `keep_case_tail`, the text of the first Case record after its last nested value
    (the Case fields some writers put after the Media list) is kept in `case_tail`.
    """

    def __init__(self, raw: IO[bytes], record_depth: int = 5, keep_case_tail: bool = False):
        self._raw = raw
        self.expect(record_depth, keep_case_tail)

    def expect(self, record_depth: int, keep_case_tail: bool) -> None:
        """Set where records open and whether to keep the Case tail (scanning starts again)."""
        self._record_depth = record_depth
        self._keep_tail = keep_case_tail
        self._reset()

    def _reset(self) -> None:
        self.offset = 0  # bytes handed to the parser since the start (or the last seek)
        self._depth = 0
        self._in_string = False
        self._string_start = 0
        self._backslashes = 0  # backslashes that ended the previous chunk
        self._record_start: int | None = None
        self._tail: bytearray | None = None
        self._tail_done = False
        self.case_tail: bytes | None = None
        self._pending: JsonLimitError | None = None

    # the file protocol the parser (ijson) uses
    def read(self, size: int = -1) -> bytes:
        """The next bytes; those before a bound is passed, then JsonLimitError on the next read
        (so the parser still yields every record before the fault)."""
        if self._pending is not None:
            raise self._pending
        data = self._raw.read(size)
        if data:
            try:
                self._scan(data)
            except JsonLimitError as error:
                cut = max(0, error.at - self.offset)
                if not cut:
                    raise
                self._pending, data = error, data[:cut]
            self.offset += len(data)
        return data

    def tell(self) -> int:
        return self._raw.tell()

    def seek(self, position: int) -> None:
        self._raw.seek(position)
        self._reset()

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> BoundedJson:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- scanning ----------------------------------------------------------------------------

    def _unescaped_quotes(self, data: bytes, a: np.ndarray) -> np.ndarray:
        quotes = np.flatnonzero(a == _QUOTE)
        if not len(quotes) or (b"\\" not in data and not self._backslashes):
            return quotes
        # a quote after an odd run of backslashes is escaped; such quotes are few, so count
        # each run directly rather than for every byte
        keep = np.ones(len(quotes), dtype=bool)
        for number in np.flatnonzero(a[np.maximum(quotes - 1, 0)] == _BACKSLASH).tolist():
            position = int(quotes[number]) - 1
            run = 0
            while position >= 0 and data[position] == _BACKSLASH:
                run, position = run + 1, position - 1
            if position < 0:
                run += self._backslashes
            keep[number] = run % 2 == 0
        if quotes[0] == 0 and self._backslashes % 2:
            keep[0] = False
        return quotes[keep]

    def _scan(self, data: bytes) -> None:
        a = np.frombuffer(data, dtype=np.uint8)
        quotes = self._unescaped_quotes(data, a)
        self._check_strings(quotes, len(a))
        step_of_byte = _STEP[a]
        brackets = np.flatnonzero(step_of_byte)
        if len(brackets) and len(quotes):
            inside = (np.searchsorted(quotes, brackets) + self._in_string) % 2 == 1
            brackets = brackets[~inside]
        elif self._in_string:
            brackets = brackets[:0]
        if len(quotes) % 2:
            self._in_string = not self._in_string
        stripped = len(data) - len(data.rstrip(b"\\"))
        self._backslashes = stripped + (self._backslashes if stripped == len(data) else 0)
        if len(brackets):
            self._track_depth(data, brackets, step_of_byte[brackets])
        elif self._tail is not None:
            self._extend_tail(data)
        if (
            self._record_start is not None
            and self.offset + len(a) - self._record_start > MAX_RECORD
        ):
            raise JsonLimitError(
                f"a record at byte {self._record_start} is larger than {MAX_RECORD >> 20} MiB",
                self._record_start,
            )

    def _check_strings(self, quotes: np.ndarray, length: int) -> None:
        first_start = 1 if self._in_string else 0
        starts = quotes[first_start::2] + self.offset
        ends = quotes[1 - first_start :: 2] + self.offset
        if self._in_string:
            starts = np.concatenate(([self._string_start], starts))
        open_at_end = len(starts) > len(ends)
        if open_at_end:
            ends = np.concatenate((ends, [self.offset + length]))
        longest = int((ends - starts).max()) if len(starts) else 0
        if longest > MAX_STRING:
            at = int(starts[int(np.argmax(ends - starts))])
            raise JsonLimitError(f"a string at byte {at} is longer than {MAX_STRING >> 20} MiB", at)
        if open_at_end:
            self._string_start = int(starts[-1])

    def _track_depth(self, data: bytes, brackets: np.ndarray, step: np.ndarray) -> None:
        depth = self._depth + np.cumsum(step)
        if int(depth.max()) > MAX_DEPTH:
            at = self.offset + int(brackets[int(np.argmax(depth > MAX_DEPTH))])
            raise JsonLimitError(
                f"the JSON is nested deeper than {MAX_DEPTH} levels at byte {at}", at
            )
        opens = brackets[(step == 1) & (depth == self._record_depth)]
        closes = brackets[(step == -1) & (depth == self._record_depth - 1)]
        if len(closes) and (not len(opens) or closes[-1] > opens[-1]):
            self._record_start = None
        if len(opens) and (not len(closes) or opens[-1] > closes[-1]):
            self._record_start = self.offset + int(opens[-1])
        if self._keep_tail and not self._tail_done:
            self._follow_case(data, brackets, step, depth)
        self._depth = int(depth[-1])

    def _follow_case(
        self, data: bytes, brackets: np.ndarray, step: np.ndarray, depth: np.ndarray
    ) -> None:
        """Keep the first Case record's text after its last nested value closes (depth 4 to 3),
        up to the record's own end (depth 3 to 2)."""
        ends = np.flatnonzero((step == -1) & (depth == 2))
        end = int(brackets[ends[0]]) if len(ends) else len(data)
        nested = np.flatnonzero((step == -1) & (depth == 3) & (brackets < end))
        if len(nested):
            self._tail = bytearray()
            self._extend_tail(data[int(brackets[nested[-1]]) + 1 : end])
        elif self._tail is not None:
            self._extend_tail(data[:end])
        if len(ends):
            self._tail_done = True
            self.case_tail = bytes(self._tail) if self._tail is not None else None
            self._tail = None

    def _extend_tail(self, data: bytes) -> None:
        if self._tail is None:
            return
        self._tail += data
        if len(self._tail) > MAX_TAIL:
            self._tail = None
