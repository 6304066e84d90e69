"""Video review in the real window: the player paints blurred frames unless revealed, no sound
output exists until the listen control is used, each listening is audited, a clue drawn on a
frame keeps its time, tiles step through the stored storyboard, the contact sheet."""

from __future__ import annotations

import json
import sys
import types

import numpy as np
import pytest
from helpers.gui import drag_over_picture
from helpers.images import detail_level, grey
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from desktop.core.loudness import KINDS
from desktop.core.regions import Region
from desktop.store import audit, clues, items
from desktop.ui import sound_output, workers
from desktop.ui.sound_output import MAX_VOLUME, NoSoundDevice
from desktop.ui.widgets.timeline import KIND_COLOURS, KIND_WORDS


class FakeOutput:
    """Stands for the sound card: records what it was asked to play."""

    opened: list[FakeOutput] = []

    def __init__(self, rate: int, channels: int):
        self.rate, self.channels = rate, channels
        self.source = None
        self.stopped = self.closed = False
        FakeOutput.opened.append(self)

    def start(self, source) -> None:
        self.source = source

    def stop(self) -> None:
        self.stopped = True

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_output(monkeypatch):
    FakeOutput.opened = []
    monkeypatch.setattr(sound_output, "open_output", FakeOutput)

    def no_device(*args, **kwargs):
        raise AssertionError("a real sound device was opened")

    monkeypatch.setattr(sound_output, "MiniaudioOutput", no_device)

    class Tripwire(types.ModuleType):  # the audio library itself: nothing may reach it
        def __getattr__(self, name):
            raise AssertionError(f"miniaudio.{name} used outside the listen control")

    monkeypatch.setitem(sys.modules, "miniaudio", Tripwire("miniaudio"))
    return FakeOutput


def _media(case, name: str) -> int:
    from desktop.store.db import open_case

    db = open_case(case)
    return next(m["id"] for m in items.iter_media(db) if m["files"][0]["path"].endswith(name))


def _open_clip(window, video_case, qtbot):
    assert window.open_case(video_case)
    ws = window.workspace
    clip = _media(video_case, "clip.mp4")
    ws.show_in_viewer(clip)
    qtbot.waitUntil(lambda: ws.viewer._framed == clip, timeout=10_000)
    return ws, clip


def _shown(ws) -> np.ndarray:
    """The picture as painted, measured at the frame's own size (96 px wide: the viewer
    enlarges the tiny test video, which smooths sharp and blurred alike)."""
    view = ws.viewer.image_view
    view.repaint()
    grab = view.grab(view.image_rect().toAlignedRect()).toImage()
    return grey(grab.scaledToWidth(view.image.width(), Qt.TransformationMode.SmoothTransformation))


def test_a_painted_frame_is_blurred_unless_revealed_and_revealing_counts_as_video(
    window, video_case, qtbot, fake_output
):
    ws, clip = _open_clip(window, video_case, qtbot)
    assert ws.video.controls.isVisible() and ws.video.playback.media_id == clip
    ws.video.playback.seek(2.5)
    qtbot.waitUntil(lambda: abs(ws.video.playback.position - 2.5) < 0.05, timeout=5000)
    qtbot.wait(100)
    blurred = detail_level(_shown(ws))
    ws.grid.setFocus()
    qtbot.keyPress(ws.grid, Qt.Key.Key_Space)
    assert ws.viewer.image_view.revealed
    sharp = detail_level(_shown(ws))
    qtbot.wait(600)
    qtbot.keyRelease(ws.grid, Qt.Key.Key_Space)
    assert not ws.viewer.image_view.revealed
    assert blurred < 0.3 * sharp, (blurred, sharp)
    (event,) = [e for e in audit.events(ws.db) if e.action == "exposure.video"]
    assert json.loads(event.after)["media"] == clip
    assert "revealed (video" in window.status_label.text()
    # greyscale is honoured by the player's frames
    window.grey_box.setChecked(True)
    qtbot.waitUntil(lambda: ws.viewer.image_view._grey is not None, timeout=5000)
    assert not fake_output.opened  # showing, seeking and revealing open no sound output


def test_scrubbing_never_shows_sharp_pixels(window, video_case, qtbot, fake_output):
    ws, clip = _open_clip(window, video_case, qtbot)
    ws.picture_reveal.reveal()
    assert ws.viewer.image_view.revealed
    timeline = ws.video.controls.timeline
    qtbot.mousePress(timeline, Qt.MouseButton.LeftButton, pos=QPoint(timeline.width() // 2, 20))
    assert not ws.viewer.image_view.revealed
    ws.picture_reveal.reveal()  # R while dragging: refused
    assert not ws.viewer.image_view.revealed
    qtbot.mouseRelease(timeline, Qt.MouseButton.LeftButton, pos=QPoint(timeline.width() // 2, 20))
    assert 1.5 < ws.video.playback.position < 3.0


def test_no_sound_output_until_listen_then_capped_audited_and_stopped_on_move(
    window, video_case, qtbot, fake_output, monkeypatch
):
    ws, clip = _open_clip(window, video_case, qtbot)
    controls = ws.video.controls
    controls.play.click()
    qtbot.wait(300)
    controls.play.click()
    ws.video.playback.step(1)
    ws.video.open_sheet()
    qtbot.waitUntil(lambda: not workers.busy(), timeout=10_000)
    assert not fake_output.opened and controls.sound.text() == "Muted"
    # the loudness strip's colours are named under it, each with how much of it there is
    strip = ws.video.loudness
    assert strip is not None and controls.legend.text().startswith("Sound, not played: ")
    for kind, word in KIND_WORDS.items():
        spans = strip.spans(KINDS.index(kind))
        named = f'{KIND_COLOURS[kind].name()}">■</span> {word} ' in controls.legend.text()
        assert named == bool(spans), (kind, controls.legend.text())
    qtbot.mousePress(controls.hold_listen, Qt.MouseButton.LeftButton)
    (output,) = fake_output.opened
    assert controls.sound.text() == "LISTENING" and ws.video.playback.playing
    samples = np.concatenate([next(output.source) for _ in range(5)])
    assert samples.shape[1] == 2 and np.abs(samples).max() <= MAX_VOLUME
    qtbot.wait(200)
    qtbot.mouseRelease(controls.hold_listen, Qt.MouseButton.LeftButton)
    assert output.stopped and output.closed and controls.sound.text() == "Muted"
    (event,) = [e for e in audit.events(ws.db) if e.action == "exposure.sound"]
    heard = json.loads(event.after)
    assert heard["media"] == clip and heard["how"] == "held" and heard["seconds"] >= 0.15
    assert event.user and event.target == f"media:{clip}"
    # the toggle asks once per video, and moving on stops it
    asked = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Yes
    )
    controls.listen.click()
    controls.listen.click()
    controls.listen.click()
    assert len(asked) == 1 and len(fake_output.opened) == 3
    ws.show_in_viewer(_media(video_case, "IMG_0002.mov"))
    assert fake_output.opened[-1].stopped and controls.sound.text() != "LISTENING"
    assert controls.legend.isHidden() and controls.timeline.loudness_note == "no sound track"
    assert len([e for e in audit.events(ws.db) if e.action == "exposure.sound"]) == 3
    ws.show_in_viewer(clip)  # a pause for a break stops the sound too
    assert ws.video.start_listening("held") and ws.video.listen.media_id == clip
    window.pause()
    assert ws.video.listen.media_id is None and fake_output.opened[-1].closed


def test_without_a_sound_device_listening_fails_soft_in_one_sentence(
    window, video_case, qtbot, monkeypatch
):
    def no_card(rate, channels):
        raise NoSoundDevice("No sound output device was found on this computer; nothing can be "
                            "played.")  # fmt: skip

    monkeypatch.setattr(sound_output, "open_output", no_card)
    ws, clip = _open_clip(window, video_case, qtbot)
    ws.video.controls.hold_listen.pressed.emit()
    assert "No sound output device" in ws.video.controls.message.text()
    assert ws.video.listen.media_id is None
    assert not [e for e in audit.events(ws.db) if e.action == "exposure.sound"]


def test_a_clue_drawn_on_a_frame_keeps_its_time_and_brings_the_player_back(
    window, video_case, qtbot, fake_output
):
    ws, clip = _open_clip(window, video_case, qtbot)
    ws.video.playback.seek(2.5)
    qtbot.waitUntil(lambda: abs(ws.video.playback.position - 2.5) < 0.05, timeout=5000)
    clue = ws.investigation.panel.add_clue("text", "sign on the wall", "", Region(8, 4, 40, 30))
    assert clue.time == pytest.approx(2.5, abs=0.05)
    assert clues.get_clue(ws.db, clue.id).time == clue.time
    whole = ws.investigation.panel.add_clue("object", "a whole-video note")
    assert whole.time is None
    ws.video.playback.seek(0.0)
    ws.investigation.panel.select_clue(clue.id)
    qtbot.waitUntil(lambda: abs(ws.video.playback.position - clue.time) < 0.05, timeout=5000)
    assert "at 0:02.5" in ws.investigation.panel.clue_list.item(0).text()


def test_video_tiles_step_through_the_stored_storyboard_blurred(window, video_case, qtbot):
    assert window.open_case(video_case)
    ws = window.workspace
    clip = _media(video_case, "clip.mp4")
    row = ws.model.row_of[clip]
    qtbot.waitUntil(lambda: ws.model.has_tile(clip) and bool(ws.model.badges(clip)), timeout=10_000)
    assert [b.text for b in ws.model.badges(clip)][:2] == ["▶ 0:04", "♪"]
    poster = ws.model.tile(clip)
    ws.select_row(row)
    ws.grid.setFocus()
    qtbot.waitUntil(lambda: ws.model.storyboard_frames(clip) is not None, timeout=10_000)
    frames = ws.model.storyboard_frames(clip)
    assert len(frames) >= 4
    qtbot.keyClick(ws.grid, Qt.Key.Key_Right)
    assert ws.model.step == (clip, pytest.approx(0.5 / len(frames))) and ws.current_media() == clip
    assert ws.model.tile(clip) is frames[0] and frames[0] is not poster
    sharp = ws.model.tile(clip)
    assert detail_level(sharp) < 6  # a blurred tile: little fine detail left
    for _ in range(len(frames)):
        qtbot.keyClick(ws.grid, Qt.Key.Key_Right)
    assert ws.current_media() != clip  # past the last frame the grid moves on
    ws.grid.scrollTo(ws.model.index(row))
    rect = ws.grid.visualRect(ws.model.index(row))
    where = QPointF(rect.center() + QPoint(rect.width() // 3, 0))
    move = QMouseEvent(QEvent.Type.MouseMove, where, ws.grid.viewport().mapToGlobal(where),
                       Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)  # fmt: skip
    QApplication.sendEvent(ws.grid.viewport(), move)  # the mouse passing over, no button
    assert ws.model.step is not None and ws.model.step[0] == clip and ws.model.step[1] > 0.6
    only = ws.video.kind_filter
    only.setCurrentIndex(only.findData("videos"))
    qtbot.waitUntil(lambda: ws.model.rowCount() == 3, timeout=5000)
    sort = ws.filter_bar.sort
    sort.setCurrentIndex(sort.findData("duration"))  # longest first: the 1.5 s MOV is last
    mov = _media(video_case, "IMG_0002.mov")
    qtbot.waitUntil(lambda: ws.model.rowCount() == 3 and ws.model.media_id(2) == mov, timeout=5000)
    only.setCurrentIndex(only.findData("pictures"))
    qtbot.waitUntil(lambda: clip not in ws.model.row_of and ws.model.rowCount() > 3, timeout=5000)
    assert mov not in ws.model.row_of and _media(video_case, "moving.gif") in ws.model.row_of


def test_the_contact_sheet_reveals_one_frame_exports_it_and_marks_a_clue_on_it(
    window, video_case, qtbot, tmp_path, fake_output, monkeypatch
):
    from desktop.ui.dialogs import investigation_dialogs

    ws, clip = _open_clip(window, video_case, qtbot)
    sheet = ws.video.open_sheet()
    qtbot.waitUntil(lambda: sheet.list.count() == 4, timeout=10_000)
    assert [sheet.list.item(k).text() for k in range(4)] == ["0:00.0", "0:01.0", "0:02.5",
                                                             "0:04.0"]  # fmt: skip
    _, blurred, sharp = sheet.frames[2]
    assert detail_level(blurred) < 0.5 * detail_level(sharp)
    sheet.list.setCurrentRow(2)
    assert sheet.revealed_row() is None
    sheet.look.pressed.emit()  # RevealingDialog.look_button: held
    assert sheet.revealed_row() == 2
    sheet.list.setCurrentRow(3)  # moving ends the reveal
    assert sheet.revealed_row() is None
    assert (
        json.loads([e for e in audit.events(ws.db) if e.action == "exposure.video"][-1].after)[
            "where"
        ]
        == "contact sheet"
    )
    out = tmp_path / "frame.png"
    worker = sheet.export_to(2.5, str(out))
    qtbot.waitUntil(lambda: not workers.busy(), timeout=10_000)
    assert out.exists() and "pixels only" in sheet.status.text(), worker
    assert [e for e in audit.events(ws.db) if e.action == "frame.export"]
    sheet.list.setCurrentRow(2)
    sheet.go_to_frame()
    qtbot.waitUntil(lambda: abs(ws.video.playback.position - 2.5) < 0.05, timeout=5000)
    # mark a clue on the fourth frame: the sheet steps aside, the region is drawn on the viewer
    monkeypatch.setattr(
        investigation_dialogs.ClueDialog, "exec",
        lambda d: d.label.setText("poster on the wall") or QDialog.DialogCode.Accepted,
    )  # fmt: skip
    sheet.list.setCurrentRow(3)
    sheet.clue.click()
    assert not sheet.isVisible() and ws.investigation.overlay.is_drawing()
    qtbot.waitUntil(lambda: abs(ws.video.playback.position - 4.0) < 0.05, timeout=5000)
    view = ws.viewer.image_view
    drag_over_picture(qtbot, view, (0.2, 0.2), (0.6, 0.7))
    (clue,) = clues.clues_for_media(ws.db, clip)
    assert clue.label == "poster on the wall" and clue.time == pytest.approx(4.0, abs=0.05)
    assert clue.region is not None and not view.revealed
    assert ws.video.open_sheet() is sheet and sheet.isVisible() and sheet.list.count() == 4


def test_the_break_reminder_can_count_exposure_not_time_open(qtbot):
    from desktop.ui.widgets.break_banner import BreakReminder

    banner = BreakReminder()
    qtbot.addWidget(banner)
    banner.configure(1, counts_exposure=True)
    assert not banner.timer.isActive()  # wall time does not count
    banner.exposure_changed({"picture": 500.0})  # before: the baseline
    banner.exposure_changed({"picture": 530.0, "video": 0.0})
    assert banner.isHidden()
    banner.exposure_changed({"picture": 530.0, "video": 20.0, "sound": 11.0})
    assert not banner.isHidden() and "1 minute." in banner.label.text()
    banner.dismiss()
    banner.exposure_changed({"picture": 540.0, "video": 20.0, "sound": 11.0})
    assert banner.isHidden()


def test_tiles_step_through_the_storyboard_without_decoding_the_evidence(
    window, video_case, qtbot, monkeypatch
):
    import av

    opened = []

    def no_decoder(*args, **kwargs):
        opened.append(args)
        raise OSError("the evidence is out of reach")

    monkeypatch.setattr(av, "open", no_decoder)  # every decoder of Vigil opens through av.open
    assert window.open_case(video_case)
    ws = window.workspace
    clip = _media(video_case, "clip.mp4")
    ws.show_in_viewer(_media(video_case, "IMG_1000.jpg"))  # the player is not on the video
    qtbot.waitUntil(lambda: ws.model.has_tile(clip) and not workers.busy(), timeout=10_000)
    opened.clear()
    ws.grid.scrollTo(ws.model.index(ws.model.row_of[clip]))
    rect = ws.grid.visualRect(ws.model.index(ws.model.row_of[clip]))
    shown = []
    for x in (rect.left() + 4, rect.center().x(), rect.right() - 4):
        where = QPointF(x, rect.center().y())
        move = QMouseEvent(QEvent.Type.MouseMove, where, ws.grid.viewport().mapToGlobal(where),
                           Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                           Qt.KeyboardModifier.NoModifier)  # fmt: skip
        QApplication.sendEvent(ws.grid.viewport(), move)
        qtbot.waitUntil(lambda: ws.model.storyboard_frames(clip) is not None, timeout=10_000)
        shown.append(ws.model.tile(clip))
    frames = ws.model.storyboard_frames(clip)
    assert shown[0] is frames[0] and shown[-1] is frames[-1] and len({id(t) for t in shown}) == 3
    qtbot.waitUntil(lambda: not workers.busy(), timeout=10_000)
    assert not opened  # the storyboard came from the case file, nothing was decoded


def test_the_break_reminder_counts_revealed_video_and_sound_heard_when_set(
    window, video_case, qtbot, fake_output, monkeypatch, settings
):
    from desktop.ui.dialogs.settings_dialog import SettingsDialog

    def choose(dialog):  # the analyst's choice in Settings: every minute of exposure
        dialog.breaks.setValue(1)
        dialog.break_exposure.setChecked(True)
        dialog.accept()
        return True

    monkeypatch.setattr(SettingsDialog, "exec", choose)
    window.edit_settings()
    assert settings.break_counts_exposure and not window.breaks.timer.isActive()

    class Clock:  # reveals and listenings measure their seconds with it
        now = 1000.0

        def monotonic(self):
            return self.now

    clock = Clock()
    monkeypatch.setattr("desktop.ui.reveal.time", clock)
    monkeypatch.setattr("desktop.ui.listening.time", clock)
    ws, clip = _open_clip(window, video_case, qtbot)
    ws.grid.setFocus()
    qtbot.keyPress(ws.grid, Qt.Key.Key_Space)
    clock.now += 40  # revealed 40 s
    qtbot.keyRelease(ws.grid, Qt.Key.Key_Space)
    assert window.breaks.isHidden()
    clock.now += 600  # ten minutes with nothing revealed or heard: not counted
    assert ws.video.start_listening("held")
    clock.now += 25  # heard 25 s: 65 s of exposure
    ws.video.listen.stop()
    assert not window.breaks.isHidden()
    assert "revealed material or listening for 1 minute" in window.breaks.label.text()


def test_the_entity_browser_shows_videos_with_their_clue_times(video_case, qtbot):
    from desktop.store import entities, links
    from desktop.store.db import open_case
    from desktop.ui.dialogs.entity_browser import EntityBrowser

    db = open_case(video_case)
    clip = _media(video_case, "clip.mp4")
    picture = _media(video_case, "IMG_1000.jpg")
    victim = entities.add_entity(db, "victim", "V-7")
    links.link_media(db, [clip, picture], victim.id, "depicted")
    clues.add_clue(db, clip, "text", "shop sign", region=Region(8, 4, 40, 30), time=2.5)
    browser = EntityBrowser(db, video_case)
    qtbot.addWidget(browser)
    browser.show_entity(victim.id)
    texts = {browser.media.item(r).data(Qt.ItemDataRole.UserRole): browser.media.item(r).text()
             for r in range(browser.media.count())}  # fmt: skip
    assert texts[clip] == f"#{clip} · ▶ 0:04 · depicted"
    assert texts[picture] == f"#{picture} · depicted"
    assert browser.clue_list.item(0).text().startswith(f"#{clip} at 0:02.5")


def test_exporting_a_clue_on_a_frame_shows_that_frame_whatever_the_player_shows(
    window, video_case, video_evidence, qtbot, fake_output
):
    import av

    ws, clip = _open_clip(window, video_case, qtbot)
    ws.video.playback.seek(2.5)
    qtbot.waitUntil(lambda: abs(ws.video.playback.position - 2.5) < 0.05, timeout=5000)
    clue = ws.investigation.panel.add_clue("text", "sign", "", Region(8, 4, 40, 30))
    ws.video.playback.seek(0.2)  # the player moves on to another shot
    qtbot.waitUntil(lambda: abs(ws.video.playback.position - 0.2) < 0.05, timeout=5000)
    dialog = ws.investigation.export_clue(clues.get_clue(ws.db, clue.id))
    qtbot.waitUntil(lambda: dialog.canvas.preview is not None, timeout=10_000)
    preview = dialog.canvas.preview
    assert (preview.width(), preview.height()) == (40, 30)
    rgb = preview.convertToFormat(QImage.Format.Format_RGB888)
    shown = np.frombuffer(rgb.constBits(), np.uint8).reshape(30, rgb.bytesPerLine())[:, :120]
    shown = shown.reshape(30, 40, 3).astype(int)
    with av.open(str(video_evidence / "clip.mp4")) as container:
        frames = {round(f.time, 1): f.to_ndarray(format="rgb24")[4:34, 8:48].astype(int)
                  for f in container.decode(video=0)}  # fmt: skip
    assert np.abs(shown - frames[2.5]).mean() < 3 < np.abs(shown - frames[0.2]).mean()
    dialog.look.pressed.emit()
    qtbot.wait(50)
    dialog.look.released.emit()
    event = [e for e in audit.events(ws.db) if e.action.startswith("exposure.")][-1]
    assert event.action == "exposure.video" and json.loads(event.after)["where"] == "clue export"
    dialog.reject()


def test_storyboard_frames_fill_the_timeline_without_stretching(qtbot):
    from PySide6.QtCore import QRectF

    from desktop.ui.widgets.timeline import Timeline, filling

    upright, wide = (
        QImage(60, 80, QImage.Format.Format_RGB32),
        QImage(160, 90, QImage.Format.Format_RGB32),
    )
    slot = QRectF(0, 0, 70, 44)
    for tile in (upright, wide):
        part = filling(tile, slot)
        assert part.width() / part.height() == pytest.approx(70 / 44, rel=0.01)
        assert QRectF(0, 0, tile.width(), tile.height()).contains(part)
    # painted: a square frame with a red band along its top fills a wide slot cut top and
    # bottom, so the band is cut off (stretched, it would cover the slot's top quarter)
    tile = QImage(40, 40, QImage.Format.Format_RGB32)
    tile.fill(Qt.GlobalColor.blue)
    for y in range(8):
        for x in range(40):
            tile.setPixelColor(x, y, Qt.GlobalColor.red)
    timeline = Timeline()
    qtbot.addWidget(timeline)
    timeline.resize(84, 80)
    timeline.set_video(1.0, [])
    timeline.set_storyboard([tile], [0.0])
    shot = timeline.grab().toImage()
    near_top = shot.pixelColor(40, 16)  # the storyboard row starts at y = 12
    assert near_top.blue() > 200 and near_top.red() < 60, near_top.name()
