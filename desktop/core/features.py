"""Local features: do two pictures show the same thing, placed, scaled or turned differently?

The hashes cannot settle some candidates: a textured picture (brick, grass, gravel) whose PDQ
moves 40-70 bits under a resize, a picture inside a screenshot, a crop whose alignment
leaves PDQ just beyond the rule. For those only (never at ingest), ORB keypoints of the two
stored thumbnails are matched (Lowe's ratio test) and a similarity transform (shift, scale,
turn) is fitted with RANSAC: copies share 30 to 450 inlying matches, different pictures
measured at most 48 (textures against textures), so a pair is confirmed from
MIN_INLIERS, provided the transform puts the copy where the hashes' alignment did (two
screenshots of one app match on their window frames, one to one). About 15-20 ms a pair on
256 px thumbnails.
"""

from __future__ import annotations

import cv2
import numpy as np

MIN_INLIERS = 60
RATIO = 0.8  # Lowe's ratio test: the best match must be this much nearer than the second
REPROJECTION = 3.0  # pixels (of a 256 px thumbnail) an inlier may lie from the fitted place
MAX_FEATURES = 500
PLACE_SLACK = 0.06  # share of the picture the features' placement may stray from the aligned box
SCALE_SLACK = 0.12  # and share of its size

cv2.setNumThreads(1)  # each grouping worker is one core's worth; OpenCV would spawn a pool
_ORB = cv2.ORB.create(nfeatures=MAX_FEATURES, fastThreshold=10, edgeThreshold=15, patchSize=15)
_MATCHER = cv2.BFMatcher(cv2.NORM_HAMMING)

Features = tuple[np.ndarray, np.ndarray | None]  # (k, 2) keypoint places, (k, 32) descriptors


def local_features(rgb: np.ndarray) -> Features:
    """ORB keypoints (places) and descriptors of an (h, w, 3) uint8 picture."""
    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    keypoints, descriptors = _ORB.detectAndCompute(grey, None)
    places = np.array([k.pt for k in keypoints], dtype=np.float32).reshape(-1, 2)
    return places, descriptors


def placement(a: Features, b: Features) -> tuple[int, np.ndarray | None]:
    """(inliers, 2 x 3 matrix): how many matches of a's keypoints to b's agree with one
    similarity transform (shift, scale, turn) taking a's pixels to b's, and that transform."""
    (places_a, descriptors_a), (places_b, descriptors_b) = a, b
    if descriptors_a is None or descriptors_b is None or min(len(places_a), len(places_b)) < 8:
        return 0, None
    pairs = _MATCHER.knnMatch(descriptors_a, descriptors_b, k=2)
    good = [m[0] for m in pairs if len(m) == 2 and m[0].distance < RATIO * m[1].distance]
    if len(good) < 8:
        return 0, None
    source = places_a[[m.queryIdx for m in good]]
    target = places_b[[m.trainIdx for m in good]]
    cv2.setRNGSeed(1)  # RANSAC draws samples at random: the same pair, the same answer
    matrix, mask = cv2.estimateAffinePartial2D(
        source, target, method=cv2.RANSAC, ransacReprojThreshold=REPROJECTION
    )
    return (int(mask.sum()), matrix) if mask is not None else (0, None)


def inliers(a: Features, b: Features) -> int:
    """How many matches of a's keypoints to b's agree with one similarity transform."""
    return placement(a, b)[0]


def agrees(
    matrix: np.ndarray, size: tuple[int, int], box: tuple[int, int, int, int], of: tuple[int, int]
) -> bool:
    """Whether a transform puts a picture of `size` (w, h) where `box` (left, top, width,
    height) lies in a picture of size `of` (w, h): its centre within PLACE_SLACK of that
    picture's size and its scale within SCALE_SLACK. Matches that agree on another place
    (two screenshots of one app: their window frames match one to one) confirm nothing."""
    w, h = size
    centre = matrix @ np.array([w / 2, h / 2, 1.0])
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    left, top, box_w, box_h = box
    off = np.abs(centre - (left + box_w / 2, top + box_h / 2)) / np.array(of, dtype=float)
    return bool((off <= PLACE_SLACK).all() and abs(scale * w / box_w - 1) <= SCALE_SLACK)
