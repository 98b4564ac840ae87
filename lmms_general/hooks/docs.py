"""Per-task ``process_docs`` hooks: replace the template's one-row stub with the task's real samples.

Task YAMLs say ``process_docs: !function lmms_general.hooks.docs.<registry key>``; lmms-eval resolves that
with ``getattr(module, key)``, and the module-level ``__getattr__`` below returns a loader bound to the
key. Samples come from ``$GENERAL_BENCH_ROOT`` through :mod:`lmms_general.dataset`; each becomes one three-column
row (:func:`lmms_general.protocol.doc_row`), read back as a typed :class:`~lmms_general.protocol.Doc`. Nothing is
dropped: samples whose media failed to resolve keep their ``load_error`` and score as wrong.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from lmms_general.protocol.doc import COLUMNS, doc_row
from lmms_general.registry import TASK_PREFIX, load_registry

logger = logging.getLogger(__name__)

__all__ = ["COLUMNS", "build_docs", "docs_to_dataset", "load_docs", "make_process_docs"]


def build_docs(key: str, root: Any = None) -> list[dict[str, Any]]:
    """All rows of one registry task under ``root`` (default ``$GENERAL_BENCH_ROOT``).

    Raises the loader's clear errors when the root is not configured or the task is absent: lmms-eval
    cannot run a task with zero documents, and groups only request tasks that are present.
    """
    docs, errors = load_docs(key, root)
    for error in errors:
        logger.warning("%s: %s", TASK_PREFIX + key, error)
    return docs


def load_docs(key: str, root: Any = None) -> tuple[list[dict[str, Any]], list[str]]:
    """All rows of one registry task and the loader's errors (task-level and per sample), nothing logged."""
    from lmms_general import dataset

    spec = load_registry()[key]
    data = dataset.load_task(dataset.resolve_root(root), key)
    return [doc_row(spec, data.header, s, str(data.folder.folder)) for s in data.samples], list(data.errors)


def docs_to_dataset(docs: list[dict[str, Any]]) -> Any:
    """A ``datasets.Dataset`` built straight from Arrow columns (``from_list`` re-encodes every value)."""
    import datasets
    import pyarrow as pa

    features = datasets.Features({name: datasets.Value(dtype) for name, dtype in COLUMNS.items()})
    table = pa.table({name: [doc[name] for doc in docs] for name in COLUMNS}, schema=features.arrow_schema)
    return datasets.Dataset(table, fingerprint=docs_fingerprint(docs))


def docs_fingerprint(docs: list[dict[str, Any]]) -> str:
    """A content hash of the rows, streamed (``datasets`` would otherwise hash a serialised copy of the whole
    table: a transient copy about 3x the rows' size)."""
    digest = hashlib.blake2b(digest_size=8)
    for doc in docs:
        for name in COLUMNS:
            digest.update(str(doc[name]).encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
    return digest.hexdigest()


def make_process_docs(key: str) -> Callable[[Any], Any]:
    """The ``process_docs`` function for one task: ignores the stub split, returns the task's docs."""
    if key not in load_registry():
        raise AttributeError(f"{key!r} is not a General-Bench registry key")

    def process_docs(_stub: Any) -> Any:
        from lmms_general.run_guard import task_data
        from lmms_general.task_failures import TaskDataFailure

        task = TASK_PREFIX + key
        try:
            with task_data(key):  # downloads when asked; "no data" errors print once and exit 2
                docs, errors = load_docs(key)
        except Exception as exc:  # noqa: BLE001 - any other failure to build this task's data is this task's
            raise TaskDataFailure(task, f"cannot build its samples ({type(exc).__name__}: {exc})") from exc
        if not docs:  # not retried by lmms-eval; the TaskManager patch leaves this task out, the run goes on
            cause = errors[0] if errors else "the task folder has no samples"
            raise TaskDataFailure(task, f"{cause} (see `lmms-general validate`)")
        for error in errors:
            logger.warning("%s: %s", task, error)
        try:
            return docs_to_dataset(docs)
        except Exception as exc:  # noqa: BLE001 - e.g. a value Arrow cannot hold
            raise TaskDataFailure(task, f"cannot build its dataset ({type(exc).__name__}: {exc})") from exc

    process_docs.__name__ = f"process_docs_{key}"
    process_docs.__qualname__ = process_docs.__name__
    return process_docs


def __getattr__(name: str) -> Callable[[Any], Any]:
    if name.startswith("__"):
        raise AttributeError(name)
    return make_process_docs(name)
