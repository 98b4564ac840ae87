"""Box AP's per-image states (each image's pycocotools matches, logged when the sample is scored) give the same
bootstrap replicates as pycocotools' matching run once on the whole task, and the metric on the drawn items."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lmms_general.metrics import get_metric
from lmms_general.metrics.coco_ap_statistics import IOU_THRESHOLDS, CocoApReplicator, image_matches
from lmms_general.metrics.resampling import draw_indices
from tests.metrics.coco_reference import task_wide_replicator

BOX_AP = ("ap50", "ap75", "ap10", "map", "map50", "ap")
#: "a" and "the" fold to "" (SQuAD folding), a category of its own; "zebra" never appears in a reference
LABELS = ["cat", "dog", "Cat.", "the", "a"]
PRED_ONLY = ["zebra"]


def _box(rng: np.random.Generator, around: list[float] | None = None, jitter: float = 4.0) -> list[float]:
    if around is not None:
        return [float(v + rng.normal(0, jitter)) for v in around]
    x, y = rng.uniform(0, 100, 2)
    w, h = rng.uniform(5, 40, 2)
    if rng.random() < 0.03:
        w = -w  # negative area: pycocotools ignores such a ground truth (outside the "all" area range)
    return [float(x), float(y), float(w), float(h)]


def _image(rng: np.random.Generator, scores: str) -> dict:
    """One item: 0-3 ground-truth boxes (sometimes none), detections near them and elsewhere, of labels that may
    be absent from every reference; scores distinct, coarse (ties across and within images) or absent (all 1)."""
    n_gt = int(rng.choice([0, 1, 2, 3], p=[0.15, 0.35, 0.3, 0.2]))
    reference = [{"bbox": _box(rng), "label": str(rng.choice(LABELS))} for _ in range(n_gt)]
    prediction = [{"bbox": _box(rng, b["bbox"]), "label": b["label"]} for b in reference if rng.random() < 0.7]
    prediction += [{"bbox": _box(rng, b["bbox"], 1.0), "label": b["label"]} for b in reference if rng.random() < 0.2]
    prediction += [{"bbox": _box(rng), "label": str(rng.choice(LABELS + PRED_ONLY))}
                   for _ in range(int(rng.integers(0, 3)))]
    for box in prediction:
        if scores == "distinct":
            box["score"] = float(rng.uniform())
        elif scores == "coarse":
            box["score"] = float(np.round(rng.uniform(), 1))
    if prediction and rng.random() < 0.15:
        prediction = [{k: v for k, v in b.items() if k != "label"} for b in prediction]  # unlabelled boxes
    if rng.random() < 0.1:
        prediction = None
    return {"prediction": prediction, "reference": reference}


def _task(seed: int, n: int, scores: str) -> list[dict]:
    rng = np.random.default_rng(seed)
    items = [_image(rng, scores) for _ in range(n)]
    items[0]["reference"] = items[0]["reference"] or [{"bbox": [1.0, 2.0, 30.0, 20.0], "label": "cat"}]
    return items


def _logged_states(metric_id: str, items: list[dict]) -> list:
    """The states as a run logs them (through JSON)."""
    of = get_metric(metric_id).statistics.of
    return [json.loads(json.dumps(of(i["prediction"], i["reference"]))) for i in items]


@pytest.mark.parametrize("metric_id", BOX_AP)
@pytest.mark.parametrize("scores", ["distinct", "coarse", "none"])
def test_replicates_from_states_equal_the_task_wide_matching(metric_id: str, scores: str) -> None:
    for seed in range(4):
        items = _task(seed, 45, scores)
        predictions, references = [i["prediction"] for i in items], [i["reference"] for i in items]
        from_states = get_metric(metric_id).statistics.replicator(_logged_states(metric_id, items))
        task_wide = task_wide_replicator(predictions, references, IOU_THRESHOLDS[metric_id])
        assert from_states.distinct_scores == task_wide.distinct_scores == (scores == "distinct")
        idx = np.vstack([np.arange(len(items)), draw_indices(np.random.default_rng(seed), len(items), 40)])
        np.testing.assert_allclose(from_states(idx), task_wide(idx), rtol=0, atol=1e-12)
        spec = get_metric(metric_id)
        for row in idx[:4]:
            drawn = spec.score([predictions[j] for j in row], [references[j] for j in row])
            assert from_states.score(row) == pytest.approx(drawn, abs=1e-12)


@pytest.mark.parametrize("metric_id", ["ap50", "map"])
def test_more_detections_than_max_dets_are_cut_as_pycocotools_cuts_them(metric_id: str) -> None:
    rng = np.random.default_rng(7)
    items = _task(3, 12, "distinct")
    reference = [{"bbox": [float(v) for v in rng.uniform(5, 50, 4)], "label": "cat"} for _ in range(30)]
    crowded = [{"bbox": _box(rng, b["bbox"], 3.0), "label": "cat", "score": float(rng.uniform())}
               for b in reference for _ in range(5)]
    items[2] = {"prediction": crowded, "reference": reference}
    state = image_matches(crowded, reference, IOU_THRESHOLDS[metric_id])
    assert len(state["cat"][1]) == 100 and state["cat"][0] == 30
    predictions, references = [i["prediction"] for i in items], [i["reference"] for i in items]
    from_states = get_metric(metric_id).statistics.replicator(_logged_states(metric_id, items))
    idx = np.vstack([np.arange(len(items)), draw_indices(np.random.default_rng(1), len(items), 30)])
    task_wide = task_wide_replicator(predictions, references, IOU_THRESHOLDS[metric_id])
    np.testing.assert_allclose(from_states(idx), task_wide(idx), rtol=0, atol=1e-12)
    assert from_states.score(idx[0]) == pytest.approx(get_metric(metric_id).score(predictions, references),
                                                      abs=1e-12)


def test_a_state_is_compact_per_label() -> None:
    reference = [{"bbox": [0, 0, 10, 10], "label": "Cat"}, {"bbox": [50, 50, 10, 10], "label": "the"}]
    prediction = [{"bbox": [0, 0, 10, 10], "label": "cat", "score": 0.9},
                  {"bbox": [80, 80, 5, 5], "label": "cat", "score": 0.95},
                  {"bbox": [50, 50, 10, 10], "label": "a", "score": 0.5},
                  {"bbox": [0, 0, 3, 3], "label": "zebra", "score": 0.2}]
    # "the" and "a" both fold to "": one category; scores in pycocotools' order, one code per detection
    assert image_matches(prediction, reference, [0.5]) == {
        "cat": [1, [0.95, 0.9], "ft"], "": [1, [0.5], "t"], "zebra": [0, [0.2], "f"]}
    assert image_matches(None, reference, None) == {"cat": [1, [], ""], "": [1, [], ""]}


def test_ap_states_of_anomaly_labels_and_of_boxes() -> None:
    ap = get_metric("ap")
    scores, labels = [0.9, 0.2, 0.6, "unparsed", 0.4, 0.7], [1.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    replicator = ap.statistics(scores, labels)
    assert replicator(np.arange(6)[None, :])[0] == pytest.approx(ap.score(scores, labels), abs=1e-12)
    assert ap.statistics.of("unparsed", 1.0) == [0.0, 1]
    with pytest.raises(ValueError, match="mixes"):
        ap.statistics.replicator([[0.5, 1], {"cat": [1, [], ""]}])
    boxes = [{"bbox": [0, 0, 10, 10], "label": "cat"}]
    assert ap.statistics.of(0.7, boxes) == {"cat": [1, [], ""]}  # a number for a box reference: no detections


def test_a_task_whose_ground_truth_is_all_ignored_has_no_state_replicator() -> None:
    """pycocotools then scores -1 (0 on our scale): the bootstrap builds the statistics from the items instead."""
    states = [image_matches([{"bbox": [0, 0, 5, 5], "label": "cat", "score": 0.5}],
                            [{"bbox": [0, 0, -5, 5], "label": "cat"}], [0.5])]
    with pytest.raises(ValueError, match="ground-truth"):
        CocoApReplicator.from_states(states, [0.5])


@pytest.mark.parametrize("scores", ["distinct", "coarse", "none"])
def test_the_task_score_engine_equals_pycocotools(scores: str) -> None:
    """faster-coco-eval (the task score) and pycocotools' own ``accumulate`` on the same matching: equal precisions
    to one ulp, so equal AP to rounding (ties, empty images, ignored boxes, labels absent from the references)."""
    import contextlib
    import io

    from lmms_general.metrics.detection import coco_eval
    from tests.metrics.coco_reference import coco_evaluated

    for seed in range(6):
        items = _task(seed, 40, scores)
        predictions, references = [i["prediction"] for i in items], [i["reference"] for i in items]
        for thresholds in ([0.5], [0.1], None):
            evaluator, _ = coco_evaluated(predictions, references, thresholds)
            with contextlib.redirect_stdout(io.StringIO()):
                evaluator.accumulate()
            precision = evaluator.eval["precision"][:, :, :, 0, -1]
            reference = float(precision[precision > -1].mean())
            assert coco_eval(predictions, references, thresholds) == pytest.approx(reference, abs=1e-14)
