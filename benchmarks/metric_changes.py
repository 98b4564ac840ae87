"""Scores of the rows whose metric definition changed (issue 9), old code vs this tree, on identical synthetic
samples (:mod:`lmms_general.metrics.synthetic`), side by side.

Usage: ``git archive <old-commit> lmms_general | tar -x -C /tmp/old`` then
``python benchmarks/metric_changes.py /tmp/old`` (runs each tree in its own interpreter).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
CHANGED = ("miou", "dice", "f1", "bleu_1", "bleu_4", "cider", "codebleu", "abs_rel", "rte", "rmse",
           "chamfer_distance", "rouge_1", "rouge_l", "mcd")

CHILD = r"""
import importlib.util, json, logging, sys, tempfile
from pathlib import Path
tree, synthetic, changed, use_options = sys.argv[1], sys.argv[2], set(sys.argv[3].split(",")), sys.argv[4] == "1"
sys.path.insert(0, tree)
logging.disable(logging.WARNING)
spec = importlib.util.spec_from_file_location("synthetic_copy", synthetic)
syn = importlib.util.module_from_spec(spec); sys.modules["synthetic_copy"] = syn; spec.loader.exec_module(syn)
from lmms_general.registry import load_registry
out, root = {}, Path(tempfile.mkdtemp())
for key, row in load_registry().items():
    if row.metric_id not in changed:
        continue
    case = syn.build_row(row, root)
    options = getattr(row, "compute_options", {}) if use_options else {}
    out[key] = {}
    for kind in syn.PREDICTION_KINDS:
        try:
            out[key][kind] = case.score(kind, **options)
        except Exception as exc:
            out[key][kind] = f"ERR {type(exc).__name__}"
print(json.dumps(out))
"""


def scores(tree: Path, use_options: bool) -> dict:
    synthetic = HERE / "lmms_general" / "metrics" / "synthetic.py"
    result = subprocess.run([sys.executable, "-c", CHILD, str(tree), str(synthetic), ",".join(CHANGED),
                             "1" if use_options else "0"], capture_output=True, text=True, check=True, cwd="/")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    old = scores(Path(sys.argv[1]).resolve(), False)
    new = scores(HERE, True)
    changed = 0
    for key, kinds in new.items():
        diffs = []
        for kind, value in kinds.items():
            before = old.get(key, {}).get(kind)
            if isinstance(value, float) and isinstance(before, float):
                if abs(value - before) > 1e-6:
                    diffs.append(f"{kind} {before:.4g} -> {value:.4g}")
            elif value != before:
                diffs.append(f"{kind} {before} -> {value}")
        if diffs:
            changed += 1
            print(f"{key:75s} {'; '.join(diffs)}")
    print(f"{changed} of {len(new)} rows changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
