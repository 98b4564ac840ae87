"""Requested tasks that could not be built inside an lmms-eval run: reported once, the others go on.

A task whose data cannot be built (unreadable archive, malformed annotation, zero usable samples) is left out
of the run with one line ``lmms_general: error: <task>: left out of this run: <cause>`` on stderr; the
other tasks are evaluated and their results written. lmms-eval's five ``tenacity`` retries of a task's
``download``/``process_docs`` are avoided by raising :class:`TaskDataFailure`, a ``BaseException`` (tenacity
retries ``Exception`` only), which the ``TaskManager`` patch of :mod:`lmms_general.lmms_integration` catches
per task.

The run's exit status is 3 (:data:`EXIT_TASK_FAILED`) when a requested task was left out, for
``python -m lmms_eval ...`` (also under ``accelerate launch -m lmms_eval``): that entry ends with ``main();
sys.exit(0)``, after every result is written and the tables are printed, and the first failure in such a process
wraps ``sys.exit`` so that a clean exit (None or 0) becomes 3, with one summary line naming the failed tasks. A
non-zero status lmms-eval chose is kept, and a process that is not lmms-eval's CLI (the Python API, tests) keeps
``sys.exit`` as it is.

The ``lmms-eval`` console script (``lmms-eval --tasks ...``, ``lmms-eval eval ...``) runs ``sys.exit(main())``, and
Python looks ``sys.exit`` up *before* calling ``main()`` (our entry point is loaded inside ``main()``), so a wrapper is
never called there. In that process the first failure registers an ``atexit`` handler instead (it runs after
lmms-eval returned, every result written and non-daemon threads joined): when an evaluation returned its results
(our ``simple_evaluate`` wrapper says so) and no status was chosen since (an uncaught exception keeps its 1,
``sys.excepthook`` is watched; our own exit-2 errors keep their 2), it prints the summary line, runs the other
``atexit`` handlers itself (logging shutdown and the like), flushes stdout / stderr and ends the process with
``os._exit(3)``. Only the remaining interpreter teardown (module cleanup) is skipped. A bare ``SystemExit(n)`` raised
after the evaluation returned cannot be seen from there; lmms-eval's CLI raises none at that point. ``python -m
lmms_general.lmms_run`` (which runs ``python -m lmms_eval`` and names every cause again at the end) gives the same
status. When ``$LMMS_GENERAL_FAILURES_FILE`` names a file, every failure is also appended to it as one JSON line,
which :mod:`lmms_general.lmms_run` reads.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from lmms_general.user_errors import report_error, user_error_raised

FAILURES_ENV = "LMMS_GENERAL_FAILURES_FILE"
#: exit status of a run that wrote results but left a requested task out
EXIT_TASK_FAILED = 3
_EXIT_MARK = "__lmms_general_exit_status__"
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
    report_error(f"{task}: left out of this run: {cause}")
    if in_lmms_eval_cli():
        install_exit_status()
        if not _module_entry():
            install_console_exit_status()
    target = os.environ.get(FAILURES_ENV, "").strip()
    if target:
        line = json.dumps({"task": task, "cause": cause}, ensure_ascii=False)
        with _LOCK, open(target, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def in_lmms_eval_cli() -> bool:
    """Whether this process is lmms-eval's command line (``lmms-eval ...`` or ``python -m lmms_eval ...``, also
    under ``accelerate launch``)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if getattr(spec, "name", "") == "lmms_eval.__main__":
        return True
    return os.path.basename(sys.argv[0] if sys.argv else "") in {"lmms-eval", "lmms-eval.exe"}


def _module_entry() -> bool:
    """Whether lmms-eval runs as ``python -m lmms_eval`` (its ``sys.exit(0)`` reaches the wrapper)."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return getattr(spec, "name", "") == "lmms_eval.__main__"


def _summary(failures: dict[str, str]) -> str:
    return (f"lmms_general: error: {len(failures)} requested General-Bench task(s) failed, the others' results were "
            f"written: {', '.join(sorted(failures))} (exit status {EXIT_TASK_FAILED})")


#: "installed"; "uncaught" (an exception reached sys.excepthook); "exited" (our sys.exit wrapper was called: it
#: decided the status, so the atexit handler leaves it alone); "evaluated" (an evaluation returned its results)
_CONSOLE_STATE: dict[str, bool] = {}


def evaluation_returned() -> None:
    """Called when lmms-eval's ``simple_evaluate`` returned (:mod:`lmms_general.doc_window` wraps it): only then may
    the console script's exit handler say that the other tasks' results were written."""
    _CONSOLE_STATE["evaluated"] = True


def install_console_exit_status() -> bool:
    """For the ``lmms-eval`` console script: end a run that finished without an uncaught exception with status
    :data:`EXIT_TASK_FAILED` from an ``atexit`` handler (see the module docstring). True if this call installed it."""
    import atexit

    with _LOCK:
        if _CONSOLE_STATE.get("installed"):
            return False
        _CONSOLE_STATE["installed"] = True
        previous_hook = sys.excepthook

    def note_uncaught(kind: type[BaseException], value: BaseException, tb: object) -> None:
        _CONSOLE_STATE["uncaught"] = True
        previous_hook(kind, value, tb)  # type: ignore[arg-type]

    def exit_with_failures() -> None:
        failures = failed_tasks()
        decided = _CONSOLE_STATE.get("uncaught") or _CONSOLE_STATE.get("exited") or user_error_raised()
        if not failures or decided or not _CONSOLE_STATE.get("evaluated"):
            return  # a status already chosen (an exception, sys.exit, our own exit 2) or no results written
        print(_summary(failures), file=sys.stderr)
        atexit.unregister(exit_with_failures)
        atexit._run_exitfuncs()  # the other handlers, once: os._exit below skips the interpreter's own call
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001, S110 - a closed stream has nothing left to flush
                pass
        os._exit(EXIT_TASK_FAILED)

    sys.excepthook = note_uncaught
    atexit.register(exit_with_failures)
    return True


def install_exit_status() -> bool:
    """Wrap ``sys.exit`` once: a clean exit (None or 0) after a task failure exits :data:`EXIT_TASK_FAILED` with a
    summary line; any other status passes through. True if this call installed it."""
    with _LOCK:
        original = sys.exit
        if getattr(original, _EXIT_MARK, False):
            return False

        def exit_with_failures(status: object = None) -> None:
            _CONSOLE_STATE["exited"] = True
            failures = failed_tasks()
            if failures and status in (None, 0):
                print(_summary(failures), file=sys.stderr)
                status = EXIT_TASK_FAILED
            original(status)

        setattr(exit_with_failures, _EXIT_MARK, True)
        sys.exit = exit_with_failures
        return True


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
