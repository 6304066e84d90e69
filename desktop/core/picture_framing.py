"""Where a picture sits in its pixels: inside uniform borders and bars, turned inside a flat
frame, or laid on a flat background (a screenshot, a collage)."""

from __future__ import annotations

import numpy as np

BORDER_TOLERANCE = 14.0  # grey levels a border pixel may stray from the border's colour
BORDER_UNIFORM_SHARE = 0.97  # share of the outermost row or column that must match
BAR_SHARE = 0.25  # share of the lines inside a bar that must match (text on a caption bar)
MAX_TRIM_SHARE = 0.45  # never trim more than this much of either side away
MIN_FRAME_ANGLE, MAX_FRAME_ANGLE = 0.7, 12.0  # degrees of turn that are undone before hashing
FRAME_AGREEMENT = 0.5  # degrees within which two views of a turned frame must agree
# A picture laid on a flat background (content_region): at least this share of the outline is
# the background's colour; rows or columns with less picture than 1 - REGION_SEPARATOR of
# them separate regions; the region covers this share of the whole, and is mostly picture.
REGION_OUTLINE_SHARE = 0.5
REGION_SEPARATOR = 0.97
REGION_MIN_SHARE, REGION_MAX_SHARE = 0.12, 0.85
# ... or, when the largest box is not such a region, the largest box off the edges covers at
# least this share, is this much picture, and its most common colour covers less than SMALL_FLAT
SMALL_REGION_SHARE, SMALL_FILLED, SMALL_FLAT = 0.02, 0.8, 0.5
REGION_MIN_FILLED = 0.6
REGION_MARGIN = 0.015  # of the width (height): background on every side of the region


def _median_colour(pixels: np.ndarray) -> np.ndarray:
    """np.median(pixels, axis=0).astype(np.int16) of (n, 3) non-negative integers, without
    np.median's checks (a fifth of the cost: it runs on every edge of every picture)."""
    ordered = np.sort(pixels, axis=0)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle].astype(np.int16)
    return ((ordered[middle - 1].astype(np.int32) + ordered[middle]) // 2).astype(np.int16)


def _near(pixels: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Whether each pixel of (..., 3) int16 is within BORDER_TOLERANCE of `colour` in every
    channel (channel by channel: numpy's loops over a last axis of 3 cost several times more)."""
    apart = np.abs(pixels - colour)
    return (
        (apart[..., 0] <= BORDER_TOLERANCE)
        & (apart[..., 1] <= BORDER_TOLERANCE)
        & (apart[..., 2] <= BORDER_TOLERANCE)
    )


def _uniform_run(lines: np.ndarray, limit: int) -> int:
    """How many leading lines (rows of `lines`) belong to a bar of the first line's colour.

    A bar starts and ends with flat lines of one colour; the lines between need only partly be
    that colour, so a caption bar (text on a flat band) counts as a border as a letterbox does.
    """
    first = lines[0].astype(np.int16)
    colour = _median_colour(first)
    if _near(first, colour).mean() < BORDER_UNIFORM_SHARE:
        return 0  # most pictures: no flat edge, nothing more to look at
    close = _near(lines[:limit].astype(np.int16), colour)
    share = close.mean(axis=1)
    in_bar = share >= BAR_SHARE
    run = limit if in_bar.all() else int(np.argmin(in_bar))
    flat = np.nonzero(share[:run] >= BORDER_UNIFORM_SHARE)[0]
    return int(flat[-1]) + 1


def border_box(rgb: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the picture inside uniform borders, in pixels of `rgb`
    (uint8: each side's lines are widened to int16 only when its first line is flat)."""
    h, w = rgb.shape[:2]
    max_rows, max_cols = int(h * MAX_TRIM_SHARE), int(w * MAX_TRIM_SHARE)
    if max_rows < 1 or max_cols < 1:
        return (0, 0, w, h)
    top = _uniform_run(rgb, max_rows)
    bottom = _uniform_run(rgb[::-1], max_rows)
    columns = rgb.transpose(1, 0, 2)
    left = _uniform_run(columns, max_cols)
    right = _uniform_run(columns[::-1], max_cols)
    return (left, top, w - right, h - bottom)


def _edge_angle(first_row: np.ndarray) -> float | None:
    """Angle of the longer side of a tent-shaped outline (topmost content row per column)."""
    columns = np.nonzero(first_row >= 0)[0]
    if len(columns) < 8:
        return None
    peak = columns[np.argmin(first_row[columns])]
    left, right = columns[columns <= peak], columns[columns >= peak]
    side = left if len(left) >= len(right) else right
    inner = side[len(side) // 5 : len(side) - len(side) // 5]  # away from the corners
    if len(inner) < 6:
        return None
    slope = np.polyfit(inner, first_row[inner], 1)[0]
    return float(-np.degrees(np.arctan(slope)))


def frame_angle(rgb: np.ndarray) -> float | None:
    """Degrees a picture was turned counter-clockwise inside a flat frame (a small rotation with
    the corners filled), or None when it is not.

    The outline of a turned rectangle seen from above is a tent: its longer side is the
    picture's top edge, tilted by the angle. The picture is looked at from all four sides (the
    views from below and from the left see the angle mirrored); at least two views must agree,
    as the picture's own content may melt into the fill on the other sides.
    """
    corners = rgb[[0, 0, -1, -1], [0, -1, 0, -1]].astype(np.float32)
    colour = np.median(corners, axis=0)
    if np.abs(corners - colour).max() > BORDER_TOLERANCE:
        return None
    content = np.abs(rgb.astype(np.float32) - colour).max(axis=2) > BORDER_TOLERANCE
    if content.mean() < 0.25:
        return None
    seen = []
    for view, sign in ((content, 1), (content[::-1], -1), (content.T, -1), (content.T[::-1], 1)):
        present = view.any(axis=0)
        angle = _edge_angle(np.where(present, np.argmax(view, axis=0), -1))
        if angle is not None:
            seen.append(sign * angle)
    agreeing = [a for a in seen if sum(abs(a - b) <= FRAME_AGREEMENT for b in seen) >= 2]
    if not agreeing:
        return None
    angle = float(np.median(agreeing))
    return angle if MIN_FRAME_ANGLE <= abs(angle) <= MAX_FRAME_ANGLE else None


def _runs(keep: np.ndarray, shortest: int) -> list[tuple[int, int]]:
    """(start, end) of each run of True in `keep` at least `shortest` long."""
    edges = np.diff(np.concatenate(([0], keep.astype(np.int8), [0])))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if b - a >= shortest]


def content_region(
    rgb: np.ndarray, margin: float = REGION_MARGIN
) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the largest picture laid on a flat background (a photo
    inside a screenshot of a chat or a web page, the biggest tile of a collage), or None.

    The background is the colour most of the outline has, and it surrounds the region on all
    four sides (a picture against an edge is left to border_box). Rows of background alone cut the
    picture into bands, columns of background alone cut each band into boxes (one round of
    XY-cut, and once more inside the box found): the largest box, if it holds mostly picture
    and is neither tiny nor nearly everything, is the region.
    """
    h, w = rgb.shape[:2]
    outline = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]]).astype(np.int16)
    colour = _median_colour(outline)
    if _near(outline, colour).mean() < REGION_OUTLINE_SHARE:
        return None  # most pictures: no flat background around them
    background = _near(rgb.astype(np.int16), colour)
    boxes = []
    rows_shortest, columns_shortest = max(2, h // 25), max(2, w // 25)
    for top, bottom in _runs(background.mean(axis=1) < REGION_SEPARATOR, rows_shortest):
        band = background[top:bottom]
        for left, right in _runs(band.mean(axis=0) < REGION_SEPARATOR, columns_shortest):
            inside = _runs(background[top:bottom, left:right].mean(axis=1) < REGION_SEPARATOR, 1)
            y0, y1 = top + inside[0][0], top + inside[-1][1]
            boxes.append(((right - left) * (y1 - y0), (left, y0, right, y1)))
    if not boxes:
        return None
    ranked = sorted(boxes, key=lambda found: -found[0])  # the first of equal ones first
    if _is_region(background, ranked[0][1], REGION_MIN_SHARE, REGION_MIN_FILLED, margin):
        return ranked[0][1]
    # else a smaller picture: the largest box off the edges (not the app's title bar), filled
    # (a picture sent small in a chat, a scanned page 11.7% of the window) and not mostly one
    # flat colour (not a text bubble, whose white covers 85% of it)
    inner = [box for _, box in ranked if not _on_edge(box, h, w, margin)]
    if inner and _is_region(background, inner[0], SMALL_REGION_SHARE, SMALL_FILLED, margin):
        left, top, right, bottom = inner[0]
        if _flat_share(rgb[top:bottom, left:right]) < SMALL_FLAT:
            return inner[0]
    return None


def _on_edge(box: tuple[int, int, int, int], h: int, w: int, margin: float) -> bool:
    """Whether a box comes within `margin` (a share of each side) of an edge of the picture."""
    left, top, right, bottom = box
    return min(left, w - right) < margin * w or min(top, h - bottom) < margin * h


def _is_region(
    background: np.ndarray,
    box: tuple[int, int, int, int],
    least: float,
    filled: float,
    margin: float,
) -> bool:
    """Whether a box of the XY-cut is a picture shown on the background: at least `least` of
    the whole and not nearly all of it, off the edges, and at least `filled` not background."""
    h, w = background.shape
    left, top, right, bottom = box
    if not least <= (right - left) * (bottom - top) / (h * w) <= REGION_MAX_SHARE:
        return False
    if _on_edge(box, h, w, margin):
        return False  # touches an edge: borders or bars (border_box's work), or the picture's own
    # mostly background inside: text, icons, not a picture
    return bool(background[top:bottom, left:right].mean() <= 1 - filled)


def _flat_share(rgb: np.ndarray) -> float:
    """The share of a picture its most common colour covers (16 levels a channel)."""
    counts = colour_box_counts(rgb)
    return float(counts.max() / counts.sum())


def channel_rows(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The red, green and blue values of an (h, w, 3) picture, each as one flat row: numpy's
    loops over a last axis of 3 cost several times more than three passes over rows."""
    flat = rgb.reshape(-1, 3)
    return flat[:, 0], flat[:, 1], flat[:, 2]


def colour_box_counts(rgb: np.ndarray) -> np.ndarray:
    """How many pixels of an (h, w, 3) uint8 picture fall in each of 4096 colour boxes (16
    levels a channel; box number r << 8 | g << 4 | b of the levels)."""
    r, g, b = channel_rows(rgb)
    codes = ((r >> 4).astype(np.intp) << 8) | ((g >> 4).astype(np.intp) << 4) | (b >> 4)
    return np.bincount(codes, minlength=4096)
