"""Video review inside an open case (a WorkspacePart): the player's controls under the viewer's
picture wired to its playback (desktop.ui.video_playback), the keys, the storyboard and the
loudness strip of the video shown, the listen control, the videos/pictures filter and the
contact sheet; it plugs the tiles' video badges and storyboard stepping (desktop.ui.video_tiles)
into the workspace. Sound is off until the analyst listens (desktop.ui.listening)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QComboBox, QMessageBox

from desktop.core.loudness import SPEECH, LoudnessStrip
from desktop.core.media import DecodeFailure
from desktop.core.regions import Region
from desktop.core.video_audio import VideoSound
from desktop.store import videos
from desktop.store.clues import Clue
from desktop.ui import workers
from desktop.ui.hosting import TileAction
from desktop.ui.keys import Binding
from desktop.ui.listening import ListenController
from desktop.ui.video_playback import VideoPlayback
from desktop.ui.video_player import VideoUnavailable, open_video_file
from desktop.ui.video_tiles import StoryboardSteps, VideoBadges
from desktop.ui.widgets.video_controls import VideoControls

if TYPE_CHECKING:
    from desktop.ui.dialogs.contact_sheet import ContactSheet
    from desktop.ui.workspace import CaseWorkspace


def measure_loudness(case_path: Path, media_id: int) -> bytes:
    """Decode the video's sound and measure it (a worker; nothing is played)."""
    handle, file_type, head = open_video_file(workers.thread_connection(case_path), media_id)
    try:
        with VideoSound(handle, file_type, head) as sound:
            return sound.loudness().to_bytes()
    except DecodeFailure as failure:
        raise VideoUnavailable(failure.reason) from None
    finally:
        handle.close()


class VideoPart(QObject):
    """Video review for one workspace: owns the player's playback and wires the controls and
    keys to it; keeps the side data of the video shown (storyboard, loudness), the listening,
    the kind filter and the contact sheet."""

    def __init__(self, workspace: CaseWorkspace):
        super().__init__(workspace)
        self.workspace = workspace
        self.controls = VideoControls()
        self.controls.hide()
        workspace.viewer.add_under_picture(self.controls)
        self.listen = ListenController(
            workspace.case_path, workspace.reveals, lambda: workspace.settings.listen_seconds,
            self,
        )  # fmt: skip
        self.playback = VideoPlayback(workspace, self.controls, self)
        self.loudness: LoudnessStrip | None = None
        self._agreed: set[int] = set()  # videos the analyst agreed to hear (toggle)
        self.sheet: ContactSheet | None = None
        self.steps = StoryboardSteps(workspace)
        self.kind_filter = QComboBox()
        for text, value in (("Pictures and videos", None), ("Videos only", "videos"),
                            ("Pictures only", "pictures")):  # fmt: skip
            self.kind_filter.addItem(text, value)
        self.kind_filter.currentIndexChanged.connect(lambda _: workspace.refresh_filters())
        workspace.add_filter(self.kind_filter, self._filter_value)
        workspace.add_badges(VideoBadges())
        workspace.add_tile_action(TileAction("Contact sheet…", self._sheet_for, "S"))
        workspace.reveals.changed.connect(self.playback.reveal_changed)
        workspace.look_changed.connect(self.playback.apply_look)
        self._wire()
        self._bind_keys()

    def _filter_value(self) -> tuple[str, object] | None:
        value = self.kind_filter.currentData()
        return ("media_kind", value) if value else None

    def _wire(self) -> None:
        c, playback = self.controls, self.playback
        c.play.clicked.connect(playback.toggle_play)
        c.back.clicked.connect(lambda: playback.step(-1))
        c.forward.clicked.connect(lambda: playback.step(1))
        c.speed.currentIndexChanged.connect(lambda _: playback.speed_changed())
        c.next_scene.clicked.connect(lambda: playback.jump_scene(1))
        c.next_speech.clicked.connect(self.next_speech)
        c.sheet.clicked.connect(self.open_sheet)
        c.timeline.scrubbing.connect(playback.set_scrubbing)
        c.hidden.connect(self._hidden)
        c.timeline.moved.connect(lambda t: playback.seek(t, scrub=True))
        c.timeline.released.connect(lambda t: playback.seek(t))
        c.hold_listen.pressed.connect(lambda: self.start_listening("held"))
        c.hold_listen.released.connect(self.listen.stop)
        c.listen.toggled.connect(self._listen_toggled)
        c.volume.valueChanged.connect(lambda v: self.listen.set_volume(v / 100))
        self.listen.changed.connect(lambda media: c.show_listening(media is not None))
        self.listen.refused.connect(self._say)
        self.workspace.investigation.panel.clueSelected.connect(self._clue_selected)

    def _hidden(self) -> None:
        """Nothing plays or is heard off screen (a pause for a break hides the case)."""
        self.listen.stop()
        self.playback.pause()

    def _clue_selected(self, clue: Clue | None) -> None:
        """A clue on a frame: the player goes to that frame, so its region fits the picture."""
        if clue is not None and clue.time is not None and clue.media_id == self.playback.media_id:
            self.playback.seek(clue.time)

    def _bind_keys(self) -> None:
        bind, playback = self.workspace.keys.bind, self.playback
        for keys, title, action in (
            (("K",), "Video: play / pause", playback.toggle_play),
            ((",",), "Video: one frame back", lambda: playback.step(-1)),
            ((".",), "Video: one frame forward", lambda: playback.step(1)),
            (("-",), "Video: slower", lambda: self.controls.change_speed(-1)),
            (("=", "+"), "Video: faster", lambda: self.controls.change_speed(1)),
            (("]",), "Video: next scene", lambda: playback.jump_scene(1)),
            (("[",), "Video: previous scene", lambda: playback.jump_scene(-1)),
            (("S",), "Video: contact sheet", self.open_sheet),
            (("Left",), "Previous (storyboard frame or frame of a video)", lambda: self.arrow(-1)),
            (("Right",), "Next (storyboard frame or frame of a video)", lambda: self.arrow(1)),
        ):
            bind(Binding(keys, title, action))
        bind(Binding(("H",), "Video: listen while held", lambda: self.start_listening("held"),
                     release=self.listen.stop))  # fmt: skip

    # ---- WorkspacePart ------------------------------------------------------------------------

    def media_shown(self, media_id: int | None) -> None:
        self.listen.stop()  # sound never follows the selection
        self.playback.stop()
        self.steps.clear()
        details = videos.video_details(self.workspace.db, media_id) if media_id else None
        if details is not None and media_id is not None:
            self.steps.prefetch(media_id)  # Left/Right on its tile step without waiting
        is_video = details is not None and details["container"] not in ("gif", "webp", "png")
        self.playback.load(media_id if is_video else None, details if is_video else None)
        self.controls.setVisible(is_video)
        self.controls.message.clear()
        if self.sheet is not None and self.sheet.media_id != self.playback.media_id:
            self.sheet.close()
        if not is_video or details is None or media_id is None:
            return
        self.loudness = None
        self._load_side_data(media_id, details)

    def reveal_region(self, media_id: int) -> Region | None:
        return None

    def reveal_kind(self, media_id: int) -> str | None:
        return "video" if media_id == self.playback.media_id and media_id is not None else None

    def frame_time(self, media_id: int) -> float | None:
        playback = self.playback
        return playback.position if media_id == playback.media_id and media_id is not None else None

    def case_changed(self) -> None:
        return None

    def close(self) -> None:
        self.listen.stop()
        self.playback.stop()
        if self.sheet is not None:
            self.sheet.close()

    # ---- loading ------------------------------------------------------------------------------

    def _load_side_data(self, media_id: int, details: dict[str, Any]) -> None:
        settings = self.workspace.settings
        worker = workers.Worker(
            workers.load_storyboard_tiles, self.workspace.case_path, media_id,
            settings.blur_strength, settings.greyscale, False, 96,
        )  # fmt: skip
        shown = workers.guarded(self, lambda found: self._storyboard(media_id, found))
        worker.signals.result.connect(shown)
        workers.start(worker)
        if not details["has_audio"]:
            self.controls.set_loudness(None, "no sound track")
            self._sound_controls(False)
            return
        self._sound_controls(True)
        stored = videos.loudness(self.workspace.db, media_id)
        if stored is not None:
            self._loudness(media_id, stored)
            return
        self.controls.set_loudness(None, "measuring the sound (nothing is played)…")
        worker = workers.Worker(measure_loudness, self.workspace.case_path, media_id)
        worker.signals.result.connect(workers.guarded(self, lambda b: self._measured(media_id, b)))
        worker.signals.failed.connect(workers.guarded(self, self._say))
        workers.start(worker)

    def _sound_controls(self, enabled: bool) -> None:
        for widget in (self.controls.hold_listen, self.controls.listen, self.controls.next_speech):
            widget.setEnabled(enabled)
        self.controls.sound.setText("Muted" if enabled else "No sound")

    def _storyboard(self, media_id: int, result: tuple[list[QImage], list[float]]) -> None:
        if media_id == self.playback.media_id:
            self.controls.timeline.set_storyboard(*result)

    def _measured(self, media_id: int, strip: bytes) -> None:
        if self.workspace.closed:  # measured after the case closed: its connection is gone
            return
        videos.store_loudness(self.workspace.db, media_id, strip)
        self._loudness(media_id, strip)

    def _loudness(self, media_id: int, strip: bytes) -> None:
        if media_id == self.playback.media_id:
            self.loudness = LoudnessStrip.from_bytes(strip)
            self.controls.set_loudness(self.loudness)

    def _say(self, message: str) -> None:
        self.controls.message.setText(message)

    # ---- moving by the sound and the arrows ---------------------------------------------------

    def next_speech(self) -> None:
        if self.loudness is not None:
            start = self.loudness.next_start(SPEECH, self.playback.clock())
            if start is not None:
                self.playback.seek(start)
            else:
                self._say("No more speech after this point.")

    def arrow(self, direction: int) -> None:
        """Left/Right: a frame in the viewer's player; a storyboard frame on a video tile
        (the grid moves on past either end); the grid's own move elsewhere."""
        focus = self.workspace.focusWidget()
        viewer = self.workspace.viewer.image_view
        if self.playback.media_id is not None and focus is viewer:
            self.playback.step(direction)
        elif not self.steps.step_current(direction):
            self.workspace.move_cursor(direction)

    # ---- listening ----------------------------------------------------------------------------

    def start_listening(self, how: str) -> bool:
        """Sound from the current position (the picture stays as it is: blurred unless
        revealed); playing goes on at normal speed while listening."""
        playback = self.playback
        if playback.media_id is None or not (playback.details and playback.details["has_audio"]):
            return False
        if not self.listen.start(playback.media_id, playback.clock(), how):
            return False
        self.controls.speed.setCurrentIndex(self.controls.speed.findData(1.0))
        if not playback.playing:
            playback.toggle_play()
        return True

    def _listen_toggled(self, on: bool) -> None:
        if not on:
            self.listen.stop()
            return
        media_id = self.playback.media_id
        if media_id is not None and media_id not in self._agreed:
            answer = QMessageBox.question(
                self.workspace, "Listen to this video?",
                "The sound of this video will play at a capped volume until you press Listen "
                "again, move on, or the time limit. Each listening is recorded.",
            )  # fmt: skip
            if answer != QMessageBox.StandardButton.Yes:
                self.controls.listen.setChecked(False)
                return
            self._agreed.add(media_id)
        if not self.start_listening("toggle"):
            self.controls.listen.setChecked(False)

    # ---- contact sheet ------------------------------------------------------------------------

    def _sheet_for(self, media_ids: list[int]) -> None:
        if media_ids and media_ids[0] != self.workspace.viewer.media_id:
            self.workspace.show_in_viewer(media_ids[0])
        self.open_sheet()

    def open_sheet(self) -> ContactSheet | None:
        from desktop.ui.dialogs.contact_sheet import ContactSheet

        media_id = self.playback.media_id
        if media_id is None:
            return None
        if self.sheet is None or self.sheet.media_id != media_id:
            if self.sheet is not None:
                self.sheet.close()
            self.sheet = ContactSheet(self.workspace, self.playback, media_id)
        self.sheet.show()
        self.sheet.raise_()
        return self.sheet
