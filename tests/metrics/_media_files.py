"""Small media files written into tmp_path for the generation-metric tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_image(path: Path, array: np.ndarray) -> str:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(path)
    return str(path)


def random_image(seed: int, size: tuple[int, int] = (48, 64)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (*size, 3), dtype=np.uint8)


def write_frames(folder: Path, video: np.ndarray) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    for i, frame in enumerate(video):
        write_image(folder / f"{i:04d}.png", frame)
    return str(folder)


def write_audio(path: Path, wave: np.ndarray, rate: int = 16000) -> str:
    import soundfile

    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(path), np.asarray(wave, dtype=np.float32), rate)
    return str(path)


def tone(freqs: list[float], seconds: float = 1.0, rate: int = 16000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * sum(np.sin(2 * np.pi * f * t) for f in freqs) / len(freqs)).astype(np.float32)


def write_corrupt(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a media file")
    return str(path)
