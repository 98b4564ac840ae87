"""Media files of the response convention (:mod:`lmms_general.protocol.media_response`): safe file names and the
writer of one sample's generated media.

Files are written as ``<output_dir>/<task>/<sample_id>[_<request key>]_<k>.<ext>``; the response JSON lists their
absolute paths. Used by the model adapters (:mod:`model_adapters.media_output` re-exports it) and by the
reference-derived answers of :mod:`lmms_general.protocol.formats`. PIL, soundfile and diffusers are imported inside
the writers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lmms_general.protocol.media_response import MEDIA_KEYS, build_response

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


#: longest name part kept as written; longer ids (a file name is at most 255 bytes) are shortened with a hash
MAX_NAME_CHARS = 80
#: task and model names (the longest registry task name has 89 characters) are kept whole up to this length
MAX_FOLDER_CHARS = 160


def _hashed(raw: str, text: str, limit: int = MAX_NAME_CHARS) -> str:
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    prefix = text[: limit - 17].rstrip("._")
    return f"{prefix}_{digest}" if prefix else f"item_{digest}"


def safe_name(value: Any) -> str:
    """A file-system-safe version of a task or model name (deterministic): unsafe characters become ``_``; a
    name longer than :data:`MAX_FOLDER_CHARS` keeps a readable prefix plus a hash of the whole name."""
    raw = str(value)
    text = _UNSAFE.sub("_", raw).strip("._")
    if len(text) > MAX_FOLDER_CHARS:
        return _hashed(raw, text, MAX_FOLDER_CHARS)
    return text or "item"


def safe_id(value: Any) -> str:
    """A file-system-safe, collision-free name part for a sample id: kept as written when it is safe and at
    most :data:`MAX_NAME_CHARS` long, else a readable prefix plus a hash of the whole id (so ``a/b`` and ``a_b``
    never share a file, and a 300-character id is never a ``File name too long`` blamed on the model)."""
    raw = str(value)
    text = _UNSAFE.sub("_", raw).strip("._")
    if text == raw and 0 < len(text) <= MAX_NAME_CHARS:
        return text
    return _hashed(raw, text)


@dataclass
class MediaWriter:
    """Writes one sample's media files under ``<output_dir>/<task>/<sample_id>[_<request_key>]_<k>.<ext>``."""

    output_dir: str | Path
    task: str
    sample_id: str
    written: dict[str, list[str]] = field(default_factory=lambda: {key: [] for key in MEDIA_KEYS})
    request_key: str | None = None

    @property
    def stem(self) -> str:
        """``<sample_id>`` or ``<sample_id>_<request_key>``: the shared start of this request's file names."""
        base = safe_id(self.sample_id)
        return f"{base}_{self.request_key}" if self.request_key else base

    def _next_path(self, key: str, ext: str) -> Path:
        folder = Path(self.output_dir).resolve() / safe_name(self.task)
        folder.mkdir(parents=True, exist_ok=True)
        k = sum(len(paths) for paths in self.written.values())
        path = folder / f"{self.stem}_{k}.{ext}"
        self.written[key].append(str(path))
        return path

    def image(self, image: Any) -> str:
        """Save a PIL image (or HxWx3 uint8 array) as PNG."""
        from PIL import Image

        if not isinstance(image, Image.Image):
            image = Image.fromarray(np.asarray(image, dtype=np.uint8))
        path = self._next_path("images", "png")
        image.convert("RGB").save(path)
        return str(path)

    def video(self, frames: Sequence[Any], fps: int = 8) -> str:
        """Save frames (PIL images or HxWx3 arrays) as an MP4 through diffusers' ``export_to_video``."""
        from diffusers.utils import export_to_video
        from PIL import Image

        if not len(frames):
            raise ValueError("cannot write a video with no frames")
        pil = [f if isinstance(f, Image.Image) else Image.fromarray(np.asarray(f, dtype=np.uint8)) for f in frames]
        arrays = [np.asarray(f.convert("RGB"), dtype=np.float32) / 255.0 for f in pil]
        path = self._next_path("videos", "mp4")
        export_to_video(arrays, str(path), fps=fps)
        return str(path)

    def audio(self, waveform: Any, sampling_rate: int) -> str:
        """Save a mono (or channels-first) waveform as 16-bit WAV through soundfile."""
        import soundfile as sf

        wave = np.asarray(waveform, dtype=np.float32).squeeze()
        if wave.ndim == 2:  # (channels, samples) -> (samples, channels)
            wave = wave.T
        if wave.size == 0:
            raise ValueError("cannot write an empty waveform")
        path = self._next_path("audios", "wav")
        sf.write(str(path), np.clip(wave, -1.0, 1.0), int(sampling_rate), subtype="PCM_16")
        return str(path)

    def pointcloud(self, points: Any, colors: Any | None = None) -> str:
        """Save an (N, 3) point cloud, optionally with (N, 3) uint8 colours, as ASCII PLY."""
        pts = np.asarray(points, dtype=np.float32).reshape(-1, 3)
        path = self._next_path("pointclouds", "ply")
        _write_ply(path, pts, None if colors is None else np.asarray(colors, dtype=np.uint8).reshape(-1, 3))
        return str(path)

    def mesh(self, vertices: Any, faces: Any) -> str:
        """Save a triangle mesh ((V, 3) vertices, (F, 3) vertex indices) as Wavefront OBJ."""
        verts = np.asarray(vertices, dtype=np.float32).reshape(-1, 3)
        tris = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
        path = self._next_path("meshes", "obj")
        lines = [f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in verts]
        lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in tris]
        path.write_text("\n".join(lines) + "\n")
        return str(path)

    def response(self, text: str = "") -> str:
        """The JSON response listing every file written so far."""
        return build_response(text, **self.written)


def _write_ply(path: Path, points: np.ndarray, colors: np.ndarray | None) -> None:
    header = [
        "ply",
        "format ascii 1.0",
        f"element vertex {len(points)}",
        "property float x",
        "property float y",
        "property float z",
    ]
    if colors is not None:
        header += ["property uchar red", "property uchar green", "property uchar blue"]
        rows = [f"{x:.6f} {y:.6f} {z:.6f} {r} {g} {b}" for (x, y, z), (r, g, b) in zip(points, colors, strict=True)]
    else:
        rows = [f"{x:.6f} {y:.6f} {z:.6f}" for x, y, z in points]
    path.write_text("\n".join(header + ["end_header"] + rows) + "\n")
