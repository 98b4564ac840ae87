"""Reading generated / reference media for the generation metrics.

Every reader turns a missing or unreadable file into :class:`MediaError` naming the file, so a metric
can count the sample as failed (worst value) and go on with the others. Accepted inputs:

* images: any file Pillow reads -> ``uint8`` array ``(H, W, 3)`` RGB;
* videos: a video file (PyAV), a folder of frame images (sorted by name), or a list of frame paths
  -> ``uint8`` array ``(T, H, W, 3)``;
* audio: any file soundfile reads (wav, flac, ogg, ...; librosa for the rest) -> mono ``float32`` at the
  requested sample rate;
* 3D: ``.npy`` / ``.npz`` / ``.xyz`` / ``.txt`` / ``.pts`` point arrays, ASCII or binary ``.ply``, ``.obj``,
  ``.off`` meshes (surface-sampled) -> ``float64`` ``(N, 3)`` points (plus ``(N, 3)`` colours in [0, 1] when
  the file has them).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from lmms_general import media_kinds

# suffixes come from the one table (lmms_general.media_kinds)
IMAGE_SUFFIXES = media_kinds.IMAGE_SUFFIXES
#: a generated or reference clip: a video file or an animated image read as its frames
VIDEO_SUFFIXES = media_kinds.CLIP_SUFFIXES
AUDIO_SUFFIXES = media_kinds.AUDIO_SUFFIXES
POINT_SUFFIXES = media_kinds.POINT_FILE_SUFFIXES


class MediaError(ValueError):
    """A media file is missing, unreadable or of the wrong kind; the message names the file."""


def media_path(value: Any) -> Path:
    """The path a prediction/reference value names; MediaError when it is not an existing file or folder."""
    if value is None:
        raise MediaError("no media (the model produced nothing)")
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    path = Path(str(value))
    if not path.exists():
        raise MediaError(f"file not found: {path}")
    return path


def first_path(value: Any) -> Any:
    """The first path of a prediction that may be a JSON list of paths (several outputs: the first counts)."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


def expand_media(values: Any, suffixes: Sequence[str]) -> list[Path]:
    """Files named by a path, a folder (its files with one of ``suffixes``, sorted) or a list of either."""
    if values is None:
        return []
    items = values if isinstance(values, (list, tuple)) else [values]
    files: list[Path] = []
    for item in items:
        if item is None:
            continue
        path = Path(str(item))
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in suffixes))
        else:
            files.append(path)
    return files


# --------------------------------------------------------------------------------------------- images
def load_image(value: Any, size: tuple[int, int] | None = None) -> np.ndarray:
    """An image as ``uint8 (H, W, 3)`` RGB, resized (bicubic) to ``size = (W, H)`` when given."""
    path = media_path(value)
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image = image.convert("RGB")
            if size is not None and image.size != tuple(size):
                image = image.resize(tuple(size), Image.BICUBIC)
            return np.asarray(image, dtype=np.uint8).copy()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise MediaError(f"unreadable image {path}: {exc}") from None


# --------------------------------------------------------------------------------------------- videos
def load_video(value: Any, max_frames: int | None = None, size: tuple[int, int] | None = None) -> np.ndarray:
    """A video (file, frame folder or list of frame files) as ``uint8 (T, H, W, 3)``.

    ``max_frames`` keeps that many frames sampled uniformly (first and last included); ``size = (W, H)``
    resizes every frame.
    """
    if isinstance(value, (list, tuple)) and len(value) > 1:
        frames = [load_image(v, size) for v in value]
    else:
        path = media_path(value)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not files:
                raise MediaError(f"no frame images in folder {path}")
            frames = [load_image(f, size) for f in _uniform(files, max_frames)]
        elif path.suffix.lower() in IMAGE_SUFFIXES and path.suffix.lower() not in media_kinds.ANIMATED_IMAGE_SUFFIXES:
            frames = [load_image(path, size)]
        else:
            frames = _decode_video(path, size)
    if not frames:
        raise MediaError(f"video without frames: {value}")
    shapes = {f.shape for f in frames}
    if len(shapes) != 1:
        first = frames[0].shape
        frames = [load_array_resized(f, (first[1], first[0])) for f in frames]
    return np.stack(_uniform(frames, max_frames))


def load_array_resized(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize a ``uint8 (H, W, 3)`` frame to ``size = (W, H)`` (bicubic)."""
    from PIL import Image

    return np.asarray(Image.fromarray(frame).resize(tuple(size), Image.BICUBIC))


def _decode_video(path: Path, size: tuple[int, int] | None) -> list[np.ndarray]:
    try:
        import av
    except ImportError as exc:  # pragma: no cover - av is a dev dependency
        raise MediaError(f"cannot decode {path}: PyAV is not installed ({exc})") from None
    frames: list[np.ndarray] = []
    try:
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                rgb = frame.to_ndarray(format="rgb24")
                frames.append(load_array_resized(rgb, size) if size else rgb)
    except Exception as exc:  # noqa: BLE001 - PyAV raises many error types for corrupt files
        raise MediaError(f"unreadable video {path}: {type(exc).__name__}: {exc}") from None
    if not frames:
        raise MediaError(f"video without frames: {path}")
    return frames


def _uniform(items: Sequence[Any], count: int | None) -> list[Any]:
    if count is None or len(items) <= count:
        return list(items)
    index = np.linspace(0, len(items) - 1, count).round().astype(int)
    return [items[i] for i in index]


# ---------------------------------------------------------------------------------------------- audio
def load_audio(value: Any, sample_rate: int) -> np.ndarray:
    """Mono ``float32`` waveform at ``sample_rate`` Hz (resampled with librosa when needed)."""
    path = media_path(value)
    import soundfile

    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
        wave = data.mean(axis=1)
    except Exception:  # noqa: BLE001 - formats soundfile cannot read go through librosa/audioread
        try:
            import librosa

            wave, rate = librosa.load(str(path), sr=None, mono=True)
        except Exception as exc:  # noqa: BLE001
            raise MediaError(f"unreadable audio {path}: {type(exc).__name__}: {exc}") from None
    if wave.size == 0:
        raise MediaError(f"empty audio {path}")
    if not np.all(np.isfinite(wave)):
        raise MediaError(f"audio with NaN/inf samples: {path}")
    if rate != sample_rate:
        import librosa

        wave = librosa.resample(wave, orig_sr=rate, target_sr=sample_rate)
    return np.asarray(wave, dtype=np.float32)


# ------------------------------------------------------------------------------------------------- 3D
def load_points(value: Any, n_samples: int = 16384, seed: int = 0) -> tuple[np.ndarray, np.ndarray | None]:
    """Points ``(N, 3)`` and colours ``(N, 3)`` in [0, 1] or None. Meshes are sampled on their surface
    (area-weighted, ``n_samples`` points, fixed seed); a point file is read as it is."""
    if isinstance(value, np.ndarray):
        return _check_points(value, "array"), None
    path = media_path(value)
    suffix = path.suffix.lower()
    try:
        if suffix in (".npy", ".npz"):
            array = np.load(path, allow_pickle=False)
            if isinstance(array, np.lib.npyio.NpzFile):
                with array:
                    key = next((k for k in ("points", "xyz", "pc", "arr_0") if k in array.files), array.files[0])
                    array = np.asarray(array[key])
            return _split_colours(np.asarray(array, dtype=np.float64), path)
        if suffix in (".xyz", ".txt", ".pts"):
            return _split_colours(np.loadtxt(path, dtype=np.float64, ndmin=2), path)
        if suffix == ".ply":
            vertices, colours, faces = _read_ply(path)
        elif suffix == ".obj":
            vertices, colours, faces = _read_obj(path)
        elif suffix == ".off":
            vertices, colours, faces = _read_off(path)
        else:
            raise MediaError(f"unsupported 3D file {path} (expected one of {', '.join(POINT_SUFFIXES)})")
    except MediaError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise MediaError(f"unreadable 3D file {path}: {type(exc).__name__}: {exc}") from None
    if faces is not None and len(faces):
        return sample_surface(vertices, faces, n_samples, seed, colours)
    return _check_points(vertices, path), colours


def _check_points(points: np.ndarray, where: Any) -> np.ndarray:
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] < 3 or len(points) == 0:
        raise MediaError(f"not a point cloud (shape {points.shape}): {where}")
    points = points[:, :3]
    if not np.all(np.isfinite(points)):
        raise MediaError(f"point cloud with NaN/inf coordinates: {where}")
    return points


def _split_colours(array: np.ndarray, path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    points = _check_points(array.reshape(-1, array.shape[-1]) if array.ndim > 2 else array, path)
    colours = None
    if array.ndim == 2 and array.shape[1] >= 6:
        colours = array[:, 3:6].astype(np.float64)
        colours = colours / 255.0 if colours.max(initial=0) > 1.0 else colours
    return points, colours


def sample_surface(
    vertices: np.ndarray, faces: np.ndarray, count: int, seed: int = 0, colours: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Area-weighted uniform samples on a triangle mesh (barycentric colour interpolation)."""
    faces = np.asarray(faces, dtype=np.int64)
    tri = vertices[faces]
    area = 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    if not np.isfinite(area).all() or area.sum() <= 0:
        return _check_points(vertices, "mesh"), colours
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(faces), size=count, p=area / area.sum())
    u, v = rng.random(count), rng.random(count)
    flip = u + v > 1
    u[flip], v[flip] = 1 - u[flip], 1 - v[flip]
    weights = np.stack([1 - u - v, u, v], axis=1)
    points = np.einsum("nk,nkd->nd", weights, tri[chosen])
    sampled_colours = None
    if colours is not None:
        sampled_colours = np.einsum("nk,nkd->nd", weights, colours[faces][chosen])
    return points, sampled_colours


def _triangulate(polygons: list[list[int]]) -> np.ndarray:
    triangles = [[poly[0], poly[i], poly[i + 1]] for poly in polygons for i in range(1, len(poly) - 1)]
    return np.asarray(triangles, dtype=np.int64).reshape(-1, 3)


def _read_obj(path: Path) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    vertices, colours, polygons = [], [], []
    for line in path.read_text(errors="replace").splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "v":
            vertices.append([float(x) for x in parts[1:4]])
            if len(parts) >= 7:
                colours.append([float(x) for x in parts[4:7]])
        elif parts[0] == "f":
            polygons.append([int(p.split("/")[0]) - 1 for p in parts[1:]])
    if not vertices:
        raise MediaError(f"OBJ without vertices: {path}")
    v = np.asarray(vertices)
    c = np.asarray(colours) if len(colours) == len(vertices) else None
    return v, c, _triangulate(polygons)


def _read_off(path: Path) -> tuple[np.ndarray, None, np.ndarray]:
    tokens = path.read_text(errors="replace").split()
    if not tokens or not tokens[0].endswith("OFF"):
        raise MediaError(f"not an OFF file: {path}")
    rest = tokens[1:] if tokens[0] == "OFF" else [tokens[0][3:], *tokens[1:]]
    n_vertices, n_faces = int(rest[0]), int(rest[1])
    values = rest[3:]
    vertices = np.asarray(values[: 3 * n_vertices], dtype=np.float64).reshape(n_vertices, 3)
    cursor, polygons = 3 * n_vertices, []
    for _ in range(n_faces):
        k = int(values[cursor])
        polygons.append([int(x) for x in values[cursor + 1 : cursor + 1 + k]])
        cursor += 1 + k
    return vertices, None, _triangulate(polygons)


_PLY_TYPES = {
    "char": "i1",
    "int8": "i1",
    "uchar": "u1",
    "uint8": "u1",
    "short": "i2",
    "int16": "i2",
    "ushort": "u2",
    "uint16": "u2",
    "int": "i4",
    "int32": "i4",
    "uint": "u4",
    "uint32": "u4",
    "float": "f4",
    "float32": "f4",
    "double": "f8",
    "float64": "f8",
}


def _read_ply(path: Path) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """ASCII and binary PLY: vertex x/y/z (+ red/green/blue) and triangle/polygon faces."""
    raw = path.read_bytes()
    end = raw.find(b"end_header")
    if not raw.startswith(b"ply") or end < 0:
        raise MediaError(f"not a PLY file: {path}")
    header = raw[:end].decode("ascii", errors="replace").splitlines()
    body = raw[raw.index(b"\n", end) + 1 :]
    fmt = next(line.split()[1] for line in header if line.startswith("format"))
    elements: list[tuple[str, int, list[tuple[str, ...]]]] = []
    for line in header:
        parts = line.split()
        if parts[:1] == ["element"]:
            elements.append((parts[1], int(parts[2]), []))
        elif parts[:1] == ["property"] and elements:
            elements[-1][2].append(tuple(parts[1:]))
    data: dict[str, Any] = {}
    if fmt == "ascii":
        lines = iter(body.decode("ascii", errors="replace").splitlines())
        for name, count, props in elements:
            rows = [next(lines).split() for _ in range(count)]
            if props and props[0][0] == "list":
                data[name] = [[int(x) for x in row[1 : 1 + int(row[0])]] for row in rows]
            else:
                data[name] = {p[-1]: np.asarray([float(r[i]) for r in rows]) for i, p in enumerate(props)}
    else:
        order = "<" if fmt == "binary_little_endian" else ">"
        offset = 0
        for name, count, props in elements:
            if props and props[0][0] == "list":
                count_t, index_t = np.dtype(order + _PLY_TYPES[props[0][1]]), np.dtype(order + _PLY_TYPES[props[0][2]])
                polygons = []
                for _ in range(count):
                    k = int(np.frombuffer(body, count_t, 1, offset)[0])
                    offset += count_t.itemsize
                    polygons.append(np.frombuffer(body, index_t, k, offset).tolist())
                    offset += k * index_t.itemsize
                data[name] = polygons
            else:
                dtype = np.dtype([(p[-1], order + _PLY_TYPES[p[0]]) for p in props])
                table = np.frombuffer(body, dtype, count, offset)
                offset += count * dtype.itemsize
                data[name] = {field: table[field].astype(np.float64) for field in dtype.names or ()}
    vertex = data.get("vertex")
    if not isinstance(vertex, Mapping) or not {"x", "y", "z"} <= set(vertex):
        raise MediaError(f"PLY without vertex x/y/z: {path}")
    points = np.stack([vertex["x"], vertex["y"], vertex["z"]], axis=1)
    colours = None
    if {"red", "green", "blue"} <= set(vertex):
        colours = np.stack([vertex["red"], vertex["green"], vertex["blue"]], axis=1)
        colours = colours / 255.0 if colours.max(initial=0) > 1.0 else colours
    faces = data.get("face")
    return points, colours, _triangulate(faces) if faces else None


def render_points(
    points: np.ndarray, colours: np.ndarray | None = None, views: int = 4, size: int = 224, elevation: float = 20.0
) -> list[np.ndarray]:
    """Orthographic z-buffered splat renders of a point cloud from ``views`` azimuths on a white background.

    The cloud is centred and scaled into the unit sphere; points without colour are shaded by depth (grey).
    Used to put 3D outputs in front of image models (CLIP score of text/image-to-3D rows).
    """
    pts = np.asarray(points, dtype=np.float64)
    pts = pts - pts.mean(axis=0)
    radius = np.linalg.norm(pts, axis=1).max()
    pts = pts / (radius if radius > 0 else 1.0)
    elev = np.deg2rad(elevation)
    images = []
    for k in range(views):
        azim = 2 * np.pi * k / views
        rot_y = np.array([[np.cos(azim), 0, np.sin(azim)], [0, 1, 0], [-np.sin(azim), 0, np.cos(azim)]])
        rot_x = np.array([[1, 0, 0], [0, np.cos(elev), -np.sin(elev)], [0, np.sin(elev), np.cos(elev)]])
        view = pts @ (rot_x @ rot_y).T
        u = np.clip(((view[:, 0] + 1) / 2 * (size - 1)).round().astype(int), 0, size - 1)
        v = np.clip(((1 - view[:, 1]) / 2 * (size - 1)).round().astype(int), 0, size - 1)
        depth = view[:, 2]
        if colours is not None:
            shade = np.clip(colours, 0, 1)
        else:
            shade = np.repeat((0.25 + 0.5 * (depth + 1) / 2)[:, None], 3, axis=1)
        image = np.ones((size, size, 3))
        zbuf = np.full((size, size), -np.inf)
        for du in (-1, 0, 1):  # 3x3 splats so sparse clouds still read as surfaces
            for dv in (-1, 0, 1):
                uu, vv = np.clip(u + du, 0, size - 1), np.clip(v + dv, 0, size - 1)
                order = np.argsort(depth)  # far to near: nearer points overwrite
                front = depth[order] >= zbuf[vv[order], uu[order]]
                sel = order[front]
                image[vv[sel], uu[sel]] = shade[sel]
                zbuf[vv[sel], uu[sel]] = depth[sel]
        images.append((image * 255).round().astype(np.uint8))
    return images


# ------------------------------------------------------------------------------ predictions/references
def parse_media(raw: str, context: Mapping[str, Any]) -> str | None:
    """A generated file path (the first one when the response lists several); None when empty.

    Relative paths are resolved against the task folder. The file is not opened here: a missing or
    corrupt file is found by the metric, which counts the sample as failed (worst value).
    """
    text = first_path((raw or "").strip())
    if not text or not isinstance(text, str) or not text.strip():
        return None
    path = Path(text.strip())
    task_dir = (context or {}).get("task_dir")
    if not path.is_absolute() and task_dir:
        path = Path(task_dir) / path
    return str(path)


def generation_reference(raw: Any, context: Mapping[str, Any]) -> dict[str, Any]:
    """The hooks' generation reference (``prompt``, ``source``, ``target``, ``text``, optionally ``input``)
    as a dict, with ``registry_key`` added from the context; a bare path or text is wrapped."""
    if isinstance(raw, Mapping):
        ref = dict(raw)
    elif isinstance(raw, str) and Path(raw).exists():
        ref = {"target": [raw]}
    else:
        ref = {"text": raw}
    ref.setdefault("registry_key", (context or {}).get("registry_key"))
    return ref


def as_list(value: Any) -> list[Any]:
    """None -> [], scalar -> [scalar], list -> list."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def reference_input(ref: Mapping[str, Any], *names: str) -> Any:
    """The first non-empty field ``names`` of the annotation input (``ref["input"]``) or of the reference itself."""
    for scope in (ref.get("input"), ref.get("auxiliary_info"), ref):
        if isinstance(scope, Mapping):
            for name in names:
                value = scope.get(name)
                if value not in (None, "", []):
                    return value
    return None


def reference_text(ref: Any) -> str:
    """The text a generated medium must express: the annotation's reference text, else its input
    text / prompt, else the task prompt. Raises ValueError when there is none."""
    if isinstance(ref, str):
        return ref
    if isinstance(ref, Mapping):
        value = reference_input(ref, "text", "transcript", "caption")
        if value is None:
            value = reference_input(ref, "prompt_en", "prompt", "target_prompt", "description")
        if isinstance(value, list):
            value = " ".join(str(v) for v in value)
        if value not in (None, ""):
            return str(value)
    raise ValueError(f"reference without text: {str(ref)[:200]}")


def reference_prompt(ref: Any) -> str:
    """The generation prompt (annotation ``input.prompt`` first, then the task prompt, then the reference text)."""
    if isinstance(ref, Mapping):
        value = reference_input(ref, "prompt_en", "prompt", "target_prompt", "caption", "text")
        if value not in (None, ""):
            return " ".join(map(str, value)) if isinstance(value, list) else str(value)
    return reference_text(ref)


# ----------------------------------------------------------------------------------- per-sample running
_COLLECTING = threading.local()


@contextmanager
def collected_failures() -> Iterator[list[str]]:
    """Within the block, this thread's :func:`per_sample` failures are added to the yielded list instead of logged
    (one sample scored alone: its item records why it scored as worst, instead of a log line per sample)."""
    previous = getattr(_COLLECTING, "failures", None)
    _COLLECTING.failures = failures = []
    try:
        yield failures
    finally:
        _COLLECTING.failures = previous


def per_sample(
    metric_id: str, predictions: Sequence[Any], references: Sequence[Any], score: Any, worst: float
) -> list[float]:
    """``score(prediction, reference)`` for every sample; a missing prediction or a :class:`MediaError`
    (missing/corrupt generated file) gives ``worst`` and is counted in one warning per task. Errors in
    references (not the model's fault) propagate."""
    import logging

    values: list[float] = []
    failures: list[str] = []
    for prediction, reference in zip(predictions, references, strict=True):
        if prediction is None:
            values.append(worst)
            failures.append("no prediction")
            continue
        try:
            value = float(score(prediction, reference))
        except MediaError as exc:
            values.append(worst)
            failures.append(str(exc))
            continue
        values.append(worst if np.isnan(value) else value)
    sink = getattr(_COLLECTING, "failures", None)
    if failures and sink is not None:
        sink.extend(failures)
    elif failures:
        logging.getLogger(__name__).warning(
            "%s: %d/%d samples scored as worst (%s); first: %s",
            metric_id,
            len(failures),
            len(values),
            worst,
            failures[0],
        )
    return values


#: ``parse`` / ``prepare_reference`` of every generation metric: generated file path in, generation reference dict.
GENERATION_IO: dict[str, Any] = {"parse": parse_media, "prepare_reference": generation_reference}
