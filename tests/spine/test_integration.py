"""Our tasks are visible to plain lmms-eval (entry-point hook), to --include_path and to task_manager()."""

from __future__ import annotations

import logging

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


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_group_with_a_bad_root_is_one_user_error(tmp_path, monkeypatch: pytest.MonkeyPatch, capsys, kind: str) -> None:
    """A mistyped or empty GENERAL_BENCH_ROOT ends a group run with one message (exit 2), not a traceback."""
    from lmms_general.user_errors import UserError

    root = tmp_path / "General-Bench-Openset"
    if kind == "empty":
        root.mkdir()
    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(root))
    monkeypatch.setenv("LMMS_GENERAL_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GENERAL_BENCH_DOWNLOAD", raising=False)
    with pytest.raises(UserError) as info:
        lmms_integration.present_members(["general_bench_nlp_causal_reasoning"], "general_bench_nlp")
    assert info.value.code == 2
    assert info.value.message.startswith("general_bench_nlp: ") and str(root) in info.value.message
    assert "GENERAL_BENCH_DOWNLOAD=1" in info.value.message
    assert capsys.readouterr().err.count("lmms_general: error:") == 1


class _FakeManager:
    """Stands in for a TaskManager: counts how often our folder is really indexed."""

    def __init__(self) -> None:
        self.calls = 0

    def _get_task_and_group(self, folder: str) -> dict:
        self.calls += 1
        return {"general_bench_x": {"type": "task", "yaml_path": f"{folder}/x.yaml"}}


def test_task_index_cache_is_reused_validated_and_rebuilt(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMMS_GENERAL_CACHE", str(tmp_path))
    monkeypatch.setattr(lmms_integration, "_MEMO", {})
    manager = _FakeManager()
    first = lmms_integration.our_task_index(manager)
    assert manager.calls == 1 and "general_bench_x" in first
    (cache,) = (tmp_path / "task_index").glob("*.json")
    lmms_integration._MEMO.clear()
    assert lmms_integration.our_task_index(manager) == first and manager.calls == 1  # read from disk
    for bad in ("{not json", "[1, 2]", '{"fingerprint": "other", "folder": "x", "index": {}}',
                '{"fingerprint": null, "index": {"a": 1}}'):
        cache.write_text(bad)
        lmms_integration._MEMO.clear()
        calls = manager.calls
        assert lmms_integration.our_task_index(manager) == first and manager.calls == calls + 1, bad


def test_yaml_fingerprint_sees_edits(tmp_path) -> None:
    import os

    (tmp_path / "a.yaml").write_text("task: a\n")
    before = lmms_integration.yaml_fingerprint(tmp_path)
    assert lmms_integration.yaml_fingerprint(tmp_path) == before
    st = os.stat(tmp_path / "a.yaml")
    os.utime(tmp_path / "a.yaml", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert lmms_integration.yaml_fingerprint(tmp_path) != before
    (tmp_path / "b.yaml").write_text("task: b\n")
    assert len({before, lmms_integration.yaml_fingerprint(tmp_path)}) == 2


def test_cached_index_equals_lmms_evals_own(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The merged index holds exactly what lmms-eval builds when given our folder as include_path."""
    from lmms_eval.tasks import TaskManager

    monkeypatch.setenv("LMMS_GENERAL_CACHE", str(tmp_path))
    monkeypatch.setattr(lmms_integration, "_MEMO", {})
    manager = TaskManager.__new__(TaskManager)  # only its indexing method is used
    manager.logger = logging.getLogger("test")
    ours = lmms_integration.our_task_index(manager)
    lmms_integration._MEMO.clear()
    assert lmms_integration.our_task_index(manager) == ours  # the same from the disk cache
    assert ours == dict(manager._get_task_and_group(str(lmms_integration.tasks_dir())))


def test_disabled_entry_point_registers_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import model_adapters

    monkeypatch.setenv("LMMS_GENERAL_DISABLE_ENTRY_POINT", "1")
    assert model_adapters.manifests() == []
