"""Bootstrap intervals with a plain ``score_fn`` (no real metric needed)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from lmms_general.level import BootstrapTask, LevelScorer, bootstrap_levels, with_intervals


@dataclass(frozen=True)
class Row:
    key: str
    modality: str
    paradigm: str
    metric_raw: str
    metric_id: str
    higher_is_better: bool
    sota: float


ROWS = [
    Row("c", "image", "comprehension", "Acc", "accuracy", True, 10.0),
    Row("g", "image", "generation", "Acc", "accuracy", True, 10.0),
]


def accuracy(items):
    return 100.0 * sum(items) / len(items)


def tasks(c_items, g_items):
    return {"c": BootstrapTask(c_items, accuracy), "g": BootstrapTask(g_items, accuracy)}


def test_seeded_and_reproducible():
    scorer = LevelScorer(ROWS)
    c_items, g_items = [1, 0, 1, 1, 0, 1, 0, 1] * 5, [1, 1, 0, 1, 0, 0, 1, 1, 0] * 5
    data = tasks(c_items, g_items)
    point = {"c": accuracy(c_items), "g": accuracy(g_items)}
    a = bootstrap_levels(scorer, point, data, n_boot=200, seed=7)
    b = bootstrap_levels(scorer, point, data, n_boot=200, seed=7)
    c = bootstrap_levels(scorer, point, data, n_boot=200, seed=8)
    assert a == b
    assert a != c
    result = scorer.score(point)
    for name in ("level2", "image.level2", "image.level3"):
        assert a[name].low <= a[name].high
    # the point estimate lies inside the interval for a plain mean
    assert a["image.level2"].low <= result.modality("image").level2 <= a["image.level2"].high
    assert a["level2"].high > a["level2"].low  # there is sampling variance


def test_constant_items_give_zero_width_interval():
    scorer = LevelScorer(ROWS)
    point = {"c": 100.0, "g": 100.0}
    ci = bootstrap_levels(scorer, point, tasks([1] * 5, [1] * 5), n_boot=50)
    level2 = scorer.score(point).level2
    assert ci["level2"].low == pytest.approx(level2) and ci["level2"].high == pytest.approx(level2)


def test_tasks_without_items_keep_point_score():
    scorer = LevelScorer(ROWS)
    ci = bootstrap_levels(scorer, {"c": 50.0, "g": 30.0}, {"g": BootstrapTask([1, 1], accuracy)}, n_boot=20)
    # c stays 50, g resamples to 100 every time -> image L2 = (50 + 100) / 2 = 75
    assert ci["image.level2"].low == pytest.approx(75.0) and ci["image.level2"].high == pytest.approx(75.0)


def test_with_intervals_and_json():
    scorer = LevelScorer(ROWS)
    point = {"c": 50.0, "g": 50.0}
    ci = bootstrap_levels(scorer, point, tasks([1, 0], [0, 1]), n_boot=30)
    d = with_intervals(scorer.score(point), ci).to_dict()
    assert set(d["ci"]) >= {"level2", "level3", "level4", "level5"} and d["ci_level"] == 0.95


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_levels(LevelScorer(ROWS), {}, {}, n_boot=1)
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_levels(LevelScorer(ROWS), {}, {}, confidence=1.5)
