"""Row-specific image-generation metrics (pixel AUC, ISTD LAB error, generated-class accuracy): edge cases (their values
against the standard definitions: tests/metrics/metric_cases.py)."""

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


def test_pixel_auc_of_a_perfect_and_a_blank_map(tmp_path: Path) -> None:
    """The pooled value vs scikit-learn's roc_auc_score is in tests/metrics/metric_cases.py."""
    mask = np.zeros((16, 16), dtype=np.uint8)
    mask[4:10, 3:12] = 255
    target = _png(tmp_path / "t.png", mask)
    metric = get_metric("pixel_auc")
    assert metric.score([target], [_ref(target)]) == pytest.approx(100.0)
    assert metric.score([None], [_ref(target)]) == pytest.approx(50.0)  # a blank map ranks nothing


def test_lab_error_of_a_perfect_and_a_missing_image(tmp_path: Path) -> None:
    """The ISTD error in CIE LAB vs the standard formulas is in tests/metrics/metric_cases.py."""
    clean = np.random.default_rng(1).integers(0, 256, (12, 12, 3))
    target = _png(tmp_path / "t.png", clean)
    metric = get_metric("lab_error")
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
