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
import sys
import tempfile
from pathlib import Path
from typing import Any


def _value(fn: Any) -> Any:
    try:
        value = fn()
    except Exception as exc:  # noqa: BLE001 - an error is a result to compare too
        return f"ERR {type(exc).__name__}: {str(exc)[:80]}"
    return float(value) if isinstance(value, (int, float)) else value


def synthetic_scores(root: Path) -> dict[str, Any]:
    import numpy as np

    from lmms_general.metrics import synthetic
    from lmms_general.registry import load_registry
    from lmms_general.results.samples import task_bootstrap

    out: dict[str, Any] = {}
    for key, row in load_registry().items():
        case = synthetic.build_row(row, root)
        options = row.compute_options
        for kind in synthetic.PREDICTION_KINDS:
            point = _value(lambda: case.score(kind, **options))  # noqa: B023
            out[f"row/{key}/{kind}"] = point
            if kind not in ("perfect", "random"):
                continue
            items = [{"prediction": p, "reference": r, "key": key, "status": "ok", "error": ""}
                     for p, r in zip(case.predictions(kind), case.references, strict=True)]

            def boot() -> Any:
                task, why = task_bootstrap(row.metric_id, f"general_bench_{key}", items,
                                           point if isinstance(point, float) else None)
                if task is None:
                    return f"point: {why}"
                idx = np.random.default_rng(0).integers(0, len(task.items), size=(30, len(task.items)))
                return [float(v) for v in task.replicates(idx)]

            out[f"boot/{key}/{kind}"] = _value(boot)
    return out


def sample_tree_scores(out_dir: Path) -> dict[str, Any]:
    from lmms_general import dataset
    from lmms_general.protocol import answer_format, prepared_reference, score_item, task_docs, task_score
    from lmms_general.protocol.formats import render_wrong
    from lmms_general.registry import load_registry

    import lmms_general

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
            def score() -> Any:
                items = []
                for doc in docs:
                    reference = prepared_reference(doc)
                    context = {**doc.parse_context, "output_modality": doc.output_modality, "index": doc.index}
                    fmt = answer_format(doc.task_kind)
                    answer = (render_wrong(doc.task_kind, reference, context, out_dir) if wrong  # noqa: B023
                              else fmt.render(reference, context, out_dir))
                    items.append(score_item(doc, answer))  # noqa: B023
                return task_score(items).score

            out[f"tree/{key}/{'wrong' if wrong else 'oracle'}"] = _value(score)
    return out


def compare(before: dict[str, Any], after: dict[str, Any]) -> str:
    lines, worst, equal, differ = [], 0.0, 0, []
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name, "MISSING"), after.get(name, "MISSING")
        if isinstance(a, float) and isinstance(b, float):
            same = (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-9
            worst = max(worst, 0.0 if math.isnan(a) or math.isnan(b) else abs(a - b))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            diffs = [abs(x - y) for x, y in zip(a, b, strict=True) if not (math.isnan(x) and math.isnan(y))]
            worst = max([worst, *diffs])
            same = all(d <= 1e-9 for d in diffs)
        else:
            same = a == b
        if same:
            equal += 1
        else:
            differ.append(f"  {name}: before {str(a)[:100]} | after {str(b)[:100]}")
    groups: dict[str, int] = {}
    for name in before:
        groups[name.split("/")[0]] = groups.get(name.split("/")[0], 0) + 1
    lines.append(f"compared {len(set(before) | set(after))} values ({', '.join(f'{k}: {v}' for k, v in groups.items())})")
    lines.append(f"equal to 1e-9 (or identical error / point-score reason): {equal}; different: {len(differ)}")
    lines.append(f"max abs difference of numeric values: {worst:.3g}")
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
