"""Run the real lmms-eval CLI (one process or torchrun) in a subprocess and read its results (slow tests)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SAMPLE_ROOT = REPO / "lmms_general" / "sample_data" / "General-Bench-Openset"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Offline environment with the repo importable and the sample tree as ``GENERAL_BENCH_ROOT``."""
    return {
        **os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
        "PYTHONPATH": str(REPO), "GENERAL_BENCH_ROOT": str(SAMPLE_ROOT),
        "LMMS_GENERAL_CACHE": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1", **extra,
    }


def lmms_eval_args(model: str, model_args: str, tasks: str, out: Path, limit: int | None, batch_size: int = 1) -> list:
    args = ["-m", "lmms_eval", "--model", model, "--model_args", model_args, "--tasks", tasks,
            "--batch_size", str(batch_size), "--output_path", str(out), "--log_samples"]
    return args + (["--limit", str(limit)] if limit else [])


def run_lmms_eval(args: list[str], tmp_path: Path, nproc: int = 1, timeout: int = 1500) -> str:
    """``python -m lmms_eval ARGS`` (under ``torchrun --nproc_per_node nproc`` when nproc > 1); returns the full log."""
    if nproc > 1:
        cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(nproc),
               "--master_port", str(free_port()), *args]
    else:
        cmd = [sys.executable, *args]
    proc = subprocess.run(cmd, cwd=tmp_path, env=run_env(tmp_path), capture_output=True, text=True, timeout=timeout)
    log = f"{' '.join(cmd)}\n--- stdout ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-6000:]}"
    assert proc.returncode == 0, log
    return proc.stdout + proc.stderr


def leaf_scores(results: dict[str, Any]) -> dict[str, tuple[Any, Any, Any]]:
    """Leaf General-Bench task -> (score, failed count, effective samples) from a results file."""
    groups = set(results.get("group_subtasks") or {})
    return {
        task: (entry.get("score,none"), entry.get("failed,none"), results["n-samples"][task]["effective"])
        for task, entry in results["results"].items()
        if task.startswith("general_bench_") and task not in groups
    }


def sample_responses(results_file: Path) -> dict[str, dict[str, Any]]:
    """Leaf task -> {sample id: (filtered response, item status)} from the sample logs next to a results file."""
    prefix = results_file.name[: -len("_results.json")]
    out: dict[str, dict[str, Any]] = {}
    for path in results_file.parent.glob(f"{prefix}_samples_*.jsonl"):
        task = path.stem.split("_samples_", 1)[1]
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        out[task] = {row["score"]["id"]: (row["filtered_resps"], row["score"]["status"]) for row in rows}
    return out
