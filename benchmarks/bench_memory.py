"""Peak memory of reading a large annotation and a large sample log (issue 20, item 6), one fresh process per case.

Usage: ``python benchmarks/bench_memory.py [MB]`` (default 50; the issue's figure is 300). Each case runs in a
new interpreter (``resource.getrusage`` peak RSS) after the same imports; the table shows the peak over that
interpreter's own baseline, divided by the input's size, against the issue's targets (annotation with
``--limit 10``: <= 3x the file; ``level`` on a sample log: <= 2x the log). Run with ``PYTHONPATH`` pointing at
another checkout to compare.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

CASES = {
    "baseline": ("annotation", "pass"),
    "read_annotation": ("annotation", "from lmms_general.dataset.annotations import read_annotation\n"
                                      "read_annotation(PATH)"),
    "task docs (process_docs)": ("annotation", "from lmms_general.hooks.docs import build_docs, docs_to_dataset\n"
                                               "docs_to_dataset(build_docs('nlp_causal_reasoning', ROOT))"),
    "level sample log": ("log", "from lmms_general.results.samples import read_sample_items\n"
                                "read_sample_items(PATH)"),
}
TARGETS = {"task docs (process_docs)": 3.0, "level sample log": 2.0}
PROLOGUE = """
import os, resource, sys
from pathlib import Path
import datasets, pyarrow
import lmms_general.hooks.docs, lmms_general.results.samples, lmms_general.dataset.annotations
PATH, ROOT = Path(sys.argv[1]), Path(sys.argv[2])
os.environ["LMMS_GENERAL_CACHE"] = sys.argv[3]
"""
EPILOGUE = "\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)\n"


def make_annotation(root: Path, megabytes: int) -> Path:
    """A multiple-choice annotation of about ``megabytes`` MB under ``root``'s Causal-Reasoning folder."""
    record = {"input": {"question": "Which of these caused the event described here? " * 4,
                        "options": ["alpha", "beta", "gamma", "delta"]}, "output": {"answer": "A"}}
    per = len(json.dumps(record)) + 20
    records = [{"id": f"s{i}", **record} for i in range(megabytes * 1_000_000 // per)]
    path = root / "nlp" / "Causal-Reasoning" / "annotation.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"task": "Causal Reasoning", "type": "MultipleChoiceQA", "data": records}))
    return path


def make_log(folder: Path, megabytes: int) -> Path:
    """A sample log of about ``megabytes`` MB in lmms-eval's JSONL layout."""
    item = {"key": "nlp_causal_reasoning", "prediction": "A", "reference": "A", "raw": "A" * 200, "status": "ok",
            "error": "", "task_dir": "/data/nlp/Causal-Reasoning", "skill": ""}
    line = {"doc_id": 0, "target": "A", "filtered_resps": ["A" * 200], "score": item}
    n = megabytes * 1_000_000 // (len(json.dumps(line)) + 10)
    path = folder / "20250101_000000_samples_general_bench_nlp_causal_reasoning.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(json.dumps({**line, "doc_id": i, "score": {**item, "id": f"s{i}"}}) + "\n")
    return path


def peak(code: str, path: Path, root: Path, cache: Path) -> int:
    out = subprocess.run([sys.executable, "-c", PROLOGUE + code + EPILOGUE, str(path), str(root), str(cache)],
                         capture_output=True, text=True, check=True, cwd=cache.parent)  # not this tree's cwd
    return int(out.stdout.strip().splitlines()[-1])


def main(megabytes: int = 50) -> None:
    import lmms_general

    work = Path(tempfile.mkdtemp(prefix="bench_memory-"))
    root = work / "tree"
    inputs = {"annotation": make_annotation(root, megabytes), "log": make_log(work, megabytes)}
    print(f"code under test: {Path(lmms_general.__file__).parent}")
    base = peak(CASES["baseline"][1], inputs["annotation"], root, work / "cache")
    print(f"{'case':<28} {'input MB':>9} {'peak over baseline MB':>22} {'x input':>8} {'target':>7}")
    for name, (kind, code) in CASES.items():
        if name == "baseline":
            continue
        size = inputs[kind].stat().st_size
        over = peak(code, inputs[kind], root, work / "cache") - base
        target = TARGETS.get(name)
        verdict = "" if target is None else f"<= {target:g}x {'met' if over / size <= target else 'NOT met'}"
        print(f"{name:<28} {size / 1e6:>9.1f} {over / 1e6:>22.1f} {over / size:>8.2f} {verdict:>7}")
    print(f"interpreter baseline {base / 1e6:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
