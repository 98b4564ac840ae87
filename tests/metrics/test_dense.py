"""Segmentation, regression and tracking metrics on small arrays with hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lmms_general.metrics import get_metric


def _score(metric_id: str, preds: list, refs: list, ctx: dict | None = None) -> float:
    spec = get_metric(metric_id)
    return spec.score(preds, [spec.prepare_reference(r, ctx or {}) for r in refs])


def test_miou_pooled_confusion_matrix_vs_sklearn(tmp_path) -> None:
    from sklearn.metrics import jaccard_score

    ref_a, pred_a = np.array([[0, 1], [0, 1]]), np.array([[0, 1], [1, 1]])
    ref_b, pred_b = np.array([[2, 2], [0, 0]]), np.array([[2, 0], [0, 0]])
    np.save(tmp_path / "pa.npy", pred_a)
    ours = _score("miou", [str(tmp_path / "pa.npy"), pred_b.tolist()], [ref_a.tolist(), ref_b.tolist()])
    y_true = np.concatenate([ref_a.ravel(), ref_b.ravel()])
    y_pred = np.concatenate([pred_a.ravel(), pred_b.ravel()])
    assert ours == pytest.approx(100 * jaccard_score(y_true, y_pred, average="macro"))
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


def test_instance_miou_and_s_measure_and_sad() -> None:
    # parts {0, 1}: IoU(0) = 1/2, IoU(1) = 2/3
    assert _score("instance_miou", [[0, 1, 1, 1]], [[0, 0, 1, 1]]) == pytest.approx(100 * (0.5 + 2 / 3) / 2)
    gt = np.zeros((16, 16))
    gt[4:12, 4:12] = 1
    assert _score("s_measure", [gt.tolist()], [gt.tolist()]) == pytest.approx(100.0, abs=1e-6)
    assert _score("s_measure", [None], [gt.tolist()]) < 50
    alpha = np.full((10, 10), 0.5)
    assert _score("sad", [np.zeros((10, 10)).tolist(), alpha.tolist()], [alpha.tolist(), alpha.tolist()]) == \
        pytest.approx((50 / 1000 + 0) / 2)


def test_m_viou() -> None:
    ref = {"trajectory": [[0, 0, 10, 10], [0, 0, 10, 10]], "tube_start_frame": 10, "tube_end_frame": 11}
    spec = get_metric("m_viou")
    pred = spec.parse('{"10": [0, 0, 10, 5], "12": [0, 0, 1, 1]}', {})
    # frames in union {10, 11, 12}; IoU at 10 is 0.5
    assert spec.score([pred, None], [spec.prepare_reference(ref, {})] * 2) == pytest.approx(100 * (0.5 / 3) / 2)


def test_regression_scalar_rules() -> None:
    spec = get_metric("mae")
    preds = [spec.parse(t, {}) for t in ["There are 12 people.", "Answer: 7", "lots"]]
    assert preds == [12.0, 7.0, None]
    # unparsed answer counts as 0
    assert spec.score(preds, [10.0, 7.0, 5.0]) == pytest.approx((2 + 0 + 5) / 3)
    assert _score("rmse", [1.0, 3.0], [2.0, 5.0]) == pytest.approx(math.sqrt((1 + 4) / 2))
    assert _score("mse", [1.0, 3.0], [2.0, 5.0]) == pytest.approx(2.5)
    pooled = math.sqrt((0 + 1 + 4 + 4) / 4)  # squared errors pooled over all values, unparsed -> 0
    assert _score("rmse", [[1.0, 1.0, 1.0], None], [[1.0, 2.0, 3.0], [2.0]]) == pytest.approx(pooled)


def test_depth_flow_odometry() -> None:
    ref = np.full((4, 4), 2.0)
    assert _score("rms", [np.full((4, 4), 2.5).tolist()], [ref.tolist()]) == pytest.approx(50.0)
    # disparity related by scale 2 and shift 0.1 aligns perfectly -> absRel 0
    disp = np.linspace(0.1, 1.0, 16).reshape(4, 4)
    assert _score("abs_rel", [((disp - 0.1) / 2).tolist()], [disp.tolist()]) == pytest.approx(0.0, abs=1e-9)
    flow_ref = np.zeros((2, 2, 2))
    flow_pred = np.zeros((2, 2, 2))
    flow_pred[..., 0] = 3
    flow_pred[..., 1] = 4
    assert _score("epe", [flow_pred.tolist()], [flow_ref.tolist()]) == pytest.approx(5.0)
    path = [[0, 0, 0], [1, 0, 0], [2, 0, 0]]
    assert _score("rte", [[[0, 0, 0], [1, 0, 0], [3, 0, 0]]], [path]) == pytest.approx(0.5)


def test_tracking_success_auc() -> None:
    spec = get_metric("auc")
    pred = spec.parse("[[0, 0, 10, 10], [0, 0, 10, 10]]", {})
    ref = spec.prepare_reference([[0, 0, 10, 10], [5, 0, 10, 10]], {})
    # IoUs 1 and 1/3 over 21 thresholds: (20 + 7) / 42
    assert spec.score([pred], [ref]) == pytest.approx(100 * 27 / 42)
    assert spec.score([None], [ref]) == 0.0


def test_a_missing_reference_file_is_a_per_sample_error(tmp_path) -> None:
    from lmms_general.metrics.arrays import dense_reference

    np.save(tmp_path / "here.npy", np.zeros((2, 2)))
    assert dense_reference("here.npy", {"task_dir": str(tmp_path)}) == str(tmp_path / "here.npy")
    with pytest.raises(ValueError, match="reference file not found: .*gone.npy"):
        dense_reference({"frame_1": "gone.npy"}, {"task_dir": str(tmp_path)})
    assert dense_reference([[0, 1], [1, 0]], {}) == [[0, 1], [1, 0]]
