"""Metrics whose definition or unit was fixed to the rows' SoTA protocols (issue 9), each against an
independent computation of the standard definition on realistic inputs."""

from __future__ import annotations

import numpy as np
import pytest

from lmms_general.metrics import get_metric
from lmms_general.registry import load_registry
from tests.metrics.metric_cases import depthcrafter_abs_rel


def _rows(metric_id: str) -> list:
    return [s for s in load_registry().values() if s.metric_id == metric_id]


def test_binary_mask_miou_is_foreground_iou_as_sklearn(tmp_path) -> None:
    from PIL import Image
    from sklearn.metrics import jaccard_score

    rng = np.random.default_rng(0)
    refs, preds = [], []
    for i in range(4):
        ref = np.zeros((48, 64), np.uint8)
        y, x = rng.integers(0, 24, 2)
        ref[y : y + 20, x : x + 30] = 255  # masks stored 0/255
        pred = np.roll(ref, int(rng.integers(-5, 5)), axis=1) // 255  # prediction 0/1
        Image.fromarray(ref).save(tmp_path / f"r{i}.png")
        refs.append(str(tmp_path / f"r{i}.png"))
        preds.append(pred.tolist())
    expected = 100 * jaccard_score(np.concatenate([(np.asarray(Image.open(r)) > 0).ravel() for r in refs]),
                                   np.concatenate([np.asarray(p).ravel() > 0 for p in preds]))
    spec = get_metric("miou")
    assert spec.score(preds, refs) == pytest.approx(expected, abs=1e-9)
    assert spec.score([None] * 4, refs) == 0.0  # an empty answer: no foreground found (was 30-47)
    assert spec.score(refs, refs) == 100.0


def test_dice_with_negative_box_coordinates() -> None:
    spec = get_metric("dice")
    pred = spec.parse("[-4, -6, 30, 25]", {})
    ref = spec.prepare_reference([[0, 0, 20, 10]], {})
    # the reference inside the prediction (2 * 200 / (750 + 200)) is a case of tests/metrics/metric_cases.py
    assert spec.score([pred], [ref]) < 100.0
    assert spec.score([pred], [spec.prepare_reference([[-4, -6, 30, 25]], {})]) == pytest.approx(100.0)


def test_abs_rel_depthcrafter_protocol_on_depth_keyed_disparity_files(tmp_path) -> None:
    rng = np.random.default_rng(1)
    yy = np.mgrid[0:5, 0:24, 0:32][1] / 24
    depth = 1.0 + 30.0 * yy + rng.uniform(0, 0.5, yy.shape)  # metres, 5 frames
    depth[0, 0, :4] = 0  # invalid pixels
    path = tmp_path / "gt.npz"
    np.savez(path, disparity=depth)  # DepthCrafter's benchmark files: depth under the key "disparity"
    pred = 0.3 / np.maximum(depth, 1e-3) + 0.02 + rng.normal(0, 0.002, depth.shape)
    spec = get_metric("abs_rel")
    ref = spec.prepare_reference(str(path), {})
    ours = spec.score([pred.tolist()], [ref], reference="depth", prediction="disparity")
    assert ours == pytest.approx(depthcrafter_abs_rel(pred, depth), rel=1e-9)
    assert 0.0 < ours < 0.3
    # the prompt asks for a map like the reference (depth): a depth answer is inverted before alignment
    depth_answer = np.where(pred > 0, 1 / pred, 0)
    assert spec.score([depth_answer.tolist()], [ref], reference="depth") == pytest.approx(ours, rel=1e-9)
    assert spec.score([str(path)], [ref], reference="depth") == pytest.approx(0.0, abs=1e-9)
    assert {s.key: s.compute_options for s in _rows("abs_rel")} == {s.key: {"reference": "depth"} for s in
                                                                     _rows("abs_rel")}


def test_rte_percent_is_kitti_translational_error() -> None:
    # a 300 m straight drive sampled every metre; the prediction over-estimates speed by 1 %. KITTI's
    # devkit: segments start every 10 frames, end at the first frame *beyond* start + L (here L + 1 m on),
    # error / L. L=100: starts 0..190 (20 segments, 1.01 % each); L=200: starts 0..90 (10, 1.005 %)
    ref = np.stack([np.arange(301.0), np.zeros(301), np.zeros(301)], 1)
    pred = ref * 1.01
    spec = get_metric("rte")
    expected = (20 * 1.01 + 10 * 1.005) / 30
    assert spec.score([pred.tolist()], [ref.tolist()], percent=True) == pytest.approx(expected, rel=1e-9)
    # a lateral drift of 2 m per 100 m: twice that
    drift = ref.copy()
    drift[:, 1] = 0.02 * ref[:, 0]
    assert spec.score([drift.tolist()], [ref.tolist()], percent=True) == pytest.approx(2 * expected, rel=1e-9)
    assert _rows("rte")[0].compute_options == {"percent": True}


def test_normal_rmse_is_angular_degrees() -> None:
    rng = np.random.default_rng(2)
    ref = rng.normal(size=(16, 16, 3))
    ref /= np.linalg.norm(ref, axis=-1, keepdims=True)
    angle = np.radians(10.0)  # rotate every normal by 10 degrees about an axis orthogonal to it
    ortho = np.cross(ref, np.array([0.0, 0.0, 1.0]))
    ortho /= np.linalg.norm(ortho, axis=-1, keepdims=True)
    pred = ref * np.cos(angle) + ortho * np.sin(angle)
    spec = get_metric("rmse")
    assert spec.score([pred.tolist()], [ref.tolist()], angular=True) == pytest.approx(10.0, rel=1e-6)
    assert spec.score([None], [ref.tolist()], angular=True) == pytest.approx(180.0)
    assert {s.key for s in _rows("rmse") if s.compute_options.get("angular")} == {"3d_comp_3d_normal_estimation"}


def test_chamfer_rows_choose_their_variant() -> None:
    """Squared / unsquared / mm^2 Chamfer vs scipy: tests/metrics/metric_cases.py (chamfer_distance variants)."""
    options = {s.key: s for s in _rows("chamfer_distance")}
    assert all("squared" in s.compute_options for s in options.values())
    assert options["3d_gen_rgb_d_to_mesh_reconstruction"].proxy_reason


def test_proxy_rows_name_their_reason() -> None:
    proxies = {s.key: s.proxy_reason for s in load_registry().values() if s.proxy_reason}
    assert {"audio_gen_songgeneration", "audio_gen_videotoaudio", "3d_gen_text_to_3d_motion_generation"} <= \
        set(proxies)
    assert all(len(reason) > 20 for reason in proxies.values())
    mapped = {s.key for s in load_registry().values() if s.sota_is_mapped}
    assert mapped == {s.key for s in _rows("epe")}


def test_generated_class_accuracy_counts_an_unreadable_output_as_wrong(tmp_path, monkeypatch) -> None:
    import lmms_general.metrics.models as models
    from lmms_general.metrics.image_maps import generated_class_accuracy

    # every image gets the same class: only the readable output may count as right
    monkeypatch.setattr(models, "resolve_model", lambda name, model=None: "stub")
    monkeypatch.setattr(models, "clip_text_embeddings", lambda texts, path: np.eye(len(texts)))
    monkeypatch.setattr(models, "clip_image_embeddings", lambda images, path: np.tile([1.0, 0.0], (len(images), 1)))
    from PIL import Image

    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "t.png")
    refs = [{"target": [str(tmp_path / "t.png")], "text": "cat"}, {"target": [str(tmp_path / "t.png")], "text": "dog"}]
    value = generated_class_accuracy([str(tmp_path / "t.png"), str(tmp_path / "missing.png")], refs)
    assert value == pytest.approx(50.0)  # was 100: the unreadable output's blank image got the target's class
