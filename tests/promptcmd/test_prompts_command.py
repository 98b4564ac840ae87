"""`lmms-general prompts`: the exact doc_to_text / doc_to_visual of the first N samples per task (issue 18 item 3)."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from lmms_general.cli import main
from lmms_general.hooks import doc_to_text
from lmms_general.hooks.docs import build_docs
from lmms_general.protocol import doc_of
from tests.promptcmd.conftest import SAMPLE_ROOT


def test_text_output_is_the_hook_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prompts", "causal", "--root", str(SAMPLE_ROOT), "--limit", "1"]) == 0
    out = capsys.readouterr().out
    rows = build_docs("nlp_causal_reasoning", SAMPLE_ROOT)
    assert f"=== general_bench_nlp_causal_reasoning (1 of {len(rows)} samples;" in out
    assert doc_to_text(rows[0]) in out and doc_to_text(rows[1]) not in out
    assert out.count("--- sample ") == 1


def test_json_shape_limit_and_media(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "prompts.json"
    assert main(["prompts", "--root", str(SAMPLE_ROOT), "--limit", "2", "--json", str(out)]) == 0
    records = json.loads(out.read_text())
    assert records and all(set(r) == {"task", "sample_id", "text", "media"} for r in records)
    assert all(isinstance(r["sample_id"], str) and isinstance(r["text"], str) for r in records)
    per_task = Counter(r["task"] for r in records)
    assert max(per_task.values()) == 2 and len(per_task) >= 30
    cars = [r for r in records if r["task"] == "general_bench_image_comp_car_brands_recognition"]
    rows = build_docs("image_comp_car_brands_recognition", SAMPLE_ROOT)
    assert [r["sample_id"] for r in cars] == [doc_of(row).sample_id for row in rows[:2]]
    assert [r["text"] for r in cars] == [doc_to_text(row) for row in rows[:2]]
    assert [Path(m).name for r in cars for m in r["media"]] == ["CarBrands0001.png", "CarBrands0002.png"]
    assert all(Path(m).exists() for r in records for m in r["media"])  # files or frame folders
    assert "doc_to_visual: image " in capsys.readouterr().out  # what the hook decoded the file to


def test_pattern_matches_folder_and_task_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prompts", "car_brands", "--root", str(SAMPLE_ROOT)]) == 0
    out = capsys.readouterr().out
    assert out.count("=== ") == 1 and "general_bench_image_comp_car_brands_recognition" in out


def test_mistyped_pattern_names_the_closest_tasks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prompts", "general_bench_nlp_casual_reasoning", "--root", str(SAMPLE_ROOT)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("lmms-general prompts: error: unknown task")
    assert "general_bench_nlp_causal_reasoning" in err


@pytest.mark.parametrize("argv, needle", [
    (["--limit", "0"], "expected an integer >= 1"),
    (["--max-chars", "x"], "expected an integer >= 1"),
    (["--json", "."], "it is a folder"),
])
def test_bad_arguments_are_one_line(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prompts", "--root", str(SAMPLE_ROOT), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and needle in err


def test_no_root_and_not_a_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prompts"]) == 2
    assert "GENERAL_BENCH_ROOT" in capsys.readouterr().err
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("hi")
    assert main(["prompts", "--root", str(tmp_path / "x")]) == 2
    assert "not a General-Bench tree" in capsys.readouterr().err


def test_lint_exit_status_on_missing_media_and_long_prompt(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "General-Bench-Openset"
    cars = root / "image" / "comprehension" / "car_brands_recognition"
    shutil.copytree(SAMPLE_ROOT / "image" / "comprehension" / "car_brands_recognition", cars)
    (cars / "images" / "CarBrands0003.png").unlink()
    annotation = cars / "json" / "annotation.json"
    data = json.loads(annotation.read_text())
    data["data"][0]["input"]["prompt"] = "recognize the brand of the car in the image. " * 200  # ~9,000 chars
    annotation.write_text(json.dumps(data))
    assert main(["prompts", "--root", str(root), "--lint"]) == 1
    out = capsys.readouterr().out
    assert "missing_media: 1 of 3 samples (first: sample 'CarBrands0003')" in out
    assert "long_prompt: 1 of 3 samples (first: sample 'CarBrands0001')" in out
    assert main(["prompts", "--root", str(root), "--lint", "--max-chars", "20000"]) == 1
    assert "long_prompt" not in capsys.readouterr().out
