"""The real `lmms-eval` CLI on the bundled sample tree (slow: each run imports lmms-eval, ~20-60 s)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lmms_general.lmms_integration import tasks_dir
from lmms_general.lmms_run import run_lmms_eval
from tests.conftest import SAMPLE_ROOT

pytestmark = pytest.mark.slow
ENV = {"GENERAL_BENCH_ROOT": str(SAMPLE_ROOT)}


def present_tasks() -> dict[str, int]:
    from lmms_general.dataset import index_root

    index = index_root(SAMPLE_ROOT, use_cache=False)
    return {f"general_bench_{t.registry_key}": t.samples for t in index.tasks if t.registry_key and t.samples}


@pytest.fixture(scope="module")
def dummy_run(tmp_path_factory: pytest.TempPathFactory, metric_models_env: dict[str, str]) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("dummy_run")
    results = run_lmms_eval(model="dummy", model_args="response=A", tasks=["general_bench"], output_path=out,
                            env={**ENV, **metric_models_env})
    return out, results


def test_dummy_over_every_group_scores_every_present_task(dummy_run: tuple[Path, dict]) -> None:
    _out, results = dummy_run
    present = present_tasks()
    modalities = {task.split("_")[2] for task in present}
    assert modalities == {"image", "video", "audio", "3d", "nlp"}
    for task, n in present.items():
        assert task in results["results"], task
        assert results["n-samples"][task]["effective"] == n, task
        score = results["results"][task]["score,none"]
        # every sample task has references and a metric that runs offline on the tiny models
        assert isinstance(score, (int, float)), (task, score)
        assert results["configs"][task]["metadata"]["general_bench"]["key"] == task[len("general_bench_"):]
    for group in ("general_bench_image_comp", "general_bench_image_gen", "general_bench_video_comp",
                  "general_bench_video_gen", "general_bench_audio_comp", "general_bench_audio_gen",
                  "general_bench_3d_comp", "general_bench_3d_gen", "general_bench_nlp"):
        assert results["group_subtasks"].get(group), group


def test_sample_logs_hold_scorable_items(dummy_run: tuple[Path, dict]) -> None:
    out, _results = dummy_run
    logs = list(out.rglob("*_samples_general_bench_nlp_*.jsonl"))
    assert logs
    item = json.loads(logs[0].read_text(encoding="utf-8").splitlines()[0])["score"]
    assert {"id", "prediction", "reference", "raw", "status", "error"} <= set(item)


def test_level_on_the_dummy_run(dummy_run: tuple[Path, dict], tmp_path: Path) -> None:
    from lmms_general.cli import main

    out, _ = dummy_run
    target = tmp_path / "level.json"
    assert main(["level", str(out), "--json", str(target), "--html", str(tmp_path / "r.html")]) == 0
    report = json.loads(target.read_text(encoding="utf-8"))
    report = report[0] if isinstance(report, list) else report
    assert set(report["modalities"]) == {"image", "video", "audio", "3d"}
    assert report["modalities"]["image"]["tasks"] == 316
    assert (tmp_path / "r.html").stat().st_size > 1000


def test_explicit_include_path_route(tmp_path: Path) -> None:
    task = next(t for t in present_tasks() if t.startswith("general_bench_nlp_"))
    results = run_lmms_eval(model="dummy", model_args="response=A", tasks=[task], output_path=tmp_path,
                            extra_args=["--include_path", str(tasks_dir())], env=ENV)
    assert task in results["results"]


def test_tiny_qwen2vl_on_an_image_task(tmp_path: Path) -> None:
    from tests.fixtures.tiny_qwen2vl import build

    model_dir = build(tmp_path / "tiny-qwen2vl")
    task = next(t for t in sorted(present_tasks()) if t.startswith("general_bench_image_comp_"))
    results = run_lmms_eval(model="qwen2_vl", model_args=f"pretrained={model_dir},device=cpu,device_map=cpu",
                            tasks=[task], output_path=tmp_path / "out", extra_args=["--batch_size", "1"], env=ENV)
    assert results["n-samples"][task]["effective"] == present_tasks()[task]
    assert "score,none" in results["results"][task]
