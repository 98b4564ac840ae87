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
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmms_general.registry import TASK_PREFIX, Registry, load_registry
from lmms_general.results.checks import check_score
from lmms_general.results.lm_eval_output import (
    find_lm_eval_results,
    is_lm_eval_results,
    lm_eval_samples_path,
    lm_eval_stamp,
)
from lmms_general.results.types import ModelScores, ResultsError

_STAMP = re.compile(r"^(\d{8}_\d{6})")
SCORE_KEY = "score,none"
ERROR_KEY = "error,none"


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
        elif path.exists() or path.is_symlink():
            raise ResultsError(f"{path}: not a regular file or folder (a FIFO or device is never opened)")
        else:
            raise ResultsError(f"{path}: no such file or folder")
    for path in found:
        if not _is_regular(path):
            raise ResultsError(f"{path}: not a regular file (a FIFO or device is never opened)")
    return sorted(set(found))


def _is_regular(path: Path) -> bool:
    """A regular file (after links); never opens it, so a FIFO cannot block."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def count_lines(path: Path) -> int:
    """Non-blank lines of a sample log, read one line at a time (never the whole file in memory)."""
    with path.open("rb") as handle:
        return sum(1 for raw in handle if raw.strip())


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


def _check_types(data: dict[str, Any], path: Path) -> None:
    """The top-level fields we read must have lmms-eval's types (a clear error otherwise)."""
    expected = {"results": dict, "configs": dict, "config": dict, "group_subtasks": dict, "n-samples": dict}
    for name, kind in expected.items():
        value = data.get(name)
        if value is not None and not isinstance(value, kind):
            raise ResultsError(
                f"{path}: {name!r} is a {type(value).__name__}, expected a JSON object; not an lmms-eval results file"
            )
    for group, members in (data.get("group_subtasks") or {}).items():
        if not isinstance(members, list):
            raise ResultsError(f"{path}: group_subtasks[{group!r}] is a {type(members).__name__}, expected a list")
    args = (data.get("config") or {}).get("model_args")
    if args is not None and not isinstance(args, (str, dict)):
        raise ResultsError(f"{path}: config.model_args is a {type(args).__name__}, expected a string or object")


def read_run_file(path: Path) -> RunFile:
    """Parse one results file; raises :class:`ResultsError` naming the file when it is unusable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ResultsError(f"{path}: not UTF-8 text (byte {exc.start}); not an lmms-eval results file") from exc
    except (OSError, json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise ResultsError(f"{path}: cannot read results JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise ResultsError(f"{path}: not an lmms-eval results file (no 'results' object)")
    _check_types(data, path)
    match = _STAMP.match(path.name)
    stamp = match.group(1) if match else lm_eval_stamp(path) or str(data.get("date", ""))
    return RunFile(path=path, stamp=stamp, model=_model_name(data, path), data=data)


def model_args_of(data: dict[str, Any]) -> str:
    """The run's ``model_args`` as one string (``""`` when absent)."""
    args = (data.get("config") or {}).get("model_args") or ""
    if isinstance(args, dict):
        return ",".join(f"{k}={v}" for k, v in sorted(args.items()))
    return str(args)


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


#: how a task outside the reference table is labelled in the reports
OUTSIDE_LABEL = "(outside General-Level)"


def outside_table(task: str, run: RunFile) -> bool:
    """A data task outside the reference table (``general_bench_<modality>_<comp|gen>_extra_*``)."""
    from lmms_general.extra_tasks import is_extra_key

    config = (run.data.get("configs") or {}).get(task) or {}
    meta = (config.get("metadata") or {}).get("general_bench") if isinstance(config, dict) else None
    if isinstance(meta, dict) and meta.get("key"):
        return is_extra_key(str(meta["key"]))
    return task.startswith(TASK_PREFIX) and is_extra_key(task[len(TASK_PREFIX):])


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


def _model_names(runs: Sequence[RunFile], messages: dict[str, list[str]]) -> dict[Path, str]:
    """Report name per run: the model name, or ``name [model_args]`` when one name has several model_args."""
    args_by_name: dict[str, set[str]] = {}
    for run in runs:
        args_by_name.setdefault(run.model, set()).add(model_args_of(run.data))
    names = {}
    for run in runs:
        variants = args_by_name[run.model]
        names[run.path] = run.model if len(variants) == 1 else f"{run.model} [{model_args_of(run.data)}]"
    for name, variants in args_by_name.items():
        if len(variants) > 1:
            for args in sorted(variants):
                messages.setdefault(f"{name} [{args}]", []).append(
                    f"runs of {name} used {len(variants)} different model_args; they are reported separately "
                    f"(never merged): {sorted(variants)}"
                )
    return names


def _task_score(
    task: str, entry: dict[str, Any], key: str, run: RunFile, registry: Registry, ms: ModelScores
) -> float | None:
    """The numeric score of one task entry (None = missing; the reason goes to messages / errors)."""
    value = entry.get(SCORE_KEY)
    error = entry.get(ERROR_KEY)
    if isinstance(error, str) and error.strip():
        ms.errors[key] = error.strip()
    if isinstance(value, str):  # runs before the error key: the error string sat in the score
        ms.errors[key] = value.strip()
        ms.messages.append(f"{run.path}: task {task} has no score: {_short(value)}")
        return None
    if value is None:
        why = f": {_short(ms.errors[key])}" if key in ms.errors else " (no samples?)"
        ms.messages.append(f"{run.path}: task {task} has no score{why}; counted as missing")
        return None
    number = _number(value)
    if number is None:
        raise ResultsError(f"{run.path}: task {task}: {SCORE_KEY} is a {type(value).__name__}, expected a number")
    if not math.isfinite(number):
        ms.warnings.append(f"{run.path}: task {task} score is {value!r} (not a finite number); counted as missing")
        ms.messages.append(f"{run.path}: task {task} score is {value!r} (not a finite number); counted as missing")
        return None
    return check_score(number, registry[key].metric_id, run.path, task)


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _provenance(ms: ModelScores, run: RunFile) -> None:
    config = run.data.get("config") or {}
    p = ms.provenance
    p.setdefault("model", run.model)
    p.setdefault("lmms_eval_model", config.get("model"))
    p.setdefault("model_args", model_args_of(run.data))
    for name, value in (("dates", run.data.get("date") or run.stamp), ("runs", str(run.path)),
                        ("lmms_eval_versions", run.data.get("lmms_eval_version")),
                        ("limits", config.get("limit"))):
        if value is not None and value not in p.setdefault(name, []):
            p[name].append(value)
    if config.get("limit") is not None:
        ms.warnings.append(
            f"{run.path.name} ran with --limit {config['limit']}: scores use only the first samples of each task "
            f"and are not comparable with the leaderboard"
        )


def read_lmms_runs(paths: Sequence[str | Path], registry: Registry | None = None) -> list[ModelScores]:
    """Read and merge every lmms-eval run under ``paths``; one :class:`ModelScores` per model, sorted by name.

    Runs of one model name with different ``model_args`` are kept apart as ``name [model_args]``.
    """
    registry = registry or load_registry()
    files = find_results_files(paths)
    if not files:
        where = ", ".join(map(str, paths))
        raise ResultsError(f"no *_results.json (lmms-eval) or results_*.json (lm-eval) under {where}")
    runs = sorted((read_run_file(p) for p in files), key=lambda r: (r.model, r.stamp, str(r.path)))
    early: dict[str, list[str]] = {}
    names = _model_names(runs, early)
    models: dict[str, ModelScores] = {}
    stamps: dict[tuple[str, str], RunFile] = {}
    for run in runs:
        name = names[run.path]
        ms = models.setdefault(name, ModelScores(model=name, warnings=list(early.get(name, []))))
        ms.metadata.setdefault("runs", []).append(str(run.path))
        _provenance(ms, run)
        groups = set((run.data.get("group_subtasks") or {}).keys())
        configs = run.data.get("configs") or {}
        results: dict[str, Any] = run.data["results"]
        for task, entry in results.items():
            if not isinstance(entry, dict):
                ms.messages.append(f"{run.path}: results[{task!r}] is not an object; ignored")
                continue
            is_group = task in groups and task not in configs
            if not is_group and outside_table(task, run):
                metrics = _other_metrics(entry)  # no SoTA, never in a Level: reported beside other benchmarks
                if metrics:
                    ms.other[f"{task} {OUTSIDE_LABEL}"] = metrics
                continue
            key = None if is_group else _general_key(task, run, registry, ms.messages)
            if key is None:
                if not task.startswith(TASK_PREFIX):
                    metrics = _other_metrics(entry)
                    if metrics:
                        ms.other[task] = metrics
                continue
            previous = stamps.get((name, key))
            ms.errors.pop(key, None)
            number = _task_score(task, entry, key, run, registry, ms)
            if previous is not None:
                what = "duplicated run" if previous.stamp == run.stamp else "newer run"
                ms.messages.append(
                    f"{task}: {what} {run.path.name} overrides {previous.path.name} "
                    f"({ms.scores.get(key)} -> {number})"
                )
            stamps[(name, key)] = run
            ms.scores[key] = number
            ms.sources[key] = run.path
            samples = run.samples_path(task)
            if samples.is_file():
                ms.samples[key] = samples
                _check_sample_count(run, task, samples, ms)
            else:
                ms.samples.pop(key, None)
        _report_missing_subtasks(run, results, ms)
    for ms in models.values():
        _coverage_warnings(ms, registry)
    return [models[name] for name in sorted(models)]


def _check_sample_count(run: RunFile, task: str, samples: Path, ms: ModelScores) -> None:
    """A sample log cut short or doubled: its line count against the results' ``n-samples`` (a report warning
    naming the file and both counts)."""
    entry = (run.data.get("n-samples") or {}).get(task)
    expected = entry.get("effective") if isinstance(entry, dict) else None
    if not isinstance(expected, int) or isinstance(expected, bool):
        return
    try:
        lines = count_lines(samples)
    except OSError as exc:
        ms.warnings.append(f"{samples}: cannot read the sample log ({exc.strerror or exc})")
        return
    if lines != expected:
        ms.warnings.append(f"{samples}: {lines} sample lines, but {run.path.name} says n-samples {expected} for "
                           f"{task} (the log is cut short or duplicated; its intervals and counts are unreliable)")


def _coverage_warnings(ms: ModelScores, registry: Registry) -> None:
    """Partial coverage and missing sample logs, said once per model."""
    ran = len(ms.scores)
    scored = sum(v is not None for v in ms.scores.values())
    if scored < len(registry):
        unscored = f" ({ran - scored} of them without a score)" if ran > scored else ""
        ms.warnings.append(
            f"partial coverage: {ran} of {len(registry)} General-Bench tasks ran{unscored}; the "
            f"{len(registry) - scored} without a score count as unsupported (0) in the full Scope-A board "
            f"(see the scope view)"
        )
    without = sorted(k for k in ms.scores if k not in ms.samples)
    if without:
        ms.warnings.append(
            f"{len(without)} of {ran} tasks have no sample log (run lmms-eval with --log_samples): no 95% intervals "
            f"and no failed/unparsed counts for them"
        )


def _report_missing_subtasks(run: RunFile, results: dict[str, Any], ms: ModelScores) -> None:
    """A task listed in ``group_subtasks`` but absent from ``results`` is reported, not ignored."""
    for group, subtasks in (run.data.get("group_subtasks") or {}).items():
        for task in subtasks or []:
            if task not in results and task.startswith(TASK_PREFIX):
                ms.messages.append(f"{run.path}: task {task} of group {group} has no result in this run")
