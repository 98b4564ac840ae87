"""lmms-general paths: the task folder for --include_path (lmms-eval; lm-eval with --lm-eval).

examples:
  lmms-eval --include_path "$(lmms-general paths)" --model ... --tasks general_bench_nlp
  lm_eval --include_path "$(lmms-general paths --lm-eval)" --model hf ... --tasks general_bench_nlp
"""

from __future__ import annotations

import argparse
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
        from lmms_general.commands.args import fail
        from lmms_general.lm_eval_route import include_path

        try:
            print(include_path(args.root))
        except (FileNotFoundError, ValueError) as exc:  # a bad root: one error line, exit 2
            return fail("lmms-general paths", str(exc))
        return 0
    from lmms_general.lmms_integration import tasks_dir

    print(tasks_dir())
    return 0
