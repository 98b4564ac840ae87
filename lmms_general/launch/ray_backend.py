"""Run shard jobs as Ray tasks on an existing cluster (``--address``) or a local one Ray starts.

Each Ray task asks for the shard's GPUs / CPUs and runs the shard's lmms-eval command in a subprocess (Ray sets
``CUDA_VISIBLE_DEVICES`` for it), writing the log to the shared output folder. The retry loop lives in
:func:`lmms_general.launch.jobs.run_with_retries`, so a shard whose process fails is re-run whatever the cause.
Workers need the same Python environment and a shared filesystem for ``--output`` and the data.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lmms_general.launch.jobs import ShardJob

logger = logging.getLogger("lmms_general")

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
        raise ImportError("the Ray backend needs Ray: pip install 'ray>=2.9,<3'") from exc
    return ray


class RaySubmitter:
    """``Submit`` for :func:`run_with_retries`: one Ray task per job, waits for all of them."""

    def __init__(self, options: RayOptions) -> None:
        self.options = options
        ray = _ray()
        address = options.address or os.environ.get("RAY_ADDRESS")
        self._local = False  # a local cluster started here (it cannot grow)
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"address": address} if address else {
                "num_cpus": options.num_cpus, "num_gpus": options.num_gpus, "include_dashboard": False}
            try:
                ray.init(log_to_driver=False, **kwargs)
            except ConnectionError as exc:
                raise ConnectionError(
                    f"no Ray cluster at --address {address}: {exc} (start one with `ray start --head`, or leave "
                    "--address and $RAY_ADDRESS unset to start a local cluster)"
                ) from None
            self._started, self._local = True, not address
        else:
            self._started = False
        try:
            self._check_resources(ray.cluster_resources())
        except ValueError:
            self.close()
            raise
        self._remote = ray.remote(max_retries=0)(run_shard_process)
        self.env = forwarded_env()

    def _check_resources(self, have: Mapping[str, float]) -> None:
        """A shard asking for more GPUs / CPUs than the cluster has would wait forever: fail on a local cluster
        (it cannot grow), warn on an existing one (an autoscaler may add nodes)."""
        for name, want, flag in (("GPU", self.options.gpus_per_shard, "--gpus-per-shard"),
                                 ("CPU", self.options.cpus_per_shard, "--cpus-per-shard")):
            if want > 0 and have.get(name, 0.0) < want:
                message = (f"each shard asks for {flag} {want:g} but the Ray cluster has {have.get(name, 0.0):g} "
                           f"{name}s, so no shard could start")
                if self._local:
                    hint = "; on a machine without GPUs pass --gpus-per-shard 0" if name == "GPU" else ""
                    raise ValueError(f"{message}{hint}")
                logger.warning("%s until the cluster grows (autoscaler)", message)

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
