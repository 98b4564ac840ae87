"""Checks run inside lmms-eval before any sample is built: data root, downloads, task names, empty groups.

Called from the task hooks (``process_docs``) and the ``TaskManager`` patch of
:mod:`lmms_general.lmms_integration`; every failure is one printed message and exit status 2
(:mod:`lmms_general.user_errors`), never a retried stack of ``RetryError``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from lmms_general.user_errors import exit_on_data_errors, fatal, unknown_task_message

ROOT_ENV = "GENERAL_BENCH_ROOT"
DOWNLOAD_ENV = "GENERAL_BENCH_DOWNLOAD"


def missing_root_message() -> str:
    """What to do when no data root is configured."""
    from lmms_general.dataset.errors import HUB_REPOS

    return (f"no General-Bench data: {ROOT_ENV} is not set. Set {ROOT_ENV}=/path/to/General-Bench-Openset "
            f"(https://huggingface.co/datasets/{HUB_REPOS[0]}), or set {DOWNLOAD_ENV}=1 to download just the "
            f"requested tasks (into ${ROOT_ENV} if set, else the lmms_general cache)")


@contextmanager
def task_data(key: str) -> Iterator[None]:
    """Around one task's ``process_docs``: download it when asked, and exit cleanly on "no data" errors."""
    from lmms_general.dataset.hub import download_enabled, prepare_root
    from lmms_general.registry import TASK_PREFIX

    task = TASK_PREFIX + key
    with exit_on_data_errors(task):
        if download_enabled():
            prepare_root([key])
        elif not os.environ.get(ROOT_ENV, "").strip():
            raise fatal(f"{task}: {missing_root_message()}")
        yield


def leaf_keys(members: Iterable[Any]) -> list[str]:
    """Registry keys of every General-Bench leaf task under group members (names or ``{"task": name}``)."""
    from lmms_general.registry import TASK_PREFIX, load_registry

    specs = list(load_registry().values())
    keys: set[str] = set()
    for member in members:
        name = member if isinstance(member, str) else member.get("task", "") if isinstance(member, dict) else ""
        name = str(name)
        if name == TASK_PREFIX.rstrip("_"):
            keys.update(s.key for s in specs)
            continue
        if not name.startswith(TASK_PREFIX):
            continue
        suffix = name[len(TASK_PREFIX):]
        keys.update(s.key for s in specs
                    if s.task == name or s.group == name or s.modality == suffix or s.group.startswith(name + "_"))
    return sorted(keys)


def group_data(group: str, members: Sequence[Any]) -> None:
    """Before a group is narrowed to the tasks present: download its tasks if asked; explain a missing root."""
    from lmms_general.dataset.hub import download_enabled, prepare_root

    keys = leaf_keys(members)
    if not keys:
        return
    with exit_on_data_errors(group):
        if download_enabled():
            prepare_root(keys)
        elif not os.environ.get(ROOT_ENV, "").strip():
            raise fatal(f"{group}: {missing_root_message()}")


def empty_group(group: str, members: Sequence[Any], kept: Sequence[Any]) -> None:
    """A group left with no task: a clear error instead of lmms-eval's ``UnboundLocalError``."""
    if members and not kept:
        root = os.environ.get(ROOT_ENV, "")
        raise fatal(
            f"{group}: none of its {len(leaf_keys(members)) or len(members)} tasks has data under {ROOT_ENV}={root} "
            f"(`lmms-general validate --root {root or 'DIR'}` lists what is there; {DOWNLOAD_ENV}=1 downloads them)"
        )


def task_names(requested: Sequence[str], matched: Sequence[str], all_names: Iterable[str]) -> None:
    """A mistyped General-Bench task name: exit with the closest registered names."""
    from lmms_general.registry import TASK_PREFIX

    names = list(all_names)
    for name in requested:
        if name in matched or "*" in name or os.path.isfile(name) or not name.startswith("general_bench"):
            continue
        raise fatal(unknown_task_message(name, [n for n in names if n.startswith(TASK_PREFIX[:-1])]))
