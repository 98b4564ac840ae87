"""Helpers: tiny lmms-eval output folders written in tmp_path (imported by the tests of this folder)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lmms_general.registry import load_registry


def general_bench_config(key: str) -> dict[str, Any]:
    spec = load_registry()[key]
    meta = {
        "key": spec.key, "sheet": spec.sheet, "row": spec.row, "modality": spec.modality,
        "paradigm": spec.paradigm, "task_name": spec.task_name, "display_name": spec.display_name,
        "metric_raw": spec.metric_raw, "metric_id": spec.metric_id,
        "higher_is_better": spec.higher_is_better, "sota": spec.sota,
    }
    return {"task": spec.task, "metadata": {"version": 1.0, "general_bench": meta}}


def write_run(
    folder: Path,
    stamp: str,
    model: str,
    scores: dict[str, float | None],
    samples: dict[str, list[dict[str, Any]]] | None = None,
    other: dict[str, dict[str, float]] | None = None,
    with_metadata: bool = True,
    groups: dict[str, list[str]] | None = None,
) -> Path:
    """Write ``<stamp>_results.json`` (+ sample logs) as lmms-eval does; ``scores`` keyed by task name."""
    folder.mkdir(parents=True, exist_ok=True)
    registry = load_registry()
    results: dict[str, Any] = {}
    configs: dict[str, Any] = {}
    for task, value in scores.items():
        results[task] = {"alias": task, "score,none": value, "score_stderr,none": "N/A"}
        key = task.removeprefix("general_bench_")
        if with_metadata and key in registry:
            configs[task] = general_bench_config(key)
        else:
            configs[task] = {"task": task, "metadata": {"version": 1.0}}
    for task, metrics in (other or {}).items():
        results[task] = {"alias": task, **{f"{m},none": v for m, v in metrics.items()}}
        configs[task] = {"task": task}
    data = {
        "results": results,
        "configs": configs,
        "group_subtasks": groups or {},
        "n-samples": {t: {"original": 2, "effective": 2} for t in scores},
        "config": {"model": "dummy", "model_args": f"pretrained={model}"},
        "model_name": model,
        "date": stamp,
    }
    path = folder / f"{stamp}_results.json"
    path.write_text(json.dumps(data))
    for task, items in (samples or {}).items():
        lines = [json.dumps({"doc_id": n, "target": "", "filtered_resps": [i.get("raw", "")], "score": i})
                 for n, i in enumerate(items)]
        (folder / f"{stamp}_samples_{task}.jsonl").write_text("\n".join(lines) + "\n")
    return path


def items(correct: list[int], prefix: str = "s") -> list[dict[str, Any]]:
    """Per-sample items of an accuracy-like task: prediction == reference when correct."""
    return [
        {"id": f"{prefix}{n}", "prediction": "A" if ok else "B", "reference": "A", "raw": "A" if ok else "B",
         "status": "ok", "error": ""}
        for n, ok in enumerate(correct)
    ]
