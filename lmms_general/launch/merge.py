"""Merge the lmms-eval outputs of a plan's shards into one run folder that ``lmms-general level`` reads as one run.

Each shard wrote ``<shard dir>/[<model>/]<stamp>_results.json`` and ``<stamp>_samples_<task>.jsonl``. The merged
folder holds one ``<stamp>_results.json`` whose per-task maps (``results``, ``configs``, ``n-samples``, ...) are
the union of the shards' (a task in two shards is an error: plans never split a task), ``group_subtasks`` rebuilt
for the groups the user selected, and the sample logs copied under the merged file's prefix.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lmms_general.atomic_json import atomic_path, write_text_atomic
from lmms_general.launch.plan import Plan, expand_selection
from lmms_general.registry import PARADIGM_SHORT, TASK_PREFIX

#: per-task maps of an lmms-eval results file, merged by union
TASK_MAPS = ("results", "configs", "versions", "n-shot", "higher_is_better", "n-samples", "task_hashes")


def shard_results(shard_dir: Path) -> Path | None:
    """The newest ``*_results.json`` a shard wrote (None when the shard has not finished)."""
    found = sorted(shard_dir.rglob("*_results.json"), key=lambda p: (p.name, str(p)))
    return found[-1] if found else None


def shard_complete(shard_dir: Path, tasks: Sequence[str]) -> bool:
    """Whether the shard's newest results file has a result for every one of ``tasks`` (resume: skip it)."""
    path = shard_results(shard_dir)
    if path is None:
        return False
    try:
        results = json.loads(path.read_text(encoding="utf-8")).get("results") or {}
    except (OSError, ValueError):
        return False
    return all(task in results for task in tasks)


def _group_tree(selection: Sequence[str], leaves: set[str]) -> dict[str, list[str]]:
    """``group_subtasks`` as lmms-eval writes it for the selected groups, restricted to the leaves that ran."""
    tree: dict[str, list[str]] = {}

    def add(group: str) -> list[str]:
        """Fill ``tree[group]``; return the group's members that ran (directly or below)."""
        specs = [s for s in expand_selection([group]) if s.task in leaves]
        if not specs:
            return []
        if group == "general_bench":
            members = [m for m in (*(f"{TASK_PREFIX}{x}" for x in ("image", "video", "audio", "3d")),
                                   f"{TASK_PREFIX}nlp") if add(m)]
        elif group.startswith(TASK_PREFIX) and group[len(TASK_PREFIX):] in {"image", "video", "audio", "3d"}:
            members = [sub for sub in (f"{group}_{short}" for short in PARADIGM_SHORT.values()) if add(sub)]
        else:
            members = [s.task for s in specs]
        tree[group] = members
        return members

    for name in selection:
        if name not in leaves:
            add(name)
    return tree


def merge_shards(plan: Plan, shard_dirs: Sequence[Path], out: Path, model_name: str | None = None) -> Path:
    """Write the merged results file (and copied sample logs) under ``out``; return the results file path."""
    datas: list[tuple[Path, dict[str, Any]]] = []
    for shard, folder in zip(plan.shards, shard_dirs, strict=True):
        path = shard_results(folder)
        if path is None:
            raise FileNotFoundError(f"{shard.name}: no *_results.json under {folder}; run or resume the shard first")
        datas.append((path, json.loads(path.read_text(encoding="utf-8"))))
    first = datas[0][1]
    merged: dict[str, Any] = {k: v for k, v in first.items() if k not in TASK_MAPS and k != "group_subtasks"}
    owner: dict[str, Path] = {}
    for path, data in datas:
        groups = {g for g, members in (data.get("group_subtasks") or {}).items() if members}
        for name in TASK_MAPS:
            target = merged.setdefault(name, {})
            for task, value in (data.get(name) or {}).items():
                if name == "results" and task in groups:
                    continue  # group rows are rebuilt below, never taken from one shard
                if name == "results" and task in owner:
                    raise ValueError(f"task {task} is in both {owner[task]} and {path}; plans never split a task")
                if name == "results":
                    owner[task] = path
                target[task] = value
    leaves = set(owner)
    merged["group_subtasks"] = _group_tree(plan.selection, leaves)
    grouped = {m for members in merged["group_subtasks"].values() for m in members}
    merged["group_subtasks"].update({t: [] for t in sorted(leaves - grouped)})  # as lmms-eval lists bare leaves
    for group, members in merged["group_subtasks"].items():
        if not members:
            continue
        alias = next(((d.get("results") or {}).get(group, {}).get("alias") for _, d in datas
                      if group in (d.get("results") or {})), None)
        merged["results"][group] = {"alias": alias or group_alias(group)}
    merged["lmms_general_shards"] = [{"shard": s.name, "results": str(p)} for s, (p, _) in zip(plan.shards, datas,
                                                                                               strict=True)]
    if "total_evaluation_time_seconds" in first:
        merged["total_evaluation_time_seconds"] = str(sum(
            float(d.get("total_evaluation_time_seconds") or 0) for _, d in datas))
    # lmms-eval leaves model_name empty for models without `pretrained` (and then writes no model folder)
    model = (model_name or merged.get("model_name") or (merged.get("config") or {}).get("model")
             or datas[0][0].parent.name)
    folder = out / _sanitize(str(model))
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _after([p for p, _ in datas])
    results_path = folder / f"{stamp}_results.json"
    for path, _ in datas:
        prefix = path.name[: -len("_results.json")]
        for sample_log in path.parent.glob(f"{prefix}_samples_*.jsonl"):
            task = sample_log.stem.split("_samples_", 1)[1]
            if task in leaves:
                with atomic_path(folder / f"{stamp}_samples_{task}.jsonl") as tmp:
                    shutil.copyfile(sample_log, tmp)
    write_text_atomic(results_path, json.dumps(merged, indent=2, ensure_ascii=False, default=str))
    return results_path


def group_alias(group: str) -> str:
    """The ``group_alias`` our generated group YAMLs give ``group`` (see :func:`lmms_general.codegen.render`)."""
    if group == "general_bench":
        return "General-Bench"
    rest = group[len(TASK_PREFIX):].split("_")
    if rest == ["nlp"]:
        return "General-Bench NLP"
    paradigm = {short: name for name, short in PARADIGM_SHORT.items()}.get(rest[-1]) if len(rest) > 1 else None
    return f"General-Bench {rest[0]} {paradigm}" if paradigm else f"General-Bench {rest[0]}"


def _after(paths: Sequence[Path]) -> str:
    """A ``YYYYMMDD_HHMMSS`` stamp one second after the newest shard's (lmms-eval stamps in its own time zone),
    so the merged run orders after its shards if both are ever read together."""
    stamps = []
    for path in paths:
        try:
            stamps.append(dt.datetime.strptime(path.name[:15], "%Y%m%d_%H%M%S"))
        except ValueError:
            continue
    when = max(stamps) + dt.timedelta(seconds=1) if stamps else dt.datetime.now()
    return when.strftime("%Y%m%d_%H%M%S")


def _sanitize(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "__" for c in name).strip("_") or "model"
