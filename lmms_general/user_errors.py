"""Errors a user can act on, raised inside an lmms-eval run: printed once, then a non-zero exit.

lmms-eval wraps dataset building in ``tenacity.retry`` (5 attempts) and reports only a ``RetryError``; with
``--verbosity`` above DEBUG it even exits 0. ``SystemExit`` is not retried and not caught by its
``except Exception``, so a clear message followed by ``SystemExit(2)`` is what the user sees, once.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

EXIT_STATUS = 2
_printed: set[str] = set()
_made: list[str] = []  # messages of the UserErrors made in this process (each is raised where it is made)


class UserError(SystemExit):
    """A fatal, explained error: the message has been printed; the process exits with status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(EXIT_STATUS)
        self.message = message
        _made.append(message)


def user_error_raised() -> bool:
    """Whether this process made (and so raised) a :class:`UserError`: its exit status 2 is the run's."""
    return bool(_made)


def report_error(message: str) -> str:
    """Print ``lmms_general: error: message`` once (per process); returns the folded message."""
    text = " ".join(message.split())
    if text not in _printed:
        _printed.add(text)
        print(f"\nlmms_general: error: {text}\n", file=sys.stderr, flush=True)
    return text


def fatal(message: str) -> UserError:
    """Print ``lmms_general: error: message`` once (per process) and return the exception to raise."""
    return UserError(report_error(message))


@contextmanager
def exit_on_data_errors(task: str) -> Iterator[None]:
    """Turn the loader's "no data" errors inside a run into one printed message and exit 2.

    A root that is missing or not a General-Bench tree also names ``GENERAL_BENCH_DOWNLOAD``, the other way
    to get data (downloads create the folder).
    """
    from lmms_general.dataset.errors import DatasetError, DatasetNotFoundError

    try:
        yield
    except DatasetError as exc:
        from lmms_general.dataset.hub import DOWNLOAD_ENV, download_enabled

        hint = ""
        if isinstance(exc, DatasetNotFoundError) and not download_enabled() and DOWNLOAD_ENV not in str(exc):
            hint = f"; or set {DOWNLOAD_ENV}=1 to download just the requested tasks into it"
        raise fatal(f"{task}: {exc}{hint}") from None


def closest_names(name: str, names: Iterable[str], n: int = 5) -> list[str]:
    """The registered names closest to a mistyped one (difflib ratio >= 0.6)."""
    return difflib.get_close_matches(name, list(names), n=n, cutoff=0.6)


def unknown_task_message(name: str, names: Iterable[str]) -> str:
    """``unknown task X; did you mean: a, b?`` plus where to list the names."""
    close = closest_names(name, names)
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    return (f"unknown task {name!r}{hint} (`lmms-general tasks` lists the General-Bench tasks, "
            f"`lmms-eval --tasks list` every task)")
