"""Run shard jobs as Ray tasks on an existing cluster (``--address``) or a local one Ray starts.

Each Ray task asks for the shard's GPUs / CPUs and runs the shard's lmms-eval command in a subprocess (Ray sets
``CUDA_VISIBLE_DEVICES`` for it), writing the log to the shared output folder. The retry loop lives in
:func:`lmms_general.launch.jobs.run_with_retries`, so a shard whose process fails is re-run whatever the cause.
Workers need the same Python environment and a shared filesystem for ``--output`` and the data.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lmms_general.launch.jobs import ShardJob

#: environment passed to every shard (workers may not inherit the driver's); secrets stay out (set them on workers)
FORWARDED_ENV = ("GENERAL_BENCH_ROOT", "PYTHONPATH", "HF_HOME", "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE",
                 "TRANSFORMERS_OFFLINE")
FORWARDED_PREFIX = "LMMS_GENERAL_"  # cache folder, metric model paths, judge URL/model
_SECRET_PARTS = ("KEY", "TOKEN", "SECRET", "PASSWORD")


def forwarded_env() -> dict[str, str]:
    """The driver's values of :data:`FORWARDED_ENV` and ``LMMS_GENERAL_*`` (never keys or tokens)."""
    return {
        k: v for k, v in os.environ.items()
        if (k in FORWARDED_ENV or k.startswith(FORWARDED_PREFIX)) and not any(p in k for p in _SECRET_PARTS)
    }


@dataclass(frozen=True)
class RayOptions:
    address: str | None = None
    gpus_per_shard: float = 1.0
    cpus_per_shard: float = 1.0
    num_cpus: int | None = None  # only when starting a local cluster
    num_gpus: int | None = None


def run_shard_process(command: list[str], log_path: str, env: Mapping[str, str]) -> str | None:
    """Run one shard's command (inside a Ray task); None on exit 0, else a short error with the log's tail."""
    import subprocess
    from pathlib import Path

    log = Path(log_path)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"$ {' '.join(command)}\n")
        handle.flush()
        proc = subprocess.run(command, env={**os.environ, **env}, stdout=handle, stderr=subprocess.STDOUT)
    if proc.returncode == 0:
        return None
    tail = log.read_text(encoding="utf-8", errors="replace")[-1500:]
    return f"exit {proc.returncode}; log tail:\n{tail}"


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ImportError("the Ray backend needs Ray: pip install 'lmms-general[ray]'") from exc
    return ray


class RaySubmitter:
    """``Submit`` for :func:`run_with_retries`: one Ray task per job, waits for all of them."""

    def __init__(self, options: RayOptions) -> None:
        self.options = options
        ray = _ray()
        if not ray.is_initialized():
            address = options.address or os.environ.get("RAY_ADDRESS")
            kwargs: dict[str, Any] = {"address": address} if address else {
                "num_cpus": options.num_cpus, "num_gpus": options.num_gpus, "include_dashboard": False}
            ray.init(log_to_driver=False, **kwargs)
            self._started = True
        else:
            self._started = False
        self._remote = ray.remote(max_retries=0)(run_shard_process)
        self.env = forwarded_env()

    def __call__(self, jobs: list[ShardJob]) -> list[str | None]:
        ray = _ray()
        refs = [
            self._remote.options(num_gpus=self.options.gpus_per_shard, num_cpus=self.options.cpus_per_shard,
                                 name=job.shard.name).remote(job.command, str(job.log), self.env)
            for job in jobs
        ]
        outcomes: list[str | None] = []
        for job, ref in zip(jobs, refs, strict=True):
            try:
                outcomes.append(ray.get(ref))
            except Exception as exc:  # noqa: BLE001 - a lost worker / node is a failed attempt, retried
                outcomes.append(f"Ray task of {job.shard.name} failed: {type(exc).__name__}: {exc}")
        return outcomes

    def close(self) -> None:
        if self._started:
            _ray().shutdown()
