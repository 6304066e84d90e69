"""Synthetic, harmless videos written with PyAV: moving shapes over generated scenes, with
cuts between scenes; for the demo, the tests and the benchmarks (nothing is downloaded)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import cast

import av
import numpy as np
from av.audio.stream import AudioStream
from av.video.stream import VideoStream
from PIL import Image, ImageDraw

from desktop.core.samples import scene

# Container format per file suffix (what FFmpeg calls the muxer).
MUXERS = {
    ".mp4": "mp4",
    ".m4v": "mp4",
    ".mov": "mov",
    ".3gp": "3gp",
    ".mkv": "matroska",
    ".webm": "webm",
    ".avi": "avi",
    ".ts": "mpegts",
    ".mts": "mpegts",
    ".mpg": "mpeg",
    ".vob": "vob",
    ".flv": "flv",
    ".wmv": "asf",
    ".asf": "asf",
}


def scene_frames(
    seeds: Iterable[int],
    size: tuple[int, int],
    seconds_each: float,
    fps: float,
    pan: float = 0.15,
) -> Iterator[np.ndarray]:
    """Shots of generated scenes, one per seed, cut from one to the next: each a slow pan over a
    scene a little larger than the frame, with a bright square moving across it."""
    width, height = size
    for seed in seeds:
        big = np.asarray(scene(seed, (int(width * (1 + pan)) + 2, int(height * (1 + pan)) + 2)))
        count = max(1, round(seconds_each * fps))
        for k in range(count):
            progress = k / max(count - 1, 1)
            x = int(progress * width * pan)
            y = int(progress * height * pan / 2)
            frame = big[y : y + height, x : x + width].copy()
            side = max(4, height // 6)
            left = int(progress * (width - side))
            frame[height // 3 : height // 3 + side, left : left + side] = (250, 250, 250)
            yield frame


def picture_frames(
    pictures: Iterable[Image.Image], size: tuple[int, int], seconds_each: float, fps: float
) -> Iterator[np.ndarray]:
    """Shots of given pictures, cut from one to the next, each slowly zoomed in (2% a second)."""
    width, height = size
    for picture in pictures:
        source = picture.convert("RGB")
        count = max(1, round(seconds_each * fps))
        for k in range(count):
            zoom = 1 + 0.02 * k / fps
            crop_w, crop_h = source.width / zoom, source.height / zoom
            left, top = (source.width - crop_w) / 2, (source.height - crop_h) / 2
            box = (left, top, left + crop_w, top + crop_h)
            frame = source.resize(size, Image.Resampling.BILINEAR, box=box)
            yield np.asarray(frame)


def write_video(
    path: Path,
    frames: Iterable[np.ndarray],
    fps: float = 25,
    codec: str = "libx264",
    gop: int | None = None,
    bit_rate: int | None = None,
    rotation: int = 0,
    metadata: dict[str, str] | None = None,
    audio_seconds: float = 0.0,
    sound: np.ndarray | None = None,
    options: dict[str, str] | None = None,
    container_options: dict[str, str] | None = None,
) -> Path:
    """Encode frames (uint8 RGB arrays, all one size) into `path`; the container follows the
    suffix. `sound` (mono samples at 16 kHz) or `audio_seconds` of a quiet tone make a sound
    track. `rotation` is the display rotation a phone writes (degrees counter-clockwise);
    `options` go to the encoder, `container_options` to the muxer (movflags=faststart)."""
    muxer = MUXERS[path.suffix.lower()]
    rate = Fraction(fps).limit_denominator(1001)
    arrays = iter(frames)
    first = next(arrays, None)
    if first is None:
        raise ValueError("no frames to write")
    with av.open(str(path), "w", format=muxer, options=container_options or {}) as out:
        out.metadata.update(metadata or {})
        stream = cast(VideoStream, out.add_stream(codec, rate=rate))
        stream.height, stream.width = first.shape[:2]
        stream.pix_fmt = "yuv420p"
        if gop:
            stream.codec_context.gop_size = gop
        if bit_rate:
            stream.bit_rate = bit_rate
        stream.options = dict(options or {})
        if codec == "libx264":
            stream.options.setdefault("preset", "veryfast")
        if codec.startswith("libvpx"):  # libvpx's default (good, slowest) takes seconds
            stream.options.setdefault("deadline", "realtime")
            stream.options.setdefault("cpu-used", "8")
        if rotation:
            stream.set_display_rotation(rotation)
        track = None
        if audio_seconds or sound is not None:
            track = cast(AudioStream, out.add_stream("aac", rate=16000))
        for array in itertools.chain([first], arrays):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(array), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
        if track is not None:
            _write_sound(out, track, sound if sound is not None else _tone(audio_seconds))
    return path


def _tone(seconds: float, rate: int = 16000) -> np.ndarray:
    """A quiet sine tone: a sound track to detect, nothing to hear."""
    return np.sin(np.arange(int(seconds * rate)) * 2 * np.pi * 440 / rate) * 0.05


def _write_sound(
    out: av.container.OutputContainer, stream: AudioStream, samples: np.ndarray
) -> None:
    """Mono samples at 16 kHz (-1..1) as the AAC sound track."""
    rate = stream.rate
    frame_size = stream.codec_context.frame_size or 1024
    for start in range(0, len(samples), frame_size):
        chunk = samples[start : start + frame_size].astype(np.float32)
        if len(chunk) < frame_size:
            chunk = np.pad(chunk, (0, frame_size - len(chunk)))
        frame = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)


def animated_picture(path: Path, seed: int, size: tuple[int, int], frames: int = 12) -> Path:
    """An animated GIF, WebP or PNG (by suffix): a square moving over a generated scene."""
    background = scene(seed, size)
    pictures = []
    for k in range(frames):
        picture = background.copy()
        side = max(4, size[1] // 4)
        left = int(k / max(frames - 1, 1) * (size[0] - side))
        ImageDraw.Draw(picture).rectangle((left, 4, left + side, 4 + side), fill=(255, 220, 0))
        pictures.append(picture)
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=150, loop=0)
    return path


DEMO_SIZE = (320, 240)
DEMO_FPS = 10


def write_sample_videos(folder: Path) -> list[Path]:
    """A few generated videos for the demo, laid out like a phone's and a download folder:
    a phone clip (MOV: camera, time, place, turned a quarter, with demo_sound), its re-encode
    (VP9 WebM, smaller), a mirrored copy, a clip cut from it, a compilation holding part of it and
    of another video, that other video, an animated GIF, and a download cut short (damaged)."""
    camera, downloads = folder / "DCIM" / "Camera", folder / "Downloads" / "videos"
    for place in (camera, downloads, folder / "Backup"):
        place.mkdir(parents=True, exist_ok=True)
    shots = list(scene_frames((501, 502, 503), DEMO_SIZE, 3.0, DEMO_FPS))
    other = list(scene_frames((511, 512, 513), DEMO_SIZE, 3.0, DEMO_FPS))
    phone = {
        "creation_time": "2024-03-02T14:05:09.000000Z",
        "location": "+48.8566+002.3522/",
        "make": "Apple",
        "model": "iPhone 12",
    }
    written = [
        write_video(camera / "IMG_2001.MOV", shots, fps=DEMO_FPS, gop=DEMO_FPS, rotation=-90,
                    metadata=phone, sound=demo_sound()),
        write_video(downloads / "shared_clip.webm", _smaller(shots, (240, 180)), fps=DEMO_FPS,
                    codec="libvpx-vp9", gop=2 * DEMO_FPS),
        write_video(downloads / "mirrored.mp4", [f[:, ::-1] for f in shots], fps=DEMO_FPS,
                    gop=DEMO_FPS),
        write_video(downloads / "cut_from_2001.mp4", shots[25:65], fps=DEMO_FPS, gop=DEMO_FPS),
        write_video(downloads / "compilation.mkv", other[:30] + shots[35:75] + other[40:90],
                    fps=DEMO_FPS, gop=DEMO_FPS),
        write_video(folder / "Backup" / "VID_0001.mp4", other, fps=DEMO_FPS, gop=DEMO_FPS),
        animated_picture(downloads / "moving.gif", seed=521, size=(160, 120), frames=10),
    ]  # fmt: skip
    whole = write_video(downloads / "whole.mp4", other, fps=DEMO_FPS, gop=DEMO_FPS,
                        container_options={"movflags": "faststart"})  # fmt: skip
    damaged = downloads / "download_cut_short.mp4"
    damaged.write_bytes(whole.read_bytes()[: whole.stat().st_size * 55 // 100])
    whole.unlink()
    return [*written, damaged]


def demo_sound() -> np.ndarray:
    """The demo phone clip's 9 s sound track: quiet noise, 4 s of speech-like buzz, then
    music-like chords (its loudness strip shows each; Next speech jumps to 0:02)."""
    from desktop.core.sound_samples import music_like, noise, speech_like

    return np.concatenate([noise(2.0, 0.02), speech_like(4.0), music_like(3.0)])


def _smaller(frames: list[np.ndarray], size: tuple[int, int]) -> list[np.ndarray]:
    return [np.asarray(Image.fromarray(f).resize(size, Image.Resampling.BILINEAR)) for f in frames]
