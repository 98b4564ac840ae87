"""The real lmms-eval CLI: our user errors print once and end the run with status 2 (not 0 after 5 retries)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OPENSET = REPO / "lmms_general" / "sample_data" / "General-Bench-Openset"


def _lmms_eval(tmp_path: Path, tasks: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GENERAL_BENCH_")}
    clean.update(env, LMMS_GENERAL_CACHE=str(tmp_path / "cache"), PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1",
                 HF_DATASETS_OFFLINE="1")
    return subprocess.run([sys.executable, "-m", "lmms_eval", "--model", "dummy", "--model_args", "response=A",
                           "--tasks", tasks, "--output_path", str(tmp_path / "out")],
                          env=clean, capture_output=True, text=True, timeout=600, cwd=tmp_path)


@pytest.mark.slow
def test_mistyped_task_and_missing_root(tmp_path):
    typo = _lmms_eval(tmp_path, "general_bench_nlp_causal_reasonin")
    assert typo.returncode == 2
    assert "did you mean: general_bench_nlp_causal_reasoning" in typo.stderr
    no_root = _lmms_eval(tmp_path, "general_bench_nlp_causal_reasoning")
    assert no_root.returncode == 2 and no_root.stderr.count("lmms_general: error:") == 1
    assert "GENERAL_BENCH_ROOT is not set" in no_root.stderr and "GENERAL_BENCH_DOWNLOAD=1" in no_root.stderr
    assert "RetryError" not in no_root.stderr


@pytest.mark.slow
def test_group_without_data_is_not_a_crash(tmp_path):
    root = tmp_path / "gb"
    (root / "nlp").mkdir(parents=True)
    (root / "nlp" / "Causal-Reasoning").symlink_to(OPENSET / "nlp" / "Causal-Reasoning")
    proc = _lmms_eval(tmp_path, "general_bench_audio", GENERAL_BENCH_ROOT=str(root))
    assert proc.returncode == 2
    assert "general_bench_audio: none of its 44 tasks has data" in proc.stderr
    assert "UnboundLocalError" not in proc.stderr


@pytest.mark.slow
def test_group_with_mistyped_root_exits_2(tmp_path):
    proc = _lmms_eval(tmp_path, "general_bench_nlp", GENERAL_BENCH_ROOT=str(tmp_path / "General-Bench-Opneset"))
    assert proc.returncode == 2 and proc.stderr.count("lmms_general: error:") == 1
    assert "General-Bench-Opneset does not exist" in proc.stderr and "GENERAL_BENCH_DOWNLOAD=1" in proc.stderr
    assert "Traceback" not in proc.stderr
