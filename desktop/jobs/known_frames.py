"""Perceptual hits against the hash library turned into known-material matches, with videos:
a video's frame that matches a known picture says when; frames of a known video (vPDQ lists,
VICS vPDQ hashes) are summed up per known video, as vPDQ does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# vPDQ's own rule (ThreatExchange): the query is that video when this share of its frames of
# quality 50 or more match a frame of it within 31 bits.
VPDQ_QUERY_SHARE = 0.8


@dataclass(frozen=True)
class Hit:
    """One perceptual hash of a case media within the rule's distance of a library record."""

    media_id: int
    record_id: int
    matched_on: str  # pdq, phash, or the stored PDQ form that matched (jobs/match.py)
    distance: int
    time: float | None  # the case media's frame (None: the media is a picture)


def matches(
    hits: list[Hit],
    records: Mapping[int, dict[str, Any]],
    seen: set[tuple[int, int]],
    frames_looked_up: Mapping[int, int],
    names: Mapping[str, str],
) -> list[dict[str, Any]]:
    """One match per (media, record) for hashes of pictures; one per (media, known video) for
    frames of known videos, with how many of the media's frames matched. `hits` sorted by
    media and distance; `seen` holds (media, record) pairs already matched exactly;
    `frames_looked_up` counts each video's frames good enough to be looked up; `names` says
    in words what each stored form a hit matched on is."""
    found: list[dict[str, Any]] = []
    videos: dict[tuple[int, str, str], list[Hit]] = {}
    for hit in hits:
        record = records[hit.record_id]
        if record.get("video") is not None:  # frames of a known video carry no digests
            videos.setdefault((hit.media_id, record["set_name"], record["video"]), []).append(hit)
            continue
        if (hit.media_id, hit.record_id) in seen:
            continue  # the same record already matched exactly, or a nearer frame did
        seen.add((hit.media_id, hit.record_id))
        # even distance 0 stays perceptual: a different file can share a perceptual hash
        found.append(_match(record, hit, None if hit.time is None else 1, names))
    for (media_id, _, _), video_hits in videos.items():
        best = min(video_hits, key=lambda h: h.distance)
        match = _match(records[best.record_id], best, None, names)
        if best.time is None:  # a picture of the case: a frame of the known video
            match["matched_on"] = "pdq (a frame of a known video)"
        else:
            frames = len({h.time for h in video_hits})
            share = frames / max(frames_looked_up.get(media_id, 1), 1)
            match["matched_on"] = "vpdq" if share >= VPDQ_QUERY_SHARE else "vpdq part"
            match["frames"] = frames
        found.append(match)
    return found


def _match(
    record: dict[str, Any], hit: Hit, frames: int | None, names: Mapping[str, str]
) -> dict[str, Any]:
    matched_on = names.get(hit.matched_on, hit.matched_on)
    return {
        **record,
        "media_id": hit.media_id,
        "origin": "library",
        "kind": "perceptual",
        "matched_on": matched_on if hit.time is None else f"{matched_on} frame",
        "distance": hit.distance,
        "time": hit.time,
        "known_time": record.get("frame_time"),
        "frames": frames,
    }
