"""Pure General-Level arithmetic (no I/O, no logging).

Per modality m (image, video, audio, 3d), with M comprehension and N generation tasks (all rows of
the group; an unsupported task counts 0) and normalised scores c_i, g_j against SoTA s_i:

* Level-2  S2 = (sum c_i / M + sum g_j / N) / 2
* Level-3  S_C = sum c_i [c_i >= s_i] / M (ties win), S_G likewise, S3 = (S_C + S_G) / 2
* Level-4  S4 = 2 S_C S_G / (S_C + S_G + 1e-6), 0 when S_C or S_G is 0
* overall Level-k = mean over the four modalities (an unsupported modality counts 0)
* Level-5 = overall Level-4 * w_L, w_L = S_L / 100, S_L = sum_k l_k [l_k >= s_k] / T over NLP tasks

The reached level is the highest k >= 2 with a positive score at every level 2..k (1 when Level-2
is not positive: only the specialist level). ``mode`` selects how raw scores are normalised
(:mod:`lmms_general.level.normalization`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lmms_general.level.normalization import MODES, Mode, clip_level, corrected_unclipped, normalize
from lmms_general.level.types import LevelResult, ModalityResult, NlpResult, TaskOutcome, TaskRow
from lmms_general.registry import LEVEL_MODALITIES

EPSILON = 1e-6
#: S_total of w_L = S_L / S_total (scores are percentages)
S_TOTAL = 100.0


@dataclass(frozen=True)
class _Row:
    key: str
    modality: str
    paradigm: str
    metric_raw: str
    metric_id: str
    nlp: bool
    sota_score: float | None
    sota_clipped: float | None


def _clipped_from(mode: Mode, metric_id: str, value: float | None, side: str, sota_mapped: bool = False
                  ) -> float | None:
    """The corrected value before clipping when clipping changed it (None otherwise / in official mode)."""
    if mode != "corrected":
        return None
    unclipped = corrected_unclipped(metric_id, value, side, sota_mapped)  # type: ignore[arg-type]
    if unclipped is None:
        return None
    return unclipped if clip_level(unclipped)[1] else None


def reached_level(level2: float, level3: float, level4: float, level5: float) -> int:
    """Highest k >= 2 such that every level 2..k is positive; 1 if Level-2 is not positive."""
    level = 1
    for k, value in enumerate((level2, level3, level4, level5), start=2):
        if value > 0:
            level = k
        else:
            break
    return level


def harmonic_level4(s_c: float, s_g: float) -> float:
    """Level-4 of one modality: 0 if S_C or S_G is 0, else 2 S_C S_G / (S_C + S_G + 1e-6)."""
    if s_c == 0 or s_g == 0:
        return 0.0
    return 2.0 * s_c * s_g / (s_c + s_g + EPSILON)


class LevelScorer:
    """Scores models against a fixed task table in one mode (normalised SoTA values are cached).

    Args:
        rows: the reference rows (all 699 registry rows for the full table; any subset for tests).
        mode: ``corrected`` (default) or ``official`` (bug-compatible with the official ranker).
    """

    def __init__(self, rows: Sequence[TaskRow], mode: Mode = "corrected") -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
        self.mode: Mode = mode
        self.rows: tuple[_Row, ...] = tuple(
            _Row(
                key=r.key,
                modality=r.modality,
                paradigm=r.paradigm,
                metric_raw=r.metric_raw,
                metric_id=r.metric_id,
                nlp=r.modality == "nlp",
                sota_score=normalize(r.metric_raw, r.metric_id, r.sota, mode, "sota", r.modality == "nlp",
                                     sota_mapped=getattr(r, "sota_is_mapped", False)),
                sota_clipped=_clipped_from(mode, r.metric_id, r.sota, "sota", getattr(r, "sota_is_mapped", False)),
            )
            for r in rows
        )
        keys = [r.key for r in self.rows]
        if len(set(keys)) != len(keys):
            raise ValueError("duplicate task keys in the rows given to LevelScorer")
        self.keys: frozenset[str] = frozenset(keys)

    def outcomes(self, scores: Mapping[str, float | None]) -> tuple[TaskOutcome, ...]:
        """Normalise a model's raw scores (``key -> value``; absent = missing) and judge each task."""
        official = self.mode == "official"
        out = []
        for r in self.rows:
            raw = scores.get(r.key)
            if raw is not None and raw != raw:  # NaN is missing
                raw = None
            score = normalize(r.metric_raw, r.metric_id, raw, self.mode, "model", r.nlp)
            s = r.sota_score
            both = score is not None and s is not None
            if official:
                # ranker.py:355-373 - supported needs both values finite and non-zero; wins do not
                supported = both and score != 0 and s != 0
                if r.nlp:  # the NLP summary line looks at raw values only
                    supported = raw is not None and s is not None
                win = both and score >= s  # type: ignore[operator]
            else:
                supported = score is not None and score != 0
                win = supported and s is not None and score >= s  # type: ignore[operator]
            clipped = _clipped_from(self.mode, r.metric_id, raw, "model")
            out.append(TaskOutcome(r.key, r.modality, r.paradigm, raw, score, s, supported, win, clipped,
                                   r.sota_clipped))
        return tuple(out)

    def score(self, scores: Mapping[str, float | None], model: str = "model") -> LevelResult:
        """The full General-Level result of one model from its raw per-task scores."""
        return self.result_from_outcomes(self.outcomes(scores), model)

    def result_from_outcomes(self, outcomes: Sequence[TaskOutcome], model: str = "model") -> LevelResult:
        """Aggregate judged tasks into per-modality Levels, S_L / w_L and the overall Levels."""
        groups: dict[tuple[str, str], list[TaskOutcome]] = {}
        for o in outcomes:
            groups.setdefault((o.modality, o.paradigm), []).append(o)
        modalities = tuple(
            _modality(m, groups.get((m, "comprehension"), []), groups.get((m, "generation"), []))
            for m in LEVEL_MODALITIES
        )
        nlp = _nlp(groups.get(("nlp", "comprehension"), []) + groups.get(("nlp", "generation"), []))
        n = len(LEVEL_MODALITIES)
        level2 = sum(m.level2 for m in modalities) / n
        level3 = sum(m.level3 for m in modalities) / n
        level4 = sum(m.level4 for m in modalities) / n
        level5 = level4 * nlp.w_L
        return LevelResult(
            mode=self.mode,
            model=model,
            modalities=modalities,
            nlp=nlp,
            level2=level2,
            level3=level3,
            level4=level4,
            level5=level5,
            level=reached_level(level2, level3, level4, level5),
            outcomes=tuple(outcomes),
        )


def _mean_over_all(values: Sequence[float | None], count: int) -> float:
    """Sum of present values over *all* rows of the group (0.0 when nothing is present)."""
    present = [v for v in values if v is not None]
    return sum(present) / count if present else 0.0


def _win_mean(group: Sequence[TaskOutcome]) -> float:
    """S_C / S_G: the sum of scores that tie or beat SoTA, divided by the number of rows."""
    if not group:
        return 0.0
    return sum(o.score for o in group if o.win and o.score is not None) / len(group)


def _modality(name: str, comp: Sequence[TaskOutcome], gen: Sequence[TaskOutcome]) -> ModalityResult:
    l2_c = _mean_over_all([o.score for o in comp], len(comp)) if comp else 0.0
    l2_g = _mean_over_all([o.score for o in gen], len(gen)) if gen else 0.0
    s_c, s_g = _win_mean(comp), _win_mean(gen)
    sup_c = sum(o.supported for o in comp)
    sup_g = sum(o.supported for o in gen)
    return ModalityResult(
        modality=name,
        level2=(l2_c + l2_g) / 2.0,
        level3=(s_c + s_g) / 2.0,
        level4=harmonic_level4(s_c, s_g),
        S_C=s_c,
        S_G=s_g,
        L2_C=l2_c,
        L2_G=l2_g,
        supported=sup_c + sup_g,
        tasks=len(comp) + len(gen),
        wins=sum(o.win for o in comp) + sum(o.win for o in gen),
        supported_comprehension=sup_c,
        supported_generation=sup_g,
    )


def _nlp(rows: Sequence[TaskOutcome]) -> NlpResult:
    s_l = _win_mean(rows)
    return NlpResult(
        S_L=s_l,
        w_L=s_l / S_TOTAL,
        supported=sum(o.supported for o in rows),
        tasks=len(rows),
        wins=sum(o.win for o in rows),
    )


def score_model(
    rows: Sequence[TaskRow], scores: Mapping[str, float | None], mode: Mode = "corrected", model: str = "model"
) -> LevelResult:
    """One-shot helper: ``LevelScorer(rows, mode).score(scores, model)``."""
    return LevelScorer(rows, mode).score(scores, model)
