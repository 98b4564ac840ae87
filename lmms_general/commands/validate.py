"""``lmms-general validate --root DIR [--json OUT]``: index a General-Bench tree and report what loads.

Prints one row per task folder (modality, paradigm, folder, registry key, samples, missing media,
errors) and writes the same as JSON with ``--json``. Exits 0 whenever the tree could be read (tasks
with errors are listed, not fatal), 2 when DIR is not a General-Bench tree.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from lmms_general.dataset import DatasetNotFoundError, RootIndex, TaskFolder, index_root

HELP = "index a General-Bench tree and report what loads"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lmms_general.commands.args import add_root_argument, non_negative_int, output_file

    add_root_argument(parser, "General-Bench-Openset or -Closeset folder")
    parser.add_argument("--json", type=output_file, metavar="OUT", help="also write the index as JSON to OUT")
    parser.add_argument("--no-cache", action="store_true", help="ignore the on-disk index cache")
    parser.add_argument("--errors", type=non_negative_int, default=3, metavar="N",
                        help="errors printed per task (default 3)")


def task_record(task: TaskFolder) -> dict[str, Any]:
    """One task of the JSON report."""
    return {
        "modality": task.modality,
        "paradigm": task.paradigm,
        "folder": str(task.source or task.folder),
        "annotation_file": str(task.annotation_file) if task.annotation_file else None,
        "task_name": task.task_name,
        "registry_key": task.registry_key,
        "samples": task.samples,
        "media_missing": task.media_missing,
        "errors": list(task.errors),
    }


def report(index: RootIndex) -> dict[str, Any]:
    """The JSON report of an index."""
    return {
        "root": str(index.root),
        "tasks": [task_record(t) for t in index.tasks],
        "unmatched_registry_keys": list(index.unmatched_registry_keys),
    }


def render_table(index: RootIndex, errors_per_task: int = 3) -> str:
    """A plain-text table of the index, with the first errors of each task underneath it."""
    lines = [
        f"{'modality':<8} {'paradigm':<13} {'folder':<44} {'registry key':<60} "
        f"{'samples':>7} {'missing':>7} {'errors':>6}"
    ]
    for t in index.tasks:
        lines.append(
            f"{t.modality:<8} {t.paradigm:<13} {t.name[:44]:<44} {(t.registry_key or '-')[:60]:<60} "
            f"{t.samples:>7} {t.media_missing:>7} {len(t.errors):>6}"
        )
        for error in t.errors[:errors_per_task]:
            lines.append(f"    ! {error}")
        if len(t.errors) > errors_per_task:
            lines.append(f"    ! ... {len(t.errors) - errors_per_task} more")
    matched = sum(t.registry_key is not None for t in index.tasks)
    lines.append(
        f"{len(index.tasks)} task folders, {matched} matched to registry rows, "
        f"{sum(t.samples for t in index.tasks)} samples, {sum(len(t.errors) for t in index.tasks)} errors; "
        f"{len(index.unmatched_registry_keys)} registry rows without a folder"
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        index = index_root(args.root, use_cache=not args.no_cache)
    except DatasetNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(render_table(index, args.errors))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report(index), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0
