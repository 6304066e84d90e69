"""Exporting a clue from the GUI: black out by dragging, the crop holds only the region, no EXIF."""

from __future__ import annotations

import json
import os

import numpy as np
from helpers.gui import drag
from helpers.images import detail_level
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from desktop.core.media import decode_reduced
from desktop.core.regions import Region
from desktop.store import audit, clues
from desktop.store.db import open_case
from desktop.ui.dialogs.clue_export_dialog import ClueExportDialog
from desktop.ui.imaging import MIN_BLUR
from desktop.ui.reveal import RevealController

SHOTS = "/tmp/shots"


def test_export_dialog_writes_the_region_with_a_dragged_blackout_and_no_exif(
    qtbot, sample_case, tmp_path
):
    db = open_case(sample_case)
    media_id, path = db.execute(
        "SELECT m.id, f.path_raw FROM media m JOIN files f ON f.media_id = m.id"
        " WHERE m.status = 'ok' AND m.file_type = 'jpeg' AND m.camera_make IS NOT NULL"
        " AND m.width = 320 ORDER BY m.id LIMIT 1"
    ).fetchone()
    with open(bytes(path), "rb") as handle:
        source = handle.read()
    assert len(Image.open(bytes(path)).getexif()) > 0
    picture = np.ascontiguousarray(np.asarray(decode_reduced(source, full=True).image))
    region = Region(100, 60, 160, 120)
    clue = clues.add_clue(db, media_id, "object", "water bottle", region=region)
    crop = picture[60:180, 100:260].copy()
    preview = QImage(crop.data, 160, 120, 160 * 3, QImage.Format.Format_RGB888).copy()

    reveals = RevealController(db, lambda: 10, None)
    dialog = ClueExportDialog(sample_case, clue, preview, reveals, MIN_BLUR)
    qtbot.addWidget(dialog)
    dialog.resize(700, 600)
    dialog.show()
    qtbot.waitExposed(dialog)
    canvas = dialog.canvas
    # the crop is shown blurred, even at the lightest blur, until the analyst holds to look
    target = canvas.target().toAlignedRect().adjusted(2, 2, -2, -2)

    def detail() -> float:  # measured at the crop's own size (the canvas enlarges it)
        shown = canvas.grab(target).toImage()
        return detail_level(shown.scaled(region.w, region.h, mode=Qt.SmoothTransformation))

    blurred = detail()
    qtbot.mousePress(dialog.look, Qt.MouseButton.LeftButton)
    assert canvas.revealed()
    sharp = detail()
    qtbot.mouseRelease(dialog.look, Qt.MouseButton.LeftButton)
    assert not canvas.revealed()
    assert blurred < 0.25 * sharp
    (looked,) = [e for e in audit.events(db) if e.action == "exposure.picture"]
    assert json.loads(looked.after)["where"] == "clue export"
    assert json.loads(looked.after)["region"] == region.as_dict()
    # drag over the left quarter of the region: black it out
    target = canvas.target()
    start = QPoint(int(target.left()) + 1, int(target.top()) + 1)
    end = QPoint(int(target.left() + target.width() / 4), int(target.bottom()) - 1)
    drag(qtbot, canvas, start, end)
    assert len(canvas.blackouts) == 1
    blackout = canvas.blackouts[0]
    assert blackout.x == 100 and abs(blackout.w - 40) <= 2
    out = tmp_path / "bottle.png"
    dialog.path.setText(str(out))
    dialog.grab().save(os.path.join(SHOTS, "clue_export_dialog.png"))
    dialog.export_button.click()
    qtbot.waitUntil(
        lambda: dialog.result is not None or "Exporting" not in dialog.status.text(), timeout=10_000
    )
    assert dialog.result is not None, dialog.status.text()

    written = Image.open(out)
    assert written.size == (160, 120)
    assert len(written.getexif()) == 0 and not {"exif", "icc_profile", "xmp"} & set(written.info)
    pixels = np.asarray(written.convert("RGB"))
    local = blackout.x - 100, blackout.y - 60
    assert (pixels[local[1] : local[1] + blackout.h, local[0] : local[0] + blackout.w] == 0).all()
    right = local[0] + blackout.w
    assert np.array_equal(pixels[:, right:], crop[:, right:])
    meta = json.loads(out.with_suffix(".json").read_text("utf-8"))
    assert meta["label"] == "water bottle" and meta["blackouts"] == [blackout.as_dict()]
    assert list(audit.events(open_case(sample_case)))[-1].action == "clue.export"


def test_export_refusal_is_shown_as_one_sentence(qtbot, sample_case, tmp_path):
    db = open_case(sample_case)
    media_id = db.execute("SELECT id FROM media WHERE width = 320 LIMIT 1").fetchone()[0]
    clue = clues.add_clue(db, media_id, "text", "label", region=Region(0, 0, 20, 20))
    (tmp_path / "taken.png").write_bytes(b"")
    dialog = ClueExportDialog(sample_case, clue, None, RevealController(db, lambda: 10, None), 40)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(tmp_path / "taken.png"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: "already exists" in dialog.status.text(), timeout=10_000)
    assert dialog.result is None and dialog.export_button.isEnabled()
