"""Data tasks outside the reference table (issue 18 item 6): listed by `validate`, run as ordinary lmms-eval tasks
`general_bench_<modality>_<comp|gen>_extra_*` with a metric inferred from the annotation, reported apart from
General-Level."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from lmms_general import extra_tasks
from lmms_general.cli import main
from tests.promptcmd.conftest import SAMPLE_ROOT

DRE = "nlp_extra_dialogue_relation_extraction"
DRE_TASK = "general_bench_" + DRE


def test_the_sample_tree_folder_matches_no_row_and_gets_a_task() -> None:
    (task,) = extra_tasks.discover(SAMPLE_ROOT)
    assert task.folder.name == "Dialogue-Relation-Extraction" and task.task == DRE_TASK
    assert task.spec is not None and task.spec.metric_id == "rouge_l" and "free-text" in task.reason
    assert math.isnan(task.spec.sota) and task.spec.sheet == extra_tasks.SHEET


def test_discovery_reads_the_folders_once_until_an_annotation_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """lmms-eval builds several TaskManagers per run: the outside folders are read once, again only after a change."""
    from lmms_general import dataset

    root = tmp_path / "root"
    shutil.copytree(SAMPLE_ROOT, root)
    reads: list[str] = []
    real_read = dataset.read_task
    monkeypatch.setattr(dataset, "read_task", lambda folder, **kw: reads.append(folder.name) or real_read(folder, **kw))
    first = extra_tasks.discover(root)
    assert extra_tasks.discover(root) == first and len(reads) == 1
    annotation = first[0].folder.annotation_file
    annotation.write_text(annotation.read_text() + "\n")
    extra_tasks.discover(root)
    assert len(reads) == 2


def test_two_folders_giving_one_name_run_neither_and_leave_no_spec(tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(SAMPLE_ROOT, root)
    folder = next(root.glob("**/Dialogue-Relation-Extraction"))
    shutil.copytree(folder, folder.parent / "dialogue-relation-extraction")
    tasks = extra_tasks.discover(root)
    assert len(tasks) == 2 and all(t.spec is None and "two folders" in t.reason for t in tasks)
    with extra_tasks._LOCK:
        assert DRE not in extra_tasks._SPECS


def test_validate_lists_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "index.json"
    assert main(["validate", "--root", str(SAMPLE_ROOT), "--json", str(out)]) == 0
    text = capsys.readouterr().out
    row = next(line for line in text.splitlines() if line.startswith("nlp") and "Dialogue-Relation" in line)
    assert "outside the reference table" in row
    assert f"nlp/Dialogue-Relation-Extraction -> {DRE_TASK} (metric rouge_l" in text
    (entry,) = json.loads(out.read_text())["outside_table"]
    assert entry["task"] == DRE_TASK and entry["runnable"] and entry["metric_id"] == "rouge_l"


@pytest.mark.parametrize("references, options, metric", [
    (["Fall", "No fall", "Fall"], False, "accuracy"),
    (["long answer text " * 5, "another long free text answer here"], False, "rouge_l"),
    ([["cat", "dog"], ["dog"]], False, "micro_f1"),
    ([3, 4.5], False, "mae"),
    (["a whole sentence that is not a label at all"], True, "accuracy"),
    ([{"cat": [[1, 2, 3, 4]]}], False, None),
    ([None, None], False, None),
])
def test_metric_inferred_from_the_answers(references: list, options: bool, metric: str | None) -> None:
    assert extra_tasks.infer_metric(references, options)[0] == metric


def _tree_with_label_task(tmp_path: Path) -> Path:
    """The sample tree's NLP part plus an image task outside the table whose answers are labels."""
    root = tmp_path / "General-Bench-Openset"
    shutil.copytree(SAMPLE_ROOT / "nlp", root / "nlp")
    task = root / "image" / "comprehension" / "Weather-Icon-Reading"
    shutil.copytree(SAMPLE_ROOT / "image" / "comprehension" / "car_brands_recognition" / "images", task / "images")
    records = [{"id": f"w{i}", "input": {"image_file": f"images/CarBrands000{i}.png", "prompt": "Which weather?"},
                "output": {"answer": label}} for i, label in ((1, "sunny"), (2, "rain"), (3, "sunny"))]
    (task / "annotation.json").write_text(json.dumps({"task": "weather icon reading", "data": records}))
    return root


def test_runs_through_the_hooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lmms_general.hooks import doc_to_text, doc_to_visual, docs, process_results
    from lmms_general.hooks.results import aggregate_score
    from lmms_general.protocol import doc_of

    root = _tree_with_label_task(tmp_path)
    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(root))
    key = "image_comp_extra_weather_icon_reading"
    dataset = getattr(docs, key)(None)  # what lmms-eval's process_docs: !function lmms_general.hooks.docs.<key> does
    rows = [dataset[i] for i in range(len(dataset))]
    assert [doc_of(r).sample_id for r in rows] == ["w1", "w2", "w3"]
    doc = doc_of(rows[0])
    assert doc.spec.metric_id == "accuracy" and doc.task_kind == "qa"
    assert "Which weather?" in doc_to_text(rows[0]) and len(doc_to_visual(rows[0])) == 1
    right = [process_results(r, [doc_of(r).sample["output"]["answer"]])["score"] for r in rows]
    assert {i["status"] for i in right} == {"ok"} and aggregate_score(right) == pytest.approx(100.0)
    wrong = [process_results(r, ["sunny"])["score"] for r in rows]
    assert aggregate_score(wrong) == pytest.approx(100 * 2 / 3)


def test_free_text_task_scores_through_the_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    from lmms_general.hooks import docs, process_results
    from lmms_general.hooks.results import aggregate_score
    from lmms_general.protocol import doc_of

    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(SAMPLE_ROOT))
    (row,) = list(getattr(docs, DRE)(None))
    reference = doc_of(row).reference
    assert aggregate_score([process_results(row, [reference])["score"]]) == pytest.approx(100.0)
    assert aggregate_score([process_results(row, ["no relation"])["score"]]) < 20


def test_unbuildable_extra_task_fails_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """An extra task whose data cannot be built is that task's failure (named, with its cause), never the run's:
    the TaskManager patch leaves it out like a registry row and the other tasks go on."""
    from lmms_general.hooks import docs
    from lmms_general.lmms_integration import _leaf_name
    from lmms_general.task_failures import TaskDataFailure

    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(SAMPLE_ROOT))
    with pytest.raises(TaskDataFailure) as failure:
        docs.nlp_extra_no_such_folder(None)
    assert failure.value.task == "general_bench_nlp_extra_no_such_folder" and failure.value.cause
    assert _leaf_name("general_bench_nlp_extra_no_such_folder") == "general_bench_nlp_extra_no_such_folder"
    assert _leaf_name({"task": DRE_TASK}) == DRE_TASK and _leaf_name("mmmu_val") is None


def test_generated_yaml(tmp_path: Path) -> None:
    from lmms_general.lmms_integration import tasks_dir

    folder, tasks = extra_tasks.write_task_yamls(SAMPLE_ROOT, tmp_path / "yamls")
    assert sorted(p.name for p in folder.glob("*.yaml")) == ["general_bench_extra.yaml", f"{DRE_TASK}.yaml"]
    text = (folder / f"{DRE_TASK}.yaml").read_text()
    assert f"task: {DRE_TASK}\n" in text and f"include: {tasks_dir()}/_general_bench_template_yaml" in text
    assert f"process_docs: !function lmms_general.hooks.docs.{DRE}\n" in text
    assert "sota: null" in text and "metric_id: rouge_l" in text
    assert [t.task for t in tasks] == [DRE_TASK]


def test_level_reports_it_outside_general_level(tmp_path: Path) -> None:
    from lmms_general.results.lmms_output import OUTSIDE_LABEL, read_lmms_runs
    from tests.level.level_fixtures import write_run

    path = write_run(tmp_path / "run", "20250101_000000", "m", {"general_bench_nlp_causal_reasoning": 80.0,
                                                                 DRE_TASK: 55.0})
    data = json.loads(path.read_text())
    data["configs"][DRE_TASK]["metadata"]["general_bench"] = {"key": DRE, "sota": None, "metric_id": "rouge_l"}
    path.write_text(json.dumps(data))
    (ms,) = read_lmms_runs([tmp_path / "run"])
    assert set(ms.scores) == {"nlp_causal_reasoning"}  # the only task in the Levels
    assert ms.other[f"{DRE_TASK} {OUTSIDE_LABEL}"] == {"score": 55.0}
    assert not any(DRE in m for m in ms.messages)  # not "unknown to the registry; ignored"


@pytest.mark.slow
def test_real_cli_oracle_runs_it_apart_from_general_level(tmp_path: Path) -> None:
    from lmms_general.api import compute_level
    from lmms_general.lmms_run import run_lmms_eval

    task = "general_bench_nlp_causal_reasoning"
    results = run_lmms_eval(model="general_bench_oracle", tasks=[DRE_TASK, task], output_path=tmp_path,
                            model_args=f"output_dir={tmp_path / 'm'}",
                            env={"GENERAL_BENCH_ROOT": str(SAMPLE_ROOT), "LMMS_GENERAL_CACHE": str(tmp_path / "c")})
    assert results["results"][DRE_TASK]["score,none"] == pytest.approx(100.0)
    assert results["configs"][DRE_TASK]["metadata"]["general_bench"]["key"] == DRE
    rep = compute_level(tmp_path, n_boot=0).models[0]
    assert rep.other[f"{DRE_TASK} (outside General-Level)"]["score"] == pytest.approx(100.0)
    assert all(o.key != DRE for o in rep.result.outcomes)
