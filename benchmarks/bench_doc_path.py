"""In-process breakdown of the per-sample path: our image task's hooks vs a plain ``json`` lmms-eval task's.

Run: ``PYTHONPATH=. python benchmarks/bench_doc_path.py [--modality image|audio|video] [--samples 10000]
[--rounds 5]``.

Both sides get the trees of :mod:`bench_visual_overhead` (the same media files) and go through the calls lmms-eval
makes per sample, each step timed over all samples (CPU time of this process, microseconds per sample), the sides
alternated round by round:

* docs: ours ``process_docs`` (annotation, rows, doc store); plain ``datasets.load_dataset("json")`` (fresh cache);
* rows: three reads of every row through ``datasets`` (lmms-eval reads each row that often);
* prompt: ``doc_to_text``; visual: ``doc_to_visual``; results: ``process_results`` with the answer ``GMC``;
* aggregate: ours ``score``, ``failed`` and ``error`` aggregations; plain the mean of ``exact_match``.

Our ``process_docs`` freezes the docs out of the cyclic collector's passes for the run
(:func:`lmms_general.collector.freeze_long_lived`); each round ends as the run's process would, giving them back
(untimed), so a round does not pay the collection a second run in one process makes once at its start.

This is less noisy than the whole-process figure of :mod:`bench_visual_overhead` (which also holds lmms-eval's own
per-sample work, the same on both sides) and says where each microsecond goes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paired import header, summary  # noqa: E402
from bench_visual_overhead import TASKS, make_data  # noqa: E402

STEPS = ("docs", "rows", "prompt", "visual", "results", "aggregate")


def _timed(times: dict[str, float], step: str, fn: Any) -> Any:
    start = time.process_time()
    value = fn()
    times[step] = times.get(step, 0.0) + time.process_time() - start
    return value


def plain_round(plain_dir: Path, cache: Path) -> dict[str, float]:
    import datasets

    sys.path.insert(0, str(plain_dir))
    import plain_hooks

    times: dict[str, float] = {}
    data = _timed(times, "docs", lambda: datasets.load_dataset(
        "json", data_files={"test": str(plain_dir / "plain.jsonl")}, cache_dir=str(cache))["test"])
    n = len(data)
    rows = _timed(times, "rows", lambda: [[data[i] for i in range(n)] for _ in range(3)][0])
    _timed(times, "prompt", lambda: [plain_hooks.doc_to_text(r) for r in rows])
    _timed(times, "visual", lambda: [plain_hooks.doc_to_visual(r) for r in rows])
    results = _timed(times, "results", lambda: [plain_hooks.process_results(r, ["GMC"]) for r in rows])
    _timed(times, "aggregate", lambda: statistics.mean(r["exact_match"] for r in results))
    return times


def ours_round(key: str) -> dict[str, float]:
    from lmms_general import hooks
    from lmms_general.collector import release_long_lived
    from lmms_general.hooks.docs import make_process_docs
    from lmms_general.protocol import doc_store

    doc_store.clear()
    kwargs = {"pre_prompt": "", "post_prompt": ""}
    times: dict[str, float] = {}
    data = _timed(times, "docs", lambda: make_process_docs(key)(None))
    n = len(data)
    rows = _timed(times, "rows", lambda: [[data[i] for i in range(n)] for _ in range(3)][0])
    _timed(times, "prompt", lambda: [hooks.doc_to_text(r, kwargs) for r in rows])
    _timed(times, "visual", lambda: [hooks.doc_to_visual(r) for r in rows])
    results = _timed(times, "results", lambda: [hooks.process_results(r, ["GMC"]) for r in rows])

    def aggregate() -> None:
        hooks.aggregate_score([r["score"] for r in results])
        hooks.aggregate_failed([r["failed"] for r in results])
        hooks.aggregate_error([r["error"] for r in results])

    _timed(times, "aggregate", aggregate)
    release_long_lived()  # as at the run's process's end (untimed): the next round is a run of its own process
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modality", choices=sorted(TASKS), default="image")
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tree", type=Path, help="reuse a tree made by make_data (default: a fresh temporary one)")
    args = parser.parse_args()
    key = TASKS[args.modality][0]
    header(f"bench_doc_path: {key} hooks vs a plain json task, {args.samples} {args.modality} files, in process, "
           f"{args.rounds} alternated rounds")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        gb_root, plain_dir = (args.tree / "gb", args.tree / "plain") if args.tree else \
            make_data(tmp / "tree", args.samples, args.modality)
        os.environ.update({"GENERAL_BENCH_ROOT": str(gb_root), "LMMS_GENERAL_CACHE": str(tmp / "cache"),
                           "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"})
        import datasets

        datasets.disable_progress_bars()
        ours_round(key)  # imports and the task index, not measured
        plain_round(plain_dir, tmp / "hf-warm")
        per: dict[str, list[dict[str, float]]] = {"plain": [], "ours": []}
        for round_ in range(args.rounds):
            for side in ("plain", "ours") if round_ % 2 == 0 else ("ours", "plain"):
                times = plain_round(plain_dir, tmp / f"hf{round_}") if side == "plain" else ours_round(key)
                per[side].append({step: 1e6 * t / args.samples for step, t in times.items()})
    print(f"{'step':<10} {'plain us/sample':>22} {'ours us/sample':>22}")
    for step in (*STEPS, "total"):
        cols = []
        for side in ("plain", "ours"):
            values = [sum(r.values()) if step == "total" else r.get(step, 0.0) for r in per[side]]
            cols.append(summary(values, ".1f"))
        print(f"{step:<10} {cols[0]:>22} {cols[1]:>22}")
    totals = {side: [sum(r.values()) for r in per[side]] for side in per}
    print(f"ours - plain: {statistics.median(totals['ours']) - statistics.median(totals['plain']):.1f} us/sample "
          f"(medians)")


if __name__ == "__main__":
    main()
