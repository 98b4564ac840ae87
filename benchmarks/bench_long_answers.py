"""Parsing time of pathological long answers (a small model running to its token limit) at n and 2n characters:
a ratio near 2 is linear, near 4 quadratic. Four lmms-eval threads share the interpreter while scoring, so one slow
answer stalls them all.

    python benchmarks/bench_long_answers.py
"""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable

from lmms_general.metrics.label_reading import label_reader
from lmms_general.metrics.parsing import parse_free_text, parse_option_letter

CASES: dict[str, Callable[[int], None]] = {
    "free text, blank-line runs": lambda n: parse_free_text("a" + "\n \n" * n + "b"),
    "option letter, blank-line runs": lambda n: parse_option_letter("x\n" + "\n \n" * n + "B", ["a", "b"]),
    "label set, repeated mentions": lambda n: label_reader(["positive", "negative", "neutral"]).read("positive " * n),
}


def cpu(run: Callable[[int], None], n: int) -> float:
    start = time.process_time()
    run(n)
    return time.process_time() - start


def main() -> None:
    print(f"command: {' '.join([sys.executable, *sys.argv])}")
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    for name, run in CASES.items():
        run(100)  # warm the regex caches
        small, large = cpu(run, 10000), cpu(run, 20000)
        ratio = large / max(small, 1e-6)
        print(f"{name:<32} n=10,000: {small:6.2f} s CPU  n=20,000: {large:6.2f} s CPU  ratio {ratio:.1f}")


if __name__ == "__main__":
    main()
