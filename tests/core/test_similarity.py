"""Fingerprints survive the common edits; unrelated and near-uniform pictures stay apart."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from desktop.core.fingerprints import detail_score, dihedral_pdq, extra_hashes
from desktop.core.hashing import hamming_hex, perceptual_hashes
from desktop.core.match_groups import UnionFind, group_matches
from desktop.core.media import decode_reduced
from desktop.core.pdq import pdq_hash
from desktop.core.pdq_distances import turned_distances
from desktop.core.picture_framing import _median_colour, border_box, content_region, frame_angle
from desktop.core.samples import EDITS, jpeg_bytes, scene
from desktop.core.similar_ranking import rank_similar
from desktop.core.similarity import (
    STRICTNESS,
    build_fingerprints,
    candidate_pairs,
    verified_matches,
)


def _decoded(img: Image.Image, quality: int = 80) -> Image.Image:
    return decode_reduced(jpeg_bytes(img, quality)).image


def _records(pictures: dict[int, Image.Image]):
    for media_id, img in pictures.items():
        decoded = _decoded(img)
        for h in perceptual_hashes(decoded) + extra_hashes(decoded):
            yield media_id, h.algorithm, h.variant, h.hex, h.quality


def _groups(pictures: dict[int, Image.Image], level: str = "normal") -> list[list[int]]:
    fp = build_fingerprints(_records(pictures))
    return group_matches([], verified_matches(fp, STRICTNESS[level]))


@pytest.fixture(scope="module")
def edited_scene():
    img = scene(7, (320, 240))
    pictures = {1: img}
    turns = {
        "rot90": img.transpose(Image.Transpose.ROTATE_90),
        "rot180": img.transpose(Image.Transpose.ROTATE_180),
        "letterbox": ImageOps.expand(img, border=(0, 40), fill=(0, 0, 0)),
        "jpeg25": decode_reduced(jpeg_bytes(img, 25)).image,
    }
    # crops and caption bars move the picture inside the frame: whole-picture hashes miss them
    # (crops are confirmed on thumbnails by the grouping job, tested there)
    kept = [n for n in EDITS if n not in ("cropped", "captioned")]
    for offset, edited in enumerate([*(EDITS[n](img) for n in kept),
                                     *turns.values()]):  # fmt: skip
        pictures[10 + offset] = edited
    for other in range(3):
        pictures[100 + other] = scene(50 + other, (320, 240))
    return pictures


def test_edited_copies_group_with_their_original(edited_scene):
    groups = _groups(edited_scene)
    assert len(groups) == 1
    copies = {m for m in edited_scene if 1 <= m < 100}
    assert copies <= set(groups[0])
    assert not set(groups[0]) & {100, 101, 102}


def test_strict_groups_no_more_than_loose(edited_scene):
    strict = sum(len(g) for g in _groups(edited_scene, "strict"))
    loose = sum(len(g) for g in _groups(edited_scene, "loose"))
    assert 0 < strict <= loose


def _flat_and_weak_pictures() -> dict[int, Image.Image]:
    pictures = {}
    for i, colour in enumerate([(10, 10, 10), (200, 30, 30), (30, 30, 200), (250, 250, 250)]):
        pictures[i + 1] = Image.new("RGB", (320, 240), colour)
    ramp = np.tile(np.linspace(0, 255, 320, dtype=np.uint8), (240, 1))
    pictures[10] = Image.fromarray(np.stack([ramp] * 3, axis=2))
    pictures[11] = Image.fromarray(np.stack([ramp, ramp // 2, 255 - ramp], axis=2))
    pictures[12] = Image.fromarray(np.stack([ramp.T[:240, :240]] * 3, axis=2)).resize((320, 240))
    for i in range(3):  # dark frames with sensor noise
        noise = np.random.default_rng(i).integers(0, 12, (240, 320, 3), dtype=np.uint8)
        pictures[20 + i] = Image.fromarray(noise)
    for i in range(3):  # text-only screenshots
        page = Image.new("RGB", (320, 240), (255, 255, 255))
        draw = ImageDraw.Draw(page)
        for line in range(10):
            draw.text((8, 8 + line * 22), f"line {line * (i + 3)} of note {i} " * 2, fill=(0, 0, 0))
        pictures[30 + i] = page
    return pictures


def test_near_uniform_pictures_do_not_group():
    for level in STRICTNESS:
        assert _groups(_flat_and_weak_pictures(), level) == []


def test_border_box_finds_letterbox_and_leaves_a_photo_alone():
    img = np.asarray(scene(3, (200, 150)))
    boxed = np.zeros((210, 200, 3), dtype=np.uint8)
    boxed[30:180] = img
    assert border_box(boxed) == (0, 30, 200, 180)
    assert border_box(img) == (0, 0, 200, 150)


def test_union_find_merges_incrementally():
    sets = UnionFind()
    sets.union(5, 6)
    sets.union(7, 6)
    sets.union(1, 2)
    assert sets.groups() == [[5, 6, 7], [1, 2]]


def test_fingerprints_skip_pictures_without_engine_hashes():
    img = _decoded(scene(1, (160, 120)))
    records = [(1, h.algorithm, h.variant, h.hex, h.quality) for h in perceptual_hashes(img)]
    assert len(build_fingerprints(records)) == 0
    buffer = io.BytesIO()
    img.save(buffer, "PNG")
    assert buffer.getvalue()


def test_small_turn_in_a_frame_is_measured_and_grouped():
    img = scene(11, (320, 240))
    turned = img.rotate(3, Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0))
    angle = frame_angle(np.asarray(turned))
    assert angle is not None and abs(angle - 3) < 0.7
    assert frame_angle(np.asarray(img)) is None
    letterboxed = ImageOps.expand(img, border=(0, 30), fill=(0, 0, 0))
    assert frame_angle(np.asarray(letterboxed)) is None
    assert _groups({1: img, 2: turned, 3: scene(12, (320, 240))}) == [[1, 2]]


def test_caption_bar_is_trimmed_like_a_border():
    img = scene(13, (320, 240))
    captioned = ImageOps.expand(img, border=(0, 0, 0, 40), fill=(255, 255, 255))
    ImageDraw.Draw(captioned).text((8, 250), "a caption under the picture", fill=(0, 0, 0))
    assert border_box(np.asarray(captioned))[3] <= 242
    assert _groups({1: img, 2: captioned}) == [[1, 2]]


def _chat_screenshot(img: Image.Image, texts: int = 0) -> Image.Image:
    """`img` shown at about half size inside a flat app window with a title bar and messages."""
    window = Image.new("RGB", (600, 460), (236, 239, 242))
    draw = ImageDraw.Draw(window)
    draw.rectangle((0, 0, 600, 40), fill=(40, 90, 160))
    draw.text((12, 12), "Chat 14:32", fill=(255, 255, 255))
    for row in range(3):
        draw.rounded_rectangle((12, 52 + row * 30, 300, 74 + row * 30), 6, fill=(255, 255, 255))
        draw.text((20, 56 + row * 30), f"message {row + texts} from a contact", fill=(0, 0, 0))
    shown = img.copy()
    shown.thumbnail((340, 260))
    window.paste(shown, (600 - shown.width - 20, 160))
    return window


def test_picture_inside_a_screenshot_is_found_and_explained():
    pictures = {i: scene(60 + i, (480, 360)) for i in range(1, 4)}
    shot = _chat_screenshot(pictures[1])
    left, top, right, bottom = content_region(np.asarray(shot))
    # the pasted picture (240..580 x 160..415), not the window, bar or messages
    assert abs(left - 240) <= 3 and abs(top - 160) <= 3
    assert abs(right - 580) <= 3 and abs(bottom - 415) <= 3
    pictures[11] = shot
    pictures[12] = _chat_screenshot(pictures[2], texts=5)
    fp = build_fingerprints(_records(pictures))
    found = {
        (m.media_a, m.media_b): m.explanation for m in verified_matches(fp, STRICTNESS["normal"])
    }
    # each screenshot meets its own picture, never the other screenshot (same app window)
    assert set(found) == {(1, 11), (2, 12)}
    assert found[(1, 11)] == "shown inside a screenshot or collage"


def test_no_region_in_photos_or_pictures_against_an_edge():
    assert content_region(np.asarray(scene(5, (320, 240)))) is None
    letterboxed = ImageOps.expand(scene(5, (320, 240)), border=(0, 40), fill=(0, 0, 0))
    assert content_region(np.asarray(letterboxed)) is None  # border_box's work
    assert content_region(np.asarray(_flat_and_weak_pictures()[30])) is None  # a text page


def _watermarked(img: Image.Image, text: str = "www.example-site.test") -> Image.Image:
    """A nearly opaque box with text over the lower left (12% of the picture), as sites stamp:
    PDQ of the whole picture moves 46-56 bits, beyond every strictness."""
    base = img.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    w, h = base.size
    box = (w // 20, h * 3 // 4, w // 20 + w * 6 // 10, h * 3 // 4 + h // 5)
    draw.rectangle(box, fill=(255, 255, 255, 200))
    draw.text((box[0] + 4, box[1] + 4), text, fill=(0, 0, 0, 160))
    return Image.alpha_composite(base, layer).convert("RGB")


def test_watermarked_copy_is_found_through_a_masked_view():
    pictures = {i: scene(40 + i, (320, 240)) for i in range(1, 5)}
    pictures[11] = _watermarked(pictures[1])
    pictures[12] = _watermarked(pictures[2], "another stamp")
    fp = build_fingerprints(_records(pictures))
    matches = verified_matches(fp, STRICTNESS["normal"])
    found = {(m.media_a, m.media_b): m.explanation for m in matches}
    assert set(found) == {(1, 11), (2, 12)}  # the two stamped pictures stay apart
    assert any("watermark" in explanation for explanation in found.values())


def test_masked_views_only_for_detailed_pictures():
    page = _flat_and_weak_pictures()[30]
    assert not [
        h
        for h in extra_hashes(_decoded(page))
        if h.variant.startswith("without.") or h.algorithm == "mask64"
    ]
    photo = {(h.algorithm, h.variant): h for h in extra_hashes(_decoded(scene(5, (320, 240))))}
    assert ("pdq", "without.top") in photo and len(photo["mask64", "views"].hex) == 64


def test_fingerprints_from_before_masked_views_use_the_trimmed_hash():
    img = _decoded(scene(6, (320, 240)))
    records = [
        (1, h.algorithm, h.variant, h.hex, h.quality)
        for h in perceptual_hashes(img) + extra_hashes(img)
        if not h.variant.startswith("without.") and h.algorithm != "mask64"
    ]
    fp = build_fingerprints(records)
    assert len(fp) == 1 and (fp.masked[0] == fp.oriented[0, 0]).all()


def test_each_orientation_is_the_hash_of_the_turned_picture():
    """The eight trimmed PDQ hashes come from one compute_dihedral call on a square copy; each
    must be the hash of the picture turned the way its name says, and undo that turn."""
    img = scene(11, (320, 240))
    hashes = {h.variant: h.hex for h in extra_hashes(img) if h.algorithm == "pdq"}
    t = Image.Transpose
    for name, turn, undo in (
        ("trim.rot90", t.ROTATE_90, t.ROTATE_270),  # counter-clockwise, as numpy's rot90
        ("trim.rot180", t.ROTATE_180, t.ROTATE_180),
        ("trim.rot270", t.ROTATE_270, t.ROTATE_90),
        ("trim.mirror", t.FLIP_LEFT_RIGHT, t.FLIP_LEFT_RIGHT),
        ("trim.flip", t.FLIP_TOP_BOTTOM, t.FLIP_TOP_BOTTOM),
        ("trim.transpose", t.TRANSPOSE, t.TRANSPOSE),
        ("trim.transverse", t.TRANSVERSE, t.TRANSVERSE),
    ):
        turned = {h.variant: h.hex for h in extra_hashes(img.transpose(turn))}
        undone = {h.variant: h.hex for h in extra_hashes(img.transpose(undo))}
        # within resampling (0-16 bits here); a wrong orientation is about 100 bits off
        assert hamming_hex(turned["trim"], hashes[name]) <= 24, name
        assert hamming_hex(undone[name], hashes["trim"]) <= 24, name


# each orientation's name -> the pixel transform it stands for (the picture with the edit undone)
DIHEDRAL = {
    "trim": lambda a: a,
    "trim.rot90": lambda a: np.rot90(a, 1),
    "trim.rot180": lambda a: np.rot90(a, 2),
    "trim.rot270": lambda a: np.rot90(a, 3),
    "trim.mirror": lambda a: a[:, ::-1],
    "trim.flip": lambda a: a[::-1],
    "trim.transpose": lambda a: a.transpose(1, 0, 2),
    "trim.transverse": lambda a: np.rot90(a, 2).transpose(1, 0, 2),
}


def test_orientations_from_one_pass_equal_hashes_of_the_turned_square():
    """dihedral_pdq turns PDQ's coefficients; each must be bit for bit the hash of the square
    turned by DIHEDRAL's pixel transform, and the plain one PDQ's own hash (core/pdq.py, itself
    checked against Meta's reference in test_pdq.py)."""
    square = np.asarray(scene(12, (64, 64)))
    turned = {h.variant: h for h in dihedral_pdq(square)}
    for name, transform in DIHEDRAL.items():
        pixels = np.ascontiguousarray(transform(square))
        assert turned[name].hex == pdq_hash(pixels)[0], name
    plain, quality = pdq_hash(np.ascontiguousarray(square))
    assert turned["trim"].hex == plain and abs(turned["trim"].quality - quality) <= 1


def test_one_distance_per_pair_whichever_side_asks(edited_scene):
    fp = build_fingerprints(_records(edited_scene))
    ranked = {
        int(media_id): {
            other: distance
            for other, distance, _, _ in rank_similar(
                fp, fp.original[row], fp.oriented[row], int(fp.quality[row]), len(fp), media_id
            )
        }
        for row, media_id in enumerate(fp.ids)
    }
    asymmetric = [(a, b) for a in ranked for b in ranked[a] if ranked[a][b] != ranked[b][a]]
    assert not asymmetric
    rows = np.arange(len(fp))
    a, b = np.repeat(rows, len(fp)), np.tile(rows, len(fp))
    forward = turned_distances(fp.original[a], fp.oriented[a], fp.original[b], fp.oriented[b])
    backward = turned_distances(fp.original[b], fp.oriented[b], fp.original[a], fp.oriented[a])
    assert (forward[0] == backward[0]).all()


def test_candidates_leave_out_pictures_smooth_in_every_row():
    words = np.full((6, 1), 0x0123456789ABCDEF, dtype=np.uint64)  # six alike dct64 hashes
    ids = np.array([1, 2, 3, 4, 5, 5])  # media 5 has two rows: one smooth, one detailed
    detail = np.array([40, 40, 0, 0, 0, 30])  # 3 and 4 smooth or uniform
    views = np.zeros((6, 4), dtype=np.uint64)
    a, b = candidate_pairs((ids, words, detail), STRICTNESS["normal"], None, (ids, views, detail))
    assert sorted(zip(a.tolist(), b.tolist(), strict=True)) == [(1, 2), (1, 5), (2, 5)]


def _plain_detail_share(work: np.ndarray) -> int:
    """detail_score's colour share written plainly (its loops over the channel axis)."""
    levels = (work >> 4).astype(np.uint16)
    codes = (levels[..., 0] << 8) | (levels[..., 1] << 4) | levels[..., 2]
    dominant = int(np.bincount(codes.ravel(), minlength=4096).argmax())
    colour = np.array([dominant >> 8, dominant >> 4 & 15, dominant & 15]) * 16 + 8
    close = (np.abs(work.astype(int) - colour) <= 16).all(axis=2)
    return max(1, int(round(100 * (1 - close.mean()))))


def test_detail_score_and_border_colour_are_the_plain_formulas():
    rng = np.random.default_rng(5)
    pictures = [np.asarray(scene(seed, (128, 96))) for seed in range(30)]
    for seed in range(10):  # a flat ground with a few shapes: a large dominant share
        img = Image.new("RGB", (128, 96), tuple(int(c) for c in rng.integers(0, 256, 3)))
        ImageDraw.Draw(img).rectangle((20 + seed, 10, 90, 60 + seed), fill=(250, 10, 10))
        pictures.append(np.asarray(img))
    scores = [detail_score(work) for work in pictures]
    assert sum(score > 0 for score in scores) >= 30
    for work, score in zip(pictures, scores, strict=True):
        assert score == 0 or score == _plain_detail_share(work)
    for n in (1, 2, 3, 255, 256, 1023, 1024):
        pixels = rng.integers(0, 256, (n, 3)).astype(np.int16)
        assert (_median_colour(pixels) == np.median(pixels, axis=0).astype(np.int16)).all()
