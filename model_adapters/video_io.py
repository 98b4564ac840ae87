"""Read video files for the adapters: decord when installed (a dependency on x86_64, where its wheels exist), else PyAV.

Both give the same RGB ``uint8`` frames for the files the project writes and reads (H.264 MP4 and the common
containers); PyAV is a main dependency, so video reading works on every platform.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _decord() -> Any | None:
    try:
        import decord
    except ImportError:
        return None
    return decord


def read_frames(path: str, max_frames: int | None = None) -> list[np.ndarray]:
    """Decoded RGB frames ``(H, W, 3) uint8``, the first ``max_frames`` when given; raises ValueError if none."""
    decord = _decord()
    frames: list[np.ndarray] = []
    if decord is not None:
        reader = decord.VideoReader(str(path))
        count = len(reader) if max_frames is None else min(len(reader), max_frames)
        frames = [reader[i].asnumpy() for i in range(count)]
    else:
        import av

        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                frames.append(frame.to_ndarray(format="rgb24"))
                if max_frames is not None and len(frames) >= max_frames:
                    break
    if not frames:
        raise ValueError(f"video {path} has no frames")
    return frames


def frame_count(path: str) -> int:
    """Number of decodable frames."""
    decord = _decord()
    if decord is not None:
        return len(decord.VideoReader(str(path)))
    return len(read_frames(path))


def first_frame(path: str) -> Any:
    """The first frame as a PIL image."""
    from PIL import Image

    return Image.fromarray(read_frames(path, max_frames=1)[0])
