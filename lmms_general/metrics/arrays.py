"""Loading dense predictions / references (masks, depth, flow, point labels) into numpy arrays.

Accepted values: a COCO RLE dict (``{"size", "counts"}``), a file path (``.npy``, ``.npz`` — key
``disparity`` / ``depth`` / ``flow`` or the first array —, ``.flo``, or an image read with Pillow), or a
nested list of numbers. Relative paths are resolved against the task folder when it is known.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

_NPZ_KEYS = ("disparity", "depth", "flow", "mask", "alpha", "labels", "arr_0")


def resolve_path(value: Any, context: Mapping[str, Any] | None = None) -> Any:
    """Make a relative file path absolute against ``context["task_dir"]``; other values pass through."""
    if isinstance(value, str) and value.strip() and not value.lstrip().startswith(("{", "[")):
        path = Path(value.strip().replace("\\", "/"))
        task_dir = (context or {}).get("task_dir")
        if not path.is_absolute() and task_dir:
            path = Path(task_dir) / path
        return str(path)
    return value


def parse_dense(raw: str, context: Mapping[str, Any]) -> Any:
    """A dense prediction: a JSON RLE / nested list, or a file path (None when empty)."""
    text = (raw or "").strip()
    if not text:
        return None
    if text[:1] in "[{":
        try:
            return json.loads(text)
        except ValueError:
            return None
    return resolve_path(text, context)


def dense_reference(raw: Any, context: Mapping[str, Any]) -> Any:
    """A dense reference with paths made absolute (per-frame dicts keep their structure).

    Raises ValueError when a referenced file does not exist, so the sample is reported as an error
    (its ground truth is unreadable) instead of failing the whole task at scoring time.
    """
    if isinstance(raw, Mapping) and "counts" not in raw:
        return {k: dense_reference(v, context) for k, v in raw.items()}
    value = resolve_path(raw, context)
    is_path = isinstance(raw, str) and raw.strip() and not raw.lstrip().startswith(("{", "["))
    if is_path and not Path(value).is_file():
        raise ValueError(f"reference file not found: {value}")
    return value


def read_flo(path: Path) -> np.ndarray:
    """Middlebury ``.flo`` optical flow -> (H, W, 2) float32."""
    with open(path, "rb") as handle:
        if np.fromfile(handle, np.float32, 1)[0] != 202021.25:
            raise ValueError(f"{path}: not a .flo file")
        width, height = (int(v) for v in np.fromfile(handle, np.int32, 2))
        return np.fromfile(handle, np.float32, 2 * width * height).reshape(height, width, 2)


def load_array(value: Any) -> np.ndarray | None:
    """The array a prediction/reference value denotes, None for None. Raises ValueError naming the value."""
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, Mapping):
        if "mask" in value and isinstance(value["mask"], Mapping):
            value = value["mask"]
        if "counts" in value and "size" in value:
            from pycocotools import mask as mask_utils

            rle = dict(value)
            if isinstance(rle["counts"], str):
                rle["counts"] = rle["counts"].encode("ascii")
            return mask_utils.decode(rle).astype(np.uint8)
        raise ValueError(f"not an array value: {str(value)[:120]}")
    if isinstance(value, (list, tuple, int, float)):
        return np.asarray(value, dtype=float)
    path = Path(str(value))
    if not path.is_file():
        raise ValueError(f"file not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return np.load(path, allow_pickle=False)
    if suffix == ".npz":
        with np.load(path, allow_pickle=False) as data:
            key = next((k for k in _NPZ_KEYS if k in data.files), data.files[0])
            return np.asarray(data[key])
    if suffix == ".flo":
        return read_flo(path)
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image)
