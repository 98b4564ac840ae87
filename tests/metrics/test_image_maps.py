"""Row-specific image-generation metrics (pixel AUC, ISTD LAB error, generated-class accuracy) against independent
computations of their standard definitions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lmms_general.metrics import get_metric


def _png(path: Path, array: np.ndarray) -> str:
    Image.fromarray(array.astype(np.uint8)).save(path)
    return str(path)


def _ref(target: str, **extra) -> dict:
    return {"prompt": "p", "source": [], "target": [target], "text": None, **extra}


def _srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIE LAB (D65) of sRGB values in [0, 1], straight from the standard formulas (independent of OpenCV)."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    matrix = np.array([[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169],
                       [0.019334, 0.119193, 0.950227]])
    xyz = linear @ matrix.T / np.array([0.950456, 1.0, 1.088754])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16.0 / 116.0)
    lightness = np.where(xyz[..., 1] > 0.008856, 116.0 * np.cbrt(xyz[..., 1]) - 16.0, 903.3 * xyz[..., 1])
    return np.stack([lightness, 500.0 * (f[..., 0] - f[..., 1]), 200.0 * (f[..., 1] - f[..., 2])], axis=-1)


def test_pixel_auc_matches_sklearn_and_a_perfect_map_scores_100(tmp_path: Path) -> None:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    mask = np.zeros((16, 16), dtype=np.uint8)
    mask[4:10, 3:12] = 255
    target = _png(tmp_path / "t.png", mask)
    heat = np.clip(mask * 0.6 + rng.integers(0, 120, mask.shape), 0, 255)
    predicted = _png(tmp_path / "p.png", heat)
    metric = get_metric("pixel_auc")
    expected = 100 * roc_auc_score((mask > 127).ravel(), heat.astype(np.uint8).ravel())
    assert metric.score([predicted], [_ref(target)]) == pytest.approx(expected, abs=1e-9)
    assert metric.score([target], [_ref(target)]) == pytest.approx(100.0)
    assert metric.score([None], [_ref(target)]) == pytest.approx(50.0)  # a blank map ranks nothing


def test_lab_error_is_the_istd_error_in_cie_lab(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    clean = rng.integers(0, 256, (12, 12, 3))
    output = np.clip(clean + rng.integers(-40, 40, clean.shape), 0, 255)
    target, predicted = _png(tmp_path / "t.png", clean), _png(tmp_path / "p.png", output)
    expected = np.abs(_srgb_to_lab(output / 255.0) - _srgb_to_lab(clean / 255.0)).sum(axis=-1).mean()
    metric = get_metric("lab_error")
    assert metric.score([predicted], [_ref(target)]) == pytest.approx(expected, rel=2e-3)
    assert metric.score([target], [_ref(target)]) == pytest.approx(0.0, abs=1e-6)
    assert metric.score([None], [_ref(target)]) > 10.0  # a missing image is a blank image: a large error


def test_generated_class_accuracy_with_a_clip_classifier(tmp_path: Path, metric_models_env: dict[str, str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMMS_GENERAL_MODEL_CLIP", metric_models_env["LMMS_GENERAL_MODEL_CLIP"])
    rng = np.random.default_rng(2)
    targets = [_png(tmp_path / f"t{i}.png", rng.integers(0, 256, (32, 32, 3))) for i in range(3)]
    refs = [_ref(t, text=name) for t, name in zip(targets, ["dog", "airplane", "banana"], strict=True)]
    metric = get_metric("generated_class_accuracy")
    assert metric.proxy
    assert metric.score(targets, refs) == pytest.approx(100.0)  # a copy of the target is in its class
    assert metric.score([None, None, None], refs) == pytest.approx(0.0)


def test_pixel_auc_statistics_reproduce_pixel_auc_on_resampled_images(tmp_path: Path) -> None:
    """Per-image positive / negative counts per score, summed over drawn images, give pixel_auc() of those."""
    from lmms_general.metrics.image_maps import pixel_auc, pixel_auc_statistics

    rng = np.random.default_rng(2)
    predictions, references = [], []
    for i in range(8):
        mask = np.zeros((10, 10), dtype=np.uint8)
        mask[i % 4 : 5 + i % 3, 2:8] = 255
        heat = np.clip(mask * 0.5 + rng.integers(0, 6, mask.shape) * 25, 0, 255)  # few distinct values: ties
        predictions.append(_png(tmp_path / f"p{i}.png", heat))
        references.append(_ref(_png(tmp_path / f"t{i}.png", mask)))
    predictions[5] = None
    replicator = pixel_auc_statistics(predictions, references)
    idx = np.vstack([np.arange(8), rng.integers(0, 8, size=(6, 8))])
    expected = [pixel_auc([predictions[i] for i in row], [references[i] for i in row]) for row in idx]
    assert np.allclose(replicator(idx), expected, rtol=0, atol=1e-9)
