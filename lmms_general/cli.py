"""General-Bench tasks and General-Level scores for lmms-eval.

Run the benchmark with lmms-eval itself (lmms-eval --model ... --tasks general_bench_image ...),
then turn its output folder into General-Level reports with lmms-general level OUTPUT_PATH.
lmms-general COMMAND --help describes each command.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

#: command name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "level": ("lmms_general.commands.level", "General-Level table and reports from lmms-eval output folders"),
    "tasks": ("lmms_general.commands.tasks", "list registry tasks and their lmms-eval names"),
    "validate": ("lmms_general.commands.validate", "index a General-Bench tree and report what loads"),
    "metrics": ("lmms_general.commands.metrics", "list every metric, its tasks and implementation"),
    "prompts": ("lmms_general.commands.prompts", "show (and --lint) the prompt text and media a model receives"),
    "score": ("lmms_general.commands.score", "score official-suite prediction.json files in a tree"),
    "export-submission": (
        "lmms_general.commands.export_submission",
        "write Closeset prediction.json files and the submission zip",
    ),
    "weights": ("lmms_general.commands.weights", "list, fetch and check the weights model-based metrics need"),
    "paths": ("lmms_general.commands.paths", "print the task YAML folder to pass as --include_path"),
    "plan": ("lmms_general.launch.plan_command", "split a task selection into shards balanced by cost"),
    "launch": ("lmms_general.launch.launch_command", "run a shard plan on Ray or write a Slurm array script"),
}


def _version() -> str:
    from lmms_general import __version__

    try:
        from importlib.metadata import version

        lmms_eval = version("lmms_eval")
    except Exception:  # noqa: BLE001 - not installed: say so
        lmms_eval = "not installed"
    return f"lmms-general {__version__} (lmms-eval {lmms_eval})"


def build_parser() -> argparse.ArgumentParser:
    from lmms_general.commands.args import Parser

    parser = Parser(
        prog="lmms-general", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def command_parser(name: str) -> tuple[argparse.ArgumentParser, object]:
    """The parser of one command (its description is the command module's docstring) and the module."""
    from lmms_general.commands.args import Parser

    module = importlib.import_module(COMMANDS[name][0])
    parser = Parser(
        prog=f"lmms-general {name}",
        description=module.__doc__ or COMMANDS[name][1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    module.add_arguments(parser)  # type: ignore[attr-defined]
    return parser, module


def _quiet_broken_pipe() -> int:
    """``lmms-general tasks | head``: the reader left; exit quietly like other Unix tools."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 141  # 128 + SIGPIPE, as a shell reports it


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if not argv or argv[0] not in COMMANDS:
            build_parser().parse_args(argv)  # prints help, the version or the error, and exits
            return 2
        parser, module = command_parser(argv[0])
        try:
            args = parser.parse_args(argv[1:])
        except SystemExit as exc:  # --help (0) or a one-line argument error (2)
            return int(exc.code or 0) if not isinstance(exc.code, str) else 2
        status = int(module.run(args) or 0)  # type: ignore[attr-defined]
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return status
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except KeyboardInterrupt:
        print("lmms-general: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
