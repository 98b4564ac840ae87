"""Turn a doc's input media into what lmms-eval model wrappers accept.

Images -> ``PIL.Image`` (RGB); video files -> path strings; frame folders -> up to ``MAX_FRAMES`` PIL frames
sampled uniformly; audio -> ``{"array", "sampling_rate"}``; point clouds / depth -> ``numpy`` arrays.
A file that cannot be read is recorded (thread-safe) under (task, sample) so ``process_results`` scores the
sample as an error instead of silently evaluating it without its input.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lmms_general.hooks.docs import doc_media

MAX_FRAMES = 8
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}

_FAILURES: dict[tuple[str, str], str] = {}
_LOCK = threading.Lock()


def record_failure(key: str, sample_id: str, message: str) -> None:
    with _LOCK:
        _FAILURES[(key, sample_id)] = message


def media_failure(key: str, sample_id: str) -> str | None:
    """The media error recorded for a sample in this process, if any."""
    with _LOCK:
        return _FAILURES.get((key, sample_id))


def input_media(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The doc's media entries that are model inputs (never targets/references)."""
    return [m for m in doc_media(doc) if m.get("role", "input") == "input"]


def _image(path: Path) -> Any:
    from PIL import Image

    with Image.open(path) as img:
        return img.convert("RGB")


def _frames(folder: Path) -> list[Any]:
    from lmms_general.dataset.media import is_regular_file

    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES and is_regular_file(p))
    if not files:
        raise ValueError(f"no image frames in {folder}")
    step = max(1, len(files) // MAX_FRAMES)
    return [_image(p) for p in files[::step][:MAX_FRAMES]]


def _audio(path: Path) -> dict[str, Any]:
    import soundfile as sf

    array, rate = sf.read(str(path), dtype="float32", always_2d=False)
    if getattr(array, "ndim", 1) > 1:
        array = array.mean(axis=1)
    return {"array": array, "sampling_rate": int(rate)}


def _array(path: Path) -> Any:
    import numpy as np

    if path.suffix == ".npz":
        with np.load(path) as data:
            return data[data.files[0]]
    if path.suffix == ".npy":
        return np.load(path, allow_pickle=False)
    return str(path)  # .ply/.obj/.off: adapters read the file themselves


def load_one(kind: str, path: Path) -> list[Any]:
    """Load one media entry as a list of model inputs (only regular files are opened: a FIFO would block)."""
    from lmms_general.dataset.media import is_regular_file

    if not path.is_dir() and not is_regular_file(path):
        raise ValueError(f"{path} is not a regular file (FIFO, socket, device or missing); not opened")
    if kind == "image":
        return [_image(path)]
    if kind == "frames" or path.is_dir():
        return _frames(path)
    if kind == "video":
        return [str(path)]
    if kind == "audio":
        return [_audio(path)]
    if kind in {"pointcloud", "mesh", "depth"}:
        return [_array(path)]
    return [str(path)]


def load_inputs(doc: Mapping[str, Any]) -> list[tuple[str, list[Any]]]:
    """(kind, loaded values) per readable input media entry; unreadable files are recorded, not raised."""
    loaded: list[tuple[str, list[Any]]] = []
    for entry in input_media(doc):
        if not entry.get("path"):
            continue  # unresolved path: already in the doc's load_error
        try:
            loaded.append((entry["kind"], load_one(entry["kind"], Path(entry["path"]))))
        except Exception as exc:  # noqa: BLE001 - any decoder error means this sample cannot be evaluated
            record_failure(
                doc["registry_key"],
                doc["sample_id"],
                f"cannot read {entry['kind']} {entry['path']} (sample {doc['sample_id']}): {type(exc).__name__}: {exc}",
            )
    return loaded


def doc_to_visual(doc: Mapping[str, Any]) -> list[Any]:
    """All input media of a doc, flattened in annotation order."""
    return [value for _kind, values in load_inputs(doc) for value in values]
