"""Rectangles in image coordinates (pixels of the picture as displayed): parse, check, clip."""

from __future__ import annotations

from dataclasses import dataclass


class RegionError(ValueError):
    """A rectangle that cannot be used; the message is one sentence for the user."""


@dataclass(frozen=True)
class Region:
    x: int
    y: int
    w: int
    h: int

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom), the form Pillow's crop takes."""
        return (self.x, self.y, self.x + self.w, self.y + self.h)

    def as_dict(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y, "w": self.w, "h": self.h}

    def intersect(self, other: Region) -> Region | None:
        left, top = max(self.x, other.x), max(self.y, other.y)
        right = min(self.x + self.w, other.x + other.w)
        bottom = min(self.y + self.h, other.y + other.h)
        if right <= left or bottom <= top:
            return None
        return Region(left, top, right - left, bottom - top)

    def check_inside(self, width: int | None, height: int | None) -> None:
        """Raise RegionError unless the rectangle has an area and lies inside the picture."""
        if self.w <= 0 or self.h <= 0:
            raise RegionError("A region needs a width and a height of at least one pixel.")
        if self.x < 0 or self.y < 0:
            raise RegionError("A region cannot start left of or above the picture.")
        if width is not None and height is not None:
            if self.x + self.w > width or self.y + self.h > height:
                raise RegionError(
                    f"The region {self.w}x{self.h} at {self.x},{self.y} reaches outside the "
                    f"picture ({width}x{height})."
                )


def parse_region(text: str) -> Region:
    """A region written as X,Y,W,H (whole pixels), as the CLI takes it."""
    parts = [p.strip() for p in text.replace("x", ",").split(",")]
    if len(parts) != 4:
        raise RegionError(f"Write a region as X,Y,W,H in pixels, not {text!r}.")
    try:
        x, y, w, h = (int(p) for p in parts)
    except ValueError:
        raise RegionError(f"Write a region as X,Y,W,H in whole pixels, not {text!r}.") from None
    region = Region(x, y, w, h)
    region.check_inside(None, None)
    return region


def region_from_row(x: int | None, y: int | None, w: int | None, h: int | None) -> Region | None:
    if x is None or y is None or w is None or h is None:
        return None
    return Region(int(x), int(y), int(w), int(h))
