"""``make demo``: evaluate the bundled sample tree with lmms-eval's ``dummy`` model, then General-Level.

Usage: ``python -m lmms_general.demo --out runs/demo [--model dummy --model-args response=A]``.
The dummy model answers "A" to everything (no inference): the demo shows the plumbing, the per-task scores
and the report, not a model's ability. Point ``GENERAL_BENCH_ROOT`` elsewhere to run on real data.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from lmms_general.lmms_run import run_lmms_eval

SAMPLE_ROOT = Path(__file__).resolve().parent / "sample_data" / "General-Bench-Openset"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/demo"))
    parser.add_argument("--model", default="dummy")
    parser.add_argument("--model-args", default="response=A")
    parser.add_argument("--tasks", default="general_bench")
    args = parser.parse_args(argv)
    root = os.environ.get("GENERAL_BENCH_ROOT") or str(SAMPLE_ROOT)
    results = run_lmms_eval(model=args.model, model_args=args.model_args, tasks=args.tasks.split(","),
                            output_path=args.out, env={"GENERAL_BENCH_ROOT": root})
    scored = {t: r.get("score,none") for t, r in results["results"].items() if t.startswith("general_bench_")}
    print(f"lmms-eval scored {len(scored)} General-Bench tasks/groups from {root}")
    from lmms_general.cli import main as cli

    return cli(["level", str(args.out), "--out-dir", str(args.out)])  # report.html, report.md, level.json/.csv


if __name__ == "__main__":
    raise SystemExit(main())
