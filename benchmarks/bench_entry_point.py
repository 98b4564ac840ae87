"""Benchmark: what our ``lmms_eval.models`` entry point costs an unrelated lmms-eval run.

Run: ``PYTHONPATH=. python benchmarks/bench_entry_point.py [--repeats 3]``.

Times whole ``lmms-eval --model dummy --tasks bench_tiny --include_path DIR --limit 2`` processes (a
two-document local JSON task, nothing of General-Bench involved) with our entry point active and with
it switched off (``LMMS_GENERAL_DISABLE_ENTRY_POINT=1``, the same as the package not being installed),
alternating, and prints median wall and CPU seconds side by side. The task-index cache is cold for the
first "with" run (``LMMS_GENERAL_CACHE`` is a fresh folder), shown separately; the rest reuse it, as every
run after the first does. Target: <= 0.5 s slower.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paired import header  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TASK_YAML = """task: bench_tiny
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: generate_until
doc_to_visual: null
doc_to_text: "{{{{question}}}}"
doc_to_target: "{{{{answer}}}}"
generation_kwargs:
  max_new_tokens: 4
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
metadata:
  version: 0.0
"""


def lmms_eval_bin() -> str:
    found = Path(sys.executable).parent / "lmms-eval"
    return str(found) if found.exists() else shutil.which("lmms-eval") or "lmms-eval"


def run_once(task_dir: Path, out: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, children included) of one lmms-eval process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [lmms_eval_bin(), "--model", "dummy", "--tasks", "bench_tiny", "--include_path", str(task_dir),
         "--limit", "2", "--output_path", str(out), "--verbosity", "ERROR"],
        capture_output=True, text=True, env=env, cwd=task_dir, check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"lmms-eval failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    header("bench_entry_point")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        task_dir = Path(tmp) / "tasks"
        task_dir.mkdir()
        data = task_dir / "tiny.json"
        data.write_text("\n".join(json.dumps({"question": f"q{i}", "answer": "a"}) for i in range(2)) + "\n")
        (task_dir / "bench_tiny.yaml").write_text(TASK_YAML.format(data=data))
        base = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
                "HF_DATASETS_CACHE": str(Path(tmp) / "hf"), "LMMS_GENERAL_CACHE": str(Path(tmp) / "cache")}
        without = {**base, "LMMS_GENERAL_DISABLE_ENTRY_POINT": "1"}
        run_once(task_dir, Path(tmp) / "out", without)  # warm the datasets cache and the OS file cache
        cold = run_once(task_dir, Path(tmp) / "out", base)  # builds our task-index cache
        rows: dict[str, list[tuple[float, float]]] = {"without": [], "with": []}
        for _ in range(args.repeats):
            rows["without"].append(run_once(task_dir, Path(tmp) / "out", without))
            rows["with"].append(run_once(task_dir, Path(tmp) / "out", base))
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in rows.items()}
    print(f"lmms-eval --model dummy --tasks bench_tiny --limit 2 (median of {args.repeats}):")
    print(f"  without our entry point: wall {med['without'][0]:.2f} s, CPU {med['without'][1]:.2f} s")
    print(f"  with our entry point   : wall {med['with'][0]:.2f} s, CPU {med['with'][1]:.2f} s  "
          f"(delta wall {med['with'][0] - med['without'][0]:+.2f} s, CPU {med['with'][1] - med['without'][1]:+.2f} s;"
          f" ratio {med['with'][1] / med['without'][1]:.3f})")
    print(f"  first run with a cold task-index cache: wall {cold[0]:.2f} s, CPU {cold[1]:.2f} s (once per install)")
    delta = med["with"][1] - med["without"][1]
    print(f"  target <= +0.5 s: {'met' if delta <= 0.5 else 'MISSED'} (CPU delta; wall is noisy here)")


if __name__ == "__main__":
    main()
