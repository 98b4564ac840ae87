"""benchmarks/gpu_check.sh: the plan of GPU checks, and its CPU ``--dry-run`` (slow when it builds the tiny models)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import gpu_check  # noqa: E402

SCRIPT = REPO / "benchmarks" / "gpu_check.sh"
VLLM_PYTHON = REPO / ".venv-vllm" / "bin" / "python"


def dry_run(models: Path, vllm_python: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "GPU_CHECK_PYTHON": sys.executable, "GPU_CHECK_VLLM_PYTHON": str(vllm_python)}
    return subprocess.run(["bash", str(SCRIPT), "--dry-run", "--models", str(models), "--work", str(tmp_path / "w")],
                          env=env, capture_output=True, text=True, timeout=900)


def test_the_plan_has_one_check_per_piece_all_on_cuda(tmp_path: Path) -> None:
    setup = gpu_check.Setup(tmp_path / "m", tmp_path / "w", {"main": Path("py"), "vllm": Path("vpy")})
    checks = gpu_check.checks(setup)
    assert [(c.group, c.name) for c in checks] == [
        ("a", "adapter janus"), ("a", "adapter emu3"), ("a", "adapter emu2"), ("a", "adapter next_gpt"),
        ("a", "adapter general_pipeline"), ("b", "qwen2_vl"), ("c", "vllm throughput"), ("d", "torchrun 2 ranks")]
    for check in checks:
        args = " ".join(check.argv)
        assert check.python == ("vllm" if check.group == "c" else "main")
        if check.group != "c":
            assert "device=cuda" in args and "--log_samples" in args and str(tmp_path / "m") in args, args
    torchrun = checks[-1]
    assert torchrun.argv[:5] == ["-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port"]


def test_dry_run_names_every_missing_piece(tmp_path: Path) -> None:
    proc = dry_run(tmp_path / "no_models", tmp_path / "no_venv" / "bin" / "python", tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.count("would run (") == 8
    missing = [line for line in proc.stdout.splitlines() if line.startswith("MISSING")]
    assert len(missing) == 2, proc.stdout
    assert "make setup-vllm" in missing[0] and "--prepare" in missing[1]
    assert "gpu_check --dry-run: 2 pieces missing" in proc.stdout


@pytest.mark.slow
def test_prepare_then_dry_run(tmp_path: Path) -> None:
    """``--prepare`` builds every model; ``--dry-run`` then finds all pieces (the vLLM env if it was built)."""
    models = tmp_path / "models"
    env = {"PATH": "/usr/bin:/bin", "GPU_CHECK_PYTHON": sys.executable}
    prep = subprocess.run(["bash", str(SCRIPT), "--prepare", "--models", str(models)], env=env, capture_output=True,
                          text=True, timeout=900)
    assert prep.returncode == 0, prep.stderr[-3000:]
    assert (models / "manifest.json").is_file() and (models / "tiny-qwen2-vl-vllm" / "config.json").is_file()
    proc = dry_run(models, VLLM_PYTHON, tmp_path)
    missing = [line for line in proc.stdout.splitlines() if line.startswith("MISSING")]
    if VLLM_PYTHON.exists():
        assert proc.returncode == 0 and not missing, proc.stdout + proc.stderr
        assert "gpu_check --dry-run: all pieces present" in proc.stdout
    else:
        assert proc.returncode == 1 and len(missing) == 1 and "make setup-vllm" in missing[0], proc.stdout
