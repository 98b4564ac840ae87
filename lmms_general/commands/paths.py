"""``lmms-general paths``: the task folder for ``--include_path`` (lmms-eval; lm-eval with ``--lm-eval``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "print the task YAML folder for --include_path"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lm-eval", action="store_true",
        help="the lm-evaluation-harness set (NLP tasks; narrowed to those present under --root)",
    )
    parser.add_argument("--root", type=Path, help="General-Bench folder (default: $GENERAL_BENCH_ROOT)")


def run(args: argparse.Namespace) -> int:
    if args.lm_eval:
        from lmms_general.lm_eval_route import include_path

        try:
            print(include_path(args.root))
        except (FileNotFoundError, ValueError) as exc:
            print(f"lmms-general paths: {exc}", file=sys.stderr)
            return 1
        return 0
    from lmms_general.lmms_integration import tasks_dir

    print(tasks_dir())
    return 0
