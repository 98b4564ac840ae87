"""What the readers hand to scoring: per-model task scores, per-sample items and messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class ModelScores:
    """Everything read for one model.

    Attributes:
        model: model name (as reported, or given with ``--model``).
        scores: registry key -> raw task score on the reference scale (None = present but no score).
        sources: registry key -> results file the score came from.
        samples: registry key -> per-sample JSONL file (for bootstrap / submission export).
        other: non-General-Bench lmms-eval results, task -> {metric: value} (comparison table).
        messages: human-readable notes about the input (overrides, unknown tasks, NaN, ...).
        errors: registry key -> task-level metric error (``error,none``, or the old string in ``score,none``).
        warnings: problems the report must show prominently (``--limit``, mixed ``model_args``, ...).
        provenance: model, model_args, date, versions, limit, data root of the run(s).
    """

    model: str
    scores: dict[str, float | None] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    samples: dict[str, Path] = field(default_factory=dict)
    other: dict[str, dict[str, float]] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)


class ResultsError(ValueError):
    """Input that cannot be read; the message names the file and what is wrong."""
