"""Issue 10's adversarial figure, re-measured: N seeded fuzzed annotation files -> crashes and dropped samples.

Usage: ``python benchmarks/fuzz_annotations.py [N]`` (default 1,200). Run it with ``PYTHONPATH`` pointing
at another checkout to measure that code with the same files (the harness is loaded from this file's tree).
Prints: files fuzzed, files with an uncaught exception (in validate / after validate passed), samples
dropped from the count, and samples left out of the score with ``failed=0`` (silently).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings

HERE = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("fuzz_harness", HERE / "tests" / "fuzz" / "harness.py")
harness = importlib.util.module_from_spec(_spec)
sys.modules["fuzz_harness"] = harness
_spec.loader.exec_module(harness)


def main(n: int = 1200) -> None:
    import lmms_general

    os.environ["LMMS_GENERAL_CACHE"] = tempfile.mkdtemp(prefix="fuzzcache-")
    os.environ.pop("GENERAL_BENCH_ROOT", None)
    base = Path(tempfile.mkdtemp(prefix="fuzz-"))
    per_task = -(-n // len(harness.TASKS))
    stats: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    start = time.perf_counter()
    for task in harness.TASKS:
        run_task(task, harness.make_tree(task, base / task.key), per_task, stats, stages)
    print(f"code under test: {Path(lmms_general.__file__).parent}")
    for key in ("files", "records in files", "files with an uncaught exception", "  ... in validate/index",
                "  ... after validate passed", "samples dropped from the validate count",
                "samples dropped from the docs", "docs without a scored/failed item",
                "samples out of the score with failed=0 (silent)", "samples out of the score, counted as failed"):
        print(f"{key:<52} {stats[key]:>7,}")
    print(f"crashes by stage: {dict(stages)}")
    print(f"wall time {time.perf_counter() - start:.1f}s")


def run_task(task: object, tree: Path, per_task: int, stats: Counter[str], stages: Counter[str]) -> None:
    """Fuzz ``per_task`` seeded annotation files of one task, adding to ``stats`` and ``stages``."""

    @settings(max_examples=per_task, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(file=harness.annotation_files(task), replies=harness.answers)
    def one(file: tuple[object, int | None], replies: list[str]) -> None:
        doc, records = file
        harness.write_annotation(task, tree, doc)
        out = harness.check(task, tree, records, ["A"])
        stats["files"] += 1
        if out.crashes:
            stats["files with an uncaught exception"] += 1
            first = out.crashes[0].split(":", 1)[0]
            stats["  ... in validate/index" if first in ("validate", "index") else "  ... after validate passed"] += 1
            for c in out.crashes:
                stages[c.split(":", 1)[0]] += 1
        if records is not None:
            stats["records in files"] += records
            stats["samples dropped from the validate count"] += max(0, records - (out.counted or 0))
            stats["samples dropped from the docs"] += max(0, records - (out.docs or 0))
            stats["docs without a scored/failed item"] += max(0, (out.docs or 0) - out.scored - out.failed)
        silent, visible = drops(task, tree)
        stats["samples out of the score with failed=0 (silent)"] += silent
        stats["samples out of the score, counted as failed"] += visible

    one()


def drops(task: object, tree: Path) -> tuple[int, int]:
    """Items without a reference (left out of the score) in a task with references: (failed=0, failed=1)."""
    from lmms_general.hooks import process_results
    from lmms_general.hooks.docs import build_docs

    try:
        docs = build_docs(task.key, tree)
        results = [process_results(d, ["A"]) for d in docs]
    except Exception:  # noqa: BLE001 - crashes are counted by the harness
        return 0, 0
    if not any(r["score"].get("reference") is not None for r in results):
        return 0, 0  # nothing scorable (Closeset-like): no denominator to drop from
    out = [r["failed"] for r in results if r["score"].get("reference") is None]
    if os.environ.get("FUZZ_VERBOSE"):
        for r in results:
            if r["score"].get("reference") is None and not r["failed"]:
                print(f"silent: {task.key}: {r['score']}", file=sys.stderr)
    return out.count(0), len(out) - out.count(0)


if __name__ == "__main__":
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1200)
