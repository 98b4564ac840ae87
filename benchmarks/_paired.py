"""Shared measurement rules of the benchmark scripts: paired, alternated, CPU beside wall, median with range.

* :func:`run_process` runs one command as a fresh process and returns its wall seconds, CPU seconds (user + sys of
  that process and the children it waited for, from ``os.wait4``) and peak RSS (MiB), started from a small spawner
  so that the benchmark's own memory is not folded into the command's peak.
* :func:`timed_call` measures one in-process call (wall and this process's user + sys CPU).
* :func:`alternate` runs the sides A B A B ... for ``pairs`` rounds (the first side alternates its position, so
  neither side always runs first) and returns every side's measurements.
* :func:`summary` formats ``median [min-max]``; :func:`machine` names the machine and its load, so each printed
  figure says where it was measured.
"""

from __future__ import annotations

import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Measure:
    """One measured run: wall and CPU (user + sys) seconds, peak RSS in MiB (0 for in-process calls)."""

    wall: float
    cpu: float
    rss_mib: float = 0.0
    value: Any = None


#: started between the benchmark and the measured command: Linux folds the peak RSS of the process that forks into
#: the child's (``exec`` keeps the larger high-water mark, and ``subprocess`` forks with ``vfork``), so a command
#: started straight from a benchmark that holds a gigabyte reports at least a gigabyte. This small process starts the
#: command, waits for it and writes its own resource usage (``os.wait4``) as JSON to the file named first.
_SPAWNER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
code = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as handle:
    json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss": usage.ru_maxrss, "code": code},
              handle)
sys.exit(0 if code == 0 else 1)
"""


def run_process(cmd: Sequence[str], env: Mapping[str, str] | None = None, cwd: str | None = None,
                timeout: float | None = None) -> Measure:
    """Run ``cmd`` as a fresh process; its own resource usage (``wait4``), not the other runs' nor this process's
    (it is started from a small spawner process: see :data:`_SPAWNER`).

    Raises SystemExit with the command's stderr tail when it fails or runs past ``timeout``."""
    import json
    import signal

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".json") as usage_file:
        proc = subprocess.Popen([sys.executable, "-c", _SPAWNER, usage_file.name, *cmd],
                                env=dict(env) if env is not None else None, cwd=cwd, stdout=out, stderr=err,
                                start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise SystemExit(f"timed out after {timeout:.0f} s: {shlex.join(cmd)}") from None
        usage = json.loads(Path(usage_file.name).read_text() or "{}")
        if proc.returncode != 0 or usage.get("code") != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-3000:]
            raise SystemExit(f"command failed ({usage.get('code', proc.returncode)}): {shlex.join(cmd)}\n{tail}")
        out.seek(0)
        stdout = out.read().decode("utf-8", "replace")
    rss = usage["maxrss"] / 1024 if sys.platform != "darwin" else usage["maxrss"] / 2**20
    return Measure(usage["wall"], usage["cpu"], rss, stdout)


def _cpu_seconds() -> float:
    """User + sys CPU of this process and of the child processes it has waited for (a JVM tokenizer)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_call(fn: Callable[[], Any]) -> Measure:
    """Wall and CPU (user + sys of this process and its waited-for children) seconds of one call, and its value."""
    cpu, start = _cpu_seconds(), time.perf_counter()
    value = fn()
    return Measure(time.perf_counter() - start, _cpu_seconds() - cpu, 0.0, value)


def alternate(sides: Mapping[str, Callable[[], Measure]], pairs: int) -> dict[str, list[Measure]]:
    """``pairs`` rounds of every side in turn (A B, then B A, ...): each side's measurements in run order."""
    names = list(sides)
    out: dict[str, list[Measure]] = {name: [] for name in names}
    for round_ in range(pairs):
        for name in names if round_ % 2 == 0 else reversed(names):
            out[name].append(sides[name]())
    return out


def summary(values: Sequence[float], fmt: str = ".3f") -> str:
    """``median [min-max]`` of the values."""
    return f"{statistics.median(values):{fmt}} [{min(values):{fmt}}-{max(values):{fmt}}]"


def ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    """Per-pair ratios (run ``i`` of one side against run ``i`` of the other)."""
    return [a / b if b else float("inf") for a, b in zip(numerators, denominators, strict=True)]


def machine() -> str:
    """The machine a figure was measured on: CPU model, cores, load average, Python."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), model)
    except OSError:
        pass
    load = " ".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"{model}, {os.cpu_count()} cores, load average {load}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def header(what: str) -> None:
    """Print the command that produces the figures and the machine they come from."""
    print(f"# {what}")
    print(f"# command: {shlex.join([os.path.relpath(sys.executable), *sys.argv])}")
    print(f"# machine: {machine()}")
