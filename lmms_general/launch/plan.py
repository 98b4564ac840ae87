"""Split a task selection into N shards of about equal expected cost (``lmms-general plan``).

A task's cost is its sample count (from the ``$GENERAL_BENCH_ROOT`` index) times a relative per-sample cost
of its media kind and paradigm (:data:`SAMPLE_COST`: a video-generation sample costs far more than an NLP
answer). Tasks are assigned longest-first to the currently cheapest shard (LPT scheduling, within 4/3 of the
optimum), ties broken by shard index, so a plan is deterministic. Tasks are never split: lmms-eval runs a
task in one job, and its sample log is merged whole.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lmms_general.registry import TASK_PREFIX, Registry, TaskSpec, load_registry

PLAN_VERSION = 1

#: relative cost of one sample by (modality, paradigm); NLP = 1. Rough GPU-time ratios for generalist models:
#: understanding scales with the input media size, generation with the output (diffusion steps, frames).
SAMPLE_COST: dict[tuple[str, str], float] = {
    ("nlp", "comprehension"): 1.0,
    ("image", "comprehension"): 2.0,
    ("audio", "comprehension"): 3.0,
    ("3d", "comprehension"): 3.0,
    ("video", "comprehension"): 6.0,
    ("image", "generation"): 10.0,
    ("audio", "generation"): 8.0,
    ("3d", "generation"): 20.0,
    ("video", "generation"): 40.0,
}


@dataclass(frozen=True)
class TaskCost:
    """One task of a plan: its lmms-eval name, registry key, samples and expected cost."""

    task: str
    key: str
    modality: str
    paradigm: str
    samples: int
    cost: float


@dataclass
class Shard:
    """One job of a plan: the lmms-eval tasks it runs."""

    index: int
    tasks: list[TaskCost] = field(default_factory=list)

    @property
    def cost(self) -> float:
        return sum(t.cost for t in self.tasks)

    @property
    def samples(self) -> int:
        return sum(t.samples for t in self.tasks)

    @property
    def task_names(self) -> list[str]:
        return [t.task for t in self.tasks]

    @property
    def name(self) -> str:
        return f"shard_{self.index:03d}"


@dataclass
class Plan:
    """Shards plus what they were made from (selection, root, skipped tasks)."""

    shards: list[Shard]
    selection: list[str]
    root: str | None
    skipped: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": PLAN_VERSION, "selection": self.selection, "root": self.root, "skipped": self.skipped,
            "cost_model": {f"{m}/{p}": c for (m, p), c in SAMPLE_COST.items()},
            "shards": [
                {"index": s.index, "name": s.name, "samples": s.samples, "cost": s.cost,
                 "tasks": [asdict(t) for t in s.tasks]}
                for s in self.shards
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        if data.get("version") != PLAN_VERSION:
            raise ValueError(f"plan version {data.get('version')!r} is not {PLAN_VERSION}; re-run `lmms-general plan`")
        shards = [Shard(int(s["index"]), [TaskCost(**t) for t in s["tasks"]]) for s in data["shards"]]
        return cls(shards, list(data["selection"]), data.get("root"), list(data.get("skipped", [])))

    def write(self, path: Path) -> None:
        from lmms_general.atomic_json import write_text_atomic

        write_text_atomic(path, json.dumps(self.to_json(), indent=1) + "\n")  # a killed run leaves no half plan

    @classmethod
    def read(cls, path: Path) -> Plan:
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: not a usable shard plan ({exc})") from exc


def expand_selection(names: Iterable[str], registry: Registry | None = None) -> list[TaskSpec]:
    """Registry rows named by lmms-eval task or group names (``general_bench``, ``general_bench_image_gen``...)."""
    registry = registry or load_registry()
    specs = list(registry.values())
    chosen: dict[str, TaskSpec] = {}
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        suffix = name[len(TASK_PREFIX):] if name.startswith(TASK_PREFIX) else None
        if name == "general_bench":
            matched = specs
        elif suffix is not None and any(s.group == name for s in specs):
            matched = [s for s in specs if s.group == name]
        elif suffix is not None and suffix in {s.modality for s in specs if s.modality != "nlp"}:
            matched = [s for s in specs if s.modality == suffix]
        else:
            try:
                matched = [registry.by_task(name)]
            except KeyError:
                from lmms_general.user_errors import closest_names

                groups = {s.group for s in specs} | {TASK_PREFIX + s.modality for s in specs} | {"general_bench"}
                names = [s.task for s in specs] + sorted(groups)
                close = closest_names(name, names)
                hint = f"; did you mean: {', '.join(close)}?" if close else ""
                raise ValueError(
                    f"{name!r} is neither a General-Bench task nor group{hint} (see `lmms-general tasks`)"
                ) from None
        for spec in matched:
            chosen.setdefault(spec.key, spec)
    return list(chosen.values())


def sample_counts(root: str | os.PathLike[str] | None = None) -> dict[str, int]:
    """Registry key -> sample count under ``root`` (default ``$GENERAL_BENCH_ROOT``)."""
    from lmms_general.dataset import index_root, resolve_root

    return {t.registry_key: t.samples for t in index_root(resolve_root(root)).tasks if t.registry_key and t.samples}


def task_costs(specs: Sequence[TaskSpec], counts: dict[str, int]) -> tuple[list[TaskCost], list[str]]:
    """Costs of the selected tasks that have samples, and the names of those without (skipped)."""
    costs, skipped = [], []
    for spec in specs:
        samples = counts.get(spec.key, 0)
        if not samples:
            skipped.append(spec.task)
            continue
        weight = SAMPLE_COST[(spec.modality, spec.paradigm)]
        costs.append(TaskCost(spec.task, spec.key, spec.modality, spec.paradigm, samples, samples * weight))
    return costs, skipped


def balance(costs: Sequence[TaskCost], n_shards: int) -> list[Shard]:
    """LPT: most expensive task first onto the cheapest shard; empty shards dropped (N > tasks)."""
    if n_shards < 1:
        raise ValueError(f"--shards must be at least 1, got {n_shards}")
    shards = [Shard(i) for i in range(n_shards)]
    for task in sorted(costs, key=lambda t: (-t.cost, t.task)):
        min(shards, key=lambda s: (s.cost, s.index)).tasks.append(task)
    kept = [s for s in shards if s.tasks]
    for new_index, shard in enumerate(kept):
        shard.index = new_index
    return kept


def make_plan(selection: Sequence[str], n_shards: int, root: str | os.PathLike[str] | None = None) -> Plan:
    """The plan for ``selection`` (task/group names) over the tree at ``root`` in ``n_shards`` shards."""
    from lmms_general.dataset import resolve_root

    specs = expand_selection(selection)
    resolved = resolve_root(root)
    costs, skipped = task_costs(specs, sample_counts(resolved))
    if not costs:
        raise ValueError(f"none of the {len(specs)} selected tasks has samples under {resolved}")
    return Plan(balance(costs, n_shards), list(selection), str(resolved), skipped)
