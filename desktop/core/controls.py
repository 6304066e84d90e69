"""Hostile text shown to people: control characters spelled out (\\x1b, \\u202e), never obeyed.

File names, clue labels, notes and tag names come from seized media or from whoever made it. A
terminal obeys the escape sequences in them (clear the screen, set the window title, move the
cursor; a carriage return overwrites the line), a browser or spreadsheet obeys the bidirectional
overrides (\\u202e makes "gpj.exe" read "exe.jpg"), and a spreadsheet file cannot hold most C0
controls at all. Every human-readable output (the CLI's, the HTML and XLSX reports) shows text
through `printable`; machine-readable output (JSON, CSV, exports) keeps it exact.
"""

from __future__ import annotations

import html
import re

# C0 and C1 controls (DEL included), and the bidirectional embeddings, overrides and isolates.
_CONTROLS = "\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_PATTERNS: dict[str, re.Pattern[str]] = {}


def printable(text: str, keep: str = "") -> str:
    """`text` with every control character shown escaped, except those in `keep` (a report may
    keep line ends and tabs, which it lays out itself). Idempotent: the escapes are printable."""
    pattern = _PATTERNS.get(keep)
    if pattern is None:
        kept = "".join(f"\\x{ord(ch):02x}" for ch in keep)
        pattern = re.compile(f"(?![{kept}])[{_CONTROLS}]" if keep else f"[{_CONTROLS}]")
        _PATTERNS[keep] = pattern
    return pattern.sub(_escaped, text)


def printable_html(text: str) -> str:
    """`text` for rich text (Qt's labels and text browsers): printable, then HTML-escaped."""
    return html.escape(printable(text))


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
