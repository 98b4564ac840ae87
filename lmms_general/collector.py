"""Python's cyclic garbage collector paused while a large set of long-lived objects is built (a task's docs, a
sample log's items), one pause for the whole process: threads that pause it at once share it, and the collector is
turned back on (when it was on) only when the last of them is done."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_pausers = 0  # threads inside cyclic_gc_paused now
_was_on = False  # the collector's state when the first of them entered


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
