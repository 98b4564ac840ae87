"""Normalisation maps, official (bug-compatible) and corrected."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from lmms_general.level.normalization import normalize, sigmoid_map
from lmms_general.registry import load_registry

DATA = Path(__file__).resolve().parents[1] / "data" / "general_level"


def test_sigmoid_map_equals_two_sigmoid_minus_one():
    # 2*sigma(T/x) - 1 with T = 50, x = 36.4 (Indoor Depth Estimation RMS) -> 59.5931
    assert sigmoid_map(36.4, 50) == pytest.approx(100 * (2 / (1 + math.exp(-50 / 36.4)) - 1))
    assert sigmoid_map(36.4, 50) == pytest.approx(59.5931, abs=1e-4)


def test_official_sota_values_match_the_derived_table():
    """Every SoTA value the official ranker normalises, as recorded from the official code."""
    registry = load_registry()
    by_name = {(s.sheet, s.task_name.strip()): s for s in registry.values()}
    with (DATA / "derived__sota_special_metric_normalized.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 93
    for row in rows:
        spec = by_name[(row["Sheet"], row["Task Name"].strip())]
        got = normalize(spec.metric_raw, spec.metric_id, spec.sota, "official", "sota", spec.modality == "nlp")
        assert got == pytest.approx(float(row["SoTA as used by ranker.py"]), abs=1e-3), row


@pytest.mark.parametrize(
    ("raw", "mid", "value", "official", "corrected"),
    [
        ("WER", "wer", 5.6, -460.0, 94.4),  # official 1 - x on a percent value
        ("CD (Chamfer Distance)", "chamfer_distance", 0.217, 0.217, 98.03),  # official: no key match
        ("CD (Chamfer Distance)", "chamfer_distance", 6540.01724546398, 6540.01724546398, 0.0076),
        ("RTE ( Relative Translation Error)", "rte", 0.55, 0.55, 42.56),
        ("L1 distance", "temporal_flickering", 99.72, 99.72, 99.72),  # read as VBench temporal flickering
        ("FID", "fid", 0.0, 0.0, 100.0),  # a perfect 0: official -> 0, corrected -> best
        ("MOS", "mos", 3.82, 70.5, 70.5),
        ("MS-SSIM", "ms_ssim", 0.542, 77.1, 77.1),
        ("PSNR", "psnr", 34.56, 93.8819, 93.8819),
        ("Acc", "accuracy", 42.0, 42.0, 42.0),
    ],
)
def test_official_vs_corrected(raw, mid, value, official, corrected):
    assert normalize(raw, mid, value, "official", "sota") == pytest.approx(official, abs=1e-2)
    assert normalize(raw, mid, value, "corrected", "sota") == pytest.approx(corrected, abs=1e-2)


def test_missing_values():
    # official: a missing special metric becomes a finite 0.0; other metrics stay missing
    assert normalize("FID", "fid", None, "official") == 0.0
    assert normalize("FID", "fid", math.nan, "official") == 0.0
    assert normalize("Acc", "accuracy", math.inf, "official") is None
    # corrected: missing stays missing, distinct from 0
    assert normalize("FID", "fid", None, "corrected") is None
    assert normalize("Acc", "accuracy", 0.0, "corrected") == 0.0


def test_nlp_rmse_official_model_side_only():
    assert normalize("RMSE", "rmse", 2.31, "official", "sota", nlp=True) == 2.31
    assert normalize("RMSE", "rmse", 2.31, "official", "model", nlp=True) == pytest.approx(79.40, abs=1e-2)
    assert normalize("RMSE", "rmse", None, "official", "model", nlp=True) == 0.0
    with pytest.raises(ValueError, match="ZeroDivisionError"):
        normalize("RMSE", "rmse", 0.0, "official", "model", nlp=True)
    assert normalize("RMSE", "rmse", 2.31, "corrected", "sota", nlp=True) == pytest.approx(79.40, abs=1e-2)
    # NLP sheet in official mode: no other map applies (e.g. a bounded metric stays raw)
    assert normalize("ACC", "accuracy", 0.5, "official", "model", nlp=True) == 0.5


def test_invalid_inputs():
    with pytest.raises(ValueError, match="asserts"):
        normalize("MS-SSIM", "ms_ssim", -0.2, "official")
    assert normalize("MS-SSIM", "ms_ssim", -0.2, "corrected") == pytest.approx(40.0)
    assert normalize("WER", "wer", 130.0, "corrected") == 0.0  # clipped
    with pytest.raises(ValueError, match="unknown mode"):
        normalize("Acc", "accuracy", 1.0, "other")  # type: ignore[arg-type]
