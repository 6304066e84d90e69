"""The grouping job: groups after ingest, incremental lookups of new media only, strictness."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from desktop.core.samples import jpeg_bytes, scene
from desktop.jobs.grouping import update_groups
from desktop.jobs.ingest import ingest
from desktop.store import fingerprint_columns
from desktop.store import groups as group_store
from desktop.store.db import open_case


def _paths_of(found):
    return [{path.rsplit("/", 1)[-1] for m in g for path in m["paths"]} for g in found]


def test_ingest_groups_the_sample_variants(sample_case):
    db = open_case(sample_case)
    found = group_store.groups(db, "normal")
    assert found, "ingest should leave near-duplicate groups behind"
    for names in _paths_of(found):
        scenes = {n[6:8] if n.startswith("IMG") else n[2:4] for n in names}
        assert len(scenes) == 1, f"a group mixes different scenes: {names}"
    db.close()


def test_update_is_incremental(sample_case, tmp_path):
    db = open_case(sample_case)
    first = update_groups(db)
    assert first.incremental and first.queried == 0
    db.close()
    extra = tmp_path / "more"
    extra.mkdir()
    img = scene(4, (320, 240))  # scene 4 is in the sample evidence as IMG_1004.jpg
    (extra / "copy_small.jpg").write_bytes(jpeg_bytes(img.resize((200, 150)), 70))
    (extra / "unrelated.jpg").write_bytes(jpeg_bytes(scene(999, (320, 240)), 80))
    ingest(sample_case, [extra], workers=1)
    db = open_case(sample_case)
    state = group_store.state(db, "normal")
    assert state is not None and state[0] == fingerprint_columns.last_media_id(db)
    grouped = {p for g in group_store.groups(db, "normal") for m in g for p in m["paths"]}
    assert any(p.endswith("copy_small.jpg") for p in grouped)
    assert not any(p.endswith("unrelated.jpg") for p in grouped)
    _assert_packed_copy_reads_as_the_rows(db)  # a block at the first run, one for the new media
    rebuilt = update_groups(db, rebuild=True)
    assert not rebuilt.incremental and rebuilt.queried == rebuilt.media
    _assert_packed_copy_reads_as_the_rows(db)
    db.close()


def _assert_packed_copy_reads_as_the_rows(db):
    assert db.execute("SELECT COUNT(*) FROM similarity_cache").fetchone()[0] > 0
    for kind, (algorithm, variant, bits) in fingerprint_columns.PACKED_KINDS.items():
        packed = fingerprint_columns.packed_columns(db, kind)
        rows = fingerprint_columns.hash_columns(db, algorithm, variant, bits)
        order_packed = np.lexsort((*packed[1].T, packed[0]))
        order_rows = np.lexsort((*rows[1].T, rows[0]))
        for a, b in zip(packed, rows, strict=True):
            assert np.array_equal(a[order_packed], b[order_rows]), kind


def test_strictness_is_stored_and_audited(sample_case):
    db = open_case(sample_case)
    assert group_store.strictness(db) == "normal"
    group_store.set_strictness(db, "strict")
    assert group_store.strictness(db) == "strict"
    actions = [r[0] for r in db.execute("SELECT action FROM audit_events")]
    assert "groups.strictness" in actions
    summary = update_groups(db)
    assert summary.strictness == "strict"
    strict = sum(len(g) for g in group_store.groups(db, "strict"))
    normal = sum(len(g) for g in group_store.groups(db, "normal"))
    assert strict <= normal
    db.close()


def test_fingerprints_of_some_media_match_the_full_read(sample_case):
    import numpy as np

    db = open_case(sample_case)
    full = fingerprint_columns.fingerprints(db)
    some = full.ids[:3]
    part = fingerprint_columns.hash_columns(db, "pdq", "trim", 256, some)
    assert sorted(part[0].tolist()) == sorted(some.tolist())
    rows = np.searchsorted(full.ids, part[0])
    assert (part[1] == full.oriented[rows, 0]).all()
    db.close()


def test_a_copy_ingested_later_joins_its_group_with_an_explanation(tmp_path):
    from PIL import Image

    evidence = tmp_path / "evidence"
    evidence.mkdir()
    img = scene(21, (320, 240))
    (evidence / "a.jpg").write_bytes(jpeg_bytes(img, 90))
    (evidence / "a_small.jpg").write_bytes(jpeg_bytes(img.resize((160, 120)), 80))
    mirrored = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    case = tmp_path / "case.vigil"
    ingest(case, [evidence], workers=1)
    more = tmp_path / "more"
    more.mkdir()
    (more / "b.png").write_bytes(jpeg_bytes(mirrored, 85))
    ingest(case, [more], workers=1)
    db = open_case(case)
    found = group_store.groups(db, "normal")
    assert len(found) == 1 and len(found[0]) == 3
    names = {p.rsplit("/", 1)[-1]: m for m in found[0] for p in m["paths"]}
    assert names["b.png"]["explanation"] == "mirrored"
    assert sum(m["representative"] for m in found[0]) == 1
    db.close()


def test_engine_change_rebuilds(sample_case):
    db = open_case(sample_case)
    db.execute("UPDATE similarity_state SET engine = 'older engine'")
    summary = update_groups(db)
    assert not summary.incremental and summary.queried == summary.media
    db.close()


def test_grouping_failure_after_ingest_is_recorded_not_raised(sample_case, monkeypatch):
    import desktop.jobs.grouping as grouping

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(grouping, "update_groups", broken)
    db = open_case(sample_case)
    grouping.update_groups_after_ingest(db, lambda *a: None, lambda: False)
    row = db.execute(
        "SELECT after FROM audit_events WHERE action = 'groups.failed' ORDER BY id DESC"
    ).fetchone()
    assert row is not None and "disk full" in row[0]
    db.close()


def test_watermarked_copy_groups_and_is_found_by_similar_search(tmp_path):
    from PIL import Image, ImageDraw

    from desktop.jobs.similar_media import similar_to_file

    img = scene(42, (320, 240))
    stamped = img.convert("RGBA")
    layer = Image.new("RGBA", stamped.size, (0, 0, 0, 0))
    ImageDraw.Draw(layer).rectangle((16, 180, 208, 228), fill=(255, 255, 255, 200))
    stamped = Image.alpha_composite(stamped, layer).convert("RGB")
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "a.jpg").write_bytes(jpeg_bytes(img, 90))
    (evidence / "stamped.jpg").write_bytes(jpeg_bytes(stamped, 85))
    (evidence / "other.jpg").write_bytes(jpeg_bytes(scene(43, (320, 240)), 90))
    case = tmp_path / "case.vigil"
    ingest(case, [evidence], workers=1)
    db = open_case(case)
    assert _paths_of(group_store.groups(db, "normal")) == [{"a.jpg", "stamped.jpg"}]
    query = tmp_path / "query.png"
    stamped.save(query)
    found = {m["paths"][0].rsplit("/", 1)[-1]: m for m in similar_to_file(db, query, 3)}
    assert found["a.jpg"]["near_duplicate"] and "watermark" in found["a.jpg"]["explanation"]
    assert not found["other.jpg"]["near_duplicate"]
    db.close()


def _photo_and_other(folder, seed):
    """photo.jpg and an unrelated other.jpg in a new folder; returns the photo."""
    folder.mkdir()
    photo = scene(seed, (480, 360))
    (folder / "photo.jpg").write_bytes(jpeg_bytes(photo, 85))
    (folder / "other.jpg").write_bytes(jpeg_bytes(scene(seed + 1, (480, 360)), 85))
    return photo


def test_a_crop_joins_its_original_and_says_so(tmp_path):
    first, later = tmp_path / "first", tmp_path / "later"
    photo = _photo_and_other(first, 321)
    later.mkdir()
    # keeps 77% of the picture, off centre: every whole-picture hash moves far
    (later / "crop.jpg").write_bytes(jpeg_bytes(photo.crop((50, 10, 470, 325)), 85))
    case = tmp_path / "case.vigil"
    ingest(case, [first], workers=1)
    ingest(case, [later], workers=1)  # the crop arrives later: the incremental lookup
    db = open_case(case)
    assert _paths_of(group_store.groups(db, "normal")) == [{"photo.jpg", "crop.jpg"}]
    members = group_store.groups(db, "normal")[0]
    assert any(m["explanation"].startswith("cropped") for m in members)
    rebuilt = update_groups(db, rebuild=True)
    assert not rebuilt.incremental
    assert _paths_of(group_store.groups(db, "normal")) == [{"photo.jpg", "crop.jpg"}]
    db.close()


def test_a_crop_of_one_side_joins_its_original(tmp_path):
    evidence = tmp_path / "evidence"
    photo = _photo_and_other(evidence, 323)
    # the left quarter cut away: the masked view "without the left side" is its window
    (evidence / "no_left.jpg").write_bytes(jpeg_bytes(photo.crop((120, 0, 480, 360)), 85))
    case = tmp_path / "case.vigil"
    ingest(case, [evidence], workers=1)
    db = open_case(case)
    assert _paths_of(group_store.groups(db, "normal")) == [{"photo.jpg", "no_left.jpg"}]
    db.close()


def test_corner_crop_other_shape_and_small_turn_join_and_say_so(tmp_path):
    """The views (v6): each copy joins its photo and its member says which edit, and `vigil
    similar` gives each pair one distance whichever side asks."""
    from PIL import Image

    from desktop.core.crop_confirmation import turned_inner
    from desktop.jobs.similar_media import similar_to_media

    evidence = tmp_path / "evidence"
    photo = _photo_and_other(evidence, 331)
    copies = {
        "corner.jpg": photo.crop((96, 72, 480, 360)),  # 80% of each side, one corner kept
        "wide.jpg": photo.crop((0, 45, 480, 315)).resize((640, 360)),  # cut to 16:9
        "turned.jpg": Image.fromarray(turned_inner(np.asarray(photo), 4)),
    }
    for name, copy in copies.items():
        (evidence / name).write_bytes(jpeg_bytes(copy, 88))
    case = tmp_path / "case.vigil"
    ingest(case, [evidence], workers=1)
    db = open_case(case)
    groups = group_store.groups(db, "normal")
    assert _paths_of(groups) == [{"photo.jpg", *copies}]
    said = {m["paths"][0].rsplit("/", 1)[-1]: m["explanation"] for m in groups[0]}
    assert said["corner.jpg"] == "cropped (one corner kept)"
    assert said["wide.jpg"].startswith("cut to another shape")
    assert said["turned.jpg"] == "turned 4 degrees and cropped"
    ids = {Path(p).name: m for m, p in db.execute("SELECT media_id, path FROM files")}
    distance = {
        (name, entry["media_id"]): entry["distance"]
        for name, media_id in ids.items()
        for entry in similar_to_media(db, media_id, 10)
    }
    name_of = {m: n for n, m in ids.items()}
    for (name, other), d in distance.items():
        assert distance[(name_of[other], ids[name])] == d, (name, name_of[other])
    assert {distance[("photo.jpg", ids[n])] for n in copies} == {
        distance[(n, ids["photo.jpg"])] for n in copies
    }
    db.close()


def test_faint_photographs_group_with_their_copies(tmp_path):
    """A photograph at a twelfth of its contrast (grey levels spread 2-4: PDQ quality near 0)
    groups with its faint copies by pHash and dHash; another faint photograph and dark
    frames with noise (spread under 1) join nothing."""
    from PIL import Image

    from desktop.core.similarity import FAINT

    def faint(seed: int) -> Image.Image:
        pixels = np.asarray(scene(seed, (480, 360)), dtype=np.float64)
        return Image.fromarray(
            (pixels.mean() / 2 + (pixels - pixels.mean()) * 0.08).astype(np.uint8)
        )

    evidence = tmp_path / "evidence"
    evidence.mkdir()
    picture = faint(51)
    (evidence / "faint.jpg").write_bytes(jpeg_bytes(picture, 92))
    picture.save(evidence / "faint.png")
    (evidence / "faint_small.jpg").write_bytes(jpeg_bytes(picture.resize((336, 252)), 85))
    (evidence / "other_faint.jpg").write_bytes(jpeg_bytes(faint(53), 92))
    rng = np.random.default_rng(5)
    for k in range(2):
        dark = np.clip(12 + rng.normal(0, 0.5, (360, 480, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(dark).save(evidence / f"dark{k}.png")
    case = tmp_path / "case.vigil"
    ingest(case, [evidence], workers=1)
    db = open_case(case)
    groups = group_store.groups(db, "normal")
    assert _paths_of(groups) == [{"faint.jpg", "faint.png", "faint_small.jpg"}]
    assert {m["explanation"] for m in groups[0]} == {FAINT}
    db.close()


def _texture(seed: int):
    """A fine grey texture (like gravel): its 8x8 lowest frequencies are noise."""
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(seed)
    grain = np.clip(128 + rng.normal(0, 60, (512, 512)), 0, 255).astype(np.uint8)
    blurred = np.asarray(Image.fromarray(grain).filter(ImageFilter.GaussianBlur(3)), dtype=float)
    stretched = 128 + (blurred - blurred.mean()) * 50 / blurred.std()
    grey = Image.fromarray(np.clip(stretched, 0, 255).astype(np.uint8))
    return Image.merge("RGB", [grey, grey.point(lambda v: v * 0.9), grey.point(lambda v: v * 0.8)])


def _chat_screenshot(picture):
    """A chat app's window with the picture shown at 35% of its width, on its flat ground."""
    from PIL import Image, ImageDraw

    out = Image.new("RGB", (900, 700), (236, 239, 242))
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, 0, 900, 60), fill=(40, 90, 160))
    for row in range(4):
        draw.rounded_rectangle((20, 80 + row * 40, 420, 110 + row * 40), 8, fill=(255, 255, 255))
    shown = picture.copy()
    shown.thumbnail((540, 315))
    out.paste(shown, (900 - shown.width - 30, 260))
    return out


def test_a_texture_shown_in_a_chat_screenshot_joins_its_photo(tmp_path):
    """Its 64-bit hashes lie 30 bits from the photo's (no first-stage candidate); the
    picture found inside the screenshot meets the photo through its trimmed PDQ."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    photo = _texture(5)
    (evidence / "photo.jpg").write_bytes(jpeg_bytes(photo, 92))
    (evidence / "chat.jpg").write_bytes(jpeg_bytes(_chat_screenshot(photo), 90))
    (evidence / "other.jpg").write_bytes(jpeg_bytes(_texture(6), 92))
    (evidence / "other_chat.jpg").write_bytes(jpeg_bytes(_chat_screenshot(_texture(7)), 90))
    case = tmp_path / "case.vigil"
    ingest(case, [evidence], workers=1)
    db = open_case(case)
    groups = group_store.groups(db, "normal")
    assert _paths_of(groups) == [{"photo.jpg", "chat.jpg"}]
    said = {m["paths"][0].rsplit("/", 1)[-1]: m["explanation"] for m in groups[0]}
    assert said["chat.jpg"] == "shown inside a screenshot or collage"
    db.close()


def test_each_group_is_shown_by_its_member_with_the_most_pixels(sample_case):
    db = open_case(sample_case)
    found = group_store.groups(db, "normal")
    assert found
    for group in found:
        members = [m for m in group if m["relation"] == "member"]
        best = min(members, key=lambda m: (-(m["width"] or 0) * (m["height"] or 0), m["media_id"]))
        assert [m["media_id"] for m in members if m["representative"]] == [best["media_id"]]
        assert group[0]["representative"]
    db.close()
