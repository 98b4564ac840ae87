"""lmms-general tasks: list the General-Bench tasks (lmms-eval names, metric, SoTA) or look one up.

examples:
  lmms-general tasks                          # all 699 tasks
  lmms-general tasks --modality nlp           # one modality (groups: general_bench_nlp, ...)
  lmms-general tasks causal                   # names containing "causal"
  lmms-general tasks --json | jq length
  lmms-general tasks --requirements           # per task: metric weights, judge, extras, inputs, output
  lmms-general tasks --requirements --json req.json
  lmms-general tasks --runnable --paradigm generation   # only tasks that run offline here (weights present)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lmms_general.registry import MODALITIES, load_registry

HELP = "list registry tasks"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pattern", nargs="?", help="only tasks whose lmms-eval or display name contains PATTERN")
    parser.add_argument("--modality", choices=MODALITIES, type=str.lower)  # `3D` as the folder is named
    parser.add_argument("--paradigm", choices=("comprehension", "generation"), type=str.lower)
    parser.add_argument("--json", nargs="?", const="-", metavar="OUT",
                        help="JSON instead of a table: on stdout, or written to OUT")
    parser.add_argument("--requirements", action="store_true",
                        help="what each task needs beyond its data (weights, judge, extras) and whether it runs "
                             "offline here")
    parser.add_argument("--runnable", action="store_true",
                        help="only tasks runnable offline here: weights present, no judge, extras installed")


def run(args: argparse.Namespace) -> int:
    from lmms_general.commands.args import fail
    from lmms_general.user_errors import unknown_task_message

    specs = load_registry().select(args.modality, args.paradigm)
    if args.pattern:
        needle = args.pattern.lower()
        chosen = [s for s in specs if needle in s.task.lower() or needle in s.display_name.lower()]
        if not chosen:
            groups = sorted({s.group for s in specs} | {"general_bench"})
            return fail("lmms-general tasks", unknown_task_message(args.pattern, [s.task for s in specs] + groups))
        specs = chosen
    if args.requirements or args.runnable:
        return requirements_command(specs, args)
    if args.json:
        rows = [
            {"key": s.key, "task": s.task, "group": s.group, "task_name": s.task_name,
             "metric": s.metric_raw, "metric_id": s.metric_id, "sota": s.sota}
            for s in specs
        ]
        _emit_json(rows, args.json)
        return 0
    width = max((len(s.task) for s in specs), default=14)
    metric = max((len(s.metric_raw) for s in specs), default=6)
    print(f"{'lmms-eval task':<{width}}  {'group':<26} {'metric':<{metric}} {'SoTA':>10}  name")
    for s in specs:
        print(f"{s.task:<{width}}  {s.group:<26} {s.metric_raw:<{metric}} {s.sota:>10g}  {s.display_name}")
    print(f"{len(specs)} tasks")
    return 0


def _emit_json(rows: list[dict[str, object]], out: str) -> None:
    text = json.dumps(rows, indent=1, ensure_ascii=False)
    if out == "-":
        print(text)
    else:
        Path(out).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {len(rows)} tasks to {out}")


def requirements_command(specs: list, args: argparse.Namespace) -> int:
    """``--requirements`` / ``--runnable``: one line per task and a summary (or JSON)."""
    from collections import Counter

    from lmms_general.metrics.requirements import task_requirements

    reqs = task_requirements(specs)
    shown = [r for r in reqs if r.runnable] if args.runnable else reqs
    if args.json:
        _emit_json([r.to_json() for r in shown], args.json)
        return 0
    if args.runnable and not args.requirements:
        for r in shown:
            print(r.task)
    else:
        width = max((len(r.task) for r in shown), default=14)
        print(f"{'lmms-eval task':<{width}}  {'metric':<26} {'output':<6} {'runnable':<8} needs")
        for r in shown:
            needs = ", ".join([*(f"weights {w}" for w in r.weights), *(["judge"] if r.judge else []),
                               *(f"extra {e}" for e in r.extras)]) or "-"
            missing = f" (missing: {', '.join(r.missing)})" if r.missing else ""
            print(f"{r.task:<{width}}  {r.metric_id:<26} {r.output:<6} {'yes' if r.runnable else 'no':<8} "
                  f"{needs}{missing}")
    blockers = Counter(m for r in reqs for m in r.missing)
    print(f"{sum(r.runnable for r in reqs)} of {len(reqs)} tasks runnable offline here; "
          f"{sum(1 for r in reqs if r.weights)} need metric weights, {sum(1 for r in reqs if r.judge)} a judge, "
          f"{sum(1 for r in reqs if r.extras)} an extra", file=sys.stderr if args.runnable else sys.stdout)
    if blockers and args.requirements:
        print("missing here: " + ", ".join(f"{m} ({n} tasks)" for m, n in blockers.most_common()) +
              " - `lmms-general weights fetch NAME` / `lmms-general weights check`")
    return 0
