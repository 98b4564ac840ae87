"""Adapters bind their device to the local rank; a 2-process torchrun run equals a 1-process run (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from model_adapters.base import bind_device
from tests.scale._runs import leaf_scores, lmms_eval_args, run_lmms_eval, sample_responses
from tests.scale.conftest import JANUS_NLP_LIMIT, janus_model_args


@pytest.mark.parametrize(
    ("env", "device", "expected"),
    [
        ({}, "cuda:1", "cuda:1"),
        ({}, "cpu", "cpu"),
        ({"WORLD_SIZE": "4", "LOCAL_RANK": "3"}, "cuda", "cuda:3"),
        ({"WORLD_SIZE": "4", "LOCAL_RANK": "3"}, "cuda:0", "cuda:3"),
        ({"WORLD_SIZE": "4", "LOCAL_RANK": "2"}, "cuda:5", "cuda:2"),
        ({"WORLD_SIZE": "2", "LOCAL_RANK": "1"}, "cpu", "cpu"),
        ({"WORLD_SIZE": "2", "LOCAL_RANK": "1"}, None, "cpu"),
    ],
)
def test_bind_device_follows_local_rank(monkeypatch: pytest.MonkeyPatch, env: dict, device, expected: str) -> None:
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    monkeypatch.delenv("LOCAL_RANK", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert bind_device(device) == expected


def test_bind_device_auto_without_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert bind_device("auto") == "cpu"


@pytest.mark.parametrize(("rank", "gpus", "expected"), [("1", 1, "cuda:0"), ("3", 2, "cuda:1"), ("1", 2, "cuda:1")])
def test_bind_device_shares_gpus_when_ranks_outnumber_them(
    monkeypatch: pytest.MonkeyPatch, rank: str, gpus: int, expected: str
) -> None:
    """Two torchrun ranks on one GPU both use cuda:0 (benchmarks/gpu_check.sh runs exactly that)."""
    import torch

    chosen: list[str] = []
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("LOCAL_RANK", rank)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: gpus)
    monkeypatch.setattr(torch.cuda, "set_device", chosen.append)
    assert bind_device("cuda") == expected
    assert chosen == [expected]


def test_oracle_has_the_rank_device_lmms_eval_gathers_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under torchrun lmms-eval all-gathers request counts on ``lm.device``; the oracle crashed without one."""
    from model_adapters.oracle import GroundTruthOracle

    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("LOCAL_RANK", "1")
    assert GroundTruthOracle().device == "cpu"
    assert GroundTruthOracle(device="cpu", corrupt="0.3").device == "cpu"


def test_adapter_under_two_ranks_prebuilds_the_index_once(
    monkeypatch: pytest.MonkeyPatch, sample_root: Path, tmp_path: Path
) -> None:
    from lmms_general.dataset import index as index_module
    from lmms_general.launch import shared_index
    from model_adapters.base import GeneralistAdapter

    monkeypatch.setenv("LMMS_GENERAL_CACHE", str(tmp_path))
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("LOCAL_RANK", "1")
    index_module.clear_process_cache()
    adapter = GeneralistAdapter(device="cpu")
    assert adapter.device == "cpu"
    assert shared_index.lock_path(sample_root.resolve()).exists()
    assert list((tmp_path / "index").glob("*.json")), "the index cache the other ranks read"


@pytest.mark.slow
@pytest.mark.timeout(2400)
def test_torchrun_two_processes_equals_one(tiny_janus: Path, janus_single_run: Path, tmp_path: Path) -> None:
    """``torchrun --nproc_per_node 2`` (gloo, CPU) with the janus adapter: one results file, same scores."""
    out = tmp_path / "out2"
    args = lmms_eval_args("janus", janus_model_args(tiny_janus), "general_bench_nlp", out, JANUS_NLP_LIMIT)
    log = run_lmms_eval(args, tmp_path, nproc=2)
    assert "Running on rank 1 (local rank 1)" in log and "Running on rank 0 (local rank 0)" in log, log[-3000:]
    found = sorted(out.rglob("*_results.json"))
    assert len(found) == 1, f"2 processes wrote {found}\n{log[-3000:]}"
    one, two = (json.loads(p.read_text()) for p in (janus_single_run, found[0]))
    assert len(leaf_scores(one)) == 8 and leaf_scores(two) == leaf_scores(one)
    assert sample_responses(found[0]) == sample_responses(janus_single_run)
