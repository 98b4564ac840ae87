"""3D generation metrics: Chamfer distance (the CLIP-score and FID 3D rows use the image-generation specs).

Chamfer distance (raw, lower is better) between the generated and the reference shape, both as point
sets: point files as they are, meshes sampled on their surface (16,384 points, fixed seed,
:func:`media.load_points`). Definition: mean squared nearest-neighbour distance from prediction to
reference plus from reference to prediction (the "CD-L2" of point-cloud completion / reconstruction
papers; ``squared=False`` gives the CD-L1 variant with plain distances, averaged over both directions).
Coordinates are used as given (no normalisation). A missing or unreadable output is replaced by a single
point at the origin (a degenerate shape: finite and bad), so the sample stays in the mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lmms_general.metrics import media
from lmms_general.metrics._common import mean, require_samples
from lmms_general.metrics.image_generation import reference_media
from lmms_general.metrics.registry import LevelMap, MetricSpec, register
from lmms_general.metrics.synthetic import gen_generation


def chamfer(points_a: np.ndarray, points_b: np.ndarray, squared: bool = True) -> float:
    """Chamfer distance of two ``(N, 3)`` / ``(M, 3)`` point sets via scipy ``cKDTree``."""
    from scipy.spatial import cKDTree

    a, b = np.asarray(points_a, np.float64), np.asarray(points_b, np.float64)
    d_ab, _ = cKDTree(b).query(a)
    d_ba, _ = cKDTree(a).query(b)
    if squared:
        return float(np.mean(d_ab**2) + np.mean(d_ba**2))
    return float((np.mean(d_ab) + np.mean(d_ba)) / 2)


def chamfer_distance(
    predictions: Sequence[Any],
    references: Sequence[Any],
    squared: bool = True,
    n_samples: int = 16384,
    unit_scale: float = 1.0,
) -> float:
    """Mean per-sample Chamfer distance (raw) between output and reference shape.

    Row options choose the variant and unit: ``squared=True`` is CD-L2 (sum of the two mean squared
    nearest-neighbour distances), ``squared=False`` CD-L1 (mean of the two mean distances); coordinates are
    multiplied by ``unit_scale`` first (e.g. 1000 for metres -> millimetres)."""
    require_samples("chamfer_distance", predictions)
    values, failed = [], 0
    for prediction, ref in zip(predictions, references, strict=True):
        targets = reference_media(ref)
        if not targets:
            raise ValueError(f"chamfer_distance: sample without a reference shape: {str(ref)[:200]}")
        target, _ = media.load_points(targets[0], n_samples)
        try:
            generated, _ = media.load_points(prediction, n_samples)
        except media.MediaError:
            generated, failed = np.zeros((1, 3)), failed + 1
        values.append(chamfer(generated * unit_scale, target * unit_scale, squared))
    if failed:
        import logging

        logging.getLogger(__name__).warning("chamfer_distance: %d/%d outputs missing/unreadable", failed, len(values))
    return mean(values)


register(
    MetricSpec(
        "chamfer_distance",
        chamfer_distance,
        "sample",
        (0.0, float("inf")),
        "raw (squared L2)",
        "scipy cKDTree",
        **media.GENERATION_IO,
        description="mean squared NN distance both ways; meshes surface-sampled; missing = one point at the origin",
        aliases=("CD (Chamfer Distance)",),
        lower_is_better=True,
        task_kind="generation",
        level_map=LevelMap.sigmoid(1.0),
        synthetic=gen_generation,
    )
)
