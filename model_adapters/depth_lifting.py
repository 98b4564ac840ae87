"""Image -> 3D baseline: monocular depth (a transformers ``depth-estimation`` model) lifted through a pinhole camera.

This is the documented point-cloud / mesh generator of ``general_pipeline`` (model arg ``pc=<depth model>``):
text-to-3D first renders an image with the text-to-image pipeline, image-to-3D uses the input image. The depth
map is normalised to [near, far] (``disparity`` outputs such as DPT / Depth Anything are inverted first), every
pixel is back-projected with a 60-degree field of view, and the grid is subsampled to ``max_points`` points
(point clouds, coloured from the image) or triangulated into a grid mesh.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def normalise_depth(raw: np.ndarray, kind: str = "disparity", near: float = 1.0, far: float = 3.0) -> np.ndarray:
    """Metric-like depth in [near, far] from a relative depth (``depth``) or inverse-depth (``disparity``) map."""
    raw = np.asarray(raw, dtype=np.float64)
    span = float(raw.max() - raw.min())
    unit = (raw - raw.min()) / span if span > 0 else np.zeros_like(raw)
    if kind == "disparity":  # large = close: interpolate in inverse depth
        return 1.0 / (unit * (1.0 / near - 1.0 / far) + 1.0 / far)
    if kind == "depth":
        return near + unit * (far - near)
    raise ValueError(f"unknown depth kind {kind!r}; expected 'disparity' or 'depth'")


def backproject(depth: np.ndarray, fov_deg: float = 60.0) -> np.ndarray:
    """(H, W, 3) camera-space points of a depth map (pinhole camera, principal point at the centre)."""
    h, w = depth.shape
    focal = 0.5 * w / np.tan(np.deg2rad(fov_deg) / 2.0)
    u, v = np.meshgrid(np.arange(w) + 0.5 - w / 2.0, np.arange(h) + 0.5 - h / 2.0)
    return np.stack([u * depth / focal, -v * depth / focal, -depth], axis=-1)


def to_pointcloud(image: Any, depth: np.ndarray, max_points: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """(N, 3) points and (N, 3) uint8 colours, evenly subsampled to at most ``max_points``."""
    rgb = np.asarray(image.convert("RGB").resize(depth.shape[::-1]), dtype=np.uint8).reshape(-1, 3)
    pts = backproject(depth).reshape(-1, 3)
    step = max(1, int(np.ceil(len(pts) / max(1, max_points))))
    return pts[::step].astype(np.float32), rgb[::step]


def to_mesh(depth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grid triangulation of the back-projected depth map: (V, 3) vertices and (F, 3) faces."""
    h, w = depth.shape
    verts = backproject(depth).reshape(-1, 3).astype(np.float32)
    idx = np.arange(h * w).reshape(h, w)
    a, b, c, d = idx[:-1, :-1], idx[:-1, 1:], idx[1:, :-1], idx[1:, 1:]
    faces = np.concatenate([np.stack([a, c, b], -1).reshape(-1, 3), np.stack([b, c, d], -1).reshape(-1, 3)])
    return verts, faces


def estimate_depth(estimator: Any, images: list[Any]) -> list[np.ndarray]:
    """Run a transformers ``depth-estimation`` pipeline and return (H, W) float maps at the model resolution."""
    outputs = estimator(images)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    return [np.asarray(out["predicted_depth"].squeeze().float().cpu().numpy()) for out in outputs]
