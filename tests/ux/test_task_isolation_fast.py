"""The TaskManager patch leaves out a task whose data cannot be built and loads the others (in process)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lmms_general import lmms_integration, task_failures
from lmms_general.dataset import clear_process_cache

OPENSET = Path(__file__).resolve().parents[2] / "lmms_general" / "sample_data" / "General-Bench-Openset"
CAUSAL, TEMPORAL = "general_bench_nlp_causal_reasoning", "general_bench_nlp_temporal_reasoning"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "gb"
    for name in ("Causal-Reasoning", "Temporal-Reasoning"):
        shutil.copytree(OPENSET / "nlp" / name, root / "nlp" / name)
    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(root))
    monkeypatch.setenv("LMMS_GENERAL_CACHE", str(tmp_path / "cache"))
    clear_process_cache()
    task_failures.clear_failures()
    lmms_integration.install_task_path()  # what the lmms_eval.models entry point does in a real run
    yield root
    clear_process_cache()
    task_failures.clear_failures()


def _names(loaded: dict) -> set[str]:
    out: set[str] = set()
    for key, value in loaded.items():
        out |= _names(value) if isinstance(value, dict) else {str(key)}
    return out


def test_named_task_with_malformed_annotation_is_left_out(tree: Path, capsys: pytest.CaptureFixture) -> None:
    (tree / "nlp" / "Temporal-Reasoning" / "annotation.json").write_text('{"data": [{"id": ', encoding="utf-8")
    loaded = lmms_integration.task_manager().load_task_or_group([CAUSAL, TEMPORAL])
    assert _names(loaded) == {CAUSAL}
    assert list(task_failures.failed_tasks()) == [TEMPORAL]
    assert capsys.readouterr().err.count(f"{TEMPORAL}: left out of this run") == 1


def test_failure_while_building_docs_leaves_only_that_task_out(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lmms_general.hooks import docs

    real = docs.load_docs

    def broken(key: str, root: object = None) -> tuple[list, list]:
        if key == "nlp_causal_reasoning":
            raise RuntimeError("disk went away")
        return real(key, root)

    monkeypatch.setattr(docs, "load_docs", broken)
    loaded = lmms_integration.task_manager().load_task_or_group(["general_bench_nlp"])
    assert _names(loaded) == {TEMPORAL}
    assert "RuntimeError: disk went away" in task_failures.failed_tasks()[CAUSAL]


def test_every_requested_task_left_out_is_one_error_and_exit_2(tree: Path) -> None:
    for name in ("Causal-Reasoning", "Temporal-Reasoning"):
        (tree / "nlp" / name / "annotation.json").write_text(json.dumps({"data": "not a list"}), encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        lmms_integration.task_manager().load_task_or_group([CAUSAL, TEMPORAL])
    assert info.value.code == 2
