"""Issue 10's and issue 20's adversarial figures, re-measured: N seeded fuzzed annotation files, plus seeded
mutations of task archives and of ``level`` inputs -> crashes, hangs, silent losses, misattributions.

Usage: ``python benchmarks/fuzz_annotations.py [N] [SEEDS]`` (defaults 1,200 files, 20 seeds per mutation kind).
Run it with ``PYTHONPATH`` pointing at another checkout to measure that code with the same inputs (the harness
and the mutations are loaded from this file's tree).
Prints: files fuzzed, files with an uncaught exception (in validate / after validate passed), samples
dropped from the count, samples left out of the score with ``failed=0`` (silently); then one summary row per
family (annotations, archives, level inputs) counting crashes, hangs, silent losses and misattributions
separately (see ``tests/fuzz/mutations.py`` for what each outcome means).
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
_mspec = importlib.util.spec_from_file_location("fuzz_mutations", HERE / "tests" / "fuzz" / "mutations.py")
mutations = importlib.util.module_from_spec(_mspec)
sys.modules["fuzz_mutations"] = mutations
_mspec.loader.exec_module(mutations)


def main(n: int = 1200, seeds: int = 20) -> None:
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
    annotations = {"ok": stats["files"] - stats["files with an uncaught exception"],
                   "crash": stats["files with an uncaught exception"], "hang": 0,
                   "silent": stats["samples dropped from the validate count"] + stats["samples dropped from the docs"]
                   + stats["samples out of the score with failed=0 (silent)"], "misattributed": 0}
    summary = {"annotation files": annotations, **mutation_summary(seeds)}
    print(f"\n{'family':<18} {'cases':>6} {'ok':>6} {'crashes':>8} {'hangs':>6} {'silent losses':>14} "
          f"{'misattributions':>16}")
    for family, counts in summary.items():
        cases = sum(counts.values()) if family != "annotation files" else stats["files"]
        print(f"{family:<18} {cases:>6} {counts['ok']:>6} {counts['crash']:>8} {counts['hang']:>6} "
              f"{counts['silent']:>14} {counts['misattributed']:>16}")
    print("(annotation files: silent losses count samples; hangs and misattributions are not measured there)")
    print(f"wall time {time.perf_counter() - start:.1f}s")


def mutation_summary(seeds: int) -> dict[str, dict[str, int]]:
    """Archive and ``level`` input mutations, ``seeds`` per kind: ``{family: {outcome: count}}``."""
    base = Path(tempfile.mkdtemp(prefix="mutations-"))
    summary: dict[str, dict[str, int]] = {"archives": dict.fromkeys(mutations.OUTCOMES, 0),
                                          "level inputs": dict.fromkeys(mutations.OUTCOMES, 0)}
    for seed in range(seeds):
        for kind in mutations.archive_mutations():
            outcome, detail = mutations.classify(mutations.archive_case(kind, seed, base / "archives"))
            summary["archives"][outcome] += 1
            if outcome != "ok" and os.environ.get("FUZZ_VERBOSE"):
                print(f"archive {kind} seed {seed}: {outcome} {detail[-300:]}", file=sys.stderr)
        for kind in mutations.level_mutations():
            outcome, detail = mutations.classify(mutations.level_case(kind, seed, base / "level"))
            summary["level inputs"][outcome] += 1
            if outcome != "ok" and os.environ.get("FUZZ_VERBOSE"):
                print(f"level {kind} seed {seed}: {outcome} {detail[-300:]}", file=sys.stderr)
    mutations.cleanup(base)
    return summary


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
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1200, int(sys.argv[2]) if len(sys.argv) > 2 else 20)
