"""``lmms-general`` command line: one sub-command per module in :mod:`lmms_general.commands`.

Each command module exposes ``HELP: str``, ``add_arguments(parser)`` and ``run(args) -> int``.
Modules are imported only when their command runs, so ``lmms-general --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

#: command name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("lmms_general.commands.validate", "index a General-Bench tree and report what loads"),
    "metrics": ("lmms_general.commands.metrics", "list every metric, its tasks and implementation"),
    "score": ("lmms_general.commands.score", "score official-suite prediction.json files in a tree"),
    "level": ("lmms_general.commands.level", "General-Level table and report from lmms-eval runs"),
    "export-submission": (
        "lmms_general.commands.export_submission",
        "write Closeset prediction.json files and the submission zip",
    ),
    "tasks": ("lmms_general.commands.tasks", "list registry tasks and their lmms-eval names"),
    "paths": ("lmms_general.commands.paths", "print the task YAML folder to pass as --include_path"),
    "plan": ("lmms_general.launch.plan_command", "split a task selection into shards balanced by cost"),
    "launch": ("lmms_general.launch.launch_command", "run a shard plan on Ray or write a Slurm array script"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lmms-general", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"} or argv[0] not in COMMANDS:
        build_parser().parse_args(argv)  # prints help / the error and exits
        return 2
    name, rest = argv[0], argv[1:]
    module = importlib.import_module(COMMANDS[name][0])
    parser = argparse.ArgumentParser(prog=f"lmms-general {name}", description=COMMANDS[name][1])
    module.add_arguments(parser)
    return int(module.run(parser.parse_args(rest)) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
