"""lmms-general validate: index a General-Bench tree and report what loads.

Prints one row per task folder (modality, paradigm, folder, registry key, samples, missing media,
errors) and writes the same as JSON with --json. --deep also decodes every media file and
lists the corrupt ones (file, task, sample). Task folders that match no reference row are listed as "outside
the reference table" with the lmms-eval task they run as (general_bench_*_extra_*, metric inferred from the
annotation, reported apart from General-Level) or why they cannot run.
Exits 0 whenever the tree could be read (tasks with
errors are listed, not fatal), 2 when DIR is not a General-Bench tree or OUT cannot be written.

examples:
  lmms-general validate --root /data/General-Bench-Openset
  lmms-general validate                          # the folder in $GENERAL_BENCH_ROOT
  lmms-general validate --root DIR --deep --json index.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lmms_general.dataset import DatasetNotFoundError, RootIndex, TaskFolder, index_root, read_task

HELP = "index a General-Bench tree and report what loads"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lmms_general.commands.args import add_root_argument, non_negative_int, output_file

    add_root_argument(parser, "General-Bench-Openset or -Closeset folder")
    parser.add_argument("--json", type=output_file, metavar="OUT", help="also write the index as JSON to OUT")
    parser.add_argument("--no-cache", action="store_true", help="ignore the on-disk index cache")
    parser.add_argument("--errors", type=non_negative_int, default=3, metavar="N",
                        help="errors printed per task (default 3)")
    parser.add_argument(
        "--deep", action="store_true", help="decode every media file (image, audio, video, point cloud); slow"
    )


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


def outside_record(task: Any) -> dict[str, Any]:
    """One task folder outside the reference table in the JSON report."""
    return {"folder": str(task.folder.source or task.folder.folder), "task": task.task,
            "metric_id": task.spec.metric_id if task.spec else None, "runnable": task.spec is not None,
            "reason": task.reason}


def report(index: RootIndex, outside: Sequence[Any] = ()) -> dict[str, Any]:
    """The JSON report of an index (``outside``: :func:`lmms_general.extra_tasks.discover` of its root)."""
    return {
        "root": str(index.root),
        "tasks": [task_record(t) for t in index.tasks],
        "unmatched_registry_keys": list(index.unmatched_registry_keys),
        "outside_table": [outside_record(t) for t in outside],
    }


def outside_lines(outside: Sequence[Any]) -> list[str]:
    """The section listing task folders outside the reference table and how each runs (or why it cannot)."""
    if not outside:
        return []
    lines = [f"{len(outside)} task folder(s) outside the reference table (run apart from General-Level, no SoTA):"]
    for t in outside:
        where = f"{t.folder.modality}/{t.folder.name}"
        how = (f"{t.task} (metric {t.spec.metric_id}: {t.reason})" if t.spec else f"cannot run: {t.reason}")
        lines.append(f"  {where} -> {how}")
    return lines


def render_table(index: RootIndex, errors_per_task: int = 3, outside: Sequence[Any] = ()) -> str:
    """A plain-text table of the index, with the first errors of each task underneath it."""
    lines = [
        f"{'modality':<8} {'paradigm':<13} {'folder':<44} {'registry key':<60} "
        f"{'samples':>7} {'missing':>7} {'errors':>6}"
    ]
    outside_sources = {str(t.folder.source or t.folder.folder) for t in outside}
    for t in index.tasks:
        key = t.registry_key or ("outside the reference table" if str(t.source or t.folder) in outside_sources
                                 else "-")
        lines.append(
            f"{t.modality:<8} {t.paradigm:<13} {t.name[:44]:<44} {key[:60]:<60} "
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
        + (f", {len(outside)} outside the reference table" if outside else "")
    )
    return "\n".join(lines + outside_lines(outside))


def deep_errors(task: TaskFolder, memo: dict[Path, str | None] | None = None) -> list[str]:
    """Decode every media file of one task; one error per corrupt file, naming file, task and sample."""
    from lmms_general.dataset.archives import UNREADABLE_MEMBER
    from lmms_general.dataset.deep import decode_media

    memo = {} if memo is None else memo
    where = task.registry_key or task.name
    try:
        data = read_task(task, verify_media=False)
    except Exception as exc:  # noqa: BLE001 - reported for this task, the others go on
        return [f"{task.source}: task {where}: cannot load for --deep ({type(exc).__name__}: {exc})"]
    # archive members that failed their CRC check while unpacking (the index lists archives without reading them)
    errors = [f"task {where}: {e}" for e in data.errors if UNREADABLE_MEMBER in e]
    for sample in data.samples:
        for ref in sample.media:
            try:
                found = decode_media(ref, memo)
            except Exception as exc:  # noqa: BLE001 - e.g. an unreadable frame folder
                found = [f"cannot read {ref.path} ({type(exc).__name__}: {exc})"]
            errors.extend(f"{task.annotation_file}: task {where}: sample {sample.id!r}: {e}" for e in found)
    return errors


def deepen(index: RootIndex) -> RootIndex:
    """The index with every task's corrupt media files added to its errors (``--deep``)."""
    memo: dict[Path, str | None] = {}
    tasks = [dataclasses.replace(t, errors=(*t.errors, *deep_errors(t, memo))) for t in index.tasks]
    by_key = {t.registry_key: t for t in tasks if t.registry_key}
    return RootIndex(index.root, tasks, list(index.unmatched_registry_keys), by_key)


def printable(text: str) -> str:
    """``text`` with anything the terminal cannot encode (lone surrogates) escaped."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    return text.encode(encoding, "backslashreplace").decode(encoding, "replace")


def outside_tasks(root: Path) -> list[Any]:
    """Task folders outside the reference table under ``root`` with their inferred metric ([] if unreadable)."""
    from lmms_general.extra_tasks import discover

    try:
        return discover(root)
    except Exception as exc:  # noqa: BLE001 - the index table is still worth printing
        print(printable(f"lmms-general validate: warning: task folders outside the reference table not inspected "
                        f"({type(exc).__name__}: {exc})"), file=sys.stderr)
        return []


def run(args: argparse.Namespace) -> int:
    try:
        index = index_root(args.root, use_cache=not args.no_cache, check_samples=True)
    except DatasetNotFoundError as exc:
        print(printable(f"lmms-general validate: error: {exc}"), file=sys.stderr)
        return 2
    if args.deep:
        index = deepen(index)
    outside = outside_tasks(args.root)
    print(printable(render_table(index, max(args.errors, 0), outside)))
    if args.json:
        text = json.dumps(report(index, outside), indent=1, ensure_ascii=False) + "\n"
        try:
            from lmms_general.atomic_json import write_text_atomic

            write_text_atomic(args.json, text, errors="backslashreplace")  # \udXXX stays valid JSON
        except OSError as exc:
            print(printable(f"lmms-general validate: error: cannot write {args.json}: {exc.strerror or exc}"),
                  file=sys.stderr)
            return 2
        print(printable(f"wrote {args.json}"))
    return 0
