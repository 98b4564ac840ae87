"""Plausibility checks on raw task scores read from files (one clear error naming file and task).

A raw score is on the reference table's scale: percentages for most metrics, other ranges for the
special ones. A value outside its metric's range (a score of 1e300 or -500, a negative distance) is a
corrupt input, not a result: scoring it would give Level-2 = 4.6e296.
"""

from __future__ import annotations

import math
from pathlib import Path

from lmms_general.results.types import ResultsError

#: metric id -> (low, high) of a plausible raw score; percentages otherwise
RANGES: dict[str, tuple[float, float]] = {
    "psnr": (0.0, 1000.0),
    "ms_ssim": (-1.0, 1.0),
    "mos": (1.0, 5.0),
    "wer": (0.0, 1e6),
}
#: lower-is-better distances and errors: >= 0, below an implausible bound
DISTANCES = frozenset(
    {"mae", "rms", "mse", "rmse", "abs_rel", "epe", "fid", "fvd", "fad", "sad", "rte", "chamfer_distance", "mcd"}
)
DISTANCE_MAX = 1e12
PERCENT = (0.0, 100.0)
_TOLERANCE = 1e-6


def score_range(metric_id: str) -> tuple[float, float]:
    """The plausible raw range of one metric."""
    if metric_id in RANGES:
        return RANGES[metric_id]
    if metric_id in DISTANCES:
        return 0.0, DISTANCE_MAX
    return PERCENT


def check_score(value: float, metric_id: str, source: Path | str, task: str) -> float:
    """``value`` if finite and inside the metric's range; else :class:`ResultsError` naming file and task."""
    if not math.isfinite(value):
        raise ResultsError(f"{source}: task {task}: score {value} is not finite")
    low, high = score_range(metric_id)
    if value < low - _TOLERANCE or value > high + _TOLERANCE:
        raise ResultsError(
            f"{source}: task {task}: score {value:g} is outside the plausible range [{low:g}, {high:g}] "
            f"of its metric {metric_id}; the file is corrupt or not on the reference scale"
        )
    return value
