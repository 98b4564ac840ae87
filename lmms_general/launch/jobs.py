"""One lmms-eval command per shard, the output layout of a launch, and retrying failed shards.

Layout under ``--output DIR``: ``plan.json``, ``shards/shard_NNN/`` (each shard's lmms-eval output),
``logs/shard_NNN.log``, and ``merged/<model>/`` (the one run ``lmms-general level DIR/merged`` reads).
"""

from __future__ import annotations

import logging
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lmms_general.launch.merge import shard_complete
from lmms_general.launch.plan import Plan, Shard

logger = logging.getLogger("lmms_general")


@dataclass(frozen=True)
class LaunchSpec:
    """What every shard runs: the model, its args, and extra lmms-eval arguments."""

    model: str
    model_args: str = ""
    batch_size: str = "1"
    limit: int | None = None
    extra: tuple[str, ...] = ()
    python: str = sys.executable


@dataclass
class ShardJob:
    """A shard with its command and folders."""

    shard: Shard
    command: list[str]
    out_dir: Path
    log: Path
    attempts: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return shard_complete(self.out_dir, self.shard.task_names)


def shard_dir(output: Path, shard: Shard) -> Path:
    return output / "shards" / shard.name


def shard_command(spec: LaunchSpec, shard: Shard, out_dir: Path) -> list[str]:
    """``python -m lmms_eval ...`` for one shard (leaf task names, so shards never overlap)."""
    cmd = [spec.python, "-m", "lmms_eval", "--model", spec.model]
    if spec.model_args:
        cmd += ["--model_args", spec.model_args]
    cmd += ["--tasks", ",".join(shard.task_names), "--batch_size", str(spec.batch_size),
            "--output_path", str(out_dir), "--log_samples"]
    if spec.limit:
        cmd += ["--limit", str(spec.limit)]
    return cmd + list(spec.extra)


def make_jobs(plan: Plan, spec: LaunchSpec, output: Path) -> list[ShardJob]:
    """One job per shard, writing under ``output``."""
    jobs = []
    for shard in plan.shards:
        folder = shard_dir(output, shard)
        jobs.append(ShardJob(shard, shard_command(spec, shard, folder), folder, output / "logs" / f"{shard.name}.log"))
    return jobs


def quote(command: Sequence[str]) -> str:
    return " ".join(shlex.quote(part) for part in command)


#: ``submit(jobs)`` runs a batch of jobs and returns, per job, None (success) or an error message
Submit = Callable[[list[ShardJob]], list[str | None]]


def run_with_retries(jobs: Sequence[ShardJob], submit: Submit, retries: int, force: bool = False) -> list[ShardJob]:
    """Run the jobs not yet complete (all when ``force``), re-running failed ones up to ``retries`` more times.

    Returns the jobs that still failed (empty on success). A job whose command exits 0 without results for all its
    tasks counts as failed.
    """
    pending = [j for j in jobs if force or not j.complete]
    for job in jobs:
        if job not in pending:
            logger.warning("%s: results for all %d tasks exist in %s; skipped (--force re-runs it)",
                           job.shard.name, len(job.shard.tasks), job.out_dir)
    for attempt in range(retries + 1):
        if not pending:
            break
        if attempt:
            logger.warning("retrying %d failed shard(s) (attempt %d of %d): %s", len(pending), attempt + 1,
                           retries + 1, ", ".join(j.shard.name for j in pending))
        outcomes = submit(pending)
        failed = []
        for job, error in zip(pending, outcomes, strict=True):
            job.attempts += 1
            if error is None and not job.complete:
                error = f"exit 0 but no results for all tasks under {job.out_dir}"
            if error is not None:
                job.errors.append(error)
                logger.error("%s failed (attempt %d): %s; log: %s", job.shard.name, job.attempts, error, job.log)
                failed.append(job)
        pending = failed
    return pending
