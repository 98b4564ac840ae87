"""lmms-general prompts: show exactly what a model receives, before any GPU hour is spent.

For the first N samples of every task under the root that matches PATTERN (a part of the lmms-eval task name,
the task's name or its folder name; task folders outside the reference table run as general_bench_*_extra_*),
prints the text lmms-eval's doc_to_text hook gives and the input media doc_to_visual gives (each file, and what
the hook decoded it to). --json OUT writes the same as a list of
{"task", "sample_id", "text", "media": [paths]}.

--lint checks every sample of the selected tasks (not only the first N) and reports per task: placeholder,
empty or raw-structure prompts (JSON text, a bare file name), a label metric without a label set, an
instruction contradicting the annotation's own, missing media and over-long prompts (--max-chars). Accepted
exceptions (lmms_general/protocol/lint.py, ACCEPTED) are shown with their reason and do not fail.
Exit status: 0; 1 when --lint found anything or a task could not be built; 2 for a bad argument, root or
pattern.

examples:
  lmms-general prompts --root /data/General-Bench-Openset            # 3 samples of every task
  lmms-general prompts causal --limit 1                              # tasks whose name contains "causal"
  lmms-general prompts image_comp --json prompts.json                # what image comprehension tasks send
  lmms-general prompts --lint                                        # lint every task under $GENERAL_BENCH_ROOT
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmms_general.protocol.doc import Doc

HELP = "show (and lint) the prompt text and media a model receives"
PROG = "lmms-general prompts"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lmms_general.commands.args import add_root_argument, output_file, positive_int
    from lmms_general.protocol.lint import MAX_PROMPT_CHARS

    parser.add_argument("pattern", nargs="?", help="only tasks whose lmms-eval name, name or folder contains PATTERN")
    add_root_argument(parser, "General-Bench-Openset or -Closeset folder")
    parser.add_argument("--limit", type=positive_int, default=3, metavar="N", help="samples shown per task (default 3)")
    parser.add_argument("--json", type=output_file, metavar="OUT", help="write the shown samples as JSON to OUT")
    parser.add_argument("--lint", action="store_true", help="check every sample's prompt and media; exit 1 on findings")
    parser.add_argument("--max-chars", type=positive_int, default=MAX_PROMPT_CHARS, metavar="N",
                        help=f"--lint: longest acceptable prompt in characters (default {MAX_PROMPT_CHARS})")


@dataclass(frozen=True)
class SelectedTask:
    """One task folder to show: its lmms-eval task name, key (``..._extra_...`` outside the table) and folder."""

    task: str
    key: str
    folder: Any  # lmms_general.dataset.TaskFolder

    def docs(self, root: Path) -> list[Doc]:
        """Every sample of the task as lmms-eval's ``process_docs`` builds it."""
        from lmms_general import extra_tasks
        from lmms_general.hooks.docs import build_docs
        from lmms_general.protocol import doc_of

        build = extra_tasks.build_docs if extra_tasks.is_extra_key(self.key) else build_docs
        return [doc_of(row) for row in build(self.key, root)]


def select_tasks(index: Any, pattern: str | None, outside: Sequence[Any] = ()) -> list[SelectedTask]:
    """The tasks of an index that match ``pattern`` (all when None), in index order; ``outside``: the runnable
    task folders outside the reference table (:func:`lmms_general.extra_tasks.discover`)."""
    from lmms_general.registry import load_registry

    registry = load_registry()
    extra = {str(t.folder.source or t.folder.folder): t.spec for t in outside if t.spec is not None}
    chosen = []
    for folder in index.tasks:
        spec = registry[folder.registry_key] if folder.registry_key else extra.get(str(folder.source or folder.folder))
        if spec is None:
            continue
        names = (spec.task, spec.display_name, folder.name, str(folder.task_name or ""))
        if pattern is None or any(pattern.lower() in n.lower() for n in names):
            chosen.append(SelectedTask(spec.task, spec.key, folder))
    return chosen


def describe_visual(value: Any) -> str:
    """What ``doc_to_visual`` made of one input: ``image 640x480``, ``audio 16000 Hz 2.0 s``, ``array (512, 3)``."""
    if hasattr(value, "size") and hasattr(value, "mode") and not hasattr(value, "shape"):
        return f"image {value.size[0]}x{value.size[1]}"
    if isinstance(value, dict) and "array" in value:
        rate = int(value.get("sampling_rate") or 0)
        seconds = len(value["array"]) / rate if rate else 0.0
        return f"audio {rate} Hz {seconds:.1f} s"
    if hasattr(value, "shape"):
        return f"array {tuple(value.shape)}"
    return f"file {value}"


def shown_sample(task: str, doc: Doc) -> tuple[dict[str, Any], list[str]]:
    """The JSON record of one sample (the real ``doc_to_text`` / ``doc_to_visual`` hooks) and what the visuals
    decoded to (or why they could not be read)."""
    from lmms_general.hooks import doc_to_text, doc_to_visual
    from lmms_general.hooks.media import media_failure

    text = doc_to_text(doc)  # type: ignore[arg-type] - the hooks accept a Doc as well as a row
    visuals = [describe_visual(v) for v in doc_to_visual(doc)]  # type: ignore[arg-type]
    failure = media_failure(doc.registry_key, doc.sample_id)
    if failure:
        visuals.append(f"UNREADABLE: {failure}")
    media = [str(ref.path) for ref in doc.inputs if ref.path]
    return {"task": task, "sample_id": doc.sample_id, "text": text, "media": media}, visuals


def render(record: dict[str, Any], visuals: list[str]) -> str:
    """The terminal block of one sample."""
    lines = [f"--- sample {record['sample_id']!r} ---", record["text"]]
    if record["media"] or visuals:
        lines.append(f"[media: {len(record['media'])} file(s) -> doc_to_visual: {', '.join(visuals) or 'nothing'}]")
        lines.extend(f"  {path}" for path in record["media"])
    return "\n".join(lines)


def _printable(text: str) -> str:
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    return text.encode(encoding, "backslashreplace").decode(encoding, "replace")


def iterate(chosen: list[SelectedTask], root: Path) -> Iterator[tuple[SelectedTask, list[Doc] | None, str]]:
    """Each task with its docs, or None and the error that stopped it (one bad task never stops the others)."""
    for item in chosen:
        try:
            yield item, item.docs(root), ""
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported for this task, the others go on
            yield item, None, f"{type(exc).__name__}: {exc}"


def run(args: argparse.Namespace) -> int:
    from lmms_general.atomic_json import write_json_atomic
    from lmms_general.commands.args import fail
    from lmms_general.dataset import DatasetError, index_root
    from lmms_general.protocol.lint import lint_tasks
    from lmms_general.registry import load_registry
    from lmms_general.user_errors import unknown_task_message

    try:
        index = index_root(args.root)
    except DatasetError as exc:
        return fail(PROG, str(exc))
    from lmms_general.extra_tasks import discover

    outside = discover(args.root)
    chosen = select_tasks(index, args.pattern, outside)
    if not chosen:
        present = [t.task for t in select_tasks(index, None, outside)]
        if not present:
            return fail(PROG, f"no task folder under {args.root} matches a General-Bench task "
                        "(`lmms-general validate --root DIR` lists what is there)")
        names = present + [s.task for s in load_registry().values()]
        return fail(PROG, unknown_task_message(args.pattern, names).replace(
            "(`lmms-general tasks`", f"under {args.root} (`lmms-general validate` lists the tasks there, "
            "`lmms-general tasks`"))
    records: list[dict[str, Any]] = []
    linted: list[tuple[str, list[Doc]]] = []
    errors = 0
    for item, docs, error in iterate(chosen, args.root):
        if docs is None:
            errors += 1
            print(_printable(f"{PROG}: error: {item.task}: cannot build its samples: {error}"), file=sys.stderr)
            continue
        print(_printable(f"=== {item.task} ({min(args.limit, len(docs))} of {len(docs)} samples; "
                         f"{item.folder.source or item.folder.folder}) ==="))
        for doc in docs[: args.limit]:
            record, visuals = shown_sample(item.task, doc)
            records.append(record)
            print(_printable(render(record, visuals)))
        if args.lint:
            linted.append((item.task, docs))
    if args.json:
        try:
            write_json_atomic(args.json, records)
        except OSError as exc:
            return fail(PROG, f"cannot write {args.json}: {exc.strerror or exc}")
        print(_printable(f"wrote {len(records)} samples to {args.json}"))
    status = 1 if errors else 0
    if args.lint:
        report = lint_tasks(linted, max_chars=args.max_chars)
        print(f"\nlint: {report.tasks} task(s), {report.samples} samples")
        for finding in report.findings:
            print(_printable(f"  {finding.line()}"))
        accepted = len(report.findings) - len(report.open_findings)
        print(f"lint: {len(report.open_findings)} finding(s)" + (f", {accepted} accepted" if accepted else ""))
        if report.failed:
            status = 1
    return status
