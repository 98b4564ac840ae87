"""Per-sample statistics logged when a sample is scored: rows whose task score is the mean of per-sample scores log
each sample's own score (``SampleItem.value``), the task score is their mean (equal to the metric on all items), and
a log without them (older runs, a value that could not be computed) is scored by the metric as before; corpus metrics
whose samples yield their statistics alone (mIoU, PQ) log them (``SampleItem.state``) and the bootstrap rebuilds the
task's replicator from the log without the media."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from lmms_general.metrics import get_metric
from lmms_general.metrics.media import collected_failures, per_sample
from lmms_general.protocol import task_score
from lmms_general.protocol.scoring import logged_values, logs_sample_values, sample_state, sample_value
from lmms_general.registry import load_registry
from tests.protocol.test_sample_tree_round_trip import _answers, _comprehension_keys


def _metric_on_all(key: str, items: list[dict]) -> float:
    spec = load_registry()[key]
    scored = [i for i in items if i.get("reference") is not None]
    return get_metric(spec.metric_id).score([i["prediction"] for i in scored], [i["reference"] for i in scored],
                                            **spec.compute_options)


@pytest.mark.parametrize("key", _comprehension_keys())
def test_logged_values_give_the_metric_on_all_items(key: str, tmp_path: Path) -> None:
    spec = load_registry()[key]
    metric = get_metric(spec.metric_id)
    right, wrong = _answers(key, tmp_path, wrong=False), _answers(key, tmp_path, wrong=True)
    items = [r if n % 2 else w for n, (r, w) in enumerate(zip(right, wrong, strict=True))]
    expected = _metric_on_all(key, items)
    if not logs_sample_values(metric, spec.compute_options):
        assert all(i["value"] is None for i in items)
        assert task_score(items).score == expected
        return
    values = [i["value"] for i in items]
    assert all(isinstance(v, float) and math.isfinite(v) for v in values), values
    for item in items:  # each value is the metric on that sample alone
        alone = metric.score([item["prediction"]], [item["reference"]], **spec.compute_options)
        assert item["value"] == alone
    assert task_score(items).score == pytest.approx(expected, rel=1e-12, abs=1e-12)
    # without the values (a log written before they were logged) the metric runs on the items: the same score
    stripped = [{k: v for k, v in i.items() if k != "value"} for i in items]
    assert task_score(stripped).score == expected
    # one item without a value: the metric runs on all items, not on the others' values
    partial = [dict(i) for i in items]
    partial[0]["value"] = None
    assert task_score(partial).score == expected


def test_rows_that_log_values() -> None:
    assert logs_sample_values(get_metric("accuracy"), {}) and logs_sample_values(get_metric("psnr"), {})
    assert logs_sample_values(get_metric("clip_score"), {})  # model-based: one sample at a time
    assert not logs_sample_values(get_metric("bleu_4"), {})  # a corpus metric: statistics pooled first
    assert not logs_sample_values(get_metric("miou"), {})
    bleu_1 = get_metric("bleu_1")  # sentence BLEU-1 is a mean; the corpus option pools the n-gram counts
    assert logs_sample_values(bleu_1, {}) and not logs_sample_values(bleu_1, {"corpus": True})


def test_logged_values_need_a_finite_number_on_every_item() -> None:
    assert logged_values([{"value": 1.0}, {"value": 0}]) == [1.0, 0.0]
    assert logged_values([{"value": 1.0}, {}]) is None
    assert logged_values([{"value": 1.0}, {"value": None}]) is None
    assert logged_values([{"value": float("nan")}]) is None
    assert logged_values([{"value": "1.0"}]) is None
    assert logged_values([{"value": True}]) is None


def test_a_sample_scored_as_worst_says_why_instead_of_a_log_line(caplog, tmp_path: Path) -> None:
    import numpy as np
    from PIL import Image

    target = tmp_path / "target.png"
    Image.fromarray(np.full((16, 16, 3), 90, np.uint8)).save(target)
    psnr = get_metric("psnr")
    value, why = sample_value(psnr, str(tmp_path / "missing.png"), {"target": str(target)}, {})
    assert value == 0.0 and "missing.png" in why  # the generated file is missing: worst, and the item says why
    assert sample_value(psnr, str(target), {"target": str(target)}, {})[1] == ""
    with collected_failures() as failures:
        values = per_sample("psnr", [None, 1.0], [0, 0], lambda p, r: 3.0, worst=0.0)
    assert values == [0.0, 3.0] and failures == ["no prediction"]
    assert "scored as worst" not in caplog.text
    per_sample("psnr", [None], [0], lambda p, r: 3.0, worst=0.0)
    assert "1/1 samples scored as worst" in caplog.text


def test_a_metric_that_raises_on_one_sample_logs_no_value() -> None:
    accuracy = get_metric("accuracy")
    assert sample_value(accuracy, "A", ["A"], {}) == (100.0, "")
    mse = get_metric("mse")
    assert sample_value(mse, 1.0, "not a number", {})[0] is None


@pytest.mark.parametrize("metric_id", ["miou", "pq", "bleu_1", "ap50", "map"])
def test_logged_states_rebuild_the_replicator_without_the_media(metric_id: str, tmp_path: Path) -> None:
    """mIoU and PQ read label maps; BLEU-1 tokenises; box AP matches boxes: from the logged states none of it happens
    again (BLEU-1: a row scored over the corpus; its sentence rows log values)."""
    import shutil

    import numpy as np

    from lmms_general.metrics.synthetic import build_row
    from lmms_general.protocol.scoring import sample_state
    from lmms_general.results.samples import task_bootstrap

    spec = next(r for r in load_registry().values()
                if r.metric_id == metric_id and (metric_id != "bleu_1" or r.compute_options.get("corpus")))
    metric = get_metric(metric_id)
    case = build_row(spec, tmp_path / "media", 6)
    items = [{"prediction": s.predictions[kind], "reference": s.reference, "status": "ok", "key": spec.key}
             for kind in ("random", "perfect") for s in case.samples]
    point = metric.score([i["prediction"] for i in items], [i["reference"] for i in items], **spec.compute_options)
    from_media, why = task_bootstrap(metric_id, spec.task, items, point)
    assert from_media is not None, why
    logged = [{**i, "state": sample_state(metric, i["prediction"], i["reference"], spec.compute_options)}
              for i in items]
    assert all(i["state"] is not None for i in logged)
    shutil.rmtree(tmp_path / "media")  # the maps are gone: the bootstrap reads only the log
    logged = [{**i, "prediction": None} for i in logged]  # and the states alone give the replicates below
    from_log, why = task_bootstrap(metric_id, spec.task, logged, point)
    assert from_log is not None, why
    idx = np.random.default_rng(0).integers(0, len(items), size=(20, len(items)))
    assert np.allclose(from_log.replicates(idx), from_media.replicates(idx), rtol=0, atol=1e-9)


def test_a_model_based_task_without_values_or_weights_keeps_its_point_score(monkeypatch) -> None:
    """Offline, without the metric's weights and without logged values: no model library is imported, no media
    read, the task keeps its point score and says why."""
    import sys

    from lmms_general.results.samples import task_bootstrap

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("LMMS_GENERAL_MODEL_CLIP", "/nonexistent/clip")
    spec = next(r for r in load_registry().values() if r.metric_id == "clip_score")
    items = [{"prediction": "/nonexistent/out.png", "reference": {"text": "a dog"}, "status": "ok"}] * 3
    loaded_before = "transformers" in sys.modules
    task, why = task_bootstrap("clip_score", spec.task, items, 25.0)
    assert task is None and "weights" in why and "CLIP" in why
    assert ("transformers" in sys.modules) == loaded_before


def test_ptb_tokenised_metrics_log_no_states() -> None:
    """pycocoevalcap's PTB tokenizer starts a Java process per call: BLEU@4, CIDEr and ROUGE-L tokenise the task's
    texts together, never one sample at a time when it is scored."""
    from lmms_general.metrics.registry import SampleStates

    for metric_id in ("bleu_4", "cider"):
        assert not isinstance(get_metric(metric_id).statistics, SampleStates)
    assert sample_state(get_metric("bleu_4"), "a dog", ["a dog runs"], {}) is None
