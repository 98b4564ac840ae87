"""lmms-general launch: run a shard plan as Ray tasks, or write a Slurm job array for it; then merge.

examples:

    lmms-general launch --backend ray --address auto --shards 16 --tasks general_bench \\
        --model qwen2_5_vl --model_args pretrained=Qwen/Qwen2.5-VL-7B-Instruct --gpus-per-shard 1 --output runs/qwen
    lmms-general launch --backend slurm --plan plan.json --model ... --output runs/qwen --partition gpu
    lmms-general level runs/qwen/merged

Arguments after -- go to every shard's lmms-eval command (e.g. -- --use_cache runs/qwen/cache).
On a machine without GPUs pass --gpus-per-shard 0 (the default asks for one GPU per shard).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from lmms_general.launch.plan_command import add_selection_arguments, print_plan

HELP = "run a shard plan on Ray or write a Slurm array script"
PROG = "lmms-general launch"
logger = logging.getLogger("lmms_general")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("ray", "slurm"), default="ray",
                        help="run the shards as Ray tasks (default), or write a Slurm job array")
    parser.add_argument("--plan", type=Path, help="plan JSON from `lmms-general plan --out` (else planned here)")
    add_selection_arguments(parser)
    parser.add_argument("--output", type=Path, required=True, help="launch folder (shards/, logs/, merged/)")
    parser.add_argument("--model", help="lmms-eval --model")
    parser.add_argument("--model_args", default="", help="lmms-eval --model_args")
    parser.add_argument("--batch_size", default="1", help="lmms-eval --batch_size (default 1)")
    parser.add_argument("--limit", type=int, help="lmms-eval --limit per task (smoke runs)")
    parser.add_argument("--gpus-per-shard", type=float, default=1.0,
                        help="GPUs each shard requests (default 1; 0 for CPU)")
    parser.add_argument("--cpus-per-shard", type=float, default=1.0,
                        help="CPUs each shard requests (default 1)")
    parser.add_argument("--retries", type=int, default=2, help="re-runs of a failed shard (default 2)")
    parser.add_argument("--force", action="store_true", help="re-run shards whose results already exist")
    parser.add_argument("--merge-only", action="store_true", help="only merge existing shard outputs")
    ray = parser.add_argument_group("ray")
    ray.add_argument("--address", help="Ray cluster address (default $RAY_ADDRESS, else start a local cluster)")
    ray.add_argument("--num-cpus", type=int, help="CPUs of a local cluster Ray starts")
    ray.add_argument("--num-gpus", type=int, help="GPUs of a local cluster Ray starts")
    slurm = parser.add_argument_group("slurm")
    slurm.add_argument("--partition")
    slurm.add_argument("--time", help="sbatch --time per shard, e.g. 24:00:00")
    slurm.add_argument("--max-parallel", type=int, help="at most this many shards at once (array %%N)")
    slurm.add_argument("--job-name", default="general-bench")
    slurm.add_argument("--sbatch-arg", action="append", default=[], help="extra #SBATCH line, repeatable")
    parser.add_argument("extra", nargs="*", metavar="-- LMMS_EVAL_ARG", help="passed to every shard's lmms-eval")


def _plan(args: argparse.Namespace):  # noqa: ANN202 - Plan
    from lmms_general.launch.plan import Plan, make_plan

    saved = args.output / "plan.json"
    if args.plan:
        plan = Plan.read(args.plan)
    elif args.shards:
        plan = make_plan([t for t in args.tasks.split(",") if t.strip()], args.shards, args.root)
    elif saved.is_file():
        plan = Plan.read(saved)
    else:
        raise ValueError("give --plan PLAN.json or --shards N (with --tasks)")
    if saved.is_file() and not args.plan and args.shards:
        previous = Plan.read(saved)
        if [s.task_names for s in previous.shards] != [s.task_names for s in plan.shards]:
            raise ValueError(f"{saved} holds a different plan; use another --output, or --plan {saved} to resume it")
    plan.write(saved)
    return plan


def run(args: argparse.Namespace) -> int:
    from lmms_general.commands.args import fail
    from lmms_general.launch.jobs import LaunchSpec, make_jobs, quote, run_with_retries
    from lmms_general.launch.merge import merge_shards

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    extra = list(args.extra or [])
    try:
        plan = _plan(args)
    except (ValueError, FileNotFoundError, OSError) as exc:  # a bad plan, selection or root: one line, exit 2
        return fail(PROG, str(exc))
    if not args.merge_only and not args.model:
        return fail(PROG, "--model is required")
    print_plan(plan)
    spec = LaunchSpec(args.model or "", args.model_args, str(args.batch_size), args.limit, tuple(extra))
    jobs = make_jobs(plan, spec, args.output.resolve())
    from lmms_general.launch.ray_backend import forwarded_env

    env = {**forwarded_env(), **({"GENERAL_BENCH_ROOT": plan.root} if plan.root else {})}
    if args.backend == "slurm" and not args.merge_only:
        from lmms_general.launch.slurm import SlurmOptions, write_slurm

        options = SlurmOptions(args.job_name, int(args.gpus_per_shard), int(args.cpus_per_shard), args.partition,
                               args.time, args.max_parallel, args.retries, tuple(args.sbatch_arg))
        merge = [sys.executable, "-m", "lmms_general.cli", "launch", "--merge-only", "--output",
                 str(args.output.resolve()), "--plan", str((args.output / "plan.json").resolve())]
        submit = write_slurm(jobs, options, env, args.output.resolve() / "slurm", merge)
        print(f"wrote {submit.parent}/shards.sbatch ({len(jobs)} array tasks) and merge.sbatch; submit with: {submit}")
        return 0
    if not args.merge_only:
        from lmms_general.launch.ray_backend import RayOptions, RaySubmitter

        os.environ.update(env)
        try:
            submitter = RaySubmitter(RayOptions(args.address, args.gpus_per_shard, args.cpus_per_shard,
                                                args.num_cpus, args.num_gpus))
        except (ImportError, ConnectionError, ValueError) as exc:  # no Ray, no cluster, or shards that never fit
            return fail(PROG, str(exc))
        try:
            for job in jobs:
                logger.info("%s: %s", job.shard.name, quote(job.command))
            failed = run_with_retries(jobs, submitter, args.retries, args.force)
        finally:
            submitter.close()
        if failed:
            for job in failed:
                print(f"{job.shard.name} failed after {job.attempts} attempt(s); log {job.log}\n"
                      f"  {job.errors[-1][:800]}", file=sys.stderr)
            return 1
    missing = [j.shard.name for j in jobs if not j.complete]
    if missing:
        print(f"lmms-general launch: shards without complete results: {', '.join(missing)}", file=sys.stderr)
        return 1
    merged = merge_shards(plan, [j.out_dir for j in jobs], args.output / "merged")
    print(f"merged {len(jobs)} shard(s) into {merged}\nnext: lmms-general level {args.output / 'merged'}")
    return 0
