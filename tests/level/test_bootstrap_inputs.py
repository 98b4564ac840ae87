"""How a task enters the bootstrap: statistics computed once, no metric scored and thrown away, no model loaded
for a metric whose replicates could not use it, and replicates equal to the metric recomputed on the drawn items."""

from __future__ import annotations

import numpy as np
import pytest

import lmms_general.protocol  # noqa: F401  (see test_fast_bootstrap: imported before any monkeypatching)
from lmms_general.metrics.resampling import MeanReplicator, RecomputeReplicator, SumReplicator, draw_indices
from lmms_general.results import samples
from lmms_general.results.samples import metric_score_fn, task_bootstrap
from tests.level.test_fast_bootstrap import label_items, task_of, text_items

CORPUS_BLEU_TASK = "general_bench_video_comp_agriculture_video_question_answering"
SENTENCE_BLEU_TASK = "general_bench_nlp_temporal_reasoning"


def _point(metric_id: str, task: str, items: list[dict]) -> float:
    return metric_score_fn(metric_id, task)(items)


def test_corpus_bleu_rows_are_not_scored_sample_by_sample(monkeypatch: pytest.MonkeyPatch):
    items = text_items(np.random.default_rng(3), 25)
    reported = _point("bleu_1", CORPUS_BLEU_TASK, items)

    def refuse(*args: object, **kwargs: object) -> list[float]:
        raise AssertionError("a corpus row was scored sample by sample")

    monkeypatch.setattr(samples, "sample_values", refuse)
    task, why = task_bootstrap("bleu_1", CORPUS_BLEU_TASK, items, reported)
    assert why is None and isinstance(task.replicator, SumReplicator)
    assert isinstance(task.items, range) and len(task.items) == 25  # the items themselves are not kept


def test_model_based_corpus_metric_without_statistics_loads_no_model(monkeypatch: pytest.MonkeyPatch):
    def never(metric_id: str, task: str | None = None):
        def score(items: object) -> float:
            raise AssertionError("the metric (and its model) was run")

        return score

    monkeypatch.setattr(samples, "metric_score_fn", never)
    items = [{"prediction": "a.wav", "reference": "a caption"}] * 3
    task, why = task_bootstrap("speech_cider", task_of("speech_cider"), items, 10.0)
    assert task is None and "model-based" in why


@pytest.mark.parametrize(("metric_id", "task", "make"), [
    ("bleu_1", CORPUS_BLEU_TASK, text_items),
    ("bleu_1", SENTENCE_BLEU_TASK, text_items),
    ("rouge_l", None, text_items),
    ("micro_f1", None, label_items),
])
def test_replicates_equal_the_metric_on_the_drawn_items(metric_id: str, task: str | None, make):
    task = task or task_of(metric_id)
    items = make(np.random.default_rng(7), 30)
    reported = _point(metric_id, task, items)
    entry, why = task_bootstrap(metric_id, task, items, reported)
    assert why is None and isinstance(entry.replicator, (MeanReplicator, SumReplicator))
    idx = draw_indices(np.random.default_rng(11), len(items), 12)
    expected = RecomputeReplicator(items, metric_score_fn(metric_id, task))(idx)
    np.testing.assert_allclose(entry.replicates(idx), expected, rtol=0, atol=1e-9)
