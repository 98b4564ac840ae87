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
keeps missing values missing, maps the NLP RMSE on both sides, leaves a SoTA already on the level scale
(row option ``sota_scale: mapped``) unmapped, and clips *every* value to [0, 100] after mapping (CIDEr above
100, negative correlations or cosines); :class:`~lmms_general.level.scoring.LevelScorer` reports each clip.
See ``docs/GENERAL_LEVEL.md``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Literal

from lmms_general.metrics.registry import LevelMap

Mode = Literal["official", "corrected"]
Side = Literal["model", "sota"]
MODES: tuple[str, ...] = ("official", "corrected")

#: the official ranker's maps (``utils/special_metrix.py``): ``metric.upper()`` must equal a key exactly. They describe
#: the official ranker, not the metrics, so they are keyed by raw spelling here; the corrected mode reads each metric's
#: own :attr:`~lmms_general.metrics.registry.MetricSpec.level_map` instead.
OFFICIAL_MAPS: dict[str, LevelMap] = {
    "MAE": LevelMap.sigmoid(50.0),
    "RMS": LevelMap.sigmoid(50.0),
    "MSE": LevelMap.sigmoid(5.0),
    "RMSE": LevelMap.sigmoid(5.0),
    "ABSREL": LevelMap.sigmoid(0.1),
    "EPE": LevelMap.sigmoid(1.0),
    "FID": LevelMap.sigmoid(25.0),
    "FVD": LevelMap.sigmoid(100.0),
    "FAD": LevelMap.sigmoid(10.0),
    "SAD": LevelMap.sigmoid(10.0),
    "RTE": LevelMap.sigmoid(0.5),
    "CD": LevelMap.sigmoid(1.0),
    "MCD": LevelMap.sigmoid(5.0),
    "PSNR": LevelMap.tanh(20.0),
    "WER": LevelMap("fraction_complement"),
    "MS-SSIM": LevelMap.affine(-1.0, 1.0),
    "MOS": LevelMap.affine(1.0, 5.0),
}


def sigmoid_map(x: float, temperature: float) -> float:
    """``100 * (2*sigmoid(T/x) - 1)``, computed as ``100 * tanh(T / (2x))`` (same value, no overflow)."""
    return 100.0 * math.tanh(temperature / (2.0 * x))


def apply_map(level_map: LevelMap, x: float) -> float:
    """One map's formula on a raw value (unclipped; the caller handles 0, missing and negative values)."""
    form, p = level_map.form, level_map.parameters
    if form == "sigmoid":
        return sigmoid_map(x, p[0])
    if form == "tanh":
        return 100.0 * math.tanh(x / p[0])
    if form == "percent_complement":
        return 100.0 - x
    if form == "fraction_complement":
        return 100.0 * (1.0 - x)
    if form == "affine":
        return 100.0 * (x - p[0]) / (p[1] - p[0])
    if form == "as_is":
        return x
    raise ValueError(f"unknown level map {level_map!r}")


@functools.cache
def corrected_maps() -> dict[str, LevelMap]:
    """Canonical metric id -> its corrected-mode map, from the registered specs' ``level_map``."""
    from lmms_general.metrics.registry import all_metrics

    return {metric_id: spec.level_map for metric_id, spec in all_metrics().items() if spec.level_map is not None}


def corrected_map(metric_id: str) -> LevelMap:
    """The corrected mode's map of a canonical metric id (its spec's ``level_map``)."""
    try:
        return corrected_maps()[metric_id]
    except KeyError:
        raise KeyError(f"metric {metric_id!r} is not registered or declares no General-Level map "
                       "(MetricSpec.level_map)") from None


def corrected_mapped(metric_id: str) -> bool:
    """Whether the corrected mode maps this metric's values (everything else is used as it is)."""
    return corrected_map(metric_id).form != "as_is"


def clip_level(value: float) -> tuple[float, bool]:
    """``value`` clipped to the level scale [0, 100], and whether it had to be clipped."""
    clipped = min(100.0, max(0.0, value))
    return clipped, clipped != value


def _corrected_map(metric_id: str, x: float) -> float:
    """The corrected formula (unclipped); WER is read as percent, a 0 distance scores 100."""
    level_map = corrected_map(metric_id)
    if level_map.form == "sigmoid":
        if x < 0:
            raise ValueError(f"{metric_id} must be >= 0, got {x}")
        return 100.0 if x == 0 else apply_map(level_map, x)
    return apply_map(level_map, x)


def is_missing(value: float | None) -> bool:
    """Missing as the official ranker sees it: None, NaN or +-inf."""
    return value is None or not math.isfinite(value)


def official_special_id(metric_raw: str) -> str | None:
    """The official map key a raw spelling triggers (exact upper-case match, e.g. ``"CD"``), else None."""
    key = metric_raw.upper()
    return key if key in OFFICIAL_MAPS else None


def corrected_unclipped(metric_id: str, value: float | None, side: Side = "model", sota_mapped: bool = False
                        ) -> float | None:
    """The corrected mode's value before clipping: mapped by canonical id (a SoTA already on the level
    scale, ``sota_mapped``, is not mapped again); None when missing."""
    if is_missing(value):
        return None
    assert value is not None
    if not corrected_mapped(metric_id) or (side == "sota" and sota_mapped):
        return float(value)
    return _corrected_map(metric_id, value)


def normalize(
    metric_raw: str,
    metric_id: str,
    value: float | None,
    mode: Mode,
    side: Side = "model",
    nlp: bool = False,
    sota_mapped: bool = False,
) -> float | None:
    """Put one raw task score on the General-Level scale (higher is better, ~0-100).

    Args:
        metric_raw: the metric as spelled in the reference table (official mode matches on it).
        metric_id: canonical metric id (corrected mode matches on it).
        value: the raw score; None/NaN/inf mean "missing".
        mode: ``official`` (bug-compatible) or ``corrected``.
        side: ``model`` or ``sota``; matters only for the official NLP RMSE quirk.
        nlp: True for rows of the NLP sheet (the official ranker's Level-5 path).
        sota_mapped: the row's SoTA value is already on the level scale (``metric_options`` ``sota_scale``);
            corrected mode then leaves the SoTA side unmapped.

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
        unclipped = corrected_unclipped(metric_id, value, side, sota_mapped)
        return None if unclipped is None else clip_level(unclipped)[0]
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
    return apply_map(OFFICIAL_MAPS[special], value)


def normalizer(metric_raw: str, metric_id: str, mode: Mode, side: Side = "model", nlp: bool = False
               ) -> Callable[[float | None], float | None]:
    """``normalize`` with everything but the value fixed (handy for vectors of one task)."""
    return lambda value: normalize(metric_raw, metric_id, value, mode, side, nlp)
