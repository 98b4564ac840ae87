"""Run the real ``lmms-eval`` CLI in a subprocess and insist on results (its exit code alone lies).

lmms-eval 0.7.3 exits 0 when evaluation fails unless ``--verbosity DEBUG``; we always pass DEBUG and then
check that a ``*_results.json`` appeared and holds every requested leaf task.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path


class LmmsEvalRunError(RuntimeError):
    """lmms-eval failed or wrote no usable results."""


def run_lmms_eval(
    *,
    model: str,
    tasks: Sequence[str],
    output_path: Path,
    model_args: str = "",
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> dict:
    """Run ``python -m lmms_eval`` and return the newest results JSON it wrote under ``output_path``."""
    output_path.mkdir(parents=True, exist_ok=True)
    before = set(output_path.rglob("*_results.json"))
    cmd = [sys.executable, "-m", "lmms_eval", "--model", model, "--tasks", ",".join(tasks),
           "--output_path", str(output_path), "--log_samples", "--verbosity", "DEBUG", *extra_args]
    if model_args:
        cmd[5:5] = ["--model_args", model_args]
    proc = subprocess.run(cmd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout)
    written = sorted(set(output_path.rglob("*_results.json")) - before)
    if proc.returncode != 0 or not written:
        tail = (proc.stdout + proc.stderr)[-4000:]
        raise LmmsEvalRunError(f"lmms-eval exited {proc.returncode}, results files: {len(written)}\n{tail}")
    return json.loads(written[-1].read_text(encoding="utf-8"))
