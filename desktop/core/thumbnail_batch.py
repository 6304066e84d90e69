"""Stored thumbnails of a batch of media, each decoded, and its local features computed, once."""

from __future__ import annotations

import numpy as np

from desktop.core.crops import thumbnail_pixels
from desktop.core.features import Features, local_features


class ThumbnailBatch:
    """Stored thumbnails of a batch of media, decoded and their local features computed once
    each, when first asked for."""

    def __init__(self, stored: dict[int, bytes]):
        self._stored = {m: jpeg for m, jpeg in stored.items() if jpeg is not None}
        self._pixels: dict[int, np.ndarray] = {}
        self._features: dict[int, Features] = {}

    def __contains__(self, media_id: int) -> bool:
        return media_id in self._stored

    def __getitem__(self, media_id: int) -> np.ndarray:
        if media_id not in self._pixels:
            self._pixels[media_id] = thumbnail_pixels(self._stored[media_id])
        return self._pixels[media_id]

    def features(self, media_id: int) -> Features:
        if media_id not in self._features:
            self._features[media_id] = local_features(self[media_id])
        return self._features[media_id]
