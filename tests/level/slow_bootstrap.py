"""The bootstrap as it was before vectorisation (one ``score_fn`` call per task and replicate), kept as the
reference the fast path is tested against. Not used by the package."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from lmms_general.level import BootstrapTask, Interval, LevelScorer, level_values


def slow_bootstrap_levels(
    scorer: LevelScorer,
    scores: Mapping[str, float | None],
    tasks: Mapping[str, BootstrapTask],
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, Interval]:
    """Percentile intervals from ``n_boot`` replicates, recomputing every task's metric per replicate."""
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
