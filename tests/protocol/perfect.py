"""What a perfect answer scores, per metric: the ideal value, or the metric applied to the reference itself.

Most metrics reach their ideal on a copied reference (100 for accuracies / F1 / IoU / AP, 0 for distances and
errors). For the metrics below a perfect value is not defined by copying; the tests compare the score of the
rendered reference with the metric applied to the reference itself instead (the closing note lists these rows).
"""

from __future__ import annotations

import math

#: metric id -> why the reference itself does not score the ideal
SELF_REFERENCE: dict[str, str] = {
    "auc": "OTB/LaSOT success AUC counts IoU > t over t = 0, 0.05, ..., 1 (IoU 1 fails t = 1) and frames without a "
           "target box in the reference count as failures",
    "cider": "CIDEr-D of a copy depends on the task's document frequencies (above 100 on the x100 scale)",
    "gpt_score": "an LLM judge decides; tested with an exact-match judge stand-in",
}


def ideal_value(metric_id: str, higher_is_better: bool) -> float:
    """The metric's best value on the reference-table scale."""
    return 100.0 if higher_is_better else 0.0


def is_perfect(value: float | None, metric_id: str, higher_is_better: bool) -> bool:
    """Whether a task score equals the ideal value (to floating-point precision)."""
    return value is not None and math.isclose(value, ideal_value(metric_id, higher_is_better), abs_tol=1e-6)


def exact_match_judge(question: str, answer: str, reference: str) -> float:
    """A deterministic stand-in for the GPT-Score judge: 1 when the answer equals an acceptable answer."""
    from lmms_general.metrics.parsing import normalize_answer

    return float(normalize_answer(answer) in {normalize_answer(r) for r in reference.split(" / ")})
