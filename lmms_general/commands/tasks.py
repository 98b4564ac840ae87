"""``lmms-general tasks``: list the registry (optionally one modality / paradigm) as a table or JSON."""

from __future__ import annotations

import argparse
import json

from lmms_general.registry import MODALITIES, load_registry

HELP = "list registry tasks"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--modality", choices=MODALITIES)
    parser.add_argument("--paradigm", choices=("comprehension", "generation"))
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    specs = load_registry().select(args.modality, args.paradigm)
    if args.json:
        rows = [
            {"key": s.key, "task": s.task, "group": s.group, "task_name": s.task_name,
             "metric": s.metric_raw, "metric_id": s.metric_id, "sota": s.sota}
            for s in specs
        ]
        print(json.dumps(rows, indent=1, ensure_ascii=False))
        return 0
    for s in specs:
        print(f"{s.task:<80} {s.metric_raw:<14} {s.sota:>10g}  {s.display_name}")
    print(f"{len(specs)} tasks")
    return 0
