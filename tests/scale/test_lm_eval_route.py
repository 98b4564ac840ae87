"""The lm-evaluation-harness YAML set: in sync, loadable by lm-eval, narrowed to present tasks, read by level."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lmms_general import codegen, lm_eval_route
from lmms_general.registry import load_registry
from tests.conftest import REPO

LMMS_ONLY = ("doc_to_visual", "doc_to_messages", "lmms_eval_specific_kwargs", "process_docs")


def test_committed_lm_eval_yamls_match_generator() -> None:
    assert codegen.diff(codegen.LM_EVAL_OUT, "lm-eval") == []


def test_lm_eval_set_covers_the_nlp_tasks_without_lmms_only_keys() -> None:
    files = codegen.render_lm_eval()
    nlp = [s.task for s in load_registry().select("nlp")]
    assert len(nlp) == 115
    assert sorted(yaml.safe_load(files["_groups/general_bench_nlp.yaml"])["task"]) == sorted(nlp)
    assert sum(1 for name in files if name.startswith("nlp/")) == 115
    for text in files.values():
        assert not any(f"{key}:" in text for key in LMMS_ONLY)
    assert "max_new_tokens" not in "".join(files.values())  # lm-eval's HF model reads max_gen_toks


def test_task_manager_loads_our_tasks(sample_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("lm_eval")
    monkeypatch.setenv("LMMS_GENERAL_CACHE", str(tmp_path))
    import lmms_general

    manager = lmms_general.lm_eval_task_manager()
    assert set(manager.all_groups) == {"general_bench_nlp"}
    assert len(manager.all_subtasks) == len(lm_eval_route.present_nlp_keys())
    from lm_eval.tasks import get_task_dict

    tasks = get_task_dict(["general_bench_nlp_time_series"], manager)
    task = next(iter(tasks.values()))
    docs = list(task.test_docs())
    from lmms_general.protocol import doc_of

    assert [doc_of(d).sample_id for d in docs] == ["ts_07", "ts_08", "ts_09"]
    assert "Predict the next value" in task.doc_to_text(docs[0])
    assert task.config.metadata["general_bench"]["metric_id"] == "rmse"


def test_include_path_narrows_to_present_tasks(sample_root: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMMS_GENERAL_CACHE", str(tmp_path))
    keys = lm_eval_route.present_nlp_keys()
    assert keys and len(keys) < 115
    path = lm_eval_route.include_path()
    assert path.is_relative_to(tmp_path)
    group = yaml.safe_load((path / "_groups" / "general_bench_nlp.yaml").read_text())
    assert sorted(group["task"]) == sorted(f"general_bench_{k}" for k in keys)
    assert sorted(p.stem for p in (path / "nlp").glob("*.yaml")) == sorted(keys)
    # identical file texts to the committed set, and the same folder on a second call
    for p in (path / "nlp").glob("*.yaml"):
        assert p.read_text() == (codegen.LM_EVAL_OUT / "nlp" / p.name).read_text()
    assert lm_eval_route.include_path() == path


def test_include_path_without_root_is_the_packaged_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GENERAL_BENCH_ROOT", raising=False)
    assert lm_eval_route.include_path() == codegen.LM_EVAL_OUT == REPO / "lmms_general" / "lm_eval_tasks"


def _lm_eval_run(folder: Path, stamp: str, score: float) -> Path:
    """A minimal lm-eval output (the file layout lm_eval writes) with one task and its sample log."""
    model = folder / "__models__tiny"
    model.mkdir(parents=True, exist_ok=True)
    spec = load_registry()["nlp_time_series"]
    results = model / f"results_{stamp}.json"
    results.write_text(json.dumps({
        "results": {spec.task: {"alias": spec.display_name, "score,none": score, "failed,none": 0}},
        "group_subtasks": {}, "configs": {spec.task: {"metadata": {"general_bench": {"key": spec.key}}}},
        "config": {"model": "hf", "model_args": "pretrained=/models/tiny"}, "model_name": "/models/tiny",
    }))
    item = {"id": "a", "key": spec.key, "prediction": score, "reference": 0.0, "raw": str(score), "status": "ok"}
    (model / f"samples_{spec.task}_{stamp}.jsonl").write_text(json.dumps({"doc_id": 0, "score": item}) + "\n")
    return results


def test_level_reader_reads_lm_eval_folders(tmp_path: Path) -> None:
    from lmms_general.results import read_lmms_runs

    _lm_eval_run(tmp_path, "2026-01-01T10-00-00.000001", 3.0)
    _lm_eval_run(tmp_path, "2026-01-02T10-00-00.000001", 2.5)
    (models,) = read_lmms_runs([tmp_path])
    assert models.model == "/models/tiny"
    assert models.scores == {"nlp_time_series": 2.5}  # the newer run wins
    newest = "samples_general_bench_nlp_time_series_2026-01-02T10-00-00.000001.jsonl"
    assert models.samples["nlp_time_series"].name == newest
    assert any("newer run" in m for m in models.messages)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_lm_eval_hf_end_to_end_then_level(tiny_causal_lm: Path, sample_root: Path, tmp_path: Path) -> None:
    """``lm_eval --model hf`` on the sample tree's NLP tasks with a tiny random Llama, then ``lmms-general level``."""
    lm_eval = shutil.which("lm_eval", path=str(Path(sys.executable).parent)) or shutil.which("lm_eval")
    if lm_eval is None:
        pytest.skip("lm-eval extra not installed")
    env = {**os.environ, "PYTHONPATH": str(REPO), "LMMS_GENERAL_CACHE": str(tmp_path / "cache"),
           "GENERAL_BENCH_ROOT": str(sample_root)}
    cli = [sys.executable, "-m", "lmms_general.cli"]
    include = subprocess.run([*cli, "paths", "--lm-eval"], env=env, capture_output=True, text=True, check=True)
    include_path = include.stdout.strip()
    out = tmp_path / "out"
    run = subprocess.run(
        [lm_eval, "--model", "hf", "--model_args", f"pretrained={tiny_causal_lm},dtype=float32", "--device", "cpu",
         "--include_path", include_path, "--tasks", "general_bench_nlp", "--batch_size", "4",
         "--log_samples", "--output_path", str(out)],
        env=env, capture_output=True, text=True, cwd=tmp_path, timeout=800,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    (results,) = list(out.rglob("results_*.json"))
    data = json.loads(results.read_text())
    expected = {f"general_bench_{k}" for k in lm_eval_route.present_nlp_keys()}
    assert set(data["group_subtasks"]["general_bench_nlp"]) == expected
    for task in expected:
        assert isinstance(data["results"][task]["score,none"], float), task
        assert list(results.parent.glob(f"samples_{task}_*.jsonl")), task
    level = subprocess.run([*cli, "level", str(out), "--json", str(tmp_path / "level.json"), "--with-tasks"],
                           env=env, capture_output=True, text=True)
    assert level.returncode == 0, level.stderr[-3000:]
    report = json.loads((tmp_path / "level.json").read_text())
    scored = {f"general_bench_{t['key']}": t["raw"] for t in report["tasks"] if t["raw"] is not None}
    assert set(scored) == expected
    for task in expected:
        assert scored[task] == pytest.approx(data["results"][task]["score,none"])
    assert report["nlp"]["tasks"] == 115 and len(report["missing_tasks"]) == 699 - len(expected)
