"""Peak memory of reading a large annotation and a large sample log (issue 20, item 6), one fresh process per case.

Usage: ``python benchmarks/bench_memory.py [MB ...]`` (default 25 50; the issue's figure is 300). For each size it
writes a multiple-choice annotation of that size (one NLP task) and a sample log of that size, then runs each case
in a new interpreter (``resource.getrusage`` peak RSS) and prints the peak over a baseline, divided by the input's
size, against the issue's targets:

* ``task docs, --limit 10``: the docs a run with ``--limit 10`` builds, through the run's own path (the task
  index, our ``process_docs`` inside :func:`lmms_general.doc_window.window`, which lmms-eval's ``simple_evaluate``
  sets from ``--limit``); target <= 3x the annotation. Baseline: the interpreter after the same imports.
* ``level run``: the whole ``lmms-general level`` command (bootstrap with 200 replicates) on a run folder whose one
  task has that sample log; target <= 2x the log. Baseline: the same command on the same folder with a 100-line
  log (the command's own imports and tables are not the log's).

The other rows (index, whole annotation read, all docs, the sample-log reader) show where memory goes. A ratio
that stays the same across sizes is proportional to the input; run with ``PYTHONPATH`` pointing at another
checkout to compare (an older checkout without a doc window builds every doc for ``--limit 10``, as it did).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

KEY = "nlp_causal_reasoning"
TASK = "general_bench_" + KEY
CASES = {
    "index (annotation scanned)": ("annotation", "from lmms_general.dataset import index_root\nindex_root(ROOT)"),
    "read_annotation (all records)": ("annotation", "from lmms_general.dataset.annotations import read_annotation\n"
                                                    "read_annotation(PATH)"),
    "task docs, all": ("annotation", f"from lmms_general.hooks.docs import make_process_docs\n"
                                     f"make_process_docs({KEY!r})(None)"),
    "task docs, --limit 10": ("annotation", "from contextlib import nullcontext\n"
                                            "from lmms_general.hooks.docs import make_process_docs\n"
                                            "try:\n    from lmms_general.doc_window import window\n"
                                            "except ImportError:  # a checkout without the window builds every doc\n"
                                            "    window = lambda n: nullcontext()\n"
                                            f"with window(10):\n    docs = make_process_docs({KEY!r})(None)\n"
                                            "assert len(docs) == 10 or window(10).__class__ is nullcontext"),
    "sample-log reader": ("log", "from lmms_general.results.samples import read_sample_items\n"
                                 "read_sample_items(PATH)"),
    "level run": ("run", "from lmms_general.cli import main\n"
                         "assert main(['level', str(PATH), '--quiet', '--n-boot', '200', '--out-dir', "
                         "str(PATH.parent / (PATH.name + '-out'))]) == 0"),
}
TARGETS = {"task docs, --limit 10": 3.0, "level run": 2.0}
PROLOGUE = """
import os, resource, sys
from pathlib import Path
PATH, ROOT = Path(sys.argv[1]), Path(sys.argv[2])
os.environ["LMMS_GENERAL_CACHE"] = sys.argv[3]
os.environ["GENERAL_BENCH_ROOT"] = str(ROOT)
import datasets, pyarrow
import lmms_general.hooks.docs, lmms_general.results.samples, lmms_general.dataset.annotations
"""
EPILOGUE = "\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)\n"
RECORD = {"input": {"question": "Which of these caused the event described here? " * 4,
                    "options": ["alpha", "beta", "gamma", "delta"]}, "output": {"answer": "A"}}


def make_annotation(root: Path, megabytes: float) -> Path:
    """A multiple-choice annotation of about ``megabytes`` MB under ``root``'s Causal-Reasoning folder, written one
    record at a time."""
    per = len(json.dumps(RECORD)) + 20
    path = root / "nlp" / "Causal-Reasoning" / "annotation.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"task": "Causal Reasoning", "type": "MultipleChoiceQA", "data": [')
        for i in range(int(megabytes * 1_000_000 // per)):
            handle.write(("," if i else "") + json.dumps({"id": f"s{i}", **RECORD}))
        handle.write("]}")
    return path


def make_log(folder: Path, megabytes: float) -> Path:
    """A run folder (``<stamp>_results.json`` + one sample log of about ``megabytes`` MB in lmms-eval's layout, every
    other prediction right); returns the log."""
    folder.mkdir(parents=True, exist_ok=True)
    item = {"key": KEY, "prediction": "A", "reference": "A", "raw": "A" * 200, "status": "ok",
            "error": "", "task_dir": "/data/nlp/Causal-Reasoning", "skill": ""}
    line = {"doc_id": 0, "target": "A", "filtered_resps": ["A" * 200], "score": item}
    n = max(100, int(megabytes * 1_000_000 // (len(json.dumps(line)) + 10)))
    path = folder / f"20250101_000000_samples_{TASK}.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            answer = "A" if i % 2 else "B"
            score = {**item, "id": f"s{i}", "prediction": answer}
            handle.write(json.dumps({**line, "doc_id": i, "score": score}) + "\n")
    results = {"results": {TASK: {"alias": TASK, "score,none": 50.0, "score_stderr,none": "N/A"}},
               "configs": {TASK: {"task": TASK}}, "config": {"model": "bench", "model_args": "", "limit": None},
               "group_subtasks": {TASK: []}, "n-samples": {TASK: {"original": n, "effective": n}},
               "model_name": "bench", "date": "20250101_000000"}
    (folder / "20250101_000000_results.json").write_text(json.dumps(results))
    return path


def peak(code: str, path: Path, root: Path, cache: Path) -> int:
    """Peak RSS (bytes) of ``code`` in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", PROLOGUE + code + EPILOGUE, str(path), str(root), str(cache)],
                         capture_output=True, text=True, cwd=cache.parent, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    if out.returncode:
        raise RuntimeError(f"case failed:\n{out.stderr[-3000:]}")
    return int(out.stdout.strip().splitlines()[-1])


def measure(megabytes: float) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench_memory-"))
    root = work / "tree"
    log = make_log(work / "run", megabytes)
    inputs = {"annotation": make_annotation(root, megabytes), "log": log, "run": log.parent}
    small = make_log(work / "small-run", 0).parent
    sizes = {"annotation": inputs["annotation"].stat().st_size, "log": log.stat().st_size}
    sizes["run"] = sizes["log"]
    cache = work / "cache"
    bases = {"annotation": peak("pass", inputs["annotation"], root, cache),
             "run": peak(CASES["level run"][1], small, root, cache)}
    bases["log"] = bases["annotation"]
    for name, (kind, code) in CASES.items():
        over = peak(code, inputs[kind], root, cache) - bases[kind]
        target = TARGETS.get(name)
        verdict = "" if target is None else f"<= {target:g}x {'met' if over / sizes[kind] <= target else 'NOT met'}"
        print(f"{name:<30} {sizes[kind] / 1e6:>9.1f} {over / 1e6:>10.1f} {over / sizes[kind]:>8.2f}  {verdict}",
              flush=True)
    print(f"(baselines: interpreter {bases['annotation'] / 1e6:.0f} MB, level on a 100-line log "
          f"{bases['run'] / 1e6:.0f} MB)")


def main(sizes: list[float]) -> None:
    import lmms_general

    print(f"code under test: {Path(lmms_general.__file__).parent}")
    print(f"{'case':<30} {'input MB':>9} {'peak+ MB':>10} {'x input':>8}  target")
    for megabytes in sizes:
        measure(megabytes)


if __name__ == "__main__":
    main([float(a) for a in sys.argv[1:]] or [25.0, 50.0])
