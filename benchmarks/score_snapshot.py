"""Every task score this tree gives on fixed inputs, as JSON, so two trees can be compared (issue 21: metric objects
must leave every score and bootstrap replicate unchanged).

* the 699 registry rows' synthetic samples (:mod:`lmms_general.metrics.synthetic`): the metric with the row's
  options on the ``perfect`` / ``empty`` / ``unparsable`` / ``random`` predictions;
* the bootstrap of the ``random`` and ``perfect`` cases (:func:`lmms_general.results.samples.task_bootstrap`,
  30 replicates, seed 0), or why the task stays at its point score;
* the bundled sample tree's comprehension tasks: the oracle's rendered reference and a wrong answer, scored by
  :func:`lmms_general.protocol.task_score`.

Usage: ``python benchmarks/score_snapshot.py OUT.json`` (with ``PYTHONPATH`` at the tree to measure), then
``python benchmarks/score_snapshot.py --compare BEFORE.json AFTER.json``.
"""

from __future__ import annotations

import json
import logging
import math
import re
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any


def _value(fn: Any) -> Any:
    try:
        value = fn()
    except Exception as exc:  # noqa: BLE001 - an error is a result to compare too
        return f"ERR {type(exc).__name__}: {str(exc)[:80]}"
    return float(value) if isinstance(value, (int, float)) else value


def _bootstrap(metric_id: str, key: str, items: list[dict[str, Any]], point: Any) -> Any:
    """30 seeded replicates of the task (or why it keeps its point score)."""
    import numpy as np

    from lmms_general.results.samples import task_bootstrap

    task, why = task_bootstrap(metric_id, f"general_bench_{key}", items, point if isinstance(point, float) else None)
    if task is None:
        return f"point: {why}"
    idx = np.random.default_rng(0).integers(0, len(task.items), size=(30, len(task.items)))
    return [float(v) for v in task.replicates(idx)]


def synthetic_scores(root: Path) -> dict[str, Any]:
    from lmms_general.metrics import synthetic
    from lmms_general.registry import load_registry

    out: dict[str, Any] = {}
    for key, row in load_registry().items():
        case = synthetic.build_row(row, root)
        for kind in synthetic.PREDICTION_KINDS:
            point = _value(partial(case.score, kind, **row.compute_options))
            out[f"row/{key}/{kind}"] = point
            if kind in ("perfect", "random"):
                items = [{"prediction": p, "reference": r, "key": key, "status": "ok", "error": ""}
                         for p, r in zip(case.predictions(kind), case.references, strict=True)]
                out[f"boot/{key}/{kind}"] = _value(partial(_bootstrap, row.metric_id, key, items, point))
    return out


def _tree_score(docs: list[Any], wrong: bool, out_dir: Path) -> float | None:
    """The task score of the oracle's rendered references (or of wrong answers in the same format)."""
    from lmms_general.protocol import answer_format, prepared_reference, score_item, task_score
    def render_wrong(kind: str, reference: Any, context: Any, out_dir: Any) -> str:
        fmt = answer_format(kind)
        if hasattr(fmt, "render_wrong"):  # a task kind's own wrong-answer renderer
            return fmt.render_wrong(reference, context, out_dir)
        from lmms_general.protocol import formats  # trees before task kinds became objects

        return formats.render_wrong(kind, reference, context, out_dir)

    items = []
    for doc in docs:
        reference = prepared_reference(doc)
        context = {**doc.parse_context, "output_modality": doc.output_modality, "index": doc.index}
        answer = (render_wrong(doc.task_kind, reference, context, out_dir) if wrong
                  else answer_format(doc.task_kind).render(reference, context, out_dir))
        items.append(score_item(doc, answer))
    return task_score(items).score


def sample_tree_scores(out_dir: Path) -> dict[str, Any]:
    import lmms_general
    from lmms_general import dataset
    from lmms_general.protocol import task_docs
    from lmms_general.registry import load_registry

    root = Path(lmms_general.__file__).parent / "sample_data" / "General-Bench-Openset"
    registry = load_registry()
    out: dict[str, Any] = {}
    keys = sorted(t.registry_key for t in dataset.index_root(root, use_cache=False).tasks if t.registry_key)
    for key in keys:
        spec = registry[key]
        if spec.paradigm != "comprehension":
            continue
        docs = task_docs(spec, dataset.load_task(root, key))
        for wrong in (False, True):
            out[f"tree/{key}/{'wrong' if wrong else 'oracle'}"] = _value(partial(_tree_score, docs, wrong, out_dir))
    return out


def _untmp(value: Any) -> Any:
    """An error message without its temporary folder (each run writes the synthetic rows elsewhere)."""
    return re.sub(r"/tmp/tmp\w+", "<tmp>", value) if isinstance(value, str) else value


def compare(before: dict[str, Any], after: dict[str, Any]) -> str:
    lines, equal, differ = [], 0, []
    worst_by: dict[str, float] = {}
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name, "MISSING"), after.get(name, "MISSING")
        worst = 0.0
        if isinstance(a, float) and isinstance(b, float):
            same = (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-9
            worst = max(worst, 0.0 if math.isnan(a) or math.isnan(b) else abs(a - b))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            diffs = [abs(x - y) for x, y in zip(a, b, strict=True) if not (math.isnan(x) and math.isnan(y))]
            worst = max([worst, *diffs])
            same = all(d <= 1e-9 for d in diffs)
        else:
            same = _untmp(a) == _untmp(b)
        group = name.split("/")[0]
        worst_by[group] = max(worst_by.get(group, 0.0), worst)
        if same:
            equal += 1
        else:
            differ.append(f"  {name}: before {str(a)[:100]} | after {str(b)[:100]}")
    groups: dict[str, int] = {}
    for name in before:
        groups[name.split("/")[0]] = groups.get(name.split("/")[0], 0) + 1
    counts = ", ".join(f"{k}: {v}" for k, v in groups.items())
    lines.append(f"compared {len(set(before) | set(after))} values ({counts})")
    lines.append(f"equal to 1e-9 (or identical error / point-score reason): {equal}; different: {len(differ)}")
    lines.append("max abs difference of numeric values: "
                 + ", ".join(f"{group}: {value:.3g}" for group, value in sorted(worst_by.items())))
    return "\n".join(lines + differ)


def main() -> int:
    if sys.argv[1] == "--compare":
        before, after = (json.loads(Path(p).read_text()) for p in sys.argv[2:4])
        print(compare(before, after))
        return 0
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        result = {**synthetic_scores(Path(tmp) / "rows"), **sample_tree_scores(Path(tmp) / "tree")}
    Path(sys.argv[1]).write_text(json.dumps(result, indent=0, sort_keys=True))
    print(f"{len(result)} values -> {sys.argv[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
