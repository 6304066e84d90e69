"""Stored thumbnails of a batch of media, each decoded, and its local features computed, once."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from desktop.core.features import Features, local_features
from desktop.core.picture_framing import content_region

THUMBNAIL_MARGIN = 0.005  # of each side: how near its edges a thumbnail's region may come


def thumbnail_pixels(jpeg: bytes) -> np.ndarray:
    """A stored thumbnail as an (h, w, 3) array."""
    with Image.open(io.BytesIO(jpeg)) as img:
        return np.asarray(img.convert("RGB"))


class ThumbnailBatch:
    """Stored thumbnails of a batch of media, decoded and their local features computed once
    each, when first asked for."""

    def __init__(self, stored: dict[int, bytes], decoded: dict[int, np.ndarray] | None = None):
        """`stored`: thumbnails (JPEG) by media id; `decoded`: pictures already decoded (a
        query picture given as pixels) by the id they are asked for by."""
        self._stored = {m: jpeg for m, jpeg in stored.items() if jpeg is not None}
        self._pixels: dict[int, np.ndarray] = dict(decoded or {})
        self._features: dict[int, Features] = {}
        self._regions: dict[int, np.ndarray | None] = {}

    def __contains__(self, media_id: int) -> bool:
        return media_id in self._stored or media_id in self._pixels

    def __getitem__(self, media_id: int) -> np.ndarray:
        if media_id not in self._pixels:
            self._pixels[media_id] = thumbnail_pixels(self._stored[media_id])
        return self._pixels[media_id]

    def features(self, media_id: int) -> Features:
        if media_id not in self._features:
            self._features[media_id] = local_features(self[media_id])
        return self._features[media_id]

    def region(self, media_id: int) -> np.ndarray | None:
        """The picture found inside a screenshot's thumbnail (picture_framing.content_region, as
        ingest found it in the working copy of the same size), or None. Up to half a percent
        from the edges: the thumbnail's JPEG smears a picture's colours 2-4 px into the
        window's ground, which moves a picture 30 px from the window's edge (8 px of 256)
        against it by the working copy's margin."""
        if media_id not in self._regions:
            pixels = self[media_id]
            box = content_region(pixels, THUMBNAIL_MARGIN)
            self._regions[media_id] = (
                None
                if box is None
                else np.ascontiguousarray(pixels[box[1] : box[3], box[0] : box[2]])
            )
        return self._regions[media_id]
