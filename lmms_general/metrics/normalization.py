"""General-Level score normalisation: the official ranker's maps (bug-compatible) and the corrected ones.

General-Level compares a model's task score with the SoTA specialist's score and adds scores of
different metrics, so every value must be "higher is better, roughly 0-100". Lower-is-better and
oddly-scaled metrics are mapped first:

* sigmoid map ``100 * (2*sigmoid(T/x) - 1)`` (= ``100 * tanh(T / (2x))``) for distances/errors,
* ``100 * tanh(x/20)`` for PSNR, ``100 * (1 - x)`` for WER, ``100 * (x + 1)/2`` for MS-SSIM,
  ``100 * (x - 1)/4`` for MOS.

``official`` mode reproduces ``utils/special_metrix.py`` + ``ranker.py`` of the official scorer
exactly, defects included: maps are chosen by exact upper-case *raw* spelling (so ``CD (Chamfer
Distance)``, ``RTE ( Relative Translation Error)`` and ``L1 distance`` are never mapped), WER uses
``1 - x`` on percent values, a missing or exactly-0 special value becomes 0.0, inputs must be > 0,
and on the NLP sheet only the model-side RMSE is mapped. ``corrected`` mode chooses maps by
canonical metric id, reads WER as percent, maps a genuine 0 of a lower-is-better metric to 100,
keeps missing values missing, maps the NLP RMSE on both sides and clips mapped values to [0, 100].
See ``docs/GENERAL_LEVEL.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

Mode = Literal["official", "corrected"]
Side = Literal["model", "sota"]
MODES: tuple[str, ...] = ("official", "corrected")

#: lower-is-better sigmoid temperatures T of ``2*sigmoid(T/x) - 1``, by canonical metric id
SIGMOID_T: dict[str, float] = {
    "mae": 50.0,
    "rms": 50.0,
    "mse": 5.0,
    "rmse": 5.0,
    "abs_rel": 0.1,
    "epe": 1.0,
    "fid": 25.0,
    "fvd": 100.0,
    "fad": 10.0,
    "sad": 10.0,
    "rte": 0.5,
    "chamfer_distance": 1.0,
    "mcd": 5.0,
    "lab_error": 5.0,  # Image Shadow Removal's "RMSE" row: the RMSE map of the reference table
}

#: the official map table keys (``metric.upper()`` must equal one exactly) -> canonical metric id
OFFICIAL_KEYS: dict[str, str] = {
    "MAE": "mae",
    "RMS": "rms",
    "MSE": "mse",
    "RMSE": "rmse",
    "ABSREL": "abs_rel",
    "EPE": "epe",
    "FID": "fid",
    "FVD": "fvd",
    "FAD": "fad",
    "SAD": "sad",
    "RTE": "rte",
    "CD": "chamfer_distance",
    "MCD": "mcd",
    "PSNR": "psnr",
    "WER": "wer",
    "MS-SSIM": "ms_ssim",
    "MOS": "mos",
}

#: canonical ids the corrected mode maps (everything else is used as it is)
CORRECTED_MAPPED: frozenset[str] = frozenset(SIGMOID_T) | {"psnr", "wer", "ms_ssim", "mos"}


def sigmoid_map(x: float, temperature: float) -> float:
    """``100 * (2*sigmoid(T/x) - 1)``, computed as ``100 * tanh(T / (2x))`` (same value, no overflow)."""
    return 100.0 * math.tanh(temperature / (2.0 * x))


def _official_map(metric_id: str, x: float) -> float:
    """The official formula for one special metric (``special_metrix.py``), WER as ``1 - x``."""
    if metric_id in SIGMOID_T:
        return sigmoid_map(x, SIGMOID_T[metric_id])
    if metric_id == "psnr":
        return 100.0 * math.tanh(x / 20.0)
    if metric_id == "wer":
        return 100.0 * (1.0 - x)
    if metric_id == "ms_ssim":
        return 100.0 * (x + 1.0) / 2.0
    if metric_id == "mos":
        return 100.0 * (x - 1.0) / 4.0
    raise KeyError(metric_id)


def _corrected_map(metric_id: str, x: float) -> float:
    """The corrected formula, clipped to [0, 100]; WER is read as percent, a 0 distance scores 100."""
    if metric_id in SIGMOID_T:
        if x < 0:
            raise ValueError(f"{metric_id} must be >= 0, got {x}")
        y = 100.0 if x == 0 else sigmoid_map(x, SIGMOID_T[metric_id])
    elif metric_id == "psnr":
        y = 100.0 * math.tanh(x / 20.0)
    elif metric_id == "wer":
        y = 100.0 - x
    elif metric_id == "ms_ssim":
        y = 100.0 * (x + 1.0) / 2.0
    elif metric_id == "mos":
        y = 100.0 * (x - 1.0) / 4.0
    else:
        raise KeyError(metric_id)
    return min(100.0, max(0.0, y))


def is_missing(value: float | None) -> bool:
    """Missing as the official ranker sees it: None, NaN or +-inf."""
    return value is None or not math.isfinite(value)


def official_special_id(metric_raw: str) -> str | None:
    """Canonical id of the official map a raw spelling triggers (exact upper-case match), else None."""
    return OFFICIAL_KEYS.get(metric_raw.upper())


def normalize(
    metric_raw: str,
    metric_id: str,
    value: float | None,
    mode: Mode,
    side: Side = "model",
    nlp: bool = False,
) -> float | None:
    """Put one raw task score on the General-Level scale (higher is better, ~0-100).

    Args:
        metric_raw: the metric as spelled in the reference table (official mode matches on it).
        metric_id: canonical metric id (corrected mode matches on it).
        value: the raw score; None/NaN/inf mean "missing".
        mode: ``official`` (bug-compatible) or ``corrected``.
        side: ``model`` or ``sota``; matters only for the official NLP RMSE quirk.
        nlp: True for rows of the NLP sheet (the official ranker's Level-5 path).

    Returns:
        The normalised score, or None when the value is missing (in official mode a missing
        special-metric value becomes 0.0, as in the ranker).

    Raises:
        ValueError: official mode on a special metric <= 0 where the official code asserts or
            divides by zero, or corrected mode on a negative distance.
    """
    if mode == "official":
        return _normalize_official(metric_raw, value, side, nlp)
    if mode == "corrected":
        if is_missing(value):
            return None
        assert value is not None
        return _corrected_map(metric_id, value) if metric_id in CORRECTED_MAPPED else float(value)
    raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")


def _normalize_official(metric_raw: str, value: float | None, side: Side, nlp: bool) -> float | None:
    if nlp:
        # ranker.get_level_5: no special maps on the NLP sheet, except sigmoid_adjust (T=5) on the
        # *model* RMSE; the SoTA RMSE stays raw; a missing model RMSE becomes 5/inf -> 0.0.
        if metric_raw.upper() == "RMSE" and side == "model":
            if is_missing(value):
                return 0.0
            assert value is not None
            if value == 0:
                raise ValueError("official ranker: model RMSE of exactly 0 raises ZeroDivisionError")
            return sigmoid_map(value, 5.0)
        return None if is_missing(value) else float(value)  # type: ignore[arg-type]
    special = official_special_id(metric_raw)
    if special is None:
        return None if is_missing(value) else float(value)  # type: ignore[arg-type]
    if is_missing(value) or value == 0.0:
        return 0.0
    assert value is not None
    if value < 0:
        raise ValueError(f"official ranker asserts score > 0 for {metric_raw!r}, got {value}")
    return _official_map(special, value)


def normalizer(metric_raw: str, metric_id: str, mode: Mode, side: Side = "model", nlp: bool = False
               ) -> Callable[[float | None], float | None]:
    """``normalize`` with everything but the value fixed (handy for vectors of one task)."""
    return lambda value: normalize(metric_raw, metric_id, value, mode, side, nlp)
