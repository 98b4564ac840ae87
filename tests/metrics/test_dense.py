"""Segmentation, regression and tracking metrics: conventions and edge cases on small arrays (values against
their references: tests/metrics/metric_cases.py)."""

from __future__ import annotations

import numpy as np
import pytest

from lmms_general.metrics import get_metric


def _score(metric_id: str, preds: list, refs: list, ctx: dict | None = None) -> float:
    spec = get_metric(metric_id)
    return spec.score(preds, [spec.prepare_reference(r, ctx or {}) for r in refs])


def test_miou_is_pooled_not_per_image() -> None:
    """The pooled value vs scikit-learn's jaccard_score is in tests/metrics/metric_cases.py."""
    ref_a, pred_a = np.array([[0, 1], [0, 1]]), np.array([[0, 1], [1, 1]])
    ref_b, pred_b = np.array([[2, 2], [0, 0]]), np.array([[2, 0], [0, 0]])
    ours = _score("miou", [pred_a.tolist(), pred_b.tolist()], [ref_a.tolist(), ref_b.tolist()])
    per_image = (_score("miou", [pred_a.tolist()], [ref_a.tolist()]) + _score("miou", [pred_b.tolist()],
                                                                               [ref_b.tolist()])) / 2
    assert per_image != pytest.approx(ours)
    # unparsed -> all background; a binary reference scores its foreground IoU: 0
    assert _score("miou", [None], [[[0, 1], [1, 1]]]) == 0.0
    assert _score("miou", [None], [[[0, 1], [2, 1]]]) == pytest.approx(100 * 0.25 / 3)


def test_miou_video_rle_frames() -> None:
    from pycocotools import mask as mask_utils

    def rle(m: np.ndarray) -> dict:
        r = mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))
        return {"size": r["size"], "counts": r["counts"].decode()}

    full, half = np.ones((4, 4)), np.zeros((4, 4))
    half[:2] = 1
    ref = {"0": {"mask": rle(full)}, "1": {"mask": rle(full)}}
    assert _score("miou", [{"0": rle(full), "1": rle(half)}, None], [ref, ref]) == pytest.approx(100 * (0.75 + 0) / 2)


def test_s_measure_edges() -> None:
    """instance mIoU, S-measure (py_sod_metrics) and SAD values: tests/metrics/metric_cases.py."""
    gt = np.zeros((16, 16))
    gt[4:12, 4:12] = 1
    assert _score("s_measure", [gt.tolist()], [gt.tolist()]) == pytest.approx(100.0, abs=1e-6)
    assert _score("s_measure", [None], [gt.tolist()]) < 50


def test_regression_scalar_rules() -> None:
    spec = get_metric("mae")
    preds = [spec.parse(t, {}) for t in ["There are 12 people.", "Answer: 7", "lots"]]
    assert preds == [12.0, 7.0, None]  # values (unparsed = 0, pooled RMSE): tests/metrics/metric_cases.py


def test_abs_rel_aligns_scale_and_shift() -> None:
    """RMS, EPE, RTE and the DepthCrafter absRel protocol: tests/metrics/metric_cases.py."""
    # disparity related by scale 2 and shift 0.1 aligns perfectly -> absRel 0
    disp = np.linspace(0.1, 1.0, 16).reshape(4, 4)
    assert _score("abs_rel", [((disp - 0.1) / 2).tolist()], [disp.tolist()]) == pytest.approx(0.0, abs=1e-9)


def test_a_missing_reference_file_is_a_per_sample_error(tmp_path) -> None:
    from lmms_general.metrics.arrays import dense_reference

    np.save(tmp_path / "here.npy", np.zeros((2, 2)))
    assert dense_reference("here.npy", {"task_dir": str(tmp_path)}) == str(tmp_path / "here.npy")
    with pytest.raises(ValueError, match="reference file not found: .*gone.npy"):
        dense_reference({"frame_1": "gone.npy"}, {"task_dir": str(tmp_path)})
    assert dense_reference([[0, 1], [1, 0]], {}) == [[0, 1], [1, 0]]
