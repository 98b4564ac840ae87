"""Reports that explain every score: per-task table, scopes, provenance, warnings, fixed axes, Closeset, API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import lmms_general
import lmms_general.metrics as metrics_api
from lmms_general.cli import main
from lmms_general.metrics.registry import MetricSpec
from lmms_general.registry import load_registry
from lmms_general.reports import plots
from lmms_general.reports.scopes import scope_boards
from lmms_general.reports.tables import task_rows
from tests.level.level_fixtures import items, write_run

NLP = "general_bench_nlp_commonsense_reasoning"


def _accuracy(predictions, references):
    return 100.0 * sum(p == r for p, r in zip(predictions, references, strict=True)) / len(references)


@pytest.fixture(autouse=True)
def fake_accuracy(monkeypatch):
    spec = MetricSpec(id="accuracy", compute=_accuracy, kind="sample", native_range=(0, 1), scale="x100",
                      implementation="test")
    monkeypatch.setattr(metrics_api, "get_metric", lambda metric_id, task=None: spec)
    return spec


def _image_comp(n: int) -> list[str]:
    reg = load_registry()
    return [s.task for s in reg.values() if s.modality == "image" and s.paradigm == "comprehension"
            and s.metric_id == "accuracy"][:n]


def _set_config(path: Path, **config) -> None:
    data = json.loads(path.read_text())
    data["config"].update(config)
    path.write_text(json.dumps(data))


def test_per_task_table_counts_statuses_from_the_sample_log(tmp_path):
    log = items([1, 1, 0, 0])
    log[2].update(status="failed", error="[GENERATION_FAILED] out of memory", prediction=None)
    log[3].update(status="unparsed", error="no option letter in 'maybe'")
    write_run(tmp_path / "runs", "20250101_000000", "m", {NLP: 50.0}, {NLP: log})
    report = lmms_general.compute_level(tmp_path / "runs")
    rep = report.model("m")
    [row] = task_rows(rep)
    assert row[0] == "Commonsense Reasoning" and row[3] == "50" and row[4] == "83.33"
    assert row[7:12] == ["4", "2", "1", "1", "0"]
    assert row[13] == "s2: [GENERATION_FAILED] out of memory"


def test_scopes_explain_the_image_comprehension_cap(tmp_path):
    tasks = _image_comp(3)
    write_run(tmp_path / "runs", "20250101_000000", "m", {t: 100.0 for t in tasks})
    rep = lmms_general.compute_level(tmp_path / "runs").models[0]
    boards = {(b.scope, b.board): b for b in rep.scopes}
    full = boards[("A", "Full (all 699 tasks)")]
    quick = boards[("A", "Quick (tasks scored; our definition)")]
    assert full.evaluated == 3 and full.tasks == 699
    assert full.level2 == pytest.approx(100 * 3 / 271 / 2 / 4)  # one paradigm of one modality: <= 12.5
    assert quick.level2 == pytest.approx(100 / 2 / 4) and quick.tasks == 3
    c = boards[("C", "Image comprehension")]
    assert c.cap == 3 and c.level <= 3 and c.level2 == pytest.approx(100 * 3 / 271)
    assert boards[("B", "Image")].level2 == pytest.approx(full.level2 * 4)
    assert ("D", "none: no sample log names a skill cluster") in boards


def test_scope_d_uses_the_logged_skill(tmp_path):
    a, b = _image_comp(2)
    log_a, log_b = items([1, 1]), items([1, 0])
    root = Path("/data/General-Bench-Openset")
    for task, log in ((a, log_a), (b, log_b)):
        for item in log:
            item.update(skill="Object Recognition", task_dir=str(root / "image" / "comprehension" / task))
    write_run(tmp_path / "runs", "20250101_000000", "m", {a: 100.0, b: 50.0}, {a: log_a, b: log_b})
    report = lmms_general.compute_level(tmp_path / "runs")
    rep = report.models[0]
    [d] = [x for x in scope_boards(rep.result, rep.skills) if x.scope == "D"]
    assert d.board == "Object Recognition (Image comprehension)" and d.evaluated == 2 and d.tasks == 2
    assert d.level2 == pytest.approx(75.0) and d.cap == 3
    assert rep.provenance["data_roots"] == [str(root)]
    report.write(tmp_path / "out")
    md = (tmp_path / "out" / "report.md").read_text()
    assert f"| Data root | {root} |" in md and "not recorded in the sample logs" not in md
    assert "| D | Object Recognition (Image comprehension) | 2/2 |" in md
    assert "none: no sample log names a skill cluster" not in md


def test_sample_tree_items_give_scope_d_boards_and_the_data_root(tmp_path):
    """Items scored from the bundled tree (the lmms-eval route's items) name their task folder and skill cluster:
    the per-task stats, the Scope-D boards and the provenance's data root come from them alone."""
    from lmms_general import dataset
    from lmms_general.protocol import make_doc, score_item
    from lmms_general.results.task_stats import read_task_stats
    from tests.conftest import SAMPLE_ROOT

    registry = load_registry()
    skills = {"image_comp_bird_detection": "Object Detection",
              "image_comp_car_brands_recognition": "Object Recognition"}
    logs = {}
    for key in skills:
        spec = registry[key]
        data = dataset.load_task(SAMPLE_ROOT, key)
        logs[spec.task] = [score_item(make_doc(spec, data.header, s, str(data.folder.folder)), "no answer")
                           for s in data.samples]
    write_run(tmp_path / "runs", "20250101_000000", "m", dict.fromkeys(logs, 50.0), logs)
    stats = {key: read_task_stats(tmp_path / "runs" / f"20250101_000000_samples_{registry[key].task}.jsonl")
             for key in skills}
    assert {k: s.skill for k, s in stats.items()} == skills
    bird_dir = SAMPLE_ROOT / "image" / "comprehension" / "BirdDetection"
    assert Path(stats["image_comp_bird_detection"].task_dir) == bird_dir
    rep = lmms_general.compute_level(tmp_path / "runs").models[0]
    assert rep.skills == skills
    boards = {b.board: b for b in scope_boards(rep.result, {k: s.skill for k, s in stats.items()}) if b.scope == "D"}
    assert sorted(boards) == ["Object Detection (Image comprehension)", "Object Recognition (Image comprehension)"]
    assert all(b.evaluated == b.tasks == 1 and b.cap == 3 for b in boards.values())
    assert rep.provenance["data_roots"] == [str(SAMPLE_ROOT)]


def test_data_roots_name_task_folders_outside_the_layout():
    from lmms_general.api import data_roots

    dirs = ["/d/Open/image/comprehension/A", "/d/Open/nlp/B", "/d/Other/3D/generation/C", "/c/unpacked/x-1-2",
            "/c/unpacked/y-3-4/VOS", "/elsewhere/task"]
    assert data_roots(dirs) == [str(Path("/d/Open")), str(Path("/d/Other")),
                                f"2 task archive(s) unpacked into {Path('/c/unpacked')}",
                                f"1 task folder(s) outside a General-Bench layout, e.g. {Path('/elsewhere/task')}"]


def test_archived_tasks_name_their_data_root_from_the_unpack_marker(tmp_path, monkeypatch):
    """A task unpacked into the cache names the tree its archive lies in (read from the unpack marker)."""
    from lmms_general import dataset
    from lmms_general.api import data_roots
    from tests.conftest import SAMPLE_ROOT

    monkeypatch.setenv("LMMS_GENERAL_CACHE", str(tmp_path / "cache"))
    dataset.clear_process_cache()
    zipped = dataset.load_task(SAMPLE_ROOT, "video_comp_animal_video_object_segmentation").folder
    tarred = dataset.load_task(SAMPLE_ROOT, "3d_gen_living_and_arts_image_to_3d_mesh_generation").folder
    assert "unpacked" in zipped.folder.parts and "unpacked" in tarred.folder.parts
    assert data_roots([str(zipped.folder), str(tarred.folder)]) == [str(SAMPLE_ROOT)]
    dataset.clear_process_cache()


def test_warnings_limit_missing_logs_and_provenance(tmp_path):
    path = write_run(tmp_path / "runs", "20250101_000000", "m", {NLP: 50.0})
    _set_config(path, limit=8)
    data = json.loads(path.read_text())
    data["lmms_eval_version"] = "0.7.3"
    path.write_text(json.dumps(data))
    rep = lmms_general.compute_level(tmp_path / "runs").models[0]
    text = " ".join(rep.warnings)
    assert "--limit 8" in text and "partial coverage: 1 of 699" in text and "no sample log" in text
    assert rep.provenance["model_args"] == "pretrained=m" and rep.provenance["limits"] == [8]
    assert rep.provenance["lmms_eval_versions"] == ["0.7.3"] and rep.provenance["lmms_general_version"]
    from importlib.metadata import version

    assert rep.provenance["lmms_eval_installed"] == version("lmms-eval")


def test_mixed_model_args_are_never_merged(tmp_path, capsys):
    one = write_run(tmp_path / "runs" / "a", "20250101_000000", "m", {NLP: 50.0})
    two = write_run(tmp_path / "runs" / "b", "20250102_000000", "m", {NLP: 90.0})
    _set_config(one, model_args="pretrained=m,dtype=float16")
    _set_config(two, model_args="pretrained=m,dtype=float32")
    report = lmms_general.compute_level(tmp_path / "runs")
    names = sorted(r.result.model for r in report.models)
    assert names == ["m [pretrained=m,dtype=float16]", "m [pretrained=m,dtype=float32]"]
    assert all(any("2 different model_args" in w for w in r.warnings) for r in report.models)
    scores = {r.result.model: [o.raw for o in r.result.outcomes if o.raw is not None] for r in report.models}
    assert scores == {"m [pretrained=m,dtype=float16]": [50.0], "m [pretrained=m,dtype=float32]": [90.0]}


def test_error_key_and_numeric_score(tmp_path):
    path = write_run(tmp_path / "runs", "20250101_000000", "m", {NLP: None, "general_bench_nlp_causal_reasoning": 40.0})
    data = json.loads(path.read_text())
    data["results"][NLP]["error,none"] = "ModelUnavailableError: no weights"
    data["results"]["general_bench_nlp_causal_reasoning"]["error,none"] = ""
    path.write_text(json.dumps(data))
    rep = lmms_general.compute_level(tmp_path / "runs").models[0]
    assert rep.errors == {"nlp_commonsense_reasoning": "ModelUnavailableError: no weights"}
    assert any("has no score: ModelUnavailableError" in m for m in rep.messages)


def test_closeset_run_says_export_a_submission(tmp_path, capsys):
    log = items([1, 1])
    for item in log:
        item["reference"] = None
    write_run(tmp_path / "runs", "20250101_000000", "m", {NLP: None}, {NLP: log})
    assert main(["level", str(tmp_path / "runs"), "--n-boot", "0", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "the Closeset has no answers: export a submission" in err
    assert "ran on the Closeset" in err and err.count("ran on the Closeset") == 1
    html = (tmp_path / "runs" / "general_level" / "report.html").read_text()
    assert "the Closeset has no answers" in html


def test_level_writes_reports_next_to_the_results_by_default(tmp_path, capsys):
    write_run(tmp_path / "runs", "20250101_000000", "m", {NLP: 50.0}, {NLP: items([1, 0])})
    assert main(["level", str(tmp_path / "runs"), "--n-boot", "20", "--quiet"]) == 0
    folder = tmp_path / "runs" / "general_level"
    assert sorted(p.name for p in folder.iterdir()) == ["level.csv", "level.json", "report.html", "report.md",
                                                         "report_figures"]
    md = (folder / "report.md").read_text()
    assert "### Scope view" in md and "### Provenance" in md and "### Tasks that ran (1)" in md
    assert "\\n" not in md
    assert md.count("95% intervals from 20 bootstrap replicates") == 1


def test_plots_have_fixed_0_100_axes(tmp_path, monkeypatch):
    write_run(tmp_path / "runs", "20250101_000000", "m", {NLP: 0.0})
    rep = lmms_general.compute_level(tmp_path / "runs").models[0]
    figures = []
    monkeypatch.setattr(plots, "_png", lambda fig: figures.append(fig) or b"")
    plots.paradigm_bars(rep.result)
    plots.radar([rep.result])
    assert [fig.axes[0].get_ylim() for fig in figures] == [(0.0, 100.0), (0.0, 100.0)]


def test_compute_level_from_a_results_dict_and_bad_args(tmp_path):
    path = write_run(tmp_path, "20250101_000000", "m", {NLP: 80.0})
    report = lmms_general.compute_level(json.loads(path.read_text()), mode="official")
    assert report.mode == "official" and report.models[0].result.mode == "official"
    assert isinstance(report.models[0].result, lmms_general.LevelResult)
    with pytest.raises(ValueError, match="mode must be"):
        lmms_general.compute_level(path, mode="best")
    with pytest.raises(ValueError, match="n_boot"):
        lmms_general.compute_level(path, n_boot=1)
    written = report.write(tmp_path / "out")
    assert {p.name for p in written} == {"level.json", "report.md", "report.html", "level.csv"}


def test_evaluate_passes_lmms_eval_arguments(tmp_path, monkeypatch):
    import lmms_general.lmms_run as lmms_run

    seen = {}

    def fake_run(**kwargs):
        seen.update(kwargs)
        return {"results": {NLP: {"score,none": 50.0}}}

    monkeypatch.setattr(lmms_run, "run_lmms_eval", fake_run)
    run = lmms_general.evaluate(model="dummy", tasks="general_bench_nlp, mmmu_val", root=tmp_path,
                                output_path=tmp_path / "o", limit=4, log_samples=True, device=None)
    assert run.tasks == ("general_bench_nlp", "mmmu_val") and run.scores[NLP]["score,none"] == 50.0
    assert seen["extra_args"] == ["--limit", "4", "--log_samples"]
    assert seen["env"] == {"GENERAL_BENCH_ROOT": str(tmp_path)}


def test_import_is_lazy():
    code = ("import sys, lmms_general; heavy = [m for m in ('numpy', 'torch', 'lmms_eval', 'lmms_general.api') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]", out.stderr


def test_media_go_under_the_output_path(monkeypatch, tmp_path):
    from model_adapters.media_output import default_output_dir

    monkeypatch.delenv("LMMS_GENERAL_MEDIA_DIR", raising=False)
    assert default_output_dir("m", ["lmms-eval", "--output_path", str(tmp_path)]) == str(
        tmp_path / "general_bench_media" / "m")
    assert default_output_dir("m", [f"--output_path={tmp_path}"]).startswith(str(tmp_path))
    assert default_output_dir("m", []) == "general_bench_outputs/m"
    monkeypatch.setenv("LMMS_GENERAL_MEDIA_DIR", str(tmp_path / "media"))
    assert default_output_dir("m", ["--output_path", "x"]) == str(tmp_path / "media" / "m")


def test_official_sheets_get_no_files_written_next_to_them(tmp_path, capsys):
    vectors = Path(__file__).resolve().parents[1] / "data" / "general_level" / "check_vectors" / "equal_sota"
    before = sorted(p.name for p in vectors.iterdir())
    assert main(["level", "--official-scores", str(vectors), "--model", "equal_sota", "--n-boot", "0"]) == 0
    assert sorted(p.name for p in vectors.iterdir()) == before
    assert main(["level", "--official-scores", str(vectors), "--model", "equal_sota", "--out-dir",
                 str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "report.html").is_file()
