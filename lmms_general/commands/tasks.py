"""lmms-general tasks: list the General-Bench tasks (lmms-eval names, metric, SoTA) or look one up.

examples:
  lmms-general tasks                          # all 699 tasks
  lmms-general tasks --modality nlp           # one modality (groups: general_bench_nlp, ...)
  lmms-general tasks causal                   # names containing "causal"
  lmms-general tasks --json | jq length
"""

from __future__ import annotations

import argparse
import json

from lmms_general.registry import MODALITIES, load_registry

HELP = "list registry tasks"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pattern", nargs="?", help="only tasks whose lmms-eval or display name contains PATTERN")
    parser.add_argument("--modality", choices=MODALITIES, type=str.lower)  # `3D` as the folder is named
    parser.add_argument("--paradigm", choices=("comprehension", "generation"), type=str.lower)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


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
    if args.json:
        rows = [
            {"key": s.key, "task": s.task, "group": s.group, "task_name": s.task_name,
             "metric": s.metric_raw, "metric_id": s.metric_id, "sota": s.sota}
            for s in specs
        ]
        print(json.dumps(rows, indent=1, ensure_ascii=False))
        return 0
    width = max((len(s.task) for s in specs), default=14)
    metric = max((len(s.metric_raw) for s in specs), default=6)
    print(f"{'lmms-eval task':<{width}}  {'group':<26} {'metric':<{metric}} {'SoTA':>10}  name")
    for s in specs:
        print(f"{s.task:<{width}}  {s.group:<26} {s.metric_raw:<{metric}} {s.sota:>10g}  {s.display_name}")
    print(f"{len(specs)} tasks")
    return 0
