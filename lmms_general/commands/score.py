"""lmms-general score: score official-suite prediction.json files found next to annotation files.

Every sample of a task is in the denominator: a sample without a prediction is "missing" and one
whose answer cannot be parsed is "unparsed"; both score as wrong / worst and are counted. Per task it
prints the score, n (samples), scored (samples with a reference answer, all in the score) and the status of
every sample: ok + unparsed + failed + missing + error = n. A sample whose input file is missing from the
local tree keeps its prediction.json answer (the model that wrote it had the input); it is counted as
missing_input and warned about (in an lmms-eval run such a sample is failed: there the model lacked it).
A progress bar over the tasks goes to stderr on a terminal only, so the table on stdout stays clean.
Exits 1 when no prediction file is found or a task could not be scored.

examples:
  lmms-general score --root /data/General-Bench-Openset
  lmms-general score --root DIR --predictions my_predictions.json --json scores.json
  (for lmms-eval output folders use: lmms-general level OUTPUT_PATH)
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from lmms_general.metrics.registry import get_metric
from lmms_general.protocol import TaskScore, task_score
from lmms_general.registry import load_registry

HELP = "score official-suite prediction.json files in a tree"
logger = logging.getLogger(__name__)
_PREDICTION_KEYS = ("prediction", "prediction_final", "response")


@dataclass
class FolderScore(TaskScore):
    """One task folder's result: the task's score and counts (:class:`~lmms_general.protocol.TaskScore`, on the
    reference table's scale) plus where it came from and what the command noticed on the way."""

    folder: str = ""
    task_name: str | None = None
    registry_key: str | None = None
    metric: str | None = None
    n_missing_input: int = 0
    warning: str = ""
    proxy: bool = False

    def origin(self) -> dict[str, Any]:
        """The fields this class adds to :class:`~lmms_general.protocol.TaskScore`."""
        own = {f.name for f in fields(FolderScore)} - {f.name for f in fields(TaskScore)}
        return {name: getattr(self, name) for name in own}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from lmms_general.commands.args import add_root_argument, output_file

    add_root_argument(parser, "General-Bench tree (Openset or Closeset folder) holding prediction.json files")
    parser.add_argument("--predictions", default="prediction.json", help="prediction file name next to annotations")
    parser.add_argument("--json", dest="json_out", metavar="OUT", type=output_file,
                        help="write the results as JSON to OUT")


def prediction_text(record: Mapping[str, Any] | None) -> str | None:
    """The response of one prediction record (``prediction``, else ``prediction_final``); None when absent."""
    if record is None:
        return None
    if record.get("prediction_path"):
        return str(record["prediction_path"])
    for key in _PREDICTION_KEYS:
        value = record.get(key)
        if value is not None:
            return value if isinstance(value, str) else json.dumps(value)
    return None


def missing_input(doc: Any) -> str:
    """Why a sample's input is missing from the local tree ("" when every input file is there)."""
    for ref in doc.inputs:
        if not ref.path:
            return f"input {ref.raw!r} not found"
        if not Path(ref.path).exists():
            return f"input {ref.path} not found"
    return ""


def task_items(spec: Any, data: Any, records: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """The scored item of every sample of a loaded task, joined with its prediction record by sample id: the
    same :func:`lmms_general.protocol.score_item` as the lmms-eval hooks, so both routes give the same score. A
    sample without a prediction record is ``missing`` (in the denominator, scored as wrong).

    A prediction file holds answers the model gave with its inputs, so a sample whose input is missing from the
    local tree is scored from its answer all the same (its load error does not void it); the second list names
    each such sample (``sample <id>: <why>``)."""
    import dataclasses

    from lmms_general.protocol import score_item, task_docs

    items, missing = [], []
    for doc in task_docs(spec, data):  # the task's label set gathered once, as the lmms-eval route does
        lacking = missing_input(doc)
        if lacking:
            missing.append(f"sample {doc.sample_id}: {lacking}")
        if doc.load_error:  # the model had its inputs when it answered; the reference decides the score
            doc = dataclasses.replace(doc, load_error="")
        items.append(score_item(doc, prediction_text(records.get(doc.sample_id))))
    return items, missing


def score_task(root: Path, folder: Any, prediction_file: Path) -> FolderScore:
    """Load one task, join its predictions by id and score it."""
    from lmms_general.dataset import load_task, read_predictions

    key = folder.registry_key
    result = FolderScore(key=key or "", score=None, n=folder.samples, n_scored=0, folder=str(folder.folder),
                         task_name=folder.task_name, registry_key=key)
    if key is None:
        result.error = "no registry row matches this folder"
        return result
    spec = load_registry()[key]
    result.metric = spec.metric_id
    try:
        result.proxy = bool(get_metric(spec.metric_id, spec.task).proxy or spec.proxy_reason)
        data = load_task(root, key, verify_media=False)
        records = read_predictions(prediction_file)
        items, lacking = task_items(spec, data, records)
        scored = task_score(items, key)
    except Exception as exc:  # noqa: BLE001 - one bad task must not stop the others
        result.error = f"{type(exc).__name__}: {exc}"
        return result
    result = FolderScore(**asdict(scored), **result.origin())
    result.n_missing_input = len(lacking)
    if lacking:
        result.warning = (f"{len(lacking)} sample(s) with an input file missing from the local tree, scored from "
                          f"their prediction.json answers; first: {lacking[0]}")
        logger.warning("%s: %s", spec.task, result.warning)
    return result


def score_root(root: str | Path, prediction_name: str = "prediction.json") -> list[FolderScore]:
    """Score every task folder under ``root`` that has ``prediction_name`` next to its annotation file."""
    from lmms_general.dataset import index_root, resolve_root

    path = resolve_root(root)
    found = []
    for folder in index_root(path).tasks:
        if folder.annotation_file is None:
            continue
        candidates = [folder.annotation_file.parent / prediction_name, Path(folder.folder) / prediction_name]
        if folder.source is not None and Path(folder.source).is_dir():
            candidates.append(Path(folder.source) / prediction_name)
        prediction_file = next((c for c in candidates if c.is_file()), None)
        if prediction_file is not None:
            found.append((folder, prediction_file))
    results = []
    # disable=None: shown on a terminal only; stderr, so stdout (the table, --json) stays clean
    with tqdm(total=len(found), desc=f"scoring {path.name}", unit="task", leave=False, disable=None,
              file=sys.stderr) as bar:
        for folder, prediction_file in found:
            bar.set_postfix_str(folder.registry_key or folder.task_name or str(folder.folder), refresh=False)
            results.append(score_task(path, folder, prediction_file))
            bar.update()
    return results


def run(args: argparse.Namespace) -> int:
    from lmms_general.commands.args import fail
    from lmms_general.dataset import DatasetError

    try:
        results = score_root(args.root, args.predictions)
    except DatasetError as exc:
        return fail("lmms-general score", str(exc))
    if not results:
        return fail("lmms-general score", f"no {args.predictions} next to any annotation file under {args.root}; "
                    "`score` scores official-suite prediction files (for lmms-eval output folders use "
                    "`lmms-general level PATH`)", 1)
    for r in results:
        value = "-" if r.score is None else f"{r.score:.2f}"
        note = f"  ERROR {r.error}" if r.error else ""
        counts = " ".join(f"{name}={count}" for name, count in r.statuses().items())
        lacking = f" missing_input={r.n_missing_input}" if r.n_missing_input else ""
        print(f"{r.registry_key or r.folder:<60} {r.metric or '?':<14} {value:>8}  n={r.n} scored={r.n_scored} "
              f"{counts}{lacking}{note}")
        if r.warning:
            print(f"    warning: {r.warning}", file=sys.stderr)
    print(f"{len(results)} task(s) with predictions")
    if args.json_out:
        from lmms_general.atomic_json import write_json_atomic

        try:
            write_json_atomic(Path(args.json_out), {"tasks": [asdict(r) for r in results]})
        except OSError as exc:
            return fail("lmms-general score", f"cannot write {args.json_out}: {exc.strerror or exc}")
    return 0 if all(not r.error for r in results) else 1
