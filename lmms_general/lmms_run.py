"""Run the real ``lmms-eval`` CLI in a subprocess and insist on results (its exit code alone lies).

lmms-eval 0.7.3 exits 0 when evaluation fails unless ``--verbosity DEBUG``; we always pass DEBUG and then
check that a ``*_results.json`` appeared. A General-Bench task whose data could not be built is left out of the
run by our hooks (one ``lmms_general: error:`` line each, the other tasks' results are written) and the lmms-eval
CLI then exits 3 (see :mod:`lmms_general.task_failures`); here such a run raises :class:`TaskFailedError` (results
attached) and ``python -m lmms_general.lmms_run LMMS_EVAL_ARGS...`` exits 3 naming every failed task.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmms_general.task_failures import EXIT_TASK_FAILED, FAILURES_ENV, TaskFailure, read_failures


class LmmsEvalRunError(RuntimeError):
    """lmms-eval failed or wrote no usable results."""


class TaskFailedError(LmmsEvalRunError):
    """Results were written, but some requested tasks were left out (their data could not be built)."""

    def __init__(self, message: str, results: dict, failures: list[TaskFailure]) -> None:
        super().__init__(message)
        self.results = results
        self.failures = failures


def failures_message(failures: Sequence[TaskFailure]) -> str:
    """``N requested task(s) failed:`` and one line per task with its cause."""
    lines = "".join(f"\n  {f.task}: {f.cause}" for f in failures)
    return f"{len(failures)} requested task(s) failed (the other tasks' results were written):{lines}"


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
    with tempfile.TemporaryDirectory(prefix="lmms_general_run_") as scratch:
        failures_file = Path(scratch) / "failures.jsonl"
        proc = subprocess.run(cmd, env={**os.environ, **(env or {}), FAILURES_ENV: str(failures_file)},
                              capture_output=True, text=True, timeout=timeout)
        failures = read_failures(failures_file)
    written = sorted(set(output_path.rglob("*_results.json")) - before)
    if proc.returncode not in (0, EXIT_TASK_FAILED if failures else 0) or not written:
        tail = (proc.stdout + proc.stderr)[-4000:]
        failed = f"\n{failures_message(failures)}" if failures else ""
        raise LmmsEvalRunError(f"lmms-eval exited {proc.returncode}, results files: {len(written)}{failed}\n{tail}")
    results = json.loads(written[-1].read_text(encoding="utf-8"))
    if failures:
        raise TaskFailedError(failures_message(failures), results, failures)
    return results


@dataclass(frozen=True)
class EvaluationRun:
    """What :func:`evaluate` ran: the lmms-eval results dict and where the outputs are."""

    model: str
    tasks: tuple[str, ...]
    output_path: Path
    results: dict[str, Any]

    @property
    def scores(self) -> dict[str, Any]:
        """lmms-eval's ``results`` block (task -> metric values)."""
        return dict(self.results.get("results") or {})



def evaluate(
    model: str,
    tasks: str | Sequence[str],
    root: str | os.PathLike[str] | None = None,
    *,
    model_args: str = "",
    output_path: str | os.PathLike[str] | None = None,
    download: bool | None = None,
    timeout: float | None = None,
    **lmms_eval_kwargs: Any,
) -> EvaluationRun:
    """Run lmms-eval on General-Bench tasks (and any other lmms-eval task) in a subprocess.

    Args:
        model: lmms-eval model name (``qwen2_vl``, ``general_bench_oracle``, ...).
        tasks: task or group names (``general_bench_nlp``, ``mmmu_val``, ...), a list or a comma string.
        root: General-Bench folder (default ``$GENERAL_BENCH_ROOT``).
        model_args: lmms-eval ``--model_args``.
        output_path: lmms-eval ``--output_path`` (default: a new temporary folder).
        download: fetch missing tasks from the hub (``GENERAL_BENCH_DOWNLOAD``).
        **lmms_eval_kwargs: other lmms-eval CLI options, ``limit=8`` -> ``--limit 8``, ``batch_size=1``,
            ``device="cpu"``; True adds a bare flag, False/None leave it out.

    Raises:
        lmms_general.lmms_run.LmmsEvalRunError: lmms-eval failed or wrote no results (its output tail attached).
        lmms_general.lmms_run.TaskFailedError: results were written, but a requested task was left out because its
            data could not be built (``.results`` holds the others', ``.failures`` each task and cause).
    """
    names = tuple(t.strip() for t in (tasks.split(",") if isinstance(tasks, str) else tasks) if t.strip())
    if not names:
        raise ValueError("tasks is empty")
    out = Path(output_path) if output_path else Path(tempfile.mkdtemp(prefix="lmms_general_"))
    env = {}
    if root is not None:
        env["GENERAL_BENCH_ROOT"] = str(Path(root).expanduser())
    if download is not None:
        env["GENERAL_BENCH_DOWNLOAD"] = "1" if download else "0"
    extra: list[str] = []
    for key, value in lmms_eval_kwargs.items():
        if value is None or value is False:
            continue
        flag = f"--{key}"
        extra += [flag] if value is True else [flag, str(value)]
    results = run_lmms_eval(model=model, tasks=names, output_path=out, model_args=model_args, extra_args=extra,
                            env=env, timeout=timeout)
    return EvaluationRun(model=model, tasks=names, output_path=out, results=results)



def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lmms_general.lmms_run ARGS``: ``python -m lmms_eval ARGS`` with an honest exit status.

    lmms-eval's own status when it is non-zero; else 3 when a requested task was left out (each named on
    stderr, the others' results written); else 0.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="lmms_general_run_") as scratch:
        failures_file = Path(scratch) / "failures.jsonl"
        code = subprocess.call([sys.executable, "-m", "lmms_eval", *args],
                               env={**os.environ, FAILURES_ENV: str(failures_file)})
        failures = read_failures(failures_file)
    if code != 0 and not (code == EXIT_TASK_FAILED and failures):  # 3: the failures below (lmms-eval's own exit)
        return code
    if failures:
        print(f"lmms_general: error: {failures_message(failures)}", file=sys.stderr)
        return EXIT_TASK_FAILED
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
