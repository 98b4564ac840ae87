"""Write a Slurm job array for a plan: ``shards.sbatch`` (one array task per shard) and ``submit.sh``.

``submit.sh`` submits the array, then a merge job with ``--dependency=afterany`` on it, which runs
``lmms-general launch --merge-only`` (it names shards that still lack results). Each array task skips its shard
when the results already exist (resume) and retries the shard's command up to ``retries`` more times.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lmms_general.launch.jobs import ShardJob, quote


@dataclass(frozen=True)
class SlurmOptions:
    job_name: str = "general-bench"
    gpus_per_shard: int = 1
    cpus_per_shard: int = 8
    partition: str | None = None
    time: str | None = None
    max_parallel: int | None = None
    retries: int = 2
    sbatch_args: tuple[str, ...] = field(default_factory=tuple)


def _header(options: SlurmOptions, logs: Path, array: str | None, name: str) -> list[str]:
    lines = ["#!/bin/bash", f"#SBATCH --job-name={name}", f"#SBATCH --cpus-per-task={options.cpus_per_shard}"]
    if array:
        lines += [f"#SBATCH --array={array}", f"#SBATCH --output={logs}/%x_%a.out"]
    else:
        lines += [f"#SBATCH --output={logs}/%x.out"]
    if options.gpus_per_shard and array:
        lines.append(f"#SBATCH --gres=gpu:{options.gpus_per_shard}")
    if options.partition:
        lines.append(f"#SBATCH --partition={options.partition}")
    if options.time:
        lines.append(f"#SBATCH --time={options.time}")
    lines += [f"#SBATCH {arg}" for arg in options.sbatch_args]
    return lines


def render_array(jobs: Sequence[ShardJob], options: SlurmOptions, env: dict[str, str], logs: Path) -> str:
    """The sbatch array script text (one array index per job, in plan order)."""
    array = f"0-{len(jobs) - 1}" + (f"%{options.max_parallel}" if options.max_parallel else "")
    lines = _header(options, logs, array, options.job_name)
    lines += ["set -uo pipefail", *(f"export {k}={shlex.quote(v)}" for k, v in sorted(env.items())), ""]
    lines.append("case \"$SLURM_ARRAY_TASK_ID\" in")
    for index, job in enumerate(jobs):
        tasks = ",".join(job.shard.task_names)
        lines += [
            f"  {index})",
            f"    SHARD={job.shard.name}",
            f"    OUT={shlex.quote(str(job.out_dir))}",
            f"    TASKS={shlex.quote(tasks)}",
            f"    CMD=({quote(job.command)})",
            "    ;;",
        ]
    lines += [
        "  *) echo \"no shard for array index $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;",
        "esac",
        "",
        "# resume: a shard whose newest results file has every task is done",
        "done_already() {",
        f"  {shlex.quote(sys.executable)} -c 'import sys; from pathlib import Path; "
        "from lmms_general.launch.merge import shard_complete; "
        "sys.exit(0 if shard_complete(Path(sys.argv[1]), sys.argv[2].split(\",\")) else 1)' \"$OUT\" \"$TASKS\"",
        "}",
        "if done_already; then echo \"$SHARD: results exist; skipped\"; exit 0; fi",
        f"for attempt in $(seq 1 {options.retries + 1}); do",
        "  echo \"$SHARD: attempt $attempt on $(hostname)\"",
        "  \"${CMD[@]}\" && done_already && exit 0",
        "  echo \"$SHARD: attempt $attempt failed\" >&2",
        "done",
        "exit 1",
        "",
    ]
    return "\n".join(lines)


def render_merge(merge_command: Sequence[str], options: SlurmOptions, env: dict[str, str], logs: Path) -> str:
    """The merge job's sbatch script (CPU only)."""
    lines = _header(SlurmOptions(**{**options.__dict__, "gpus_per_shard": 0, "cpus_per_shard": 2}), logs, None,
                    f"{options.job_name}-merge")
    lines += ["set -euo pipefail", *(f"export {k}={shlex.quote(v)}" for k, v in sorted(env.items())),
              quote(merge_command), ""]
    return "\n".join(lines)


def write_slurm(
    jobs: Sequence[ShardJob], options: SlurmOptions, env: dict[str, str], folder: Path, merge_command: Sequence[str]
) -> Path:
    """Write ``shards.sbatch``, ``merge.sbatch`` and ``submit.sh`` into ``folder``; return ``submit.sh``."""
    logs = folder.parent / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    (folder / "shards.sbatch").write_text(render_array(jobs, options, env, logs), encoding="utf-8")
    (folder / "merge.sbatch").write_text(render_merge(merge_command, options, env, logs), encoding="utf-8")
    submit = folder / "submit.sh"
    submit.write_text(
        "#!/bin/bash\nset -euo pipefail\ncd \"$(dirname \"$0\")\"\n"
        "ARRAY=$(sbatch --parsable shards.sbatch)\n"
        "echo \"shards: job array $ARRAY\"\n"
        "sbatch --dependency=afterany:$ARRAY merge.sbatch\n",
        encoding="utf-8",
    )
    submit.chmod(0o755)
    return submit
