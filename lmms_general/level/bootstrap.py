"""Bootstrap confidence intervals for the General-Level scores.

Each replicate resamples, with replacement, the samples *within* every task that has per-sample
items, recomputes that task's score and re-scores the model; tasks without items keep their point
score. The interval of each Level is the percentile interval of the replicates.

All replicates of one task are drawn at once (an ``(n_boot, n)`` index matrix) and scored by the task's
``replicator`` when it has one (a mean of per-sample values, summed sufficient statistics, per-image
COCO matches: each metric's ``MetricSpec.statistics``, :mod:`lmms_general.metrics.resampling`), else by
calling ``score_fn`` on each replicate's items; the Levels of all replicates are then computed at once
(:mod:`lmms_general.level.vector`). Seeded with ``numpy.random.default_rng(seed)`` and
tasks visited in sorted order, so the same inputs give the same intervals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from lmms_general.level.scoring import LevelScorer
from lmms_general.level.types import Interval, LevelResult
from lmms_general.level.vector import replicate_levels
from lmms_general.metrics.resampling import RecomputeReplicator, Replicator, draw_indices

ScoreFn = Callable[[Sequence[Any]], float]


@dataclass(frozen=True)
class BootstrapTask:
    """Per-sample items of one task, the function turning a list of items into the task score, and
    optionally a vectorised ``replicator`` (index matrix -> replicate scores) giving the same values.

    With a replicator only ``len(items)`` is used: ``items`` may then be any sequence of the task's length
    (``range(n)``), so the items need not stay in memory."""

    items: Sequence[Any]
    score_fn: ScoreFn
    replicator: Replicator | None = None

    def replicates(self, idx: np.ndarray) -> np.ndarray:
        """Scores of the replicates whose rows of sample indices are ``idx``."""
        replicator = self.replicator or RecomputeReplicator(self.items, self.score_fn)
        return np.asarray(replicator(idx), dtype=np.float64)


def level_values(result: LevelResult) -> dict[str, float]:
    """The quantities that get an interval: overall Level-2..5 and each modality's Level-2..4."""
    values = dict(result.overall)
    for m in result.modalities:
        values[f"{m.modality}.level2"] = m.level2
        values[f"{m.modality}.level3"] = m.level3
        values[f"{m.modality}.level4"] = m.level4
    values["nlp.S_L"] = result.nlp.S_L
    return values


#: sample indices drawn at once: the replicates of a task are drawn in blocks of rows of about this many indices, so
#: a task of a million samples needs tens of MB, not ``n_boot`` x its size x 16 bytes (the draws are the same: the
#: generator's integers come in the same order whether drawn in one call or in consecutive blocks of rows)
DRAW_BLOCK = 1 << 20


def _replicates(task: BootstrapTask, rng: np.random.Generator, n_boot: int) -> np.ndarray:
    """``task``'s ``n_boot`` replicate scores, their sample indices drawn in blocks of rows (:data:`DRAW_BLOCK`)."""
    n = len(task.items)
    rows = max(1, DRAW_BLOCK // n)
    return np.concatenate([task.replicates(draw_indices(rng, n, min(rows, n_boot - start)))
                           for start in range(0, n_boot, rows)])


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
    per_task = {key: _replicates(tasks[key], rng, n_boot) for key in order}
    draws = replicate_levels(scorer, scores, per_task) if per_task else {
        name: np.full(n_boot, value) for name, value in level_values(scorer.score(scores)).items()
    }
    alpha = (1.0 - confidence) / 2.0
    return {
        name: Interval(float(np.quantile(v, alpha)), float(np.quantile(v, 1.0 - alpha)), confidence)
        for name, v in draws.items()
    }


def with_intervals(result: LevelResult, intervals: Mapping[str, Interval]) -> LevelResult:
    """A copy of ``result`` carrying ``intervals`` (``LevelResult`` is frozen)."""
    return replace(result, ci=dict(intervals))
