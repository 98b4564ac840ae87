"""Small helpers shared by the metric families (answer lists, means on the 0-100 scale, input checks)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

UNPARSED = "<unparsed>"


def require_samples(metric_id: str, predictions: Sequence[Any]) -> None:
    """Raise a clear error when a task has nothing to score (callers skip such tasks before scoring)."""
    if len(predictions) == 0:
        raise ValueError(f"{metric_id}: no samples to score")


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean of a non-empty iterable."""
    items = list(values)
    return math.fsum(items) / len(items)


def percent(values: Iterable[float]) -> float:
    """Mean of per-sample scores in [0, 1], on the 0-100 scale."""
    return 100.0 * mean(values)


def answer_list(reference: Any) -> list[str]:
    """Acceptable answers of a reference: a string, a number, or a list of them (None entries dropped)."""
    if reference is None:
        return []
    if isinstance(reference, (list, tuple)):
        return [str(r) for r in reference if r is not None and not isinstance(r, (list, dict))]
    if isinstance(reference, Mapping):
        return [str(v) for v in reference.values() if isinstance(v, (str, int, float))]
    return [str(reference)]


def is_missing(value: Any) -> bool:
    """None, or a float NaN (a prediction that could not be parsed)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def context_options(context: Mapping[str, Any]) -> list[str] | None:
    """The sample's ``options`` list (NLP multiple choice), or None."""
    options = context.get("options") if context else None
    return [str(o) for o in options] if isinstance(options, list) and options else None
