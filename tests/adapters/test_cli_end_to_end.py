"""The real lmms-eval CLI with ``--model general_pipeline`` on the sample data's image generation group (slow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_lmms_eval_cli_general_pipeline_image_gen(tmp_path: Path, tiny_sd: Path) -> None:
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
        "GENERAL_BENCH_ROOT": str(ROOT / "lmms_general" / "sample_data" / "General-Bench-Openset"),
    }
    model_args = f"t2i={tiny_sd},edit={tiny_sd},steps=2,height=32,width=32,strength=0.9,output_dir={tmp_path / 'media'}"
    cmd = [
        sys.executable,
        "-m",
        "lmms_eval",
        "--model",
        "general_pipeline",
        "--model_args",
        model_args,
        "--tasks",
        "general_bench_image_gen",
        "--limit",
        "2",
        "--batch_size",
        "2",
        "--output_path",
        str(tmp_path / "results"),
        "--log_samples",
        "--verbosity",
        "DEBUG",
    ]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = sorted((tmp_path / "results").rglob("*_results.json"))
    assert results, proc.stderr[-4000:]
    data = json.loads(results[-1].read_text())
    scores = {task: r.get("score,none") for task, r in data["results"].items() if task.startswith("general_bench_")}
    assert scores and any(isinstance(v, (int, float)) for v in scores.values()), scores
    assert list((tmp_path / "media").rglob("*.png")), "no generated images were written"
