"""Our tasks are visible to plain lmms-eval (entry-point hook), to --include_path and to task_manager()."""

from __future__ import annotations

import pytest

from lmms_general import lmms_integration


def test_task_manager_helper_indexes_all_tasks_and_groups() -> None:
    tm = lmms_integration.task_manager(verbosity="ERROR")
    names = set(tm.all_tasks)
    assert "general_bench_image_comp_bird_detection" in names
    assert {"general_bench", "general_bench_image_comp", "general_bench_nlp"} <= set(tm.all_groups)


def test_patch_makes_default_task_manager_see_our_tasks() -> None:
    from lmms_eval.tasks import TaskManager

    lmms_integration.install_task_path()
    assert lmms_integration.install_task_path() is False  # idempotent
    tm = TaskManager(verbosity="ERROR", include_defaults=False)
    assert "general_bench_nlp_causal_reasoning" in tm.all_tasks


def test_entry_point_is_declared() -> None:
    from importlib.metadata import entry_points

    eps = [ep for ep in entry_points(group="lmms_eval.models") if ep.name == "lmms_general"]
    if not eps:
        pytest.skip("package not pip-installed (run `make test`, which installs it editable)")
    assert eps[0].value == "model_adapters:manifests"


def test_groups_narrow_to_present_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import SAMPLE_ROOT

    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(SAMPLE_ROOT))
    kept = lmms_integration.present_members(
        ["general_bench_nlp_causal_reasoning", "general_bench_nlp_ethical_reasoning", "mme", "general_bench_image_comp"]
    )
    assert kept is not None
    assert "mme" in kept and "general_bench_nlp_causal_reasoning" in kept
    assert "general_bench_image_comp" in kept  # the sample tree has image comprehension tasks
    monkeypatch.delenv("GENERAL_BENCH_ROOT")
    assert lmms_integration.present_members(["x"]) is None
