"""Bootstrap confidence intervals for the General-Level scores.

Each replicate resamples, with replacement, the samples *within* every task that has per-sample
items, recomputes that task's corpus metric with its ``score_fn(items) -> float`` and re-scores
the model; tasks without items keep their point score. The interval of each Level is the
percentile interval of the replicates. Seeded with ``numpy.random.default_rng(seed)`` and tasks
visited in a fixed order, so the same inputs give the same intervals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from lmms_general.level.scoring import LevelScorer
from lmms_general.level.types import Interval, LevelResult

ScoreFn = Callable[[Sequence[Any]], float]


@dataclass(frozen=True)
class BootstrapTask:
    """Per-sample items of one task and the function turning a list of items into the task score."""

    items: Sequence[Any]
    score_fn: ScoreFn


def level_values(result: LevelResult) -> dict[str, float]:
    """The quantities that get an interval: overall Level-2..5 and each modality's Level-2..4."""
    values = dict(result.overall)
    for m in result.modalities:
        values[f"{m.modality}.level2"] = m.level2
        values[f"{m.modality}.level3"] = m.level3
        values[f"{m.modality}.level4"] = m.level4
    values["nlp.S_L"] = result.nlp.S_L
    return values


def bootstrap_levels(
    scorer: LevelScorer,
    scores: Mapping[str, float | None],
    tasks: Mapping[str, BootstrapTask],
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, Interval]:
    """Percentile intervals of every Level from ``n_boot`` within-task resamples.

    Args:
        scorer: the scorer (fixes task table and mode).
        scores: point scores, ``key -> raw value`` (tasks in ``tasks`` are replaced per replicate).
        tasks: ``key -> BootstrapTask`` for the tasks that have per-sample items.
        n_boot: number of replicates (>= 2).
        seed: seed of the random generator.
        confidence: interval coverage, e.g. 0.95.

    Raises:
        ValueError: on ``n_boot < 2`` or a confidence outside (0, 1).
    """
    if n_boot < 2:
        raise ValueError(f"n_boot must be >= 2, got {n_boot}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    rng = np.random.default_rng(seed)
    order = sorted(k for k, t in tasks.items() if len(t.items) > 0)
    replicate_scores = dict(scores)
    draws: dict[str, list[float]] = {}
    for _ in range(n_boot):
        for key in order:
            task = tasks[key]
            n = len(task.items)
            idx = rng.integers(0, n, size=n)
            replicate_scores[key] = float(task.score_fn([task.items[i] for i in idx]))
        for name, value in level_values(scorer.score(replicate_scores)).items():
            draws.setdefault(name, []).append(value)
    alpha = (1.0 - confidence) / 2.0
    return {
        name: Interval(float(np.quantile(v, alpha)), float(np.quantile(v, 1.0 - alpha)), confidence)
        for name, v in draws.items()
    }


def with_intervals(result: LevelResult, intervals: Mapping[str, Interval]) -> LevelResult:
    """A copy of ``result`` carrying ``intervals`` (``LevelResult`` is frozen)."""
    return replace(result, ci=dict(intervals))
