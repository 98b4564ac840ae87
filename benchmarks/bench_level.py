"""Benchmark: General-Level for 100 models x 699 tasks, without and with bootstrap intervals.

Run: ``PYTHONPATH=. python benchmarks/bench_level.py [--models 100] [--n-boot 200] [--ci-models 1]``.
Random scores around the SoTA; the CI part uses 50 Bernoulli samples per task with a numpy-mean
``score_fn`` (the real metric's cost comes on top and depends on the metric).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from lmms_general.level import BootstrapTask, LevelScorer, bootstrap_levels
from lmms_general.registry import load_registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100)
    parser.add_argument("--n-boot", type=int, default=200)
    parser.add_argument("--ci-models", type=int, default=1, help="models timed with intervals")
    parser.add_argument("--samples", type=int, default=50, help="samples per task for the intervals")
    args = parser.parse_args()

    rows = list(load_registry().values())
    rng = np.random.default_rng(0)
    models = [{r.key: float(r.sota * rng.uniform(0.3, 1.3)) for r in rows if rng.random() < 0.8}
              for _ in range(args.models)]

    for mode in ("official", "corrected"):
        start = time.perf_counter()
        scorer = LevelScorer(rows, mode)  # type: ignore[arg-type]
        results = [scorer.score(s, f"m{i}") for i, s in enumerate(models)]
        elapsed = time.perf_counter() - start
        print(f"{mode:<9}: {len(results)} models x {len(rows)} tasks, no CI: {elapsed:.3f} s "
              f"({1000 * elapsed / len(results):.2f} ms/model)")

    scorer = LevelScorer(rows, "corrected")

    def mean100(items: list[int]) -> float:
        return 100.0 * float(np.mean(items))

    start = time.perf_counter()
    for scores in models[: args.ci_models]:
        tasks = {k: BootstrapTask(list(rng.integers(0, 2, size=args.samples)), mean100) for k in scores}
        bootstrap_levels(scorer, scores, tasks, n_boot=args.n_boot, seed=0)
    elapsed = (time.perf_counter() - start) / args.ci_models
    print(f"with CI  : {args.n_boot} replicates x {len(rows)} tasks x {args.samples} samples: "
          f"{elapsed:.2f} s/model -> ~{elapsed * args.models:.0f} s for {args.models} models")


if __name__ == "__main__":
    main()
