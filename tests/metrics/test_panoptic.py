"""Panoptic Quality: hand-computed cases, parsing and void handling (torchmetrics: tests/metrics/metric_cases.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lmms_general.metrics import get_metric


def _rle(mask: np.ndarray) -> dict:
    from pycocotools import mask as mask_utils

    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(v) for v in rle["size"]], "counts": rle["counts"].decode()}


def _score(preds: list, refs: list, **options) -> float:
    spec = get_metric("pq")
    return spec.score(preds, [spec.prepare_reference(r, {}) for r in refs], **options)


def _two_segments() -> np.ndarray:
    """2x4 image: segment (1, 1) on the left half, (1, 2) on the right half."""
    ref = np.zeros((2, 4, 2), dtype=int)
    ref[:, :2] = (1, 1)
    ref[:, 2:] = (1, 2)
    return ref


def test_hand_computed_tp_fp_fn() -> None:
    ref = _two_segments()
    # TP: 3 of segment 1's 4 pixels (IoU 0.75); FP: half of segment 2 (IoU 0.5 is no match) -> segment 2 is FN
    left, right = np.zeros((2, 4), bool), np.zeros((2, 4), bool)
    left[0, 0] = left[0, 1] = left[1, 0] = True
    right[:, 2] = True
    spec = get_metric("pq")
    raw = json.dumps({"segments": [{"category_id": 1, "id": 7, "mask": _rle(left)},
                                   {"category_id": 1, "id": 8, "mask": _rle(right)}]})
    pred = spec.parse(f"Here it is:\n```json\n{raw}\n```", {})
    assert [s["id"] for s in pred["segments"]] == [7, 8]
    expected = 100 * 0.75 * (1 / (1 + 0.5 * 1 + 0.5 * 1))
    assert _score([pred], [ref.tolist()]) == pytest.approx(expected)
    # the same prediction as a map (unlabeled pixels = category 0) gives the same value
    as_map = np.zeros_like(ref)
    as_map[left] = (1, 7)
    as_map[right] = (1, 8)
    assert _score([as_map.tolist()], [ref.tolist()]) == pytest.approx(expected)


def test_unparsed_prediction_counts_as_empty(tmp_path) -> None:
    ref = _two_segments()
    np.save(tmp_path / "ref.npy", ref)
    spec = get_metric("pq")
    assert spec.parse("I cannot segment this image.", {}) is None
    assert spec.parse("", {}) is None
    ref_value = spec.prepare_reference("ref.npy", {"task_dir": str(tmp_path)})
    # image 1 perfect (2 TP, IoU 1), image 2 unparsed (2 FN): 2 / (2 + 0.5 * 2)
    assert spec.score([ref.tolist(), None], [ref_value, ref_value]) == pytest.approx(100 * 2 / 3)
    assert spec.score([None], [ref_value]) == 0.0
    # predicted void pixels count as unlabeled, not as ignored (torchmetrics alone would ignore them)
    void = np.zeros_like(ref)
    void[0, 0] = (1, 1)
    assert spec.score([void.tolist()], [ref_value]) == 0.0


def test_reference_void_and_polygons_and_stuff() -> None:
    ref = np.zeros((4, 4, 2), dtype=int)  # category 0 = void
    ref[:2, :2] = (1, 1)
    spec = get_metric("pq")
    # polygon covering the reference square exactly plus a segment lying on void only (ignored, not FP)
    pred = spec.parse(json.dumps([{"category_id": 1, "segmentation": [[0, 0, 2, 0, 2, 2, 0, 2]]},
                                  {"category_id": 3, "segmentation": [[2, 2, 4, 2, 4, 4, 2, 4]]}]), {})
    assert _score([pred], [ref.tolist()]) == pytest.approx(100.0)
    # a wrong-category segment over a real object is a FP of its category and leaves a FN
    wrong = ref.copy()
    wrong[:2, :2] = (2, 1)
    assert _score([wrong.tolist()], [ref.tolist()]) == 0.0
    # stuff categories ignore instance ids
    split = ref.copy()
    split[0, :2] = (1, 9)
    assert _score([split.tolist()], [ref.tolist()], stuffs=[1]) == pytest.approx(100.0)
    assert _score([split.tolist()], [ref.tolist()]) == 0.0
    with pytest.raises(ValueError, match="pq: reference 0"):
        _score([None], [[1, 2, 3]])


def test_pq_statistics_reproduce_pq_on_resampled_images() -> None:
    """Per-image PanopticQuality states summed over drawn images give pq() of the drawn images."""
    from lmms_general.metrics.panoptic import PQ_STATES, pq

    rng = np.random.default_rng(5)
    references, predictions = [], []
    for i in range(10):
        semantic = rng.integers(0, 3 + i % 3, size=(12, 12))  # images differ in their category sets
        instance = (semantic > 0) * (1 + (np.arange(12)[None, :] > 5))
        reference = np.stack([semantic, instance], -1)
        noise = np.stack([rng.integers(0, 5, semantic.shape), rng.integers(0, 3, semantic.shape)], -1)
        predictions.append(np.where(rng.random((12, 12, 1)) < 0.7, reference, noise).tolist())
        references.append(reference.tolist())
    predictions[3] = None
    replicator = PQ_STATES(predictions, references)
    idx = np.vstack([np.arange(10), rng.integers(0, 10, size=(6, 10))])
    expected = [pq([predictions[i] for i in row], [references[i] for i in row]) for row in idx]
    assert np.allclose(replicator(idx), expected, rtol=0, atol=1e-9)
