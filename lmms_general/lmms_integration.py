"""Make the generated ``task_yamls/`` visible to lmms-eval without ``--include_path``.

lmms-eval 0.7.3 has no task entry-point group, and ``LMMS_EVAL_PLUGINS`` adds include paths only after
the CLI has built its ``TaskManager``. The one route that works everywhere the models package is
imported (``lmms-eval ...``, ``lmms-eval eval ...``, ``python -m lmms_eval``, ``simple_evaluate``) is to
wrap ``TaskManager.__init__`` from our ``lmms_eval.models`` entry point so ``include_path`` always also
holds our tasks folder. The wrapper is signature-agnostic and installed at most once.

For code that only builds a ``TaskManager`` (``lmms-eval tasks list`` does), use :func:`task_manager`
or pass :func:`tasks_dir` as ``include_path`` yourself.
"""

from __future__ import annotations

import functools
import inspect
import threading
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()
_MARK = "__lmms_general_patched__"


def tasks_dir() -> Path:
    """Absolute path of the installed ``task_yamls`` folder."""
    import task_yamls

    return Path(task_yamls.__file__).resolve().parent


def _with_our_path(include_path: Any) -> Any:
    ours = str(tasks_dir())
    if include_path is None:
        return ours
    paths = [include_path] if isinstance(include_path, (str, Path)) else list(include_path)
    if any(Path(p).resolve() == Path(ours) for p in paths):
        return include_path
    return [*map(str, paths), ours]


def install_task_path() -> bool:
    """Wrap ``lmms_eval.tasks.TaskManager.__init__`` once; return True if this call installed it."""
    from lmms_eval.tasks import TaskManager

    with _LOCK:
        original = TaskManager.__init__
        if getattr(original, _MARK, False):
            return False
        signature = inspect.signature(original)

        @functools.wraps(original)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            bound = signature.bind(self, *args, **kwargs)
            bound.arguments["include_path"] = _with_our_path(bound.arguments.get("include_path"))
            original(*bound.args, **bound.kwargs)

        setattr(__init__, _MARK, True)
        TaskManager.__init__ = __init__  # type: ignore[method-assign]
        return True


def task_manager(include_defaults: bool = False, **kwargs: Any) -> Any:
    """A ``TaskManager`` that indexes our tasks (and lmms-eval's built-ins if ``include_defaults``)."""
    from lmms_eval.tasks import TaskManager

    include_path = _with_our_path(kwargs.pop("include_path", None))
    return TaskManager(include_path=include_path, include_defaults=include_defaults, **kwargs)
