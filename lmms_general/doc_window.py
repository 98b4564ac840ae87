"""How many docs of each task an lmms-eval run evaluates, so that ``--limit N`` builds only the docs it needs.

lmms-eval applies ``--limit`` (and ``--offset``) after a task's ``process_docs``: it evaluates docs
``offset .. offset+N-1`` of the full list. Building every doc of a 300 MB annotation for ``--limit 10`` costs many
times the file in memory, so :func:`install` wraps ``lmms_eval.evaluator.simple_evaluate`` (the function the CLI, the
``eval`` subcommand and the Python API all call, and the one that receives ``limit`` / ``offset``): while it runs,
:func:`docs_needed` says ``offset + N`` and our ``process_docs`` builds only the first docs (each equal to the same doc
of a full build: the task's label set and missing-reference check still read every sample, one at a time).

No window (every doc is built, every sample counts) when the run has no limit, ``-1`` or ``0`` (lmms-eval: all),
a fraction (``0 < limit < 1`` is a share of the full count), few-shot examples (drawn from the same docs) or a
request cache (built from all docs). lmms-eval's ``n-samples.original`` would then count only the built docs: the
wrapper puts each cut task's full sample count back into the results before they are written.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_LOCK = threading.Lock()
_MARK = "__lmms_general_doc_window__"
_state: dict[str, Any] = {"needed": None}
_TOTALS: dict[str, int] = {}


def docs_needed() -> int | None:
    """How many leading docs of each task the running evaluation uses; None: all of them."""
    with _LOCK:
        return _state["needed"]


def needed_for(limit: Any, offset: Any = 0, num_fewshot: Any = None, cache_requests: Any = False) -> int | None:
    """The leading docs a ``simple_evaluate`` call with these arguments evaluates (None: all; see the module)."""
    if limit is None or isinstance(limit, bool) or num_fewshot or cache_requests:
        return None
    try:
        value, start = float(limit), int(offset or 0)
    except (TypeError, ValueError):
        return None
    if value < 1 or not value.is_integer() or start < 0:
        return None
    return int(value) + start


def record_total(task: str, total: int) -> None:
    """A task whose docs were cut to the window has ``total`` samples (put back into ``n-samples.original``)."""
    with _LOCK:
        _TOTALS[task] = total


@contextmanager
def window(needed: int | None) -> Iterator[None]:
    """:func:`docs_needed` says ``needed`` inside the block (tasks cut inside it are forgotten after it)."""
    with _LOCK:
        _state["needed"] = needed
        _TOTALS.clear()
    try:
        yield
    finally:
        with _LOCK:
            _state["needed"] = None
            _TOTALS.clear()


def restore_counts(results: Any) -> None:
    """``n-samples.<task>.original`` of every task cut to the window: its full sample count."""
    counts = results.get("n-samples") if isinstance(results, dict) else None
    if not isinstance(counts, dict):
        return
    with _LOCK:
        totals = dict(_TOTALS)
    for task, total in totals.items():
        entry = counts.get(task)
        if isinstance(entry, dict):
            entry["original"] = total


def install(evaluator: Any) -> bool:
    """Wrap ``evaluator.simple_evaluate`` once (signature-agnostic); True if this call installed it."""
    with _LOCK:
        original = getattr(evaluator, "simple_evaluate", None)
        if original is None or getattr(original, _MARK, False):
            return False
        signature = inspect.signature(original)

        @functools.wraps(original)
        def simple_evaluate(*args: Any, **kwargs: Any) -> Any:
            from lmms_general.task_failures import evaluation_returned

            try:
                given = signature.bind(*args, **kwargs).arguments
            except TypeError:  # lmms-eval reports its own argument errors
                results = original(*args, **kwargs)
            else:
                needed = needed_for(given.get("limit"), given.get("offset"), given.get("num_fewshot"),
                                    given.get("cache_requests"))
                with window(needed):
                    results = original(*args, **kwargs)
                    restore_counts(results)
            evaluation_returned()  # results written: the exit status may now speak of "the others' results"
            return results

        setattr(simple_evaluate, _MARK, True)
        evaluator.simple_evaluate = simple_evaluate
        return True
