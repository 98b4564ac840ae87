"""Opt-in rendering of 3D inputs (point clouds, meshes) into a few fixed views, for models without a 3D input.

lmms-eval's chat messages have no 3D type and simple-mode wrappers such as Qwen2-VL's drop numpy arrays, so a chat
model never sees a point cloud. With ``LMMS_GENERAL_RENDER_3D=1`` (or a number of views, 1-6) every point-cloud /
mesh input reaches the model as that many images instead: orthographic views from fixed directions (front, side,
top, oblique, back, bottom), points splatted with a depth test and coloured by height. The rendering is pure numpy
and deterministic: the same file gives the same pixels on every machine. Without it, a chat model's 3D sample is
reported per sample as "input modality not supported by this model" (:mod:`lmms_general.hooks`).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

RENDER_ENV = "LMMS_GENERAL_RENDER_3D"
#: (name, azimuth degrees around the vertical axis, elevation degrees)
VIEWS: tuple[tuple[str, float, float], ...] = (
    ("front", 0.0, 0.0),
    ("side", 90.0, 0.0),
    ("top", 0.0, 90.0),
    ("oblique", 45.0, 30.0),
    ("back", 180.0, 0.0),
    ("bottom", 0.0, -90.0),
)
DEFAULT_VIEWS = 4
IMAGE_SIZE = 336
MAX_POINTS = 200_000
#: height colour ramp (low -> high): blue, teal, yellow-green, orange
_RAMP = np.array([[40, 60, 200], [30, 160, 170], [170, 210, 60], [240, 130, 30]], dtype=np.float64)


def render_view_count() -> int:
    """Views per 3D input from ``$LMMS_GENERAL_RENDER_3D``: 0 when off (unset, "", "0", "false", "no"),
    ``DEFAULT_VIEWS`` for "1"/"true"/"yes", else the number given (2-6)."""
    value = os.environ.get(RENDER_ENV, "").strip().lower()
    if value in {"", "0", "false", "no", "off"}:
        return 0
    if value in {"1", "true", "yes", "on"}:
        return DEFAULT_VIEWS
    try:
        count = int(value)
    except ValueError:
        raise ValueError(f"{RENDER_ENV}={value!r}: expected 0/1, true/false or a number of views 2-{len(VIEWS)}") \
            from None
    return max(1, min(count, len(VIEWS)))


def render_views_enabled() -> bool:
    """Whether 3D inputs are sent to models as rendered views."""
    return render_view_count() > 0


def view_names(count: int | None = None) -> list[str]:
    """Names of the views rendered (in order)."""
    return [name for name, _, _ in VIEWS[: render_view_count() if count is None else count]]


def _rotation(azimuth: float, elevation: float) -> np.ndarray:
    """World -> camera rotation: rows are the screen x, screen y (up) and depth (towards the viewer) axes; the
    object's z axis is up."""
    a, e = np.radians(azimuth), np.radians(elevation)
    right = np.array([np.cos(a), np.sin(a), 0.0])
    toward = np.array([np.sin(a) * np.cos(e), -np.cos(a) * np.cos(e), np.sin(e)])  # from the object to the camera
    up = np.cross(toward, right)
    return np.stack([right, up, toward])


def _normalise(points: np.ndarray) -> np.ndarray:
    centred = points - (points.max(axis=0) + points.min(axis=0)) / 2.0
    radius = float(np.linalg.norm(centred, axis=1).max()) or 1.0
    return centred / radius


def render_points(points: np.ndarray, azimuth: float, elevation: float, size: int = IMAGE_SIZE) -> np.ndarray:
    """One ``(size, size, 3)`` uint8 view of ``(N, 3)`` points (white background)."""
    pts = np.asarray(points, dtype=np.float64)[:, :3]
    pts = pts[np.isfinite(pts).all(axis=1)]
    image = np.full((size, size, 3), 255, dtype=np.uint8)
    if len(pts) == 0:
        return image
    if len(pts) > MAX_POINTS:
        pts = pts[:: int(np.ceil(len(pts) / MAX_POINTS))]
    pts = _normalise(pts)
    height = (pts[:, 2] - pts[:, 2].min()) / (np.ptp(pts[:, 2]) or 1.0)
    cam = pts @ _rotation(azimuth, elevation).T
    margin = 0.06 * size
    scale = (size - 2 * margin) / 2.0
    px = np.round(size / 2 + cam[:, 0] * scale).astype(int)
    py = np.round(size / 2 - cam[:, 1] * scale).astype(int)
    depth = cam[:, 2]  # larger = nearer the viewer
    position = height * (len(_RAMP) - 1)
    low = np.clip(np.floor(position).astype(int), 0, len(_RAMP) - 2)
    frac = (position - low)[:, None]
    colour = _RAMP[low] * (1 - frac) + _RAMP[low + 1] * frac
    shade = 0.55 + 0.45 * (depth - depth.min()) / (np.ptp(depth) or 1.0)
    colour = np.clip(colour * shade[:, None], 0, 255).astype(np.uint8)
    radius = max(1, size // 160)
    zbuf = np.full((size, size), -np.inf)
    order = np.argsort(depth, kind="stable")  # far first; nearer points overwrite
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            if dx * dx + dy * dy > radius * radius:
                continue
            x, y = px[order] + dx, py[order] + dy
            inside = (x >= 0) & (x < size) & (y >= 0) & (y < size)
            x, y, d, c = x[inside], y[inside], depth[order][inside], colour[order][inside]
            nearer = d >= zbuf[y, x]
            # later writes win within one assignment: order is far -> near, so the nearest point is kept
            zbuf[y[nearer], x[nearer]] = d[nearer]
            image[y[nearer], x[nearer]] = c[nearer]
    return image


def render_views(value: Any, count: int | None = None, size: int = IMAGE_SIZE) -> list[Any]:
    """``count`` (default from ``$LMMS_GENERAL_RENDER_3D``, else 4) PIL images of a point cloud / mesh (an array
    or a .npy/.npz/.ply/.obj/.off path; meshes are sampled on their surface with a fixed seed)."""
    from PIL import Image

    from lmms_general.metrics.media import load_points

    points, _colours = load_points(value)
    count = count or render_view_count() or DEFAULT_VIEWS
    return [Image.fromarray(render_points(points, azimuth, elevation, size))
            for _name, azimuth, elevation in VIEWS[:count]]
