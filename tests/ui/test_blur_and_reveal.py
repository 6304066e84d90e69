"""Nothing sharp by accident: the lightest blur hides a face; every reveal is timed, one at a
time and recorded as exposure; unknown entity fields stay unknown."""

from __future__ import annotations

import json

import numpy as np
from helpers.images import detail_level, grey
from PIL import Image, ImageDraw
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from desktop.store import audit, entities, exposure
from desktop.ui import imaging, workers
from desktop.ui.dialogs.investigation_dialogs import EntityDialog
from desktop.ui.widgets.image_view import ImageView


def face_picture(width: int = 320, height: int = 240) -> tuple[QImage, tuple[int, int, int, int]]:
    """A drawn face a quarter of the picture wide (eyes, nose, smile) and where it is."""
    im = Image.new("RGB", (width, height), (150, 170, 190))
    draw = ImageDraw.Draw(im)
    fw = width // 4
    fh = int(fw * 1.3)
    x0, y0 = width // 2 - fw // 2, height // 2 - fh // 2
    draw.ellipse([x0, y0, x0 + fw, y0 + fh], fill=(225, 190, 160))
    eye = fw // 8
    for ex in (x0 + fw * 0.3, x0 + fw * 0.7):
        draw.ellipse(
            [ex - eye, y0 + fh * 0.38 - eye * 0.6, ex + eye, y0 + fh * 0.38 + eye * 0.6],
            fill=(40, 30, 30),
        )
    draw.line([x0 + fw * 0.5, y0 + fh * 0.45, x0 + fw * 0.45, y0 + fh * 0.62], (150, 110, 90), 2)
    draw.arc(
        [x0 + fw * 0.3, y0 + fh * 0.6, x0 + fw * 0.7, y0 + fh * 0.8], 20, 160, (120, 40, 40), 3
    )
    pixels = np.ascontiguousarray(np.asarray(im))
    image = QImage(pixels.data, width, height, width * 3, QImage.Format.Format_RGB888).copy()
    return image, (x0, y0, fw, fh)


def face_detail(shown: np.ndarray, box: tuple[int, int, int, int], scale: float) -> float:
    x0, y0, w, h = (round(v * scale) for v in box)
    return detail_level(shown[y0 : y0 + h, x0 : x0 + w])


def test_the_lightest_blur_still_hides_a_face_on_tiles():
    picture, box = face_picture()
    for side in (144, 256):
        sharp = grey(imaging.prepare(picture, imaging.MIN_BLUR, False, True, side))
        blurred = grey(imaging.prepare(picture, imaging.MIN_BLUR, False, False, side))
        scale = sharp.shape[1] / picture.width()
        # the old lightest blur (a 52-pixel copy) left 0.30 of the face's detail on a tile
        assert face_detail(blurred, box, scale) < 0.15 * face_detail(sharp, box, scale), side


def test_the_lightest_blur_still_hides_a_face_in_the_viewer(qtbot):
    picture, box = face_picture(640, 480)
    view = ImageView()
    qtbot.addWidget(view)
    view.resize(640, 480)
    view.set_look(imaging.MIN_BLUR, False)
    view.set_image(picture)
    view.show()
    rect = view.image_rect().toAlignedRect()

    def shown() -> np.ndarray:  # measured at a tile's scale, where the measure was set
        image = view.grab(rect).toImage()
        return grey(image.scaledToWidth(160, Qt.TransformationMode.SmoothTransformation))

    blurred = shown()
    view.set_revealed(True)
    sharp = shown()
    scale = 160 / picture.width()
    assert face_detail(blurred, box, scale) < 0.15 * face_detail(sharp, box, scale)


def test_a_reveal_is_recorded_as_exposure_and_shown_in_the_status_bar(
    window, sample_case, qtbot, settings
):
    assert window.open_case(sample_case)
    ws = window.workspace
    ws.select_row(0)
    qtbot.waitUntil(lambda: not workers.busy(), timeout=20_000)
    assert "exposure today: 0 s" in window.status_label.text()
    assert sample_case.name in window.status_label.text()
    settings.reveal_seconds = 1
    ws.grid.setFocus()
    qtbot.keyClick(ws.grid, Qt.Key.Key_R)
    assert ws.picture_reveal.revealed == ws.current_media()
    qtbot.waitUntil(lambda: ws.picture_reveal.revealed is None, timeout=3000)  # the time limit
    (event,) = [e for e in audit.events(ws.db) if e.action == "exposure.picture"]
    recorded = json.loads(event.after)
    assert recorded["media"] == ws.current_media() and recorded["how"] == "until moved"
    assert 0.9 <= recorded["seconds"] <= 2.5
    assert exposure.seconds_today(ws.db)["picture"] == recorded["seconds"]
    assert "exposure today: 1 s" in window.status_label.text() or (
        "exposure today: 2 s" in window.status_label.text()
    )
    # held: one more exposure, as long as it was held
    qtbot.keyPress(ws.grid, Qt.Key.Key_Space)
    assert ws.picture_reveal.revealed is not None
    qtbot.keyRelease(ws.grid, Qt.Key.Key_Space)
    assert ws.picture_reveal.revealed is None
    last = json.loads([e for e in audit.events(ws.db) if e.action == "exposure.picture"][-1].after)
    assert last["how"] == "held"


def test_a_new_entity_keeps_unknown_ages_and_place_unknown(qtbot, sample_case):
    from desktop.store.db import open_case

    db = open_case(sample_case)
    dialog = EntityDialog(None, kind="victim")
    qtbot.addWidget(dialog)
    dialog.name.setText("V-100")
    values = dialog.values()
    assert (values["age_min"], values["age_max"]) == (None, None)
    # two "?" boxes each say which end of the age they hold
    assert dialog.form.labelForField(dialog.age_min).text() == "Age from"
    assert dialog.form.labelForField(dialog.age_max).text() == "Age to"
    victim = entities.add_entity(db, dialog.kind.currentData(), values.pop("name"), **values)
    assert (victim.age_min, victim.age_max) == (None, None)
    place = EntityDialog(None, kind="location")
    qtbot.addWidget(place)
    values = place.values()
    assert (values["latitude"], values["longitude"]) == (None, None)
    assert place.form.labelForField(place.longitude).text() == "Longitude"
    place.latitude.setValue(52.37)
    assert place.values()["latitude"] == 52.37
