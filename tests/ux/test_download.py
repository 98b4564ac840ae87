"""Download from nothing: GENERAL_BENCH_DOWNLOAD=1 with the root unset or empty fetches just the requested tasks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lmms_general import run_guard
from lmms_general.dataset import load_task
from lmms_general.dataset.hub import default_download_root, prepare_root
from lmms_general.lmms_integration import present_members
from lmms_general.registry import load_registry
from lmms_general.user_errors import UserError

KEY = "nlp_causal_reasoning"


def test_root_unset_downloads_only_the_requested_task(fake_hub, monkeypatch):
    monkeypatch.setenv("GENERAL_BENCH_DOWNLOAD", "1")
    root = prepare_root([KEY])
    assert root == default_download_root() and os.environ["GENERAL_BENCH_ROOT"] == str(root)
    [call] = fake_hub.calls
    assert call["allow_patterns"] == ["nlp/Causal-Reasoning/*"]
    assert call["repo_id"] == "General-Level/General-Bench-Openset"
    assert sorted(p.name for p in (root / "nlp").iterdir()) == ["Causal-Reasoning"]
    data = load_task(None, KEY)  # the downloaded tree is used afterwards
    assert data.samples and not [e for e in data.errors if "no task folder" in e]
    assert prepare_root([KEY]) == root and len(fake_hub.calls) == 1  # present: nothing fetched again


def test_empty_root_folder_is_filled(fake_hub, monkeypatch, tmp_path):
    empty = tmp_path / "gb"
    empty.mkdir()
    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(empty))
    monkeypatch.setenv("GENERAL_BENCH_DOWNLOAD", "1")
    assert prepare_root([KEY]) == empty
    assert (empty / "nlp" / "Causal-Reasoning").is_dir()


def test_group_downloads_its_tasks_only(fake_hub, monkeypatch):
    monkeypatch.setenv("GENERAL_BENCH_DOWNLOAD", "1")
    members = [s.task for s in load_registry().values() if s.group == "general_bench_nlp"]
    kept = present_members(members, "general_bench_nlp")
    [call] = fake_hub.calls
    assert call["allow_patterns"] and all(p.startswith("nlp/") for p in call["allow_patterns"])
    assert len(call["allow_patterns"]) == 8  # the NLP folders of the (fake) repo that match registry rows
    assert len(kept) == 8 and "general_bench_nlp_causal_reasoning" in kept


def test_nested_group_names_reach_their_leaves():
    keys = run_guard.leaf_keys(["general_bench_image"])
    assert keys and all(load_registry()[k].modality == "image" for k in keys) and len(keys) == 316
    assert len(run_guard.leaf_keys(["general_bench"])) == 699
    assert run_guard.leaf_keys(["mmmu_val"]) == []


def test_group_without_data_is_a_clear_error_not_a_crash(monkeypatch, tmp_path, capsys):
    root = tmp_path / "gb"
    (root / "image" / "comprehension").mkdir(parents=True)  # a tree, but no audio task in it
    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(root))
    members = [s.task for s in load_registry().values() if s.group == "general_bench_audio_comp"]
    with pytest.raises(UserError) as info:
        present_members(members, "general_bench_audio_comp")
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "general_bench_audio_comp: none of its 24 tasks has data" in err and "GENERAL_BENCH_DOWNLOAD=1" in err


def test_hub_without_the_task_is_a_clear_error(fake_hub, monkeypatch, capsys):
    monkeypatch.setenv("GENERAL_BENCH_DOWNLOAD", "1")
    from lmms_general.dataset.hub import allow_patterns

    missing = next(k for k in load_registry() if not allow_patterns(fake_hub.files, [k]))
    with pytest.raises(UserError):
        with run_guard.task_data(missing):
            pass
    assert "has a task folder in https://huggingface.co/datasets/General-Level/General-Bench-Openset" in (
        capsys.readouterr().err)


def test_sample_tree_root_stays_untouched_without_download(fake_hub, monkeypatch):
    openset = Path(__file__).resolve().parents[2] / "lmms_general" / "sample_data" / "General-Bench-Openset"
    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(openset))
    assert prepare_root([KEY]) is None and not fake_hub.calls
