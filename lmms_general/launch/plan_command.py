"""lmms-general plan: split a task selection into shards balanced by expected cost; print and save the plan.

A task's cost is its sample count under the data root times a per-sample cost of its media kind and
paradigm; a task is never split.

examples:
  lmms-general plan --shards 32 --out plan.json                 # all of general_bench
  lmms-general plan --shards 4 --tasks general_bench_image_comp,general_bench_nlp --root DIR
  lmms-general launch --backend slurm --plan plan.json ...      # then run it
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "split a task selection into shards balanced by cost"
PROG = "lmms-general plan"


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tasks", default="general_bench",
                        help="comma-separated General-Bench task or group names (default: general_bench)")
    from lmms_general.commands.args import positive_int

    parser.add_argument("--shards", type=positive_int, help="number of shards (jobs)")
    parser.add_argument("--root", type=Path, help="General-Bench folder (default: $GENERAL_BENCH_ROOT)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_selection_arguments(parser)
    parser.add_argument("--out", type=Path, help="write the plan JSON here (input of `lmms-general launch --plan`)")


def print_plan(plan, stream=None) -> None:  # noqa: ANN001 - Plan
    stream = stream or sys.stdout  # looked up per call (a captured or replaced stdout)
    total = sum(s.cost for s in plan.shards) or 1.0
    for shard in plan.shards:
        kinds = sorted({f"{t.modality}/{t.paradigm[:3]}" for t in shard.tasks})
        print(f"{shard.name}: {len(shard.tasks):4d} tasks {shard.samples:7d} samples  cost {shard.cost:10.1f} "
              f"({100 * shard.cost / total:5.1f}%)  {' '.join(kinds)}", file=stream)
    if plan.skipped:
        print(f"{len(plan.skipped)} selected task(s) have no samples under {plan.root} and are left out, "
              f"e.g. {', '.join(plan.skipped[:3])}", file=stream)


def run(args: argparse.Namespace) -> int:
    from lmms_general.commands.args import fail
    from lmms_general.launch.plan import make_plan

    if not args.shards:
        return fail(PROG, "--shards N is required")
    try:
        plan = make_plan([t for t in args.tasks.split(",") if t.strip()], args.shards, args.root)
    except (ValueError, FileNotFoundError, OSError) as exc:  # a bad selection or root: one line, exit 2
        return fail(PROG, str(exc))
    print_plan(plan)
    if args.out:
        plan.write(args.out)
        print(f"plan written to {args.out}")
    return 0
