"""Read lmms-eval output folders (``*_results.json`` + ``*_samples_<task>.jsonl``) into per-model scores.

lm-eval folders (``results_<time>.json``, see :mod:`lmms_general.results.lm_eval_output`) are read too.

Task metadata comes from the results file itself (``configs[task].metadata.general_bench``), so
no extra configuration is needed; a task without it falls back to the registry by task name.
Several runs of one model merge: per task the latest run wins (by the timestamp in the file name,
then the ``date`` field) and every override is reported. Tasks of other benchmarks (``mmmu_val``,
``mme``, ...) are kept for the side-by-side comparison table.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmms_general.registry import TASK_PREFIX, Registry, load_registry
from lmms_general.results.lm_eval_output import (
    find_lm_eval_results,
    is_lm_eval_results,
    lm_eval_samples_path,
    lm_eval_stamp,
)
from lmms_general.results.types import ModelScores, ResultsError

_STAMP = re.compile(r"^(\d{8}_\d{6})")
SCORE_KEY = "score,none"


@dataclass(frozen=True)
class RunFile:
    """One ``*_results.json`` file with its parsed content."""

    path: Path
    stamp: str
    model: str
    data: dict[str, Any]

    @property
    def prefix(self) -> str:
        return self.path.name[: -len("_results.json")]

    def samples_path(self, task: str) -> Path:
        if is_lm_eval_results(self.path):
            return lm_eval_samples_path(self.path, task)
        return self.path.parent / f"{self.prefix}_samples_{task}.jsonl"


def find_results_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every ``*_results.json`` under the given files/folders, sorted; raises if a path does not exist."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(path.rglob("*_results.json")))
            found.extend(find_lm_eval_results(path))
        else:
            raise ResultsError(f"{path}: no such file or folder")
    return sorted(set(found))


def _model_name(data: dict[str, Any], path: Path) -> str:
    name = data.get("model_name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    config = data.get("config") or {}
    args = config.get("model_args") or ""
    if isinstance(args, str):
        for part in args.split(","):
            if part.strip().startswith("pretrained="):
                return part.split("=", 1)[1].strip()
    if isinstance(args, dict) and args.get("pretrained"):
        return str(args["pretrained"])
    return str(config.get("model") or path.parent.name)


def read_run_file(path: Path) -> RunFile:
    """Parse one results file; raises :class:`ResultsError` naming the file when it is unusable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{path}: cannot read results JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise ResultsError(f"{path}: not an lmms-eval results file (no 'results' object)")
    match = _STAMP.match(path.name)
    stamp = match.group(1) if match else lm_eval_stamp(path) or str(data.get("date", ""))
    return RunFile(path=path, stamp=stamp, model=_model_name(data, path), data=data)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _other_metrics(entry: dict[str, Any]) -> dict[str, float]:
    """Numeric ``metric,filter`` values of a non-General-Bench task (stderr left out)."""
    out = {}
    for name, value in entry.items():
        number = _number(value)
        if "," not in name or number is None or "_stderr" in name or not math.isfinite(number):
            continue
        metric, _, filt = name.partition(",")
        out[metric if filt == "none" else name] = number
    return out


def _general_key(task: str, run: RunFile, registry: Registry, messages: list[str]) -> str | None:
    """Registry key of a task from its metadata (fallback: the registry), or None if not ours."""
    config = (run.data.get("configs") or {}).get(task) or {}
    meta = (config.get("metadata") or {}).get("general_bench") if isinstance(config, dict) else None
    if isinstance(meta, dict) and meta.get("key"):
        key = str(meta["key"])
        if key not in registry:
            messages.append(
                f"{run.path}: task {task} has general_bench key {key!r} unknown to the registry; ignored"
            )
            return None
        spec = registry[key]
        sota = _number(meta.get("sota"))
        if sota is not None and not math.isclose(sota, spec.sota, rel_tol=1e-9, abs_tol=1e-12):
            messages.append(
                f"{run.path}: task {task} SoTA {sota} differs from the registry's {spec.sota}; using the registry"
            )
        return key
    if not task.startswith(TASK_PREFIX):
        return None
    try:
        return registry.by_task(task).key
    except KeyError:
        messages.append(f"{run.path}: unknown General-Bench task {task!r} (not in the registry); ignored")
        return None


def read_lmms_runs(paths: Sequence[str | Path], registry: Registry | None = None) -> list[ModelScores]:
    """Read and merge every lmms-eval run under ``paths``; one :class:`ModelScores` per model, sorted by name."""
    registry = registry or load_registry()
    files = find_results_files(paths)
    if not files:
        where = ", ".join(map(str, paths))
        raise ResultsError(f"no *_results.json (lmms-eval) or results_*.json (lm-eval) under {where}")
    runs = sorted((read_run_file(p) for p in files), key=lambda r: (r.model, r.stamp, str(r.path)))
    models: dict[str, ModelScores] = {}
    stamps: dict[tuple[str, str], RunFile] = {}
    for run in runs:
        ms = models.setdefault(run.model, ModelScores(model=run.model))
        ms.metadata.setdefault("runs", []).append(str(run.path))
        groups = set((run.data.get("group_subtasks") or {}).keys())
        configs = run.data.get("configs") or {}
        results: dict[str, Any] = run.data["results"]
        for task, entry in results.items():
            if not isinstance(entry, dict):
                ms.messages.append(f"{run.path}: results[{task!r}] is not an object; ignored")
                continue
            is_group = task in groups and task not in configs
            key = None if is_group else _general_key(task, run, registry, ms.messages)
            if key is None:
                if not task.startswith(TASK_PREFIX):
                    metrics = _other_metrics(entry)
                    if metrics:
                        ms.other[task] = metrics
                continue
            previous = stamps.get((run.model, key))
            value = entry.get(SCORE_KEY)
            number = _number(value)
            if previous is not None:
                what = "duplicated run" if previous.stamp == run.stamp else "newer run"
                ms.messages.append(
                    f"{task}: {what} {run.path.name} overrides {previous.path.name} "
                    f"({ms.scores.get(key)} -> {number})"
                )
            stamps[(run.model, key)] = run
            if value is None:
                ms.messages.append(f"{run.path}: task {task} has no score (no samples?); counted as missing")
            elif number is None or not math.isfinite(number):
                ms.messages.append(
                    f"{run.path}: task {task} score is {value!r} (not a finite number); counted as missing"
                )
                number = None
            ms.scores[key] = number
            ms.sources[key] = run.path
            samples = run.samples_path(task)
            if samples.is_file():
                ms.samples[key] = samples
            else:
                ms.samples.pop(key, None)
        _report_missing_subtasks(run, results, ms)
    return [models[name] for name in sorted(models)]


def _report_missing_subtasks(run: RunFile, results: dict[str, Any], ms: ModelScores) -> None:
    """A task listed in ``group_subtasks`` but absent from ``results`` is reported, not ignored."""
    for group, subtasks in (run.data.get("group_subtasks") or {}).items():
        for task in subtasks or []:
            if task not in results and task.startswith(TASK_PREFIX):
                ms.messages.append(f"{run.path}: task {task} of group {group} has no result in this run")
