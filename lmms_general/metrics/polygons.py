"""Masks as polygons: the text form of a binary mask that a model can write and we can rasterise exactly.

Coordinates are pixel *corners*: pixel ``(row r, column c)`` spans ``[c, c+1] x [r, r+1]`` and belongs to the
mask when its centre ``(c + 0.5, r + 0.5)`` lies inside or on the outline of any polygon (union of polygons).
A polygon is a flat list ``[x1, y1, x2, y2, ...]`` of at least three vertices. :func:`mask_to_polygons` writes a
mask as axis-aligned rectangles on this grid, so rasterising its output reproduces the mask exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

POLYGON_KEY = "polygons"


def is_polygon_answer(value: Any) -> bool:
    """True for ``{"polygons": [...]}`` (the polygon answer form)."""
    return isinstance(value, dict) and isinstance(value.get(POLYGON_KEY), list)


def valid_polygons(value: Any) -> list[list[float]]:
    """The well-formed polygons of an answer (finite numbers, even length >= 6); malformed ones are dropped."""
    polygons = value.get(POLYGON_KEY) if isinstance(value, dict) else value
    out: list[list[float]] = []
    for polygon in polygons if isinstance(polygons, list) else []:
        if (
            isinstance(polygon, list)
            and len(polygon) >= 6
            and len(polygon) % 2 == 0
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in polygon)
        ):
            out.append([float(v) for v in polygon])
    return out


def rasterize(polygons: Sequence[Sequence[float]], shape: tuple[int, ...]) -> np.ndarray:
    """A boolean ``shape[:2]`` mask: pixels whose centre is inside (or on the outline of) any polygon."""
    from matplotlib.path import Path as MplPath

    height, width = int(shape[0]), int(shape[1])
    mask = np.zeros((height, width), dtype=bool)
    for polygon in polygons:
        xy = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
        x0, y0 = max(int(np.floor(xy[:, 0].min())), 0), max(int(np.floor(xy[:, 1].min())), 0)
        x1, y1 = min(int(np.ceil(xy[:, 0].max())), width), min(int(np.ceil(xy[:, 1].max())), height)
        if x1 <= x0 or y1 <= y0:
            continue
        cols, rows = np.meshgrid(np.arange(x0, x1) + 0.5, np.arange(y0, y1) + 0.5)
        inside = MplPath(xy).contains_points(np.column_stack([cols.ravel(), rows.ravel()]))
        mask[y0:y1, x0:x1] |= inside.reshape(rows.shape)
    return mask


def mask_to_polygons(mask: np.ndarray) -> list[list[float]]:
    """Exact polygons of a 2-D mask (non-zero = inside): horizontal runs merged into rectangles down the rows."""
    binary = np.asarray(mask) != 0
    if binary.ndim == 3:
        binary = binary.any(axis=-1)
    rectangles: list[list[int]] = []  # [x0, x1, y0, y1]
    open_runs: dict[tuple[int, int], int] = {}  # (x0, x1) -> index of the rectangle still growing
    for row in range(binary.shape[0]):
        line = np.concatenate([[False], binary[row], [False]])
        edges = np.flatnonzero(line[1:] != line[:-1])
        runs = {(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)}
        still_open: dict[tuple[int, int], int] = {}
        for run in runs:
            if run in open_runs:
                rectangles[open_runs[run]][3] = row + 1
                still_open[run] = open_runs[run]
            else:
                rectangles.append([run[0], run[1], row, row + 1])
                still_open[run] = len(rectangles) - 1
        open_runs = still_open
    return [[x0, y0, x1, y0, x1, y1, x0, y1] for x0, x1, y0, y1 in rectangles]


def polygons_as_array(value: Any, reference: np.ndarray) -> np.ndarray:
    """A polygon answer as an array like ``reference``: the reference's foreground value inside, 0 outside."""
    mask = rasterize(valid_polygons(value), reference.shape)
    foreground = reference.max() if reference.size and reference.max() > 0 else 1
    out = np.zeros(reference.shape[:2], dtype=reference.dtype)
    out[mask] = foreground
    if reference.ndim == 3:
        out = np.repeat(out[..., None], reference.shape[2], axis=2)
    return out
