"""Per-analyst preferences kept with QSettings: blur, greyscale, sizes, timers, recent cases."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from desktop.ui.imaging import DEFAULT_BLUR, MIN_BLUR

ORGANIZATION = "Vigil"
APPLICATION = "Vigil"
MAX_RECENT = 10


class AnalystSettings:
    """Typed access to the analyst's settings; every setter writes through at once."""

    def __init__(self, settings: QSettings | None = None):
        self._s = settings or QSettings(ORGANIZATION, APPLICATION)

    def _int(self, key: str, default: int) -> int:
        try:
            return int(self._s.value(key, default))
        except (TypeError, ValueError):
            return default

    def _bool(self, key: str, default: bool) -> bool:
        value = self._s.value(key, default)
        return value in (True, "true", "1", 1) if not isinstance(value, bool) else value

    @property
    def blur_strength(self) -> int:
        return max(MIN_BLUR, min(100, self._int("view/blur_strength", DEFAULT_BLUR)))

    @blur_strength.setter
    def blur_strength(self, value: int) -> None:
        self._s.setValue("view/blur_strength", max(MIN_BLUR, min(100, int(value))))

    @property
    def greyscale(self) -> bool:
        return self._bool("view/greyscale", False)

    @greyscale.setter
    def greyscale(self, value: bool) -> None:
        self._s.setValue("view/greyscale", bool(value))

    @property
    def thumbnail_size(self) -> int:
        return max(64, min(256, self._int("view/thumbnail_size", 144)))

    @thumbnail_size.setter
    def thumbnail_size(self, value: int) -> None:
        self._s.setValue("view/thumbnail_size", int(value))

    @property
    def reveal_seconds(self) -> int:
        return max(1, min(120, self._int("review/reveal_seconds", 10)))

    @reveal_seconds.setter
    def reveal_seconds(self, value: int) -> None:
        self._s.setValue("review/reveal_seconds", int(value))

    @property
    def break_minutes(self) -> int:
        """Minutes between break reminders; 0 turns them off."""
        return max(0, min(480, self._int("wellbeing/break_minutes", 50)))

    @break_minutes.setter
    def break_minutes(self, value: int) -> None:
        self._s.setValue("wellbeing/break_minutes", int(value))

    @property
    def listen_seconds(self) -> int:
        """The longest a "Listen" toggle plays before it stops by itself."""
        return max(5, min(600, self._int("review/listen_seconds", 30)))

    @listen_seconds.setter
    def listen_seconds(self, value: int) -> None:
        self._s.setValue("review/listen_seconds", int(value))

    @property
    def break_counts_exposure(self) -> bool:
        """The break reminder counts time revealed and heard, not time the case is open."""
        return self._bool("wellbeing/break_counts_exposure", False)

    @break_counts_exposure.setter
    def break_counts_exposure(self, value: bool) -> None:
        self._s.setValue("wellbeing/break_counts_exposure", bool(value))

    @property
    def scheme(self) -> str:
        return str(self._s.value("review/scheme", "") or "")

    @scheme.setter
    def scheme(self, value: str) -> None:
        self._s.setValue("review/scheme", value)

    def layout(self, name: str) -> bytes | None:
        """Saved geometry or splitter state (Qt's own bytes) of a part of the window."""
        value = self._s.value(f"layout/{name}")
        return bytes(value) if value is not None else None

    def set_layout(self, name: str, state: bytes) -> None:
        self._s.setValue(f"layout/{name}", state)

    def recent_cases(self) -> list[str]:
        value = self._s.value("cases/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value or []]

    def add_recent_case(self, path: Path | str) -> None:
        shown = str(Path(path).resolve())
        recent = [shown] + [p for p in self.recent_cases() if p != shown]
        self._s.setValue("cases/recent", recent[:MAX_RECENT])

    def sync(self) -> None:
        self._s.sync()
