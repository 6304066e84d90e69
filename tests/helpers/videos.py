"""Tiny synthetic videos for tests (a few seconds, small frames), made with PyAV, and damaged
or hostile variants of them."""

from __future__ import annotations

import struct
from pathlib import Path

from desktop.core.video_samples import scene_frames, write_video

SIZE = (96, 64)
FPS = 10


def small_video(path: Path, seeds=(1, 2), seconds_each: float = 1.5, **options) -> Path:
    """A short video of generated shots (cut between them), 96x64 at 10 fps, keyframes at the
    cuts and every second unless `gop` says otherwise."""
    options.setdefault("gop", FPS)
    frames = scene_frames(seeds, options.pop("size", SIZE), seconds_each, options.get("fps", FPS))
    return write_video(path, frames, fps=options.pop("fps", FPS), **options)


# A codec each container takes (and its frame rate: MPEG-1 and -2 know only the standard
# ones), for the sniffing and decoding tests.
CONTAINERS = {
    ".mp4": ("libx264", FPS),
    ".mov": ("libx264", FPS),
    ".mkv": ("libx265", FPS),
    ".webm": ("libvpx-vp9", FPS),
    ".avi": ("mpeg4", FPS),
    ".ts": ("mpeg2video", 25),
    ".mpg": ("mpeg1video", 25),
    ".flv": ("flv", FPS),
    ".wmv": ("wmv2", FPS),
}


def huge_frame_avi(path: Path, width: int = 50_000, height: int = 50_000) -> Path:
    """An AVI of raw frames whose headers claim a 50000x50000 frame (a decoder would allocate
    7.5 GB for it): a small file written normally, then its size fields rewritten."""
    small_video(path, seeds=(3,), seconds_each=0.3, codec="rawvideo", gop=None)
    data = bytearray(path.read_bytes())
    avih = data.find(b"avih")
    struct.pack_into("<II", data, avih + 8 + 32, width, height)  # dwWidth, dwHeight
    strf = data.find(b"strf")
    struct.pack_into("<ii", data, strf + 8 + 4, width, height)  # biWidth, biHeight
    path.write_bytes(bytes(data))
    return path


def edited_videos(folder: Path) -> dict[str, Path]:
    """A video and its near-duplicates as the grouping must find them, all 160x120 at 10 fps:
    a re-encode (VP9, smaller), a mirrored copy, a centred crop (88% of each side), a clip cut
    from its middle, a still of one of its frames, a compilation holding parts of it and of
    another video (longer than both), that other video, and one unrelated video."""
    import numpy as np
    from PIL import Image

    from desktop.core.video_samples import scene_frames

    size = (160, 120)
    a = list(scene_frames((11, 12, 13, 14), size, 3.0, FPS))
    b = list(scene_frames((21, 22, 23), size, 3.0, FPS))
    other = list(scene_frames((31, 32, 33, 34, 35), size, 3.0, FPS))
    made = {
        "original": write_video(folder / "A.mp4", a, fps=FPS, gop=FPS),
        "reencoded": write_video(
            folder / "A_small.webm",
            [np.asarray(Image.fromarray(f).resize((120, 90))) for f in a],
            fps=FPS,
            codec="libvpx-vp9",
            gop=2 * FPS,
        ),
        "mirrored": write_video(folder / "A_mirror.mp4", [f[:, ::-1] for f in a], fps=FPS, gop=FPS),
        "cropped": write_video(
            folder / "A_crop.mp4", [f[7:113, 10:150] for f in a], fps=FPS, gop=FPS
        ),
        "clip": write_video(folder / "A_clip.mp4", a[30:75], fps=FPS, gop=FPS),
        "compilation": write_video(
            folder / "C_compilation.mkv",
            other[:40] + a[60:100] + other[60:100] + b[:40] + other[110:],
            fps=FPS,
            gop=FPS,
        ),
        "other": write_video(folder / "B.mp4", b, fps=FPS, gop=FPS),
        "unrelated": write_video(
            folder / "D.mp4", list(scene_frames((41, 42), size, 3.0, FPS)), fps=FPS, gop=FPS
        ),
    }
    still = folder / "A_still.jpg"
    Image.fromarray(a[60]).save(still, quality=90)  # 6.0 s: a kept frame's time (a keyframe)
    made["still"] = still
    return made
