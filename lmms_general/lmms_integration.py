"""Make the generated ``task_yamls/`` visible to lmms-eval without ``--include_path``.

lmms-eval 0.7.3 has no task entry-point group, and ``LMMS_EVAL_PLUGINS`` adds include paths only after
the CLI has built its ``TaskManager``. The one route that works everywhere the models package is
imported (``lmms-eval ...``, ``lmms-eval eval ...``, ``python -m lmms_eval``, ``simple_evaluate``) is to
wrap ``TaskManager.__init__`` from our ``lmms_eval.models`` entry point so ``include_path`` always also
holds our tasks folder. The wrapper is signature-agnostic and installed at most once.

For code that only builds a ``TaskManager`` (``lmms-eval tasks list`` does), use :func:`task_manager`
or pass :func:`tasks_dir` as ``include_path`` yourself.

lmms-eval cannot build a task with zero documents, and a user's General-Bench folder rarely holds all
699 tasks. So the same hook narrows our *groups* to the tasks present under ``$GENERAL_BENCH_ROOT`` (and
says how many it left out); a leaf task requested by name that is absent fails with a clear error.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import threading
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()
_MARK = "__lmms_general_patched__"
logger = logging.getLogger("lmms_general")


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
        TaskManager._get_config = _narrowing_get_config(TaskManager._get_config)  # type: ignore[method-assign]
        TaskManager.match_tasks = _checked_match_tasks(TaskManager.match_tasks)  # type: ignore[method-assign]
        return True


def _checked_match_tasks(original: Any) -> Any:
    """A mistyped ``general_bench_*`` name ends the run with the closest names (lmms-eval may exit 0)."""

    @functools.wraps(original)
    def match_tasks(self: Any, task_list: Any) -> Any:
        matched = original(self, task_list)
        from lmms_general import run_guard

        run_guard.task_names([str(t) for t in task_list], list(matched), self.all_tasks)
        return matched

    return match_tasks


def _narrowing_get_config(original: Any) -> Any:
    @functools.wraps(original)
    def _get_config(self: Any, name: str) -> Any:
        config = original(self, name)
        if isinstance(config, dict) and "group" in config and str(config.get("group", "")).startswith("general_bench"):
            members = config.get("task")
            if isinstance(members, list):
                kept = present_members(members, str(config["group"]))
                if kept is not None and kept != members:
                    config = {**config, "task": kept}
        return config

    return _get_config


def _group_tasks(name: str) -> set[str]:
    """Leaf task names under one of our group names (recursively), from the registry."""
    from lmms_general.registry import TASK_PREFIX, load_registry

    suffix = name[len(TASK_PREFIX):] if name.startswith(TASK_PREFIX) else name
    specs = load_registry().values()
    if name == "general_bench":
        return {s.task for s in specs}
    return {s.task for s in specs if s.group == name or (s.modality == suffix and s.modality != "nlp")}


def present_members(members: list[Any], group: str = "general_bench group") -> list[Any] | None:
    """Group members whose data exists under ``$GENERAL_BENCH_ROOT``; None when the variable is unset.

    Members left out are logged with the reason: no task folder, or a folder whose annotation could not
    be read (its error, e.g. the JSON syntax error, is shown) or that holds no sample. With
    ``GENERAL_BENCH_DOWNLOAD=1`` the group's tasks are downloaded first; no root, or no member with data,
    ends the run with one clear message (:mod:`lmms_general.run_guard`).
    """
    from lmms_general import run_guard

    run_guard.group_data(group, members)
    if not os.environ.get("GENERAL_BENCH_ROOT"):
        return None
    from lmms_general.dataset import index_root, resolve_root
    from lmms_general.registry import TASK_PREFIX

    folders = {TASK_PREFIX + t.registry_key: t for t in index_root(resolve_root()).tasks if t.registry_key}
    present = {name for name, t in folders.items() if t.samples}
    kept: list[Any] = []
    left_out: list[str] = []
    for member in members:
        name = member if isinstance(member, str) else member.get("task", "") if isinstance(member, dict) else ""
        if not str(name).startswith(TASK_PREFIX):
            kept.append(member)
        elif name in present or (_group_tasks(name) & present and name not in _leaf_names()):
            kept.append(member)
        else:
            left_out.append(f"{name}: {_absence_reason(folders.get(name))}")
    run_guard.empty_group(group, members, kept)
    if left_out:
        broken = [r for r in left_out if not r.endswith(_NO_FOLDER)]
        logger.warning(
            "General-Bench: running %d of %d group members found under GENERAL_BENCH_ROOT=%s; %d have no task folder "
            "there, %d have a folder that gave no samples (`lmms-general validate --root DIR` lists everything)%s",
            len(kept), len(members), os.environ["GENERAL_BENCH_ROOT"], len(left_out) - len(broken), len(broken),
            "".join(f"\n  left out {r}" for r in broken),
        )
    return kept


_NO_FOLDER = "no task folder"


def _absence_reason(folder: Any) -> str:
    """Why a group member was left out (the folder's first error when it has one)."""
    if folder is None:
        return _NO_FOLDER
    where = folder.source or folder.folder
    if folder.errors:
        return f"0 samples in {where}: {folder.errors[0]}"
    return f"0 samples in {where}"


@functools.lru_cache(maxsize=1)
def _leaf_names() -> frozenset[str]:
    from lmms_general.registry import load_registry

    return frozenset(s.task for s in load_registry().values())


def task_manager(include_defaults: bool = False, **kwargs: Any) -> Any:
    """A ``TaskManager`` that indexes our tasks (and lmms-eval's built-ins if ``include_defaults``)."""
    from lmms_eval.tasks import TaskManager

    include_path = _with_our_path(kwargs.pop("include_path", None))
    return TaskManager(include_path=include_path, include_defaults=include_defaults, **kwargs)
