"""Requested tasks that could not be built inside an lmms-eval run: reported once, the others go on.

A task whose data cannot be built (unreadable archive, malformed annotation, zero usable samples) is left out
of the run with one line ``lmms_general: error: <task>: left out of this run: <cause>`` on stderr; the
other tasks are evaluated and their results written. lmms-eval's five ``tenacity`` retries of a task's
``download``/``process_docs`` are avoided by raising :class:`TaskDataFailure`, a ``BaseException`` (tenacity
retries ``Exception`` only), which the ``TaskManager`` patch of :mod:`lmms_general.lmms_integration` catches
per task.

Plain ``lmms-eval`` still exits 0 after leaving a task out (its exit status is its own); when
``$LMMS_GENERAL_FAILURES_FILE`` names a file, every failure is appended to it as one JSON line, which is how
:mod:`lmms_general.lmms_run` (``python -m lmms_general.lmms_run ...``) exits non-zero when any requested task
failed.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from lmms_general.user_errors import fatal

FAILURES_ENV = "LMMS_GENERAL_FAILURES_FILE"
_LOCK = threading.Lock()
_FAILED: dict[str, str] = {}


class TaskDataFailure(BaseException):  # noqa: N818 - a BaseException on purpose: tenacity must not retry it
    """One task's data could not be built; the run goes on without it."""

    def __init__(self, task: str, cause: str) -> None:
        super().__init__(f"{task}: {cause}")
        self.task = task
        self.cause = cause


@dataclass(frozen=True)
class TaskFailure:
    """A requested task left out of a run and why."""

    task: str
    cause: str


def report_failure(task: str, cause: str) -> None:
    """Print the task's one error line (once per process) and append it to ``$LMMS_GENERAL_FAILURES_FILE``."""
    with _LOCK:
        if task in _FAILED:
            return
        _FAILED[task] = cause
    fatal(f"{task}: left out of this run: {cause}")
    target = os.environ.get(FAILURES_ENV, "").strip()
    if target:
        line = json.dumps({"task": task, "cause": cause}, ensure_ascii=False)
        with _LOCK, open(target, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def failed_tasks() -> dict[str, str]:
    """Tasks reported failed in this process and their causes."""
    with _LOCK:
        return dict(_FAILED)


def clear_failures() -> None:
    """Forget this process's failures (tests; a long-lived process running several evaluations)."""
    with _LOCK:
        _FAILED.clear()


def read_failures(path: Path) -> list[TaskFailure]:
    """The failures a run appended to ``path`` (missing file: none; unreadable lines are kept as causes)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return []
    out: list[TaskFailure] = []
    for line in lines:
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(TaskFailure(str(row["task"]), str(row["cause"])))
        except (ValueError, KeyError, TypeError):
            out.append(TaskFailure("?", line))
    return out
