"""General-Level of many replicates at once: :class:`LevelScorer`'s arithmetic on numpy columns.

:func:`replicate_levels` gives, for ``B`` replicates of the raw task scores, the same quantities as
``level_values(scorer.score(scores_b))`` for every ``b`` (overall Level-2..5, each modality's Level-2..4,
the NLP S_L), equal up to float summation order. Scores that are the identity under normalisation (most
metrics) stay vectorised; mapped metrics (distances, PSNR, WER, ...) go through
:func:`lmms_general.level.normalization.normalize` value by value, so both paths share one definition.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from lmms_general.level.normalization import corrected_mapped, normalize, official_special_id
from lmms_general.level.scoring import EPSILON, S_TOTAL, LevelScorer
from lmms_general.registry import LEVEL_MODALITIES


def _is_identity(scorer: LevelScorer, metric_raw: str, metric_id: str, nlp: bool) -> bool:
    """Whether ``normalize`` returns a finite raw value unchanged (and None for a missing one)."""
    if scorer.mode == "corrected":
        return not corrected_mapped(metric_id)
    if nlp:
        return metric_raw.upper() != "RMSE"
    return official_special_id(metric_raw) is None


def _normalized(scorer: LevelScorer, row: object, raw: np.ndarray) -> np.ndarray:
    """Normalised model scores of one task for every replicate (NaN = missing)."""
    metric_raw, metric_id, nlp = row.metric_raw, row.metric_id, row.nlp  # type: ignore[attr-defined]
    if _is_identity(scorer, metric_raw, metric_id, nlp):
        values = np.where(np.isfinite(raw), raw, np.nan)
        # corrected mode clips every score to the level scale [0, 100] (normalization.clip_level)
        return np.clip(values, 0.0, 100.0) if scorer.mode == "corrected" else values
    cache: dict[float, float] = {}
    out = np.empty_like(raw)
    for i, value in enumerate(raw.tolist()):
        if value not in cache:
            given = None if value != value else value
            norm = normalize(metric_raw, metric_id, given, scorer.mode, "model", nlp)
            cache[value] = np.nan if norm is None else float(norm)
        out[i] = cache[value]
    return out


def replicate_levels(
    scorer: LevelScorer, scores: Mapping[str, float | None], varying: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """``level_values`` of every replicate: fixed ``scores`` plus per-replicate ``varying[key]`` (shape (B,)).

    Returns ``name -> (B,)`` arrays with the names of :func:`lmms_general.level.bootstrap.level_values`.
    """
    n_boot = len(next(iter(varying.values()))) if varying else 1
    official = scorer.mode == "official"
    score_cols, win_cols = [], []
    for row in scorer.rows:
        if row.key in varying:
            raw = np.asarray(varying[row.key], dtype=np.float64)
        else:
            value = scores.get(row.key)
            raw = np.full(1, np.nan if value is None else float(value))
        score = _normalized(scorer, row, raw)
        s = row.sota_score
        present = ~np.isnan(score)
        if s is None:
            win = np.zeros(score.shape, dtype=bool)
        elif official:
            win = present & (np.nan_to_num(score, nan=-np.inf) >= s)
        else:
            win = present & (score != 0) & (np.nan_to_num(score, nan=-np.inf) >= s)
        score_cols.append(np.broadcast_to(score, (n_boot,)))
        win_cols.append(np.broadcast_to(win, (n_boot,)))
    scores_m = np.stack(score_cols, axis=1)  # (B, T), NaN = missing
    wins_m = np.stack(win_cols, axis=1)
    won = np.where(wins_m, np.nan_to_num(scores_m), 0.0)
    present = np.nan_to_num(scores_m)

    def group(modality: str, paradigms: tuple[str, ...]) -> np.ndarray:
        return np.array([r.modality == modality and r.paradigm in paradigms for r in scorer.rows])

    out: dict[str, np.ndarray] = {}
    totals = {"level2": np.zeros(n_boot), "level3": np.zeros(n_boot), "level4": np.zeros(n_boot)}
    for m in LEVEL_MODALITIES:
        parts = {}
        for paradigm in ("comprehension", "generation"):
            cols = group(m, (paradigm,))
            count = int(cols.sum())
            if count:
                parts[paradigm] = (present[:, cols].sum(axis=1) / count, won[:, cols].sum(axis=1) / count)
            else:
                parts[paradigm] = (np.zeros(n_boot), np.zeros(n_boot))
        (l2_c, s_c), (l2_g, s_g) = parts["comprehension"], parts["generation"]
        level2, level3 = (l2_c + l2_g) / 2.0, (s_c + s_g) / 2.0
        positive = (s_c != 0) & (s_g != 0)
        level4 = np.where(positive, 2.0 * s_c * s_g / np.where(positive, s_c + s_g + EPSILON, 1.0), 0.0)
        out[f"{m}.level2"], out[f"{m}.level3"], out[f"{m}.level4"] = level2, level3, level4
        totals["level2"] += level2
        totals["level3"] += level3
        totals["level4"] += level4
    nlp_cols = group("nlp", ("comprehension", "generation"))
    s_l = won[:, nlp_cols].sum(axis=1) / nlp_cols.sum() if nlp_cols.any() else np.zeros(n_boot)
    n = len(LEVEL_MODALITIES)
    overall = {k: v / n for k, v in totals.items()}
    overall["level5"] = overall["level4"] * (s_l / S_TOTAL)
    out["nlp.S_L"] = s_l
    return {**overall, **{k: v for k, v in out.items()}}
