"""Grouping: pairs the hashes only nominate are decided by their pixels (core/aligned_pixels)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from desktop.core.crop_confirmation import NOT_CUT
from desktop.core.samples import jpeg_bytes, scene
from desktop.core.similarity import STRICTNESS
from desktop.jobs.grouping import confirmed_crops
from desktop.jobs.ingest import ingest
from desktop.jobs.similar_media import similar_to_media
from desktop.store import fingerprint_columns
from desktop.store import groups as group_store
from desktop.store.db import open_case


def _faint_page(seed: int) -> Image.Image:
    """A faint scan: a light shading with a patch of fine grain, at a quarter of its contrast.
    Mostly one colour (detail about 20: PDQ must agree within 30 bits), yet PDQ's quality is
    high, so the faint rule (pHash and dHash) is not asked."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:480, 0:640]
    page = 195.0 + 55.0 * (xx / 640 + yy / 480) / 2
    grain = Image.fromarray(np.clip(128 + rng.normal(0, 70, (220, 300)), 0, 255).astype(np.uint8))
    patch = np.asarray(grain.filter(ImageFilter.GaussianBlur(0.6)), dtype=np.float64)
    page[60:280, 250:550] = 110 + (patch - patch.mean()) * 60 / patch.std()
    page = page.mean() / 2 + (page - page.mean()) * 0.25
    grey = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8))
    return Image.merge("RGB", [grey] * 3)


def test_a_faint_page_joins_its_small_jpeg_by_its_pixels(tmp_path):
    """The page and its copy at half the size, JPEG quality 50: PDQ 34 bits apart (beyond the
    30 of pictures mostly of one colour), their pixels agree; another page with the same
    shading and another grain stays apart."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    page = _faint_page(0)
    page.save(evidence / "page.png")
    (evidence / "page_small.jpg").write_bytes(jpeg_bytes(page.resize((320, 240)), 50))
    _faint_page(1).save(evidence / "other_page.png")
    case = tmp_path / "case.vigil"
    ingest(case, [evidence], workers=1)
    db = open_case(case)
    groups = group_store.groups(db, "normal")
    paths = [{path.rsplit("/", 1)[-1] for m in g for path in m["paths"]} for g in groups]
    assert paths == [{"page.png", "page_small.jpg"}]
    assert NOT_CUT in {m["explanation"] for m in groups[0]}
    db.close()


def _scene_and_crops(folder, seed: int) -> None:
    """A photo-like scene, its corner crop (80% x 80%) and, of another scene, a centred crop
    (88% x 88%: a grid window's, not a corner view's)."""
    photo, other = scene(seed, (640, 480)), scene(seed + 1, (640, 480))
    (folder / "photo.jpg").write_bytes(jpeg_bytes(photo, 90))
    (folder / "corner.jpg").write_bytes(jpeg_bytes(photo.crop((128, 96, 640, 480)), 90))
    (folder / "other.jpg").write_bytes(jpeg_bytes(other, 90))
    (folder / "centre.jpg").write_bytes(jpeg_bytes(other.crop((38, 29, 602, 451)), 90))


def _crops_case(tmp_path):
    """A case of _scene_and_crops's four pictures, ingested: (the open case, media id by name)."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    _scene_and_crops(evidence, 61)
    ingest(tmp_path / "case.vigil", [evidence], workers=1)
    db = open_case(tmp_path / "case.vigil")
    return db, {Path(p).name: m for m, p in db.execute("SELECT media_id, path FROM files")}


def test_beyond_the_radius_only_corner_views_nominate_and_the_pixels_decide(tmp_path):
    """With a rule whose crop radius every candidate exceeds (-1), the corner crop, nominated
    by its corner view, is confirmed by its pixels; the centred crop, whose candidate is a
    grid window, is not taken."""
    db, ids = _crops_case(tmp_path)
    found = [m for m in group_store.iter_groups(db, "normal")]
    assert len(found) == 2  # at normal, both crops join their photo
    rule = replace(STRICTNESS["normal"], crop=-1, nominated=6)
    views = fingerprint_columns.masked_coarse_columns(db)
    matches = confirmed_crops(
        db, rule, None, views, [], [], lambda: False, np.zeros((0, 2), dtype=np.int64)
    )
    pairs = {(m.media_a, m.media_b): m.explanation for m in matches}
    corner = tuple(sorted((ids["photo.jpg"], ids["corner.jpg"])))
    assert pairs == {corner: "cropped (one corner kept)"}
    db.close()


def _chat(picture: Image.Image) -> Image.Image:
    """A chat window with the picture as sent (not enlarged), right of the text bubbles."""
    out = Image.new("RGB", (900, 700), (236, 239, 242))
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, 0, 900, 60), fill=(40, 90, 160))
    for row in range(4):
        draw.rounded_rectangle((20, 80 + row * 40, 420, 110 + row * 40), 8, fill=(255, 255, 255))
    out.paste(picture, (900 - picture.width - 30, 260))
    return out


def test_pictures_sent_small_in_a_chat_join_their_photos(tmp_path):
    """128 px photos shown as sent in a chat window (2.6% of it) are found inside the
    screenshots: one joins its photo by PDQ (22 bits), the other by the pixels of the picture
    found inside (PDQ 36 bits, beyond the 30 of screenshots); the two screenshots of one app
    stay apart."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for name, seed in (("a", 61), ("b", 66)):
        photo = scene(seed, (128, 128))
        (evidence / f"photo_{name}.jpg").write_bytes(jpeg_bytes(photo, 92))
        (evidence / f"chat_{name}.jpg").write_bytes(jpeg_bytes(_chat(photo), 90))
    case = tmp_path / "case.vigil"
    ingest(case, [evidence], workers=1)
    db = open_case(case)
    groups = group_store.groups(db, "normal")
    paths = [{path.rsplit("/", 1)[-1] for m in g for path in m["paths"]} for g in groups]
    assert sorted(paths, key=sorted) == [
        {"photo_a.jpg", "chat_a.jpg"},
        {"photo_b.jpg", "chat_b.jpg"},
    ]
    for group in groups:
        assert {m["explanation"] for m in group} == {"shown inside a screenshot or collage"}
    db.close()


def test_similar_search_takes_nominated_crops_as_the_grouping_does(tmp_path, monkeypatch):
    """`vigil similar` of the photo, under a normal rule whose crop radius every candidate
    exceeds: the corner crop is found as a confirmed crop (its corner view nominates it, its
    pixels confirm it), the centred crop of the other scene is not."""
    db, ids = _crops_case(tmp_path)
    monkeypatch.setitem(STRICTNESS, "normal", replace(STRICTNESS["normal"], crop=-1, nominated=6))
    found = {e["media_id"]: e["explanation"] for e in similar_to_media(db, ids["photo.jpg"], 10)}
    assert found[ids["corner.jpg"]] == "cropped (one corner kept)"
    found = {e["media_id"]: e["explanation"] for e in similar_to_media(db, ids["other.jpg"], 10)}
    assert found.get(ids["centre.jpg"]) != "cropped (part of the picture kept)"
    db.close()
