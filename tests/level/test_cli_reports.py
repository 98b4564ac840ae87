"""``lmms-general level`` end to end on fake lmms-eval runs: JSON, Markdown, HTML, CSV, intervals."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import lmms_general.metrics as metrics_api
from lmms_general.cli import main
from lmms_general.metrics.registry import MetricSpec
from lmms_general.registry import load_registry
from tests.level.level_fixtures import items, write_run

VECTORS = Path(__file__).resolve().parents[1] / "data" / "general_level" / "check_vectors"



def _accuracy(predictions, references):
    return 100.0 * sum(p == r for p, r in zip(predictions, references, strict=True)) / len(references)


@pytest.fixture
def fake_accuracy(monkeypatch):
    """A test-local accuracy spec served by get_metric (the real metrics live elsewhere)."""
    spec = MetricSpec(id="accuracy", compute=_accuracy, kind="sample", native_range=(0, 1), scale="x100",
                      implementation="test")
    monkeypatch.setattr(metrics_api, "get_metric", lambda metric_id, task=None: spec)
    return spec


@pytest.fixture
def runs(tmp_path):
    registry = load_registry()
    acc_keys = [s.key for s in registry.values() if s.metric_id == "accuracy"]
    comp = [k for k in acc_keys if registry[k].modality == "image" and registry[k].paradigm == "comprehension"][:2]
    gen = [s.key for s in registry.values() if s.modality == "image" and s.paradigm == "generation"][0]
    nlp = [k for k in acc_keys if registry[k].modality == "nlp"][0]
    a_scores = {f"general_bench_{comp[0]}": 99.0, f"general_bench_{comp[1]}": 40.0,
                f"general_bench_{gen}": registry[gen].sota, f"general_bench_{nlp}": 100.0}
    a_samples = {f"general_bench_{comp[0]}": items([1] * 9 + [0]), f"general_bench_{nlp}": items([1, 1, 0, 1])}
    write_run(tmp_path / "runs" / "model_a", "20250101_000000", "model_a", a_scores, a_samples,
              other={"mmmu_val": {"mmmu_acc": 0.5}, "mme": {"mme_cognition_score": 300.0}})
    write_run(tmp_path / "runs" / "model_b", "20250101_000000", "model_b", {f"general_bench_{comp[0]}": 10.0},
              other={"mmmu_val": {"mmmu_acc": 0.3}})
    return tmp_path


def test_level_command_writes_all_reports(runs, fake_accuracy, capsys):
    out = runs / "out"
    rc = main(["level", str(runs / "runs"), "--n-boot", "40", "--json", str(out / "r.json"),
               "--markdown", str(out / "r.md"), "--html", str(out / "r.html"), "--csv", str(out / "r.csv")])
    assert rc == 0
    payload = json.loads((out / "r.json").read_text())
    assert isinstance(payload, list) and [p["model"] for p in payload] == ["model_a", "model_b"]
    a = payload[0]
    assert a["mode"] == "corrected" and a["level"] >= 2
    assert a["modalities"]["image"]["supported"] == 3 and a["modalities"]["image"]["tasks"] == 316
    assert a["ci"]["level2"][0] <= a["overall"]["level2"] <= a["ci"]["level2"][1]
    assert a["other_benchmarks"]["mmmu_val"] == {"mmmu_acc": 0.5}
    assert len(a["unsupported_tasks"]) == 699 - 4
    md = (out / "r.md").read_text()
    assert "## Leaderboard" in md and "mmmu_val / mmmu_acc" in md and "Tasks won" in md
    assert md.index("| 1 | model_a") < md.index("| 2 | model_b")  # sorted by reached level
    assert (out / "r_figures" / "model_a_bars.png").read_bytes()[:4] == b"\x89PNG"
    html = (out / "r.html").read_text()
    assert "data:image/png;base64," in html and "Tasks not supported" in html
    rows = list(csv.DictReader((out / "r.csv").open()))
    assert [r["model"] for r in rows] == ["model_a", "model_b"] and "level2.ci_low" in rows[0]
    printed = capsys.readouterr()
    assert printed.out.startswith("General-Level\n|Model  |Mode     |  Level|")
    assert "|model_a|corrected|Level-" in printed.out and "|model_a|mmmu_val|" in printed.out
    assert printed.err.count("partial coverage") == 2  # once per model, never repeated
    assert "other.mmmu_val.mmmu_acc" in rows[0] and rows[0]["other.mmmu_val.mmmu_acc"] == "0.5"
    assert "Scope view" in html and "Tasks that ran (4)" in html and "Provenance" in html


def test_level_command_without_metric_keeps_point_scores(runs, monkeypatch):
    def missing(metric_id, task=None):
        raise metrics_api.MetricNotImplementedError(metric_id, task)

    monkeypatch.setattr(metrics_api, "get_metric", missing)
    out = runs / "o.json"
    assert main(["level", str(runs / "runs"), "--model", "MODEL_A", "--json", str(out)]) == 0
    payload = json.loads(out.read_text())
    assert payload["model"] == "model_a" and "ci" not in payload
    assert any("not implemented yet: metric 'accuracy'" in m for m in payload["messages"])


def test_level_command_official_scores(tmp_path):
    out = tmp_path / "o.json"
    rc = main(["level", "--official-scores", str(VECTORS / "equal_sota"), "--model", "equal_sota",
               "--mode", "official", "--json", str(out)])
    assert rc == 0
    payload = json.loads(out.read_text())
    assert payload["overall"]["level4"] == pytest.approx(156.21, abs=0.01) and payload["level"] == 5


def test_level_command_errors(tmp_path, capsys):
    assert main(["level", "--official-scores", str(VECTORS / "equal_sota")]) == 2
    assert "needs --model" in capsys.readouterr().err
    assert main(["level", str(tmp_path / "missing")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_report_lists_tasks_scored_by_a_proxy(tmp_path):
    registry = load_registry()
    proxied = next(s for s in registry.values() if s.metric_id == "optical_flow_score")
    exact = next(s for s in registry.values() if s.metric_id == "psnr")
    assert metrics_api.get_metric("optical_flow_score").proxy and not metrics_api.get_metric("psnr").proxy
    write_run(tmp_path / "runs" / "m", "20250101_000000", "m",
              {f"general_bench_{proxied.key}": 50.0, f"general_bench_{exact.key}": 20.0})
    out = tmp_path / "out"
    assert main(["level", str(tmp_path / "runs"), "--markdown", str(out / "r.md"), "--html", str(out / "r.html")]) == 0
    md = (out / "r.md").read_text()
    section = md[md.index("### Scored with a proxy metric (1)"):]
    assert f"**optical_flow_score** (1): {proxied.display_name}" in section
    assert exact.display_name not in section
    assert "Scored with a proxy metric (1)" in (out / "r.html").read_text()
    assert main(["level", str(tmp_path / "runs"), "--n-boot", "0", "--json", str(out / "r.json")]) == 0
    assert json.loads((out / "r.json").read_text())["proxy_scored"] == {"optical_flow_score": [proxied.display_name]}


def test_level_rescores_a_task_whose_metric_failed_during_the_run(tmp_path, fake_accuracy):
    key = next(s.key for s in load_registry().values() if s.metric_id == "accuracy")
    task = f"general_bench_{key}"
    write_run(tmp_path / "runs" / "m", "20250101_000000", "m", {task: "error: ModelUnavailableError: no weights"},
              {task: items([1, 1, 1, 0])})
    out = tmp_path / "o.json"
    assert main(["level", str(tmp_path / "runs"), "--n-boot", "0", "--json", str(out), "--with-tasks"]) == 0
    payload = json.loads(out.read_text())
    assert any("scored 75 from" in m and "(4 items)" in m for m in payload["messages"])
    assert any("has no score: error: ModelUnavailableError" in m for m in payload["messages"])
    assert len(payload["unsupported_tasks"]) == 698
