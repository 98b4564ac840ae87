"""Metrics for every General-Bench task, behind one registry.

Public API: :func:`get_metric`, :func:`all_metrics`, :class:`MetricSpec`, :func:`canonical_metric_id`.
"""

from lmms_general.metrics.aliases import canonical_metric_id, higher_is_better, metric_aliases
from lmms_general.metrics.registry import (
    AS_IS,
    METRICS,
    LevelMap,
    MetricNotImplementedError,
    MetricSpec,
    all_metrics,
    get_metric,
    register,
)

__all__ = [
    "AS_IS",
    "METRICS",
    "LevelMap",
    "MetricNotImplementedError",
    "MetricSpec",
    "all_metrics",
    "canonical_metric_id",
    "get_metric",
    "higher_is_better",
    "metric_aliases",
    "register",
]
