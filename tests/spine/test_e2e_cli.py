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
def oracle_run(tmp_path_factory: pytest.TempPathFactory, metric_models_env: dict[str, str]) -> tuple[Path, dict]:
    """The ground-truth oracle (it opens every input) over every group of the sample tree."""
    out = tmp_path_factory.mktemp("oracle_run")
    results = run_lmms_eval(model="general_bench_oracle", model_args=f"output_dir={out / 'media'}",
                            tasks=["general_bench"], output_path=out, env={**ENV, **metric_models_env})
    return out, results


def sample_items(out: Path, task: str) -> list[dict]:
    logs = list(out.rglob(f"*_samples_{task}.jsonl"))
    assert len(logs) == 1, (task, logs)
    return [json.loads(line)["score"] for line in logs[0].read_text(encoding="utf-8").splitlines() if line.strip()]


def test_oracle_over_every_group_scores_every_present_task(oracle_run: tuple[Path, dict]) -> None:
    _out, results = oracle_run
    present = present_tasks()
    modalities = {task.split("_")[2] for task in present}
    assert modalities == {"image", "video", "audio", "3d", "nlp"}
    for task, n in present.items():
        assert task in results["results"], task
        assert results["n-samples"][task]["effective"] == n, task
        score = results["results"][task]["score,none"]
        assert isinstance(score, (int, float)), (task, score)  # numeric, never an error string
        assert results["results"][task]["error,none"] == "", task
        assert results["results"][task]["failed,none"] == 0, task
        assert results["configs"][task]["metadata"]["general_bench"]["key"] == task[len("general_bench_"):]
    for group in ("general_bench_image_comp", "general_bench_image_gen", "general_bench_video_comp",
                  "general_bench_video_gen", "general_bench_audio_comp", "general_bench_audio_gen",
                  "general_bench_3d_comp", "general_bench_3d_gen", "general_bench_nlp"):
        assert results["group_subtasks"].get(group), group


def test_oracle_scores_every_comprehension_task_perfectly(oracle_run: tuple[Path, dict]) -> None:
    from lmms_general.protocol import task_score
    from lmms_general.registry import load_registry
    from tests.protocol.perfect import SELF_REFERENCE, is_perfect

    out, results = oracle_run
    registry = load_registry()
    for task in present_tasks():
        spec = registry.by_task(task)
        if spec.paradigm != "comprehension":
            continue
        score = results["results"][task]["score,none"]
        if spec.metric_id in SELF_REFERENCE:  # tracking AUC: the references scored against themselves
            items = sample_items(out, task)
            itself = task_score([{**i, "prediction": i["reference"]} for i in items]).score
            assert score == pytest.approx(itself), (task, score, itself)
        else:
            assert is_perfect(score, spec.metric_id, spec.higher_is_better), (task, spec.metric_id, score)


def test_oracle_generation_copies_reference_media_and_scores_them(
    oracle_run: tuple[Path, dict], metric_models_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Generation rows: each written file is the sample's reference output byte for byte (or, for an image-to-video
    sample without a target, its source image held still), and the task score is the metric applied to the
    reference media themselves (model-free metrics: their ideal, e.g. FID 0)."""
    from lmms_general import dataset
    from lmms_general.metrics import get_metric
    from lmms_general.protocol import make_doc, prepared_reference
    from lmms_general.protocol.references import reference_output_media
    from lmms_general.registry import load_registry
    from tests.protocol.perfect import is_perfect

    for name, value in {**ENV, **metric_models_env}.items():
        monkeypatch.setenv(name, value)
    out, results = oracle_run
    registry = load_registry()
    for task in present_tasks():
        spec = registry.by_task(task)
        if spec.paradigm != "generation":
            continue
        items = sample_items(out, task)
        assert all(i["status"] == "ok" for i in items), (task, [i["error"] for i in items])
        data = dataset.load_task(SAMPLE_ROOT, spec.key)
        docs = {s.id: make_doc(spec, data.header, s, str(data.folder.folder)) for s in data.samples}
        originals, references = [], []
        for item in items:
            doc = docs[item["id"]]
            reference = prepared_reference(doc)
            sources = reference_output_media(reference, doc.output_modality, doc.index)
            if sources:
                assert Path(item["prediction"]).read_bytes() == Path(sources[0]).read_bytes(), (task, item["id"])
                originals.append(sources[0])
            else:
                assert doc.generation_kind == "image_to_video", (task, item["id"])
                originals.append(item["prediction"])
            references.append(item["reference"])
        metric = get_metric(spec.metric_id, spec.task)
        expected = metric.score(originals, references)
        score = results["results"][task]["score,none"]
        assert score == pytest.approx(expected, rel=1e-6, abs=1e-6), (task, score, expected)
        if metric.default_model is None or spec.metric_id in {"fid", "fvd", "fad"}:
            assert is_perfect(score, spec.metric_id, spec.higher_is_better), (task, score)


def test_corrupted_oracle_drops_by_the_corrupted_share(
    tmp_path: Path, metric_models_env: dict[str, str]
) -> None:
    """corrupt=0.5: the deterministically chosen half of the answers are wrong in the same format; accuracy tasks
    score exactly the share left intact, and no task scores better than the perfect oracle."""
    from lmms_general.registry import load_registry
    from model_adapters.oracle import _unit_interval

    tasks = ["general_bench_nlp", "general_bench_image_comp", "general_bench_audio_comp", "general_bench_3d_comp"]
    results = run_lmms_eval(model="general_bench_oracle", model_args=f"corrupt=0.5,seed=0,output_dir={tmp_path / 'm'}",
                            tasks=tasks, output_path=tmp_path, env={**ENV, **metric_models_env})
    registry = load_registry()
    hit = total = 0
    for task in present_tasks():
        spec = registry.by_task(task)
        if task not in results["results"]:
            continue
        items = sample_items(tmp_path, task)
        wrong = [_unit_interval(0, task, i["id"]) < 0.5 for i in items]
        hit, total = hit + sum(wrong), total + len(wrong)
        score = results["results"][task]["score,none"]
        if spec.metric_id == "accuracy":
            assert score == pytest.approx(100.0 * (1 - sum(wrong) / len(wrong))), task
        elif spec.higher_is_better:
            assert score <= 100.0 + 1e-9, task
    assert 0.3 <= hit / total <= 0.7, (hit, total)


def test_sample_logs_hold_scorable_items(oracle_run: tuple[Path, dict]) -> None:
    out, _results = oracle_run
    logs = list(out.rglob("*_samples_general_bench_nlp_*.jsonl"))
    assert logs
    item = json.loads(logs[0].read_text(encoding="utf-8").splitlines()[0])["score"]
    assert {"id", "prediction", "reference", "raw", "status", "error"} <= set(item)


def test_level_on_the_oracle_run(oracle_run: tuple[Path, dict], tmp_path: Path) -> None:
    from lmms_general.cli import main

    out, _ = oracle_run
    target = tmp_path / "level.json"
    assert main(["level", str(out), "--json", str(target), "--html", str(tmp_path / "r.html")]) == 0
    report = json.loads(target.read_text(encoding="utf-8"))
    report = report[0] if isinstance(report, list) else report
    assert set(report["modalities"]) == {"image", "video", "audio", "3d"}
    assert report["modalities"]["image"]["tasks"] == 316
    # the oracle wins every comprehension task it ran: real, non-zero levels
    assert report["level"] >= 2 and report["overall"]["level2"] > 0
    for modality in ("image", "video", "audio", "3d"):
        entry = report["modalities"][modality]
        assert entry["wins"] >= 1 and entry["level2"] > 0, (modality, entry)
    assert (tmp_path / "r.html").stat().st_size > 1000


def test_explicit_include_path_route(tmp_path: Path) -> None:
    task = next(t for t in present_tasks() if t.startswith("general_bench_nlp_"))
    results = run_lmms_eval(model="general_bench_oracle", tasks=[task], output_path=tmp_path,
                            model_args=f"output_dir={tmp_path / 'm'}",
                            extra_args=["--include_path", str(tasks_dir())], env=ENV)
    assert results["results"][task]["score,none"] is not None


def test_tiny_qwen2vl_on_an_image_task(tmp_path: Path) -> None:
    from tests.fixtures.tiny_qwen2vl import build

    model_dir = build(tmp_path / "tiny-qwen2vl")
    task = next(t for t in sorted(present_tasks()) if t.startswith("general_bench_image_comp_"))
    results = run_lmms_eval(model="qwen2_vl", model_args=f"pretrained={model_dir},device=cpu,device_map=cpu",
                            tasks=[task], output_path=tmp_path / "out", extra_args=["--batch_size", "1"], env=ENV)
    assert results["n-samples"][task]["effective"] == present_tasks()[task]
    assert "score,none" in results["results"][task]
