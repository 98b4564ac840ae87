"""Vectorised bootstrap replicates equal the metric recomputed on the drawn items; intervals equal the
reference (slow) bootstrap within Monte-Carlo error."""

from __future__ import annotations

import numpy as np
import pytest

# imported at collection time: test_cli_reports monkeypatches lmms_general.metrics.get_metric, and a module that
# did `from lmms_general.metrics import get_metric` for the first time during that test would keep the fake
import lmms_general.protocol  # noqa: F401
from lmms_general.level import BootstrapTask, LevelScorer, bootstrap_levels
from lmms_general.metrics import all_metrics, get_metric
from lmms_general.metrics.coco_ap_statistics import CocoApReplicator
from lmms_general.metrics.resampling import MeanReplicator, RecomputeReplicator, SumReplicator, agrees, draw_indices
from lmms_general.results.samples import metric_score_fn, task_bootstrap
from tests.level.slow_bootstrap import slow_bootstrap_levels
from tests.metrics.coco_reference import task_wide_replicator

LABELS = ["cat", "dog", "car", "bus"]


def task_of(metric_id: str) -> str:
    """A registry task scored with ``metric_id`` (task scores go through the row's metric)."""
    from lmms_general.registry import load_registry

    return next(s.task for s in load_registry().values() if s.metric_id == metric_id)


def _boxes(rng: np.random.Generator, k: int, scored: bool) -> list[dict]:
    out = []
    for _ in range(k):
        x, y = rng.uniform(0, 100, 2)
        w, h = rng.uniform(5, 40, 2)
        box = {"bbox": [float(x), float(y), float(w), float(h)], "label": str(rng.choice(LABELS[:3]))}
        if scored:
            box["score"] = float(np.round(rng.uniform(), 1))  # coarse scores: many ties across images
        out.append(box)
    return out


def box_items(rng: np.random.Generator, n: int, scored: bool = True, coarse: bool = True) -> list[dict]:
    items = []
    for _ in range(n):
        ref = _boxes(rng, int(rng.integers(1, 4)), False)
        pred = [{**b, "bbox": [v + float(rng.normal(0, 4)) for v in b["bbox"]]} for b in ref if rng.random() < 0.7]
        pred += _boxes(rng, int(rng.integers(0, 3)), False)
        if scored:
            pred = [{**b, "score": float(np.round(rng.uniform(), 1) if coarse else rng.uniform())} for b in pred]
        if rng.random() < 0.1:
            pred = None
        elif pred and rng.random() < 0.2:
            pred = [{k: v for k, v in b.items() if k != "label"} for b in pred]  # unlabelled boxes
        items.append({"prediction": pred, "reference": ref})
    return items


def label_items(rng: np.random.Generator, n: int) -> list[dict]:
    return [{"prediction": sorted(set(rng.choice(LABELS, size=int(rng.integers(0, 3))).tolist())) or None,
             "reference": sorted(set(rng.choice(LABELS, size=int(rng.integers(1, 3))).tolist()))} for _ in range(n)]


def class_items(rng: np.random.Generator, n: int) -> list[dict]:
    return [{"prediction": str(rng.choice(LABELS + ["other"])) if rng.random() > 0.1 else None,
             "reference": [str(rng.choice(LABELS))]} for _ in range(n)]


def mask_items(rng: np.random.Generator, n: int) -> list[dict]:
    items = []
    for _ in range(n):
        ref = rng.integers(0, 4, size=(6, 5))
        pred = np.where(rng.random((6, 5)) < 0.7, ref, rng.integers(0, 5, size=(6, 5)))
        items.append({"prediction": pred.tolist() if rng.random() > 0.1 else None, "reference": ref.tolist()})
    return items


def value_items(rng: np.random.Generator, n: int) -> list[dict]:
    return [{"prediction": float(rng.normal(5, 2)) if rng.random() > 0.1 else None,
             "reference": float(rng.normal(5, 1))} for _ in range(n)]


def text_items(rng: np.random.Generator, n: int) -> list[dict]:
    words = "a man rides a red horse on the beach near the blue sea at dawn".split()
    items = []
    for _ in range(n):
        ref = [" ".join(rng.choice(words, size=int(rng.integers(4, 9)))) for _ in range(2)]
        pred = " ".join(rng.choice(words, size=int(rng.integers(0, 10))))
        items.append({"prediction": pred or None, "reference": ref})
    return items


def anomaly_items(rng: np.random.Generator, n: int) -> list[dict]:
    items = []
    for i in range(n):
        label = int(i % 3 == 0)
        score = float(np.round(np.clip(rng.normal(0.3 + 0.4 * label, 0.25), 0, 1), 1))
        items.append({"prediction": score if rng.random() > 0.1 else None, "reference": label})
    return items


CODE = [
    "def add(a, b):\n    return a + b",
    "def f(x):\n    y = x * 2\n    # twice\n    return y",
    "for i in range(10):\n    print(i)",
    "x = [i for i in range(5)]\nprint(sum(x))",
    'class A:\n    """doc"""\n    def __init__(self):\n        self.v = 1',
    "def broken(:\n    return",  # not valid Python: tree-sitter still parses it, with errors
    "return the sum of a and b",  # prose
]


def code_items(rng: np.random.Generator, n: int) -> list[dict]:
    """Code answers: exact, edited, prose, blank and unparsed; one or two references per sample."""
    items = []
    for i in range(n):
        ref = CODE[i % len(CODE)]
        refs = [ref] if i % 3 else [ref, CODE[(i + 2) % len(CODE)]]
        kind = rng.integers(5)
        prediction = [ref, ref.replace("return", "yield"), CODE[(i + 1) % len(CODE)], "", None][kind]
        items.append({"prediction": prediction, "reference": refs})
    return items


def scene_items(rng: np.random.Generator, n: int) -> list[dict]:
    """Tracking scenes (two categories, scores with ties, misses, false positives, an unparsed answer)."""
    items = []
    for i in range(n):
        tracks = {f"t{k}": (rng.uniform(-10, 10, 3), rng.uniform(-1, 1, 3), str(rng.choice(["car", "bus"])))
                  for k in range(int(rng.integers(1, 4)))}
        reference = {str(f): [{"track_id": k, "center": (c + f * v).tolist(), "category": cat}
                              for k, (c, v, cat) in tracks.items()] for f in range(3)}
        prediction = {f: [{**b, "center": [x + float(rng.normal(0, 0.8)) for x in b["center"]],
                           "score": float(rng.choice([0.4, 0.8]))} for b in boxes if rng.random() < 0.8]
                      + [{"track_id": "fp", "center": rng.uniform(-10, 10, 3).tolist(), "category": "car",
                          "score": 0.5}] * int(rng.random() < 0.3) for f, boxes in reference.items()}
        items.append({"prediction": prediction if i % 9 else None, "reference": reference})
    return items


def panoptic_items(rng: np.random.Generator, n: int) -> list[dict]:
    """Panoptic maps ``(H, W, 2)`` as nested lists, category sets differing between images."""
    items = []
    for i in range(n):
        semantic = rng.integers(0, 3 + i % 3, size=(8, 8))
        reference = np.stack([semantic, (semantic > 0) * (1 + (np.arange(8)[None, :] > 3))], -1)
        noise = np.stack([rng.integers(0, 5, semantic.shape), rng.integers(0, 3, semantic.shape)], -1)
        prediction = np.where(rng.random((8, 8, 1)) < 0.7, reference, noise)
        items.append({"prediction": prediction.tolist() if i % 7 else None, "reference": reference.tolist()})
    return items


#: builders whose inputs are media files, tested against their metric in the metric's own tests
FILE_BUILDERS = {"pixel_auc"}  # tests/metrics/test_image_maps.py

CASES = {
    "amota": scene_items,
    "pq": panoptic_items,
    "codebleu": code_items,
    "micro_f1": label_items,
    "macro_accuracy": class_items,
    "f_score": class_items,
    "miou": mask_items,
    "rmse": value_items,
    "bleu_4": text_items,
    "bleu_1": text_items,
    "cider": text_items,
    "ap": anomaly_items,
    "ap50": box_items,
    "ap75": box_items,
    "ap10": box_items,
    "map": box_items,
    "map50": box_items,
}


#: row options a metric's statistics stand for (BLEU-1's builder is the corpus form of the video rows)
OPTIONS = {"bleu_1": {"corpus": True}}


def slow_replicates(metric_id: str, items: list[dict], idx: np.ndarray) -> np.ndarray:
    spec = get_metric(metric_id)
    return np.array([spec.score([items[i]["prediction"] for i in row], [items[i]["reference"] for i in row],
                                **OPTIONS.get(metric_id, {})) for row in idx])


def corpus_replicator(metric_id: str, items: list[dict], point: float):
    """The spec's statistics on the items (with the row options they stand for) when they reproduce ``point``."""
    spec = get_metric(metric_id)
    if spec.statistics is None:
        return None
    replicator = spec.statistics([i["prediction"] for i in items], [i["reference"] for i in items],
                                 **OPTIONS.get(metric_id, {}))
    value = float(replicator(np.arange(len(items))[None, :])[0])
    return replicator if agrees(value, point) else None


def test_every_corpus_statistics_has_a_case():
    specs = all_metrics().values()
    with_statistics = {s.id for s in specs if s.statistics is not None and (s.kind == "corpus" or s.corpus_option)}
    assert with_statistics - FILE_BUILDERS == set(CASES)


@pytest.mark.parametrize("metric_id", sorted(CASES))
def test_replicates_equal_the_metric_on_the_drawn_items(metric_id: str):
    rng = np.random.default_rng(3)
    items = CASES[metric_id](rng, 60)
    point = get_metric(metric_id).score([i["prediction"] for i in items], [i["reference"] for i in items],
                                        **OPTIONS.get(metric_id, {}))
    replicator = corpus_replicator(metric_id, items, point)
    assert replicator is not None, f"{metric_id}: no fast path (statistics disagree with the point score)"
    idx = draw_indices(np.random.default_rng(5), len(items), 25)
    np.testing.assert_allclose(replicator(idx), slow_replicates(metric_id, items, idx), rtol=1e-9, atol=1e-9)


def test_box_ap_with_unscored_boxes_and_ties():
    """Every box scores 1.0: the ranking is the draw order, as pycocotools' stable sort gives it."""
    rng = np.random.default_rng(11)
    items = box_items(rng, 80, scored=False)
    replicator = task_wide_replicator([i["prediction"] for i in items], [i["reference"] for i in items], [0.5])
    idx = draw_indices(np.random.default_rng(2), len(items), 20)
    np.testing.assert_allclose(replicator(idx), slow_replicates("ap50", items, idx), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("coarse", [True, False])
def test_box_ap_sort_free_path_when_scores_are_distinct(coarse: bool):
    """Distinct scores per category take the sort-free path; coarse (tied) scores the sorting one."""
    rng = np.random.default_rng(12)
    items = box_items(rng, 70, coarse=coarse)
    replicator = task_wide_replicator([i["prediction"] for i in items], [i["reference"] for i in items], None)
    assert replicator.distinct_scores is not coarse
    idx = draw_indices(np.random.default_rng(8), len(items), 15)
    np.testing.assert_allclose(replicator(idx), slow_replicates("map", items, idx), rtol=1e-9, atol=1e-9)


def test_box_ap_on_images_without_detections():
    items = [{"prediction": None, "reference": [{"bbox": [0, 0, 10, 10], "label": "cat"}]} for _ in range(5)]
    replicator = task_wide_replicator([i["prediction"] for i in items], [i["reference"] for i in items], [0.5])
    assert replicator(np.zeros((2, 5), dtype=int)).tolist() == [0.0, 0.0]


def test_statistics_that_disagree_with_the_point_score_are_not_used():
    rng = np.random.default_rng(0)
    items = label_items(rng, 20)
    point = get_metric("micro_f1").score([i["prediction"] for i in items], [i["reference"] for i in items])
    assert corpus_replicator("micro_f1", items, point) is not None
    assert corpus_replicator("micro_f1", items, point + 1.0) is None
    assert corpus_replicator("fid", items, point) is None  # no statistics: keeps its point score


def test_task_bootstrap_picks_the_vectorised_path():
    rng = np.random.default_rng(1)
    task, why = task_bootstrap("ap50", task_of("ap50"), box_items(rng, 30))
    assert why is None and isinstance(task.replicator, CocoApReplicator)
    task, why = task_bootstrap("micro_f1", task_of("micro_f1"), label_items(rng, 30))
    assert why is None and isinstance(task.replicator, SumReplicator)
    task, why = task_bootstrap("accuracy", task_of("accuracy"),
                               [{"prediction": "a", "reference": r} for r in ("a", "b", "a")])
    assert why is None and isinstance(task.replicator, MeanReplicator)
    assert task.replicator(np.array([[0, 0, 2], [1, 1, 1]])).tolist() == [100.0, 0.0]
    # BLEU-1: corpus rows (video QA, `corpus` option) sum statistics, sentence rows average per-sample values
    items = text_items(rng, 30)
    task, why = task_bootstrap("bleu_1", "general_bench_video_comp_agriculture_video_question_answering", items)
    assert why is None and isinstance(task.replicator, SumReplicator)
    task, why = task_bootstrap("bleu_1", "general_bench_nlp_temporal_reasoning", items)
    assert why is None and isinstance(task.replicator, MeanReplicator)


def test_recompute_replicator_calls_the_metric_per_row():
    items = value_items(np.random.default_rng(4), 10)
    idx = draw_indices(np.random.default_rng(9), 10, 4)
    fn = metric_score_fn("rmse", task_of("rmse"))
    np.testing.assert_allclose(RecomputeReplicator(items, fn)(idx), slow_replicates("rmse", items, idx))


class Row:
    def __init__(self, key: str, modality: str, paradigm: str, metric_id: str, sota: float) -> None:
        self.key, self.modality, self.paradigm = key, modality, paradigm
        self.metric_raw, self.metric_id, self.higher_is_better, self.sota = metric_id, metric_id, True, sota


def test_intervals_equal_the_slow_reference_within_monte_carlo_error():
    """Same model, same seed: fast and slow bootstraps draw differently, so intervals agree up to
    Monte-Carlo error (here bounded by a fifth of the interval width, about four standard errors)."""
    rng = np.random.default_rng(21)
    plan = [("c1", "image", "comprehension", "ap50", box_items(rng, 40), 20.0),
            ("c2", "image", "comprehension", "micro_f1", label_items(rng, 40), 30.0),
            ("c3", "video", "comprehension", "miou", mask_items(rng, 30), 40.0),
            ("g1", "image", "generation", "bleu_4", text_items(rng, 40), 5.0),
            ("g2", "video", "generation", "accuracy",
             [{"prediction": "a", "reference": "a" if rng.random() < 0.6 else "b"} for _ in range(50)], 40.0)]
    rows = [Row(k, m, p, metric, sota) for k, m, p, metric, _, sota in plan]
    scorer = LevelScorer(rows)  # type: ignore[arg-type]
    fast_tasks, slow_tasks, point = {}, {}, {}
    for key, _, _, metric_id, items, _ in plan:
        task, why = task_bootstrap(metric_id, task_of(metric_id), items)
        assert why is None and task.replicator is not None
        fast_tasks[key] = task
        slow_tasks[key] = BootstrapTask(items, metric_score_fn(metric_id, task_of(metric_id)))
        point[key] = slow_tasks[key].score_fn(items)
    fast = bootstrap_levels(scorer, point, fast_tasks, n_boot=600, seed=0)
    slow = slow_bootstrap_levels(scorer, point, slow_tasks, n_boot=600, seed=0)
    assert set(fast) == set(slow)
    for name in ("level2", "level3", "image.level2", "video.level2", "image.level3"):
        width = slow[name].high - slow[name].low
        assert width > 0, name
        assert abs(fast[name].low - slow[name].low) <= 0.2 * width, name
        assert abs(fast[name].high - slow[name].high) <= 0.2 * width, name
