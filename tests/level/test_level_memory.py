"""``level`` in bounded memory (issue 20 item 6): bootstrap draws in blocks of rows and sample items without the
model's raw output give the identical level.json."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import lmms_general.protocol  # noqa: F401 - see test_fast_bootstrap: import before any metric monkeypatching
from lmms_general.level import BootstrapTask, LevelScorer, bootstrap, bootstrap_levels
from lmms_general.metrics.resampling import MeanReplicator
from lmms_general.registry import load_registry
from lmms_general.results import samples as samples_module

TASKS = {"nlp_causal_reasoning": 40, "nlp_temporal_reasoning": 7}


def test_blocks_of_draws_give_the_same_intervals(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = load_registry()
    scorer = LevelScorer(list(registry.values()), "corrected")
    rng = np.random.default_rng(1)
    keys = [k for k, s in registry.items() if s.modality == "nlp"][:3]
    scores = {k: 50.0 for k in keys}
    tasks = {}
    for n, key in zip((1, 13, 200), keys, strict=True):
        values = list(rng.uniform(0, 100, n))
        tasks[key] = BootstrapTask(items=values, score_fn=lambda v: float(np.mean(v)),
                                   replicator=MeanReplicator(np.asarray(values)) if n != 13 else None)
    whole = bootstrap_levels(scorer, scores, tasks, n_boot=60, seed=3)
    monkeypatch.setattr(bootstrap, "DRAW_BLOCK", 5)
    assert bootstrap_levels(scorer, scores, tasks, n_boot=60, seed=3) == whole


def _run(folder: Path) -> None:
    """A run folder: a results file and one sample log per task of :data:`TASKS` (every third answer wrong)."""
    registry = load_registry()
    folder.mkdir()
    results, counts = {}, {}
    for key, n in TASKS.items():
        task = registry[key].task
        lines = []
        for i in range(n):
            item = {"key": key, "id": f"s{i}", "prediction": "A" if i % 3 else "B", "reference": "A",
                    "raw": f"The answer is {'A' if i % 3 else 'B'}." * 20, "status": "ok", "error": ""}
            lines.append(json.dumps({"doc_id": i, "score": item}))
        (folder / f"20250101_000000_samples_{task}.jsonl").write_text("\n".join(lines) + "\n")
        results[task] = {"alias": task, "score,none": 100 * sum(1 for i in range(n) if i % 3) / n}
        counts[task] = {"original": n, "effective": n}
    (folder / "20250101_000000_results.json").write_text(json.dumps({
        "results": results, "configs": {t: {"task": t} for t in results}, "config": {"model": "m", "limit": None},
        "group_subtasks": {t: [] for t in results}, "n-samples": counts, "model_name": "m",
        "date": "20250101_000000"}))


def _level_json(folder: Path, out: Path) -> str:
    from lmms_general.cli import main

    assert main(["level", str(folder), "--quiet", "--n-boot", "40", "--out-dir", str(out)]) == 0
    return (out / "level.json").read_text()


def test_level_json_is_identical_with_blocked_draws_and_without_raw_outputs(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _run(tmp_path / "run")
    monkeypatch.setattr(samples_module, "NOT_SCORED", ())
    monkeypatch.setattr(bootstrap, "DRAW_BLOCK", 1 << 30)
    before = _level_json(tmp_path / "run", tmp_path / "before")
    monkeypatch.undo()
    monkeypatch.setattr(bootstrap, "DRAW_BLOCK", 3)
    after = _level_json(tmp_path / "run", tmp_path / "after")
    assert "bootstrap replicates over 2 tasks" in before
    assert after == before


def test_reader_drops_only_what_it_is_asked_to(tmp_path: Path) -> None:
    _run(tmp_path / "run")
    log = next((tmp_path / "run").glob("*causal*.jsonl"))
    full = samples_module.read_sample_items(log).items
    lean = samples_module.read_sample_items(log, drop=samples_module.NOT_SCORED).items
    assert [{k: v for k, v in i.items() if k != "raw"} for i in full] == lean and "raw" in full[0]
