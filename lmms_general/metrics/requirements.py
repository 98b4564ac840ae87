"""What each task needs beyond its data: metric weights, a judge, optional extras, and what the model must read
and write (``lmms-general tasks --requirements`` / ``--runnable``).

Weights come from :data:`~lmms_general.metrics.model_table.MODEL_TABLE` (the loaders' table) and are present when
:func:`~lmms_general.metrics.weights_manifest.present` finds them; a task is *runnable here, offline* when every
network its metric loads is present, it needs no judge, and its extras import.
"""

from __future__ import annotations

import importlib.util
from dataclasses import asdict, dataclass

from lmms_general.metrics.model_table import EXTRA_METRICS, JUDGE_METRICS, models_for_metric
from lmms_general.registry import TaskSpec


@dataclass(frozen=True)
class TaskRequirements:
    """One task's needs. ``missing`` lists what keeps it from running offline here (empty: runnable)."""

    task: str
    key: str
    metric_id: str
    inputs: tuple[str, ...]
    output: str
    weights: tuple[str, ...]
    judge: str | None
    extras: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def runnable(self) -> bool:
        return not self.missing

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "runnable": self.runnable}


def _inputs(spec: TaskSpec) -> tuple[str, ...]:
    """What the model must accept: the task's modality and text (generation tasks may add media per sample)."""
    if spec.modality == "nlp":
        return ("text",)
    if spec.paradigm == "comprehension":
        return (spec.modality, "text")
    return ("text", f"{spec.modality} (per sample, for edit / X-to-{spec.modality} rows)")


def task_requirements(specs: list[TaskSpec]) -> list[TaskRequirements]:
    """Requirements of ``specs``, with what is missing on this machine now."""
    from lmms_general.metrics.weights_manifest import present

    found: dict[str, bool] = {}
    out = []
    for spec in specs:
        sources = models_for_metric(spec.metric_id, spec.modality)
        for source in sources:
            if source.name not in found:
                found[source.name] = present(source) is not None
        extras = (EXTRA_METRICS[spec.metric_id],) if spec.metric_id in EXTRA_METRICS else ()
        judge = JUDGE_METRICS.get(spec.metric_id)
        missing = [f"weights {s.name}" for s in sources if not found[s.name]]
        missing += [f"extra {e}" for e in extras if importlib.util.find_spec(e) is None]
        missing += ["a judge"] if judge else []
        out.append(TaskRequirements(
            task=spec.task, key=spec.key, metric_id=spec.metric_id, inputs=_inputs(spec),
            output=spec.output_modality, weights=tuple(s.name for s in sources), judge=judge, extras=extras,
            missing=tuple(missing),
        ))
    return out
