"""Benchmark: ``lmms-general level`` on a demo run with and without the offline flags (goal: ≤ 1.2×).

Run: ``make demo`` (or ``python -m lmms_general.demo --out runs/demo``) once, then
``PYTHONPATH=. python benchmarks/bench_offline_level.py [runs/demo] [--repeat 1]``.

Times the real CLI in fresh processes, alternating: once with ``HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1`` and once
with both variables removed (as in a new shell). Without the flags the metric loaders probe the network once per
host and process (:mod:`lmms_general.offline`); on a machine without internet that probe fails within
``LMMS_GENERAL_NET_PROBE_TIMEOUT`` seconds and every later load reads the local cache only, so both runs should
take about the same time. Prints each time, the ratio and the lines of the output that mention retries or
downloads (there should be none).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NETWORK_WORDS = ("Retrying", "Downloading", "HEAD https://", "thrown while requesting")


def run_level(runs: list[Path], offline: bool) -> tuple[float, str]:
    """Seconds of one ``lmms-general level`` process, and its output."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        env.pop(var, None)
    if offline:
        env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "lmms_general.cli", "level", *map(str, runs), "--out-dir", out],
            env=env, capture_output=True, text=True,
        )
        seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"lmms-general level failed (offline={offline}):\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout + proc.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("demo", nargs="?", type=Path, default=ROOT / "runs" / "demo")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    runs = sorted(p for p in args.demo.iterdir() if p.is_dir() and any(p.rglob("*_results.json")))
    if not runs:
        raise SystemExit(f"no lmms-eval runs under {args.demo}: run `make demo` first")
    times: dict[bool, list[float]] = {True: [], False: []}
    noisy: dict[bool, list[str]] = {True: [], False: []}
    for _ in range(args.repeat):
        for offline in (True, False):
            seconds, output = run_level(runs, offline)
            times[offline].append(seconds)
            noisy[offline] += [line for line in output.splitlines() if any(w in line for w in NETWORK_WORDS)]
    with_flag, without = min(times[True]), min(times[False])
    print(f"lmms-general level {' '.join(p.name for p in runs)} (best of {args.repeat}, fresh processes)")
    print(f"  HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1: {with_flag:6.1f} s, network lines: {len(noisy[True])}")
    print(f"  no offline variables:                   {without:6.1f} s, network lines: {len(noisy[False])}")
    print(f"  ratio without / with: {without / with_flag:.2f}x (goal <= 1.2x)")
    for line in noisy[False][:5]:
        print("   ", line[:200])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
