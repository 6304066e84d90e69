"""The player's playback of the video shown in the viewer: its clock (play, pause, speed), seeks,
frame steps and scene jumps, scrubbing, and the timer that takes the frame engine's frames to
the viewer. Frames are decoded in the engine's thread (desktop.ui.video_player) and painted by
the viewer's ImageView like any picture: blurred unless the reveal controller reveals them;
while scrubbing nothing is sharp. Owned by desktop.ui.video_hooks.VideoPart, which connects the
controls and keys to it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from desktop.core.video_meta import frame_clock
from desktop.store import videos
from desktop.ui import imaging
from desktop.ui.reveal import PICTURE
from desktop.ui.video_player import FrameEngine, Look
from desktop.ui.widgets.video_controls import VideoControls

if TYPE_CHECKING:
    from desktop.ui.workspace import CaseWorkspace

TICK_MS = 15
BEHIND = 1.0  # seconds the decoder may fall behind the clock before it skips ahead


class VideoPlayback(QObject):
    """Plays one video at a time (`media_id`, None: the viewer shows no video) into the viewer
    and keeps the controls' play button, time and timeline position up to date."""

    def __init__(self, workspace: CaseWorkspace, controls: VideoControls, parent: QObject):
        super().__init__(parent)
        self.workspace, self.controls = workspace, controls
        self.media_id: int | None = None
        self.details: dict[str, Any] | None = None
        self.engine: FrameEngine | None = None
        self.position = 0.0
        self.playing = False
        self._clock = (0.0, 0.0)  # (media time, monotonic) when the clock last started
        self.scrubbing = False
        self._resume = False
        self.scenes: list[float] = []
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self._tick)

    def load(self, media_id: int | None, details: dict[str, Any] | None) -> None:
        """The video the player holds (None: the viewer shows no video); a video is shown from
        its first frame, paused. The engine of the video before must be stopped first."""
        self.media_id, self.details = media_id, details
        if media_id is None or details is None:
            return
        self.position, self.playing = 0.0, False
        self.controls.play.setText("Play")
        self.scenes = videos.scene_starts(self.workspace.db, media_id)
        self.controls.timeline.set_video(self.duration, self.scenes)
        settings = self.workspace.settings
        self.engine = FrameEngine(
            self.workspace.case_path, media_id, Look(settings.blur_strength, settings.greyscale)
        )
        self.engine.seek(0.0)
        self._timer.start()
        self._update_time()

    def stop(self) -> None:
        """The frame engine stops (another media shown, or the case closed)."""
        self._timer.stop()
        self.playing = False
        if self.engine is not None:
            self.engine.stop()
            self.engine = None

    @property
    def duration(self) -> float:
        """Seconds of the video held (0 when none is, or its length is unknown)."""
        return float(self.details["duration"] or 0.0) if self.details else 0.0

    def clock(self) -> float:
        if not self.playing:
            return self.position
        start, since = self._clock
        return start + (time.monotonic() - since) * self.controls.speed_value()

    def toggle_play(self) -> None:
        if self.engine is None:
            return
        if self.playing:
            self.position, self.playing = self.clock(), False
            self.engine.seek(self.position)
        else:
            if self.position >= self.duration - 0.05:
                self.position = 0.0
            self._start_clock(self.position)
        self.controls.play.setText("Pause" if self.playing else "Play")

    def pause(self) -> None:
        if self.playing:
            self.toggle_play()

    def _start_clock(self, at: float) -> None:
        assert self.engine is not None
        self.playing, self.position = True, at
        self._clock = (at, time.monotonic())
        self.engine.play(at)

    def speed_changed(self) -> None:
        if self.playing:
            self._clock = (self.clock(), time.monotonic())

    def seek(self, seconds: float, scrub: bool = False) -> None:
        if self.engine is None or self.details is None:
            return
        self.position = min(max(seconds, 0.0), max(self.duration - 0.001, 0.0))
        if self.playing and not scrub:
            self._start_clock(self.position)
        else:
            self.engine.seek(self.position, scrub=scrub)
        self._update_time()

    def step(self, frames: int) -> None:
        if self.engine is None or self.details is None:
            return
        self.pause()
        fps = float(self.details["fps"] or 25.0)
        self.seek(self.position + frames / fps)

    def jump_scene(self, direction: int) -> None:
        here = self.clock()
        if direction > 0:
            later = [s for s in self.scenes if s > here + 0.05]
            target = later[0] if later else None
        else:
            earlier = [s for s in self.scenes if s < here - 0.5]
            target = earlier[-1] if earlier else 0.0
        if target is not None:
            self.seek(target)

    def _tick(self) -> None:
        engine = self.engine
        if engine is None or self.media_id is None:
            return
        while not engine.failures.empty():
            self.controls.message.setText(engine.failures.get_nowait())
        frames = engine.take()
        if self.playing:
            now = self.clock()
            if now >= self.duration:
                self.toggle_play()
            due = [f for f in frames if f.time <= now + 0.02]
            if frames and not due:
                due = frames[:1]  # the decoder is ahead: show the next frame
            if due:
                self._show(due[-1].picture, due[-1].time)
                if due[-1].time < now - BEHIND:
                    self._start_clock(now)  # far behind: skip ahead from a keyframe
            self.position = now
        elif frames:
            self._show(frames[-1].picture, frames[-1].time)
        self._update_time()

    def _show(self, picture: imaging.FramePicture, at: float) -> None:
        if self.media_id is not None:
            self.workspace.viewer.show_frame(self.media_id, picture)
            if not self.playing:
                self.position = at

    def _update_time(self) -> None:
        here = self.clock()
        self.controls.time.setText(f"{frame_clock(here)} / {frame_clock(self.duration)}")
        self.controls.timeline.set_position(here)

    def apply_look(self) -> None:
        if self.engine is not None:
            settings = self.workspace.settings
            self.engine.set_look(Look(settings.blur_strength, settings.greyscale))
            if not self.playing:
                self.engine.seek(self.position)

    # ---- scrubbing: nothing sharp while it lasts -----------------------------------------------

    def set_scrubbing(self, active: bool) -> None:
        self.scrubbing = active
        if active:
            self._resume = self.playing
            self.pause()
            self.workspace.picture_reveal.blur_all()
        elif self._resume:
            self._resume = False
            self.toggle_play()

    def reveal_changed(self) -> None:
        if self.scrubbing and self.workspace.reveals.shows(self.media_id, PICTURE):
            self.workspace.picture_reveal.blur_all()
