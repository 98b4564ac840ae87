"""Python's cyclic garbage collector paused while a large set of long-lived objects is built (a task's docs, a
sample log's items), one pause for the whole process: threads that pause it at once share it, and the collector is
turned back on (when it was on) only when the last of them is done. Objects that live through an lmms-eval run (its
tasks' docs) are left out of the collector's passes (:func:`freeze_long_lived`)."""

from __future__ import annotations

import atexit
import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_pausers = 0  # threads inside cyclic_gc_paused now
_was_on = False  # the collector's state when the first of them entered
_frozen_here = False  # objects frozen by freeze_long_lived, not yet released
_run_over = False  # the run that froze them has aggregated
_exit_registered = False  # release_long_lived registered to run at the process's end


@contextmanager
def cyclic_gc_paused(settle: bool = False) -> Iterator[None]:
    """The collector off inside; back as it was after the last pauser (nested or in another thread) leaves, also
    on an exception. ``settle``: before turning it back on, move everything alive to the oldest generation
    (``gc.freeze`` + ``gc.unfreeze``: still collected by full collections) so the next young collections do not
    walk the new objects once per generation; skipped when someone else froze objects (``gc.get_freeze_count``),
    as ``gc.unfreeze`` would unfreeze theirs too."""
    global _pausers, _was_on
    with _LOCK:
        if _pausers == 0:
            _was_on = gc.isenabled()
            gc.disable()
        _pausers += 1
    try:
        yield
    finally:
        with _LOCK:
            _pausers -= 1
            if _pausers == 0 and _was_on:
                if settle and gc.get_freeze_count() == 0:
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()


def freeze_long_lived() -> None:
    """Leave every object alive now out of the collector's passes (``gc.freeze``) until the next run's docs or
    :func:`release_long_lived`.

    Called once a task's docs are built for lmms-eval: they live until the run ends, and each full collection during
    the run (the per-sample work makes several, and one comes with the aggregation) would otherwise walk all of them,
    which a plain task's rows never cost. Objects made later are collected as usual; reference counting still frees
    frozen objects, only cyclic garbage among them waits. A run that aggregated (:func:`run_aggregated`) is over: the
    next run's first docs give its objects back and collect once (``gc.unfreeze`` + ``gc.collect``) before freezing
    what is alive then, so a process running many evaluations holds at most one run's cyclic garbage. Nothing is done
    when someone else froze objects (a server before forking workers): ``gc.unfreeze`` would unfreeze theirs too."""
    global _frozen_here, _run_over, _exit_registered
    with _LOCK:
        if _frozen_here and _run_over:
            gc.unfreeze()
            gc.collect()
        _run_over = False
        if _frozen_here or gc.get_freeze_count() == 0:
            if not _exit_registered:
                atexit.register(release_long_lived)
                _exit_registered = True
            gc.freeze()
            _frozen_here = True


def run_aggregated() -> None:
    """Say that the run aggregates its tasks (all its per-sample work is done): its frozen objects stay frozen to the
    process's end (no full collection walks them while it writes its results) or until the next run's docs. At the
    end they are given back (an ``atexit`` handler): kept frozen through the interpreter's shutdown, the process's
    peak memory grew by ~3 KiB a doc (``benchmarks/bench_visual_overhead.py``)."""
    global _run_over
    with _LOCK:
        _run_over = _frozen_here


def release_long_lived() -> None:
    """Give the frozen objects back to the collector now (``gc.unfreeze``; nothing when :func:`freeze_long_lived` froze
    nothing): at the process's end, or in a long-lived process that runs no further evaluation."""
    global _frozen_here, _run_over
    with _LOCK:
        if _frozen_here:
            gc.unfreeze()
            _frozen_here = _run_over = False
