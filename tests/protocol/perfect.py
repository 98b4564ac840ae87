"""What a perfect answer scores, per metric: the ideal value, or a documented exception.

Most metrics reach their ideal on a copied reference (100 for accuracies / F1 / IoU / AP, 0 for distances and
errors). The exceptions score the reference itself below the ideal by their definition; tests compare those with
the metric applied to the reference itself and list them here with the reason.
"""

from __future__ import annotations

import math

#: metric id -> (value of a perfect answer, why it is not the ideal)
PERFECT_EXCEPTIONS: dict[str, tuple[float, str]] = {
    "auc": (100.0 * 20 / 21, "OTB/LaSOT success AUC counts IoU > t over t = 0, 0.05, ..., 1: IoU 1 fails t = 1"),
}


def ideal_value(metric_id: str, higher_is_better: bool) -> float:
    """The metric's best value on the reference-table scale (model-free metrics)."""
    if metric_id in PERFECT_EXCEPTIONS:
        return PERFECT_EXCEPTIONS[metric_id][0]
    return 100.0 if higher_is_better else 0.0


def is_perfect(value: float | None, metric_id: str, higher_is_better: bool) -> bool:
    """Whether a task score equals the perfect value (to floating-point precision)."""
    return value is not None and math.isclose(value, ideal_value(metric_id, higher_is_better), abs_tol=1e-6)
