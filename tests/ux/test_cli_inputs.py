"""Every bad input to `level`, `score` and the CLI is one clear line (file and task named), never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lmms_general.cli import main
from tests.level.level_fixtures import items, write_run

NLP = "general_bench_nlp_commonsense_reasoning"
RMSE_NLP = "general_bench_nlp_time_series"
FID = "general_bench_image_gen_image_shadow_removal"  # an RMSE row outside NLP


def _one_line_error(capsys, *needles: str) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "error:" in lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("task", "value", "needle"),
    [(NLP, 1e300, "outside the plausible range"), (NLP, -500.0, "outside the plausible range"),
     (RMSE_NLP, -1.0, "outside the plausible range"), (NLP, "fifty", "no score")],
)
def test_level_rejects_implausible_scores(tmp_path, capsys, task, value, needle):
    path = write_run(tmp_path / "runs", "20250101_000000", "m", {task: value})
    out = tmp_path / "o.json"
    rc = main(["level", str(tmp_path / "runs"), "--n-boot", "0", "--no-default-reports", "--json", str(out)])
    if needle == "no score":  # an old run's error string in the score: the task's error, not a crash
        assert rc == 1  # reports written, but nothing had a score
        assert "no General-Bench task has a score" in capsys.readouterr().err
        payload = json.loads(out.read_text())
        assert payload["task_errors"] == {"nlp_commonsense_reasoning": "fifty"}
        assert "nlp_commonsense_reasoning" in payload["missing_tasks"]
        return
    assert rc == 2
    _one_line_error(capsys, str(path), task, needle)


def test_level_official_mode_rmse_zero(tmp_path, capsys):
    path = write_run(tmp_path / "runs", "20250101_000000", "m", {RMSE_NLP: 0.0})
    assert main(["level", str(tmp_path / "runs"), "--mode", "official", "--n-boot", "0",
                 "--no-default-reports"]) == 2
    _one_line_error(capsys, str(path), RMSE_NLP, "RMSE of exactly 0", "official mode")
    assert main(["level", str(tmp_path / "runs"), "--n-boot", "0", "--no-default-reports"]) == 0  # corrected: fine


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [("config", "not an object", "'config' is a str"), ("group_subtasks", ["a"], "'group_subtasks' is a list"),
     ("results", [], "no 'results' object")],
)
def test_level_rejects_wrongly_typed_fields(tmp_path, capsys, field, value, needle):
    path = write_run(tmp_path / "runs", "20250101_000000", "m", {NLP: 50.0})
    data = json.loads(path.read_text())
    data[field] = value
    path.write_text(json.dumps(data))
    assert main(["level", str(tmp_path / "runs"), "--n-boot", "0", "--no-default-reports"]) == 2
    _one_line_error(capsys, str(path), needle)


def test_level_group_subtasks_member_not_a_list(tmp_path, capsys):
    path = write_run(tmp_path / "runs", "20250101_000000", "m", {NLP: 50.0}, groups={"g": []})
    data = json.loads(path.read_text())
    data["group_subtasks"] = {"g": "general_bench_nlp_x"}
    path.write_text(json.dumps(data))
    assert main(["level", str(tmp_path / "runs"), "--n-boot", "0", "--no-default-reports"]) == 2
    _one_line_error(capsys, "group_subtasks['g'] is a str")


def test_non_utf8_results_and_sample_log(tmp_path, capsys):
    bad = tmp_path / "bad" / "20250101_000000_results.json"
    bad.parent.mkdir()
    bad.write_bytes(b'{"results": {"\xff\xfe": 1}}')
    assert main(["level", str(bad.parent), "--n-boot", "0", "--no-default-reports"]) == 2
    _one_line_error(capsys, str(bad), "not UTF-8")
    write_run(tmp_path / "runs", "20250101_000000", "m", {NLP: 50.0}, {NLP: items([1, 0])})
    log = tmp_path / "runs" / f"20250101_000000_samples_{NLP}.jsonl"
    log.write_bytes(log.read_bytes() + b'{"score": "\xff"}\n')
    out = tmp_path / "o.json"
    assert main(["level", str(tmp_path / "runs"), "--n-boot", "0", "--no-default-reports", "--json", str(out)]) == 0
    payload = json.loads(out.read_text())
    assert any("not UTF-8" in m and log.name in m and NLP in m for m in payload["messages"])
    assert payload["samples"]["nlp_commonsense_reasoning"]["error"] == 1  # the bad line is counted, not dropped
    assert payload["samples"]["nlp_commonsense_reasoning"]["samples"] == 3


@pytest.mark.parametrize(
    ("args", "needle"),
    [(["--n-boot", "1"], "--n-boot 1 gives no interval"), (["--n-boot", "x"], "expected an integer"),
     (["--seed", "-1"], "expected an integer >= 0"), (["--seed", str(2**32)], "seed must be < 2**32"),
     (["--mode", "best"], "invalid choice")],
)
def test_level_argument_errors(tmp_path, capsys, args, needle):
    write_run(tmp_path / "runs", "20250101_000000", "m", {NLP: 50.0})
    assert main(["level", str(tmp_path / "runs"), *args]) == 2
    _one_line_error(capsys, needle)


def test_level_json_to_a_directory(tmp_path, capsys):
    write_run(tmp_path / "runs", "20250101_000000", "m", {NLP: 50.0})
    assert main(["level", str(tmp_path / "runs"), "--json", str(tmp_path)]) == 2
    _one_line_error(capsys, "cannot write", "it is a folder; give a file path")


def test_score_root_checks(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GENERAL_BENCH_ROOT", raising=False)
    afile = tmp_path / "f.txt"
    afile.write_text("x")
    assert main(["score", "--root", str(afile)]) == 2
    _one_line_error(capsys, "is a file")
    (tmp_path / "empty").mkdir()
    assert main(["score", "--root", str(tmp_path / "empty")]) == 2
    _one_line_error(capsys, "is empty")
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "x_results.json").write_text("{}")
    assert main(["score", "--root", str(tmp_path / "runs")]) == 2
    _one_line_error(capsys, "not a General-Bench tree")
    for command in ("score", "validate"):  # neither --root nor the variable: one line naming both
        assert main([command]) == 2
        _one_line_error(capsys, "no General-Bench folder: pass --root DIR or set GENERAL_BENCH_ROOT")


def test_validate_json_that_cannot_be_written_names_the_command(tmp_path, capsys):
    sample = Path(__file__).resolve().parents[2] / "lmms_general" / "sample_data" / "General-Bench-Openset"
    (tmp_path / "afile").write_text("x")
    assert main(["validate", "--root", str(sample), "--json", str(tmp_path / "afile" / "index.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lmms-general validate: error: cannot write") and err.count("\n") == 1


def test_paths_with_a_missing_root_is_one_error_line(tmp_path, capsys):
    assert main(["paths", "--lm-eval", "--root", str(tmp_path / "nope")]) == 2
    assert _one_line_error(capsys, "nope does not exist").startswith("lmms-general paths: error:")


def test_root_env_is_honoured_by_validate_and_score(monkeypatch, capsys):
    sample = Path(__file__).resolve().parents[2] / "lmms_general" / "sample_data" / "General-Bench-Openset"
    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(sample))
    assert main(["validate"]) == 0
    assert "nlp_causal_reasoning" in capsys.readouterr().out
    assert main(["score"]) in (0, 1)  # runs on the env root (1 only when no prediction.json is there)
    assert "Traceback" not in capsys.readouterr().err


def test_version_and_command_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.startswith("lmms-general 0.")
    assert main(["level", "--help"]) == 0
    text = capsys.readouterr().out
    assert "scopes" in text and "examples:" in text and "--n-boot" in text
    assert main(["tasks", "--help"]) == 0
    assert "lmms-general tasks" in capsys.readouterr().out


def test_broken_pipe_is_quiet():
    proc = subprocess.run(f"{sys.executable} -m lmms_general.cli tasks | head -1", shell=True, capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert proc.stdout.count("\n") == 1
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr


def test_tasks_lookup_and_closest_names(capsys):
    assert main(["tasks", "causal"]) == 0
    out = capsys.readouterr().out
    assert "general_bench_nlp_causal_reasoning" in out and out.strip().endswith("3 tasks")
    assert main(["tasks", "general_bench_nlp_causl_reasoning"]) == 2
    _one_line_error(capsys, "did you mean: general_bench_nlp_causal_reasoning")


def test_tasks_table_is_aligned_and_modality_case_insensitive(capsys):
    assert main(["tasks", "--modality", "3D"]) == 0  # spelled like the folder
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "52 tasks"
    header, rows = lines[0], lines[1:-1]
    assert any("AMOTA (Average Multi-Object Tracking Accuracy)" in r or "CD (Chamfer Distance)" in r for r in rows)
    name_at = header.index("name")
    assert all(r[name_at - 2:name_at] == "  " and r[name_at] != " " for r in rows)  # long metrics don't shift


def test_lmms_eval_task_name_check_suggests_closest_names(capsys):
    from lmms_general import run_guard
    from lmms_general.user_errors import UserError

    names = ["general_bench_nlp_causal_reasoning", "general_bench_nlp", "mmmu_val"]
    run_guard.task_names(["mmmu_val", "general_bench_nlp"], ["mmmu_val", "general_bench_nlp"], names)  # all fine
    run_guard.task_names(["mmmu_vl"], [], names)  # not ours: lmms-eval reports it
    with pytest.raises(UserError) as info:
        run_guard.task_names(["general_bench_nlp_causal_reasonin"], [], names)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "did you mean: general_bench_nlp_causal_reasoning" in err and err.count("error:") == 1


def test_missing_root_is_one_message_naming_both_variables(capsys, monkeypatch):
    from lmms_general import run_guard
    from lmms_general.user_errors import UserError

    monkeypatch.delenv("GENERAL_BENCH_ROOT", raising=False)
    monkeypatch.delenv("GENERAL_BENCH_DOWNLOAD", raising=False)
    for _ in range(3):  # lmms-eval would retry: the message is printed once
        with pytest.raises(UserError):
            with run_guard.task_data("nlp_causal_reasoning"):
                pass
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "GENERAL_BENCH_ROOT" in err and "GENERAL_BENCH_DOWNLOAD=1" in err


def test_export_submission_arguments(tmp_path, capsys):
    write_run(tmp_path / "runs", "20250101_000000", "m", {NLP: 50.0})
    assert main(["export-submission", str(tmp_path / "runs"), "--out", str(tmp_path / "o"),
                 "--leaderboard-id", "../escape"]) == 2
    _one_line_error(capsys, "names the zip file")
    (tmp_path / "afile").write_text("x")
    assert main(["export-submission", str(tmp_path / "runs"), "--out", str(tmp_path / "afile")]) == 2
    _one_line_error(capsys, "is a file; give a folder")
    assert main(["export-submission", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    _one_line_error(capsys, "no such file or folder")
    assert main(["export-submission", str(tmp_path / "runs"), "--out", str(tmp_path / "o"), "--model", "mm"]) == 2
    assert _one_line_error(capsys, "model 'mm' not found; models in the input: ['m']").startswith(
        "lmms-general export-submission: error:")
    (tmp_path / "empty").mkdir()
    assert main(["export-submission", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 2
    _one_line_error(capsys, "no *_results.json")
