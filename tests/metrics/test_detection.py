"""Detection metrics: hand-computed AP edge cases (IoU thresholds, ranking, reference shapes) and pycocotools
prints under threads (pycocotools / sklearn comparisons, recall@50 and Dice: tests/metrics/metric_cases.py)."""

from __future__ import annotations

import pytest

from lmms_general.metrics import get_metric


def _score(metric_id: str, raws: list, refs: list) -> float:
    spec = get_metric(metric_id)
    preds = [None if r is None else spec.parse(r, {}) for r in raws]
    return spec.score(preds, [spec.prepare_reference(r, {}) for r in refs])


REFS = [{"bird": [[0, 0, 10, 10]]}, [{"Fall": [0, 0, 10, 10]}]]


def test_ap50_perfect_missing_and_both_reference_shapes() -> None:
    assert _score("ap50", ["[0, 0, 10, 10]", '{"fall": [1, 1, 10, 10]}'], REFS) == pytest.approx(100.0)
    # one image unparsed: its box is a miss -> recall 0.5 for class bird only one of two classes
    assert _score("ap50", ["[0, 0, 10, 10]", "no boxes"], REFS) == pytest.approx(50.0)
    assert _score("ap50", [None, None], REFS) == 0.0


def test_ap_iou_thresholds() -> None:
    # IoU of [0,0,10,10] and [0,0,10,8] is 0.8: hit at 0.5 and 0.75, miss at 0.95
    raws, refs = ['{"bird": [[0, 0, 10, 8]]}'], [{"bird": [[0, 0, 10, 10]]}]
    assert _score("ap50", raws, refs) == pytest.approx(100.0)
    assert _score("ap75", raws, refs) == pytest.approx(100.0)
    # AP@[.5:.95]: hits at 0.50..0.80 (7 of 10 thresholds)
    assert _score("map", raws, refs) == pytest.approx(70.0)
    # IoU 0.2: hit only at the loose 0.1 threshold
    low = ['{"bird": [[0, 0, 10, 2]]}']
    assert _score("ap10", low, refs) == pytest.approx(100.0) and _score("ap50", low, refs) == 0.0


def test_ap50_ranking_uses_scores_false_positive_first() -> None:
    # one GT; two detections: a FP with higher score ranked before the TP -> precision 0.5 at recall 1
    spec = get_metric("ap50")
    pred = [[{"label": "bird", "bbox": [50, 50, 5, 5], "score": 0.9}, {"label": "bird", "bbox": [0, 0, 10, 10],
                                                                       "score": 0.5}]]
    ref = [spec.prepare_reference({"bird": [[0, 0, 10, 10]]}, {})]
    assert spec.score(pred, ref) == pytest.approx(50.0)


def test_ap_from_many_threads_leaves_stdout_alone() -> None:
    """pycocotools prints are silenced by swapping sys.stdout; concurrent AP calls must restore it."""
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from lmms_general.metrics import get_metric

    original = sys.stdout
    reference = [[{"label": "cat", "bbox": [1.0, 1.0, 5.0, 5.0], "score": 1.0}]] * 20
    prediction = [[{"label": "cat", "bbox": [1.0, 1.0, 5.0, 5.0], "score": 0.9}]] * 20
    with ThreadPoolExecutor(8) as pool:
        values = list(pool.map(lambda _: get_metric("ap50").score(prediction, reference), range(32)))
    assert sys.stdout is original
    assert values == [100.0] * 32
