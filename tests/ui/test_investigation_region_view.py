"""The region view: the drawn or selected region is sharp, the rest of the picture blurred."""

from __future__ import annotations

import os

import numpy as np
import pytest
from helpers.images import detail_energy, grey
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from desktop.core.regions import Region
from desktop.ui.widgets.region_view import RegionView, widget_point

SHOTS = "/tmp/shots"


def _detailed_picture(width: int = 320, height: int = 240) -> QImage:
    """Fine detail everywhere (a checkerboard of 2-pixel squares under noise): blurring shows."""
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:height, 0:width]
    board = (((xx // 2) + (yy // 2)) % 2 * 160 + 40).astype(np.float32)
    pixels = np.clip(board[..., None] + rng.normal(0, 20, (height, width, 3)), 0, 255)
    array = np.ascontiguousarray(pixels.astype(np.uint8))
    return QImage(array.data, width, height, width * 3, QImage.Format.Format_RGB888).copy()


@pytest.fixture
def view(qtbot):
    widget = RegionView()
    qtbot.addWidget(widget)
    widget.resize(640, 480)  # the picture shows at twice its size
    widget.set_image(_detailed_picture())
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _inside_and_outside(view: RegionView, region: Region) -> tuple[float, float]:
    shot = grey(view.grab().toImage())
    rect = view.widget_rect(region).toAlignedRect().adjusted(3, 3, -3, -3)
    inside = shot[rect.top() : rect.bottom(), rect.left() : rect.right()]
    picture = view.picture_rect().toAlignedRect()
    # the outside sample: the picture's left strip, well away from the region
    outside = shot[picture.top() + 4 : picture.bottom() - 4, picture.left() + 4 : rect.left() - 12]
    return detail_energy(inside), detail_energy(outside)


def test_nothing_selected_shows_everything_blurred(view):
    shot = grey(view.grab().toImage())
    picture = view.picture_rect().toAlignedRect().adjusted(4, 4, -4, -4)
    energy = detail_energy(shot[picture.top() : picture.bottom(), picture.left() : picture.right()])
    assert energy < 5.0


def test_selected_region_is_sharp_and_the_rest_blurred(view):
    region = Region(160, 60, 120, 100)
    view.select_region(region, clue_id=1)
    inside, outside = _inside_and_outside(view, region)
    view.grab().save(os.path.join(SHOTS, "region_view_selected.png"))
    assert inside > 50 * max(outside, 1.0)
    assert outside < 5.0


def test_drawing_a_rectangle_shows_it_sharp_while_drawing_and_emits_the_region(view, qtbot):
    view.set_drawing(True)
    start, end = widget_point(view, 150, 50), widget_point(view, 290, 170)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    middle = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    qtbot.mouseMove(view, middle)
    qtbot.mouseMove(view, end)
    # mid-drag: the rectangle drawn so far is sharp, the rest is not
    assert view.sharp_region() == Region(150, 50, 140, 120)
    inside, outside = _inside_and_outside(view, Region(150, 50, 140, 120))
    view.grab().save(os.path.join(SHOTS, "region_view_drawing.png"))
    assert inside > 50 * max(outside, 1.0)
    with qtbot.waitSignal(view.regionDrawn) as drawn:
        qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=end)
    assert drawn.args[0] == Region(150, 50, 140, 120)


def test_a_click_is_not_a_region_and_escape_leaves_drawing(view, qtbot):
    view.set_drawing(True)
    point = widget_point(view, 100, 100)
    with qtbot.assertNotEmitted(view.regionDrawn):
        qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=point)
        qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=point)
    with qtbot.waitSignal(view.drawingCancelled):
        qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not view.is_drawing()


def test_a_thumbnail_stands_in_for_the_full_picture_in_media_coordinates(qtbot):
    view = RegionView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    small = _detailed_picture(160, 120)
    view.set_image(small, media_size=(320, 240))  # the evidence was not mounted
    view.set_drawing(True)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=widget_point(view, 20, 20))
    with qtbot.waitSignal(view.regionDrawn) as drawn:
        qtbot.mouseMove(view, widget_point(view, 100, 80))
        qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=widget_point(view, 100, 80))
    region = drawn.args[0]
    assert abs(region.x - 20) <= 1 and abs(region.w - 80) <= 2 and abs(region.h - 60) <= 2
