"""Per-sample items from lmms-eval ``*_samples_<task>.jsonl`` logs (the ``score`` dict of each line)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lmms_general.level.bootstrap import ScoreFn

ITEM_KEY = "score"


@dataclass
class SampleLog:
    """Items of one task's sample log, plus the lines that could not be read (named, counted)."""

    path: Path
    items: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_sample_items(path: str | Path) -> SampleLog:
    """Read the per-sample ``score`` items; a bad line is recorded with its number, the rest continue."""
    log = SampleLog(Path(path))
    with log.path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                log.errors.append(f"{log.path}:{number}: invalid JSON ({exc.msg})")
                continue
            item = record.get(ITEM_KEY) if isinstance(record, dict) else None
            if not isinstance(item, dict):
                log.errors.append(f"{log.path}:{number}: no per-sample {ITEM_KEY!r} object")
                continue
            log.items.append(item)
    return log


def metric_score_fn(metric_id: str, task: str | None = None) -> ScoreFn:
    """``items -> task score`` using ``get_metric(metric_id).score(predictions, references)``."""
    from lmms_general.metrics import get_metric

    spec = get_metric(metric_id, task)

    def score(items: Sequence[dict[str, Any]]) -> float:
        return spec.score([i.get("prediction") for i in items], [i.get("reference") for i in items])

    return score


def bootstrap_inputs(
    samples: dict[str, Path], registry: Any = None
) -> tuple[dict[str, Any], list[str]]:
    """``key -> BootstrapTask`` for every task with a readable sample log and an implemented metric.

    Returns the tasks and the messages about tasks left at their point score (and why).
    """
    from lmms_general.level.bootstrap import BootstrapTask
    from lmms_general.metrics.registry import MetricNotImplementedError
    from lmms_general.registry import load_registry

    registry = registry or load_registry()
    tasks: dict[str, Any] = {}
    messages: list[str] = []
    for key in sorted(samples):
        spec = registry[key]
        log = read_sample_items(samples[key])
        messages.extend(log.errors)
        if not log.items:
            messages.append(f"{spec.task}: no per-sample items in {log.path.name}; no interval contribution")
            continue
        try:
            score_fn = metric_score_fn(spec.metric_id, spec.task)
        except MetricNotImplementedError as exc:
            messages.append(f"{spec.task}: kept at its point score in the bootstrap ({exc})")
            continue
        tasks[key] = BootstrapTask(items=log.items, score_fn=score_fn)
    return tasks, messages
