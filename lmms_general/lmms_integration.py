"""Make the generated ``task_yamls/`` visible to lmms-eval without ``--include_path``, at almost no cost.

lmms-eval 0.7.3 has no task entry-point group, and ``LMMS_EVAL_PLUGINS`` adds include paths only after
the CLI has built its ``TaskManager``. The one route that works everywhere the models package is
imported (``lmms-eval ...``, ``lmms-eval eval ...``, ``python -m lmms_eval``, ``simple_evaluate``) is to
wrap ``TaskManager.initialize_tasks`` from our ``lmms_eval.models`` entry point. The wrapper is
signature-agnostic and installed at most once.

Indexing our 713 YAMLs the way lmms-eval does (parsing every file) costs seconds, and the entry point
runs in every lmms-eval process of the environment, for unrelated benchmarks too. So our part of the
index (exactly what lmms-eval's own ``_get_task_and_group`` returns for our folder) is cached on disk
under ``$LMMS_GENERAL_CACHE/task_index/`` (default ``~/.cache/lmms_general``), keyed by a fingerprint
of the YAML files (relative path, size, mtime) and the lmms-eval version, and merged into every index
with the priority an ``include_path`` entry has (lmms-eval's own tasks win on a name clash). A stale,
missing or malformed cache is rebuilt. Set ``LMMS_GENERAL_DISABLE_ENTRY_POINT=1`` to make the entry
point do nothing (no adapters, no tasks).

For code that only builds a ``TaskManager`` (``lmms-eval tasks list`` does), use :func:`task_manager`
or pass :func:`tasks_dir` as ``include_path`` yourself.

lmms-eval cannot build a task with zero documents, and a user's General-Bench folder rarely holds all
699 tasks. So the same hook narrows our *groups* to the tasks present under ``$GENERAL_BENCH_ROOT`` (and
says how many it left out); a leaf task requested by name that is absent fails with a clear error.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from lmms_general.atomic_json import write_json_atomic

_LOCK = threading.Lock()
_MARK = "__lmms_general_patched__"
#: bump when the cached index's layout changes
INDEX_VERSION = 1
DISABLE_ENV = "LMMS_GENERAL_DISABLE_ENTRY_POINT"
logger = logging.getLogger("lmms_general")
_MEMO: dict[str, dict[str, Any]] = {}


def tasks_dir() -> Path:
    """Absolute path of the installed ``task_yamls`` folder."""
    import task_yamls

    return Path(task_yamls.__file__).resolve().parent


def _is_ours(path: Any) -> bool:
    try:
        return Path(path).resolve() == tasks_dir()
    except (TypeError, OSError):
        return False


def _with_our_path(include_path: Any) -> Any:
    ours = str(tasks_dir())
    if include_path is None:
        return ours
    paths = [include_path] if isinstance(include_path, (str, Path)) else list(include_path)
    if any(_is_ours(p) for p in paths):
        return include_path
    return [*map(str, paths), ours]


def _without_our_path(include_path: Any) -> Any:
    if include_path is None:
        return None
    paths = [include_path] if isinstance(include_path, (str, Path)) else list(include_path)
    kept = [p for p in paths if not _is_ours(p)]
    if len(kept) == len(paths):
        return include_path
    return kept or None


def _cache_dir() -> Path:
    """``$LMMS_GENERAL_CACHE`` or ``~/.cache/lmms_general`` (as :func:`lmms_general.dataset.layout.cache_root`)."""
    env = os.environ.get("LMMS_GENERAL_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "lmms_general"


def yaml_fingerprint(folder: Path) -> str:
    """Hash of every ``*.yaml`` under ``folder`` (relative path, size, mtime_ns) and the lmms-eval version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        lmms_version = version("lmms_eval")
    except PackageNotFoundError:
        lmms_version = "unknown"
    digest = hashlib.sha1(f"v{INDEX_VERSION}\0{lmms_version}\n".encode())
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".yaml"):
                path = os.path.join(root, name)
                st = os.stat(path)
                digest.update(f"{os.path.relpath(path, folder)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _valid_index(index: Any) -> bool:
    return isinstance(index, dict) and all(
        isinstance(k, str) and isinstance(v, dict) and isinstance(v.get("type"), str) for k, v in index.items()
    )


def our_task_index(manager: Any) -> dict[str, Any]:
    """Our folder's entries of lmms-eval's task index, from the disk cache when it matches the YAMLs.

    ``manager`` is a ``TaskManager``; on a cache miss its own ``_get_task_and_group`` indexes the folder,
    so the entries are exactly what lmms-eval would build.
    """
    folder = tasks_dir()
    fingerprint = yaml_fingerprint(folder)
    memo_key = f"{folder}\0{fingerprint}"
    if memo_key in _MEMO:
        return _MEMO[memo_key]
    path = _cache_dir() / "task_index" / f"{hashlib.sha1(str(folder).encode()).hexdigest()[:16]}.json"
    index: Any = None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and doc.get("fingerprint") == fingerprint and doc.get("folder") == str(folder):
            index = doc.get("index")
    except (OSError, ValueError):
        index = None
    if not _valid_index(index):
        index = dict(manager._get_task_and_group(str(folder)))
        try:
            write_json_atomic(path, {"fingerprint": fingerprint, "folder": str(folder), "index": index})
        except OSError as exc:  # a read-only cache only costs speed
            logger.debug("task index cache not written (%s)", exc)
    _MEMO[memo_key] = index
    return index


def extra_task_index(manager: Any) -> dict[str, Any]:
    """Index entries of the task folders outside the reference table under ``$GENERAL_BENCH_ROOT``
    (``general_bench_*_extra_*``, :mod:`lmms_general.extra_tasks`): their YAMLs are generated from the data into the
    cache and indexed by lmms-eval itself. Never fails a run: a problem is logged and the extras are left out."""
    if not os.environ.get("GENERAL_BENCH_ROOT", "").strip():
        return {}
    try:
        from lmms_general.extra_tasks import write_task_yamls

        folder, _tasks = write_task_yamls()
        return dict(manager._get_task_and_group(str(folder)))
    except Exception as exc:  # noqa: BLE001 - unrelated benchmarks and the 699 rows must still run
        logger.warning("General-Bench: task folders outside the reference table not indexed (%s: %s)",
                       type(exc).__name__, exc)
        return {}


def install_task_path() -> bool:
    """Wrap ``lmms_eval.tasks.TaskManager.initialize_tasks`` once; return True if this call installed it."""
    from lmms_eval.tasks import TaskManager

    with _LOCK:
        original = TaskManager.initialize_tasks
        if getattr(original, _MARK, False):
            return False
        signature = inspect.signature(original)

        @functools.wraps(original)
        def initialize_tasks(self: Any, *args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(self, *args, **kwargs)
            bound.arguments["include_path"] = _without_our_path(bound.arguments.get("include_path"))
            index = original(*bound.args, **bound.kwargs)
            _install_doc_window()  # lmms_eval.evaluator is complete by now (it is not when the entry point loads)
            return {**our_task_index(self), **extra_task_index(self), **index}

        setattr(initialize_tasks, _MARK, True)
        TaskManager.initialize_tasks = initialize_tasks  # type: ignore[method-assign]
        TaskManager._get_config = _narrowing_get_config(TaskManager._get_config)  # type: ignore[method-assign]
        TaskManager.match_tasks = _checked_match_tasks(TaskManager.match_tasks)  # type: ignore[method-assign]
        TaskManager._load_individual_task_or_group = _isolated_load(  # type: ignore[method-assign]
            TaskManager._load_individual_task_or_group)
        TaskManager.load_task_or_group = _checked_load(TaskManager.load_task_or_group)  # type: ignore[method-assign]
    _install_doc_window()
    return True


def _install_doc_window() -> None:
    """Let ``--limit N`` build only the docs it evaluates (:mod:`lmms_general.doc_window`), once lmms-eval's
    evaluator module is fully imported."""
    import sys

    from lmms_general import doc_window

    evaluator = sys.modules.get("lmms_eval.evaluator")
    if evaluator is not None and hasattr(evaluator, "simple_evaluate"):
        doc_window.install(evaluator)


def _leaf_name(name_or_config: Any) -> str | None:
    """Our leaf task's name when ``name_or_config`` (a name or ``{"task": name, ...}``) is one, else None."""
    name = name_or_config.get("task") if isinstance(name_or_config, dict) else name_or_config
    if not isinstance(name, str):
        return None
    from lmms_general.extra_tasks import is_extra_key
    from lmms_general.registry import TASK_PREFIX

    # a task outside the reference table is isolated like a registry row: its bad data costs only itself
    extra = name.startswith(TASK_PREFIX) and is_extra_key(name[len(TASK_PREFIX):])
    return name if name in _leaf_names() or extra else None


def _isolated_load(original: Any) -> Any:
    """One General-Bench task whose data cannot be built is left out (one error line); the others load.

    Before building it, a named task whose folder the index reads as holding no sample is left out with the
    index's first error (as group members are in :func:`present_members`); a failure found while building its
    docs (:class:`~lmms_general.task_failures.TaskDataFailure`, never retried) leaves it out the same way.
    """

    @functools.wraps(original)
    def _load_individual_task_or_group(self: Any, name_or_config: Any = None, *args: Any, **kwargs: Any) -> Any:
        from lmms_general.task_failures import TaskDataFailure, report_failure

        name = _leaf_name(name_or_config)
        if name is None:
            return original(self, name_or_config, *args, **kwargs)
        cause = _unbuildable(name)
        if cause is not None:
            report_failure(name, cause)
            return {}
        try:
            return original(self, name_or_config, *args, **kwargs)
        except TaskDataFailure as failure:
            report_failure(failure.task, failure.cause)
            return {}

    return _load_individual_task_or_group


def _unbuildable(task: str) -> str | None:
    """Why our leaf ``task`` has no sample according to the root's index; None when it has some or is absent
    (an absent folder is the loader's clear "not found" error, exit 2) or no root is set."""
    if not os.environ.get("GENERAL_BENCH_ROOT"):
        return None
    from lmms_general.dataset import index_root, resolve_root
    from lmms_general.registry import TASK_PREFIX
    from lmms_general.user_errors import exit_on_data_errors

    with exit_on_data_errors(task):
        index = index_root(resolve_root())
    folder = index.by_key(task[len(TASK_PREFIX):])
    if folder is None or folder.samples:
        return None
    return _absence_reason(folder)


def _checked_load(original: Any) -> Any:
    """Every requested task left out: one clear error and exit 2 instead of an empty evaluation."""

    @functools.wraps(original)
    def load_task_or_group(self: Any, *args: Any, **kwargs: Any) -> Any:
        loaded = original(self, *args, **kwargs)
        from lmms_general.task_failures import failed_tasks
        from lmms_general.user_errors import fatal

        failed = failed_tasks()
        if not failed:
            return loaded
        if not any(_has_task(v) for v in loaded.values()):
            raise fatal(f"none of the requested tasks could be built ({len(failed)} left out: {', '.join(failed)})")
        return _without_empty_groups(loaded)

    return load_task_or_group


def _without_empty_groups(loaded: dict[Any, Any]) -> dict[Any, Any]:
    """The task dict without groups all of whose tasks were left out (lmms-eval cannot aggregate an empty group)."""
    return {k: _without_empty_groups(v) if isinstance(v, dict) else v for k, v in loaded.items()
            if not isinstance(v, dict) or _has_task(v)}


def _has_task(entry: Any) -> bool:
    """Whether a loaded task-dict entry is a task or a group holding at least one task."""
    return any(_has_task(v) for v in entry.values()) if isinstance(entry, dict) else entry is not None


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
        group = str(config.get("group", "")) if isinstance(config, dict) and "group" in config else ""
        if group.startswith("general_bench") and group != "general_bench_extra":  # extras: generated from data
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
    from lmms_general.user_errors import exit_on_data_errors

    with exit_on_data_errors(group):  # a mistyped or non-General-Bench root: one message, exit 2
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
        from lmms_general.task_failures import report_failure

        broken = [r for r in left_out if not r.endswith(_NO_FOLDER)]
        for reason in broken:  # a folder that gave no sample is a failed task (the run's status says so)
            task, _, cause = reason.partition(": ")
            report_failure(task, cause)
        logger.warning(
            "General-Bench: running %d of %d group members found under GENERAL_BENCH_ROOT=%s; %d have no task folder "
            "there, %d have a folder that gave no samples (named in the error lines above; `lmms-general validate "
            "--root DIR` lists everything)",
            len(kept), len(members), os.environ["GENERAL_BENCH_ROOT"], len(left_out) - len(broken), len(broken),
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
