"""The vectorised Levels of many replicates equal ``level_values(scorer.score(...))`` replicate by replicate."""

from __future__ import annotations

import numpy as np
import pytest

from lmms_general.level import LevelScorer, level_values
from lmms_general.level.vector import replicate_levels
from lmms_general.registry import load_registry


@pytest.mark.parametrize("mode", ["corrected", "official"])
def test_replicate_levels_equal_the_scalar_scorer(mode: str):
    rows = list(load_registry().values())
    scorer = LevelScorer(rows, mode)  # type: ignore[arg-type]
    rng = np.random.default_rng(0)
    scores: dict[str, float | None] = {}
    for r in rows:
        u = rng.random()
        zero_ok = r.metric_id == "accuracy"  # official mode raises on a 0 distance, in both paths
        scores[r.key] = None if u < 0.1 else 0.0 if u < 0.15 and zero_ok else float(r.sota * rng.uniform(0.3, 1.4))
    keys = [r.key for r in rows if rng.random() < 0.6]
    varying = {}
    accuracy = {r.key for r in rows if r.metric_id == "accuracy"}
    for k in keys:
        values = np.abs(rng.normal(scores[k] or 10.0, 5.0, size=12)) + 1e-3
        values[rng.random(12) < 0.1] = np.nan  # a replicate where the metric is undefined
        if k in accuracy:
            values[rng.random(12) < 0.1] = 0.0
        varying[k] = values
    fast = replicate_levels(scorer, scores, varying)
    for b in range(12):
        slow = level_values(scorer.score({**scores, **{k: float(v[b]) for k, v in varying.items()}}))
        assert list(fast) == list(slow)
        for name, value in slow.items():
            assert fast[name][b] == pytest.approx(value, rel=1e-9, abs=1e-9), (name, b)


def test_ties_with_sota_win_in_both_paths():
    rows = list(load_registry().values())[:40]
    scorer = LevelScorer(rows)  # type: ignore[arg-type]
    scores = {r.key: float(r.sota) for r in rows}
    key = rows[0].key
    fast = replicate_levels(scorer, scores, {key: np.array([rows[0].sota, 0.0])})
    for b, value in enumerate((rows[0].sota, 0.0)):
        slow = level_values(scorer.score({**scores, key: value}))
        for name in slow:
            assert fast[name][b] == pytest.approx(slow[name], rel=1e-12, abs=1e-12)
