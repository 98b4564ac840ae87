"""Per-task ``process_docs`` hooks: replace the template's one-row stub with the task's real samples.

Task YAMLs say ``process_docs: !function lmms_general.hooks.docs.<registry key>``; lmms-eval resolves that
with ``getattr(module, key)``, and the module-level ``__getattr__`` below returns a loader bound to the
key. Samples come from ``$GENERAL_BENCH_ROOT`` through :mod:`lmms_general.dataset`; each is built once into a typed
:class:`~lmms_general.protocol.Doc` kept in this process's doc store, and lmms-eval gets a light row pointing at it
(:func:`lmms_general.protocol.doc_row`). Nothing is dropped: samples whose media failed to resolve keep their
``load_error`` and score as wrong.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lmms_general.collector import cyclic_gc_paused, freeze_long_lived
from lmms_general.protocol import doc_store
from lmms_general.protocol.doc import COLUMNS, doc_row, task_facts, task_labels
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


def load_docs(key: str, root: Any = None, limit: int | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """All rows of one registry task (the first ``limit`` only, each equal to a full build's) and the loader's errors
    (task-level and per sample), nothing logged."""
    # every object made here is kept (the docs, their rows), so the collector's passes over the growing heap find
    # nothing and cost about a third of the build; ``settle``: the next young collections do not walk the new docs
    # once per generation either (about 20 µs a sample in ``benchmarks/bench_doc_path.py``)
    with cyclic_gc_paused(settle=True):
        return _load_docs(key, root, limit)


def _load_docs(key: str, root: Any, limit: int | None) -> tuple[list[dict[str, Any]], list[str]]:
    from lmms_general import dataset

    spec = load_registry()[key]
    path = dataset.resolve_root(root)
    data = dataset.load_task(path, key, limit=limit)
    every = data.samples if data.every_sample is None else data.every_sample  # streamed when cut
    labels = task_labels(spec, data.header, every)  # the task's label set, gathered once per task from all samples
    if data.every_sample is not None:  # lmms-eval's n-samples.original gets the full count back
        from lmms_general import doc_window

        doc_window.record_total(spec.task, len(data.every_sample))
    if not labels.labels:
        labels = _openset_labels(spec, data.header, path) or labels
    task_dir = str(data.folder.folder)
    facts = task_facts(spec, data.header, task_dir, labels, media_checked=True)  # shared by its docs, once
    return [doc_row(spec, data.header, s, task_dir, labels, facts) for s in data.samples], list(data.errors)


def rebuild_task_docs(key: str) -> None:
    """Build a task's docs into the doc store from ``$GENERAL_BENCH_ROOT`` (for rows made by another process)."""
    from lmms_general.extra_tasks import is_extra_key

    if is_extra_key(key):
        _extra_docs(key)
    else:
        load_docs(key)


doc_store.register_builder(rebuild_task_docs)


def openset_sibling(root: Path) -> Path | None:
    """The Openset tree next to a Closeset root (``.../General-Bench-Closeset`` -> ``.../General-Bench-Openset``),
    when there is one."""
    from lmms_general.dataset.loader import is_closeset

    if not is_closeset(root):
        return None
    name = re.sub(r"close(?=-?set)", lambda m: "OPEN" if m.group(0).isupper() else "Open" if m.group(0)[0].isupper()
                  else "open", root.name, flags=re.I)
    sibling = root.parent / name
    return sibling if sibling.is_dir() and sibling != root else None


def _openset_labels(spec: Any, header: Any, root: Path) -> Any:
    """A Closeset task has no references: its class list comes from the same task's Openset copy next to it (the
    class list is the task's, not the samples'). None when there is no such copy or it gives no label set."""
    from lmms_general import dataset
    from lmms_general.protocol.labels import is_label_task

    sibling = openset_sibling(root)
    if sibling is None or not is_label_task(spec, header):
        return None
    try:
        openset = dataset.load_task(sibling, spec.key, download=False, limit=0)  # its samples streamed, none held
    except Exception:  # noqa: BLE001 - no Openset copy of this task: the Closeset prompt goes without a label set
        return None
    labels = task_labels(spec, openset.header, openset.every_sample or openset.samples)
    if labels.labels:
        logger.info("%s: label set taken from the Openset copy in %s", spec.task, sibling)
    return labels if labels.labels else None


def docs_to_dataset(docs: list[dict[str, Any]]) -> Any:
    """A ``datasets.Dataset`` built straight from Arrow columns (``from_list`` re-encodes every value)."""
    import datasets
    import pyarrow as pa

    features = datasets.Features({name: datasets.Value(dtype) for name, dtype in COLUMNS.items()})
    table = pa.table({name: [doc[name] for doc in docs] for name in COLUMNS}, schema=features.arrow_schema)
    return datasets.Dataset(table, fingerprint=docs_fingerprint(docs))


def docs_fingerprint(docs: list[dict[str, Any]]) -> str:
    """A content hash of the rows (their ``doc_key`` is the hash of each doc's content), streamed."""
    digest = hashlib.blake2b(digest_size=8)
    for doc in docs:
        for name in COLUMNS:
            digest.update(str(doc[name]).encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
    return digest.hexdigest()


def make_process_docs(key: str) -> Callable[[Any], Any]:
    """The ``process_docs`` function for one task: ignores the stub split, returns the task's docs.
    ``<modality>_<comp|gen>_extra_...`` keys are task folders outside the reference table
    (:mod:`lmms_general.extra_tasks`)."""
    from lmms_general.extra_tasks import is_extra_key

    extra = is_extra_key(key)
    if key not in load_registry() and not extra:
        raise AttributeError(f"{key!r} is not a General-Bench registry key")

    def process_docs(_stub: Any) -> Any:
        if extra:
            return docs_to_dataset(_extra_docs(key))
        from lmms_general import doc_window
        from lmms_general.run_guard import task_data
        from lmms_general.task_failures import TaskDataFailure

        task = TASK_PREFIX + key
        try:
            with task_data(key):  # downloads when asked; "no data" errors print once and exit 2
                needed = doc_window.docs_needed()  # --limit N (with --offset K): only the first K+N docs
                docs, errors = load_docs(key) if needed is None else load_docs(key, limit=needed)
        except Exception as exc:  # noqa: BLE001 - any other failure to build this task's data is this task's
            raise TaskDataFailure(task, f"cannot build its samples ({type(exc).__name__}: {exc})") from exc
        if not docs:  # not retried by lmms-eval; the TaskManager patch leaves this task out, the run goes on
            cause = errors[0] if errors else "the task folder has no samples"
            raise TaskDataFailure(task, f"{cause} (see `lmms-general validate`)")
        for error in errors:
            logger.warning("%s: %s", task, error)
        try:
            dataset = docs_to_dataset(docs)
        except Exception as exc:  # noqa: BLE001 - e.g. a value Arrow cannot hold
            raise TaskDataFailure(task, f"cannot build its dataset ({type(exc).__name__}: {exc})") from exc
        freeze_long_lived()  # the docs live until the run ends: out of the collector's passes
        return dataset

    process_docs.__name__ = f"process_docs_{key}"
    process_docs.__qualname__ = process_docs.__name__
    return process_docs


def _extra_docs(key: str) -> list[dict[str, Any]]:
    """The rows of a task outside the reference table; a task that cannot be built is left out of the run with its
    cause (:class:`~lmms_general.task_failures.TaskDataFailure`, as for registry rows), the other tasks go on."""
    from lmms_general import extra_tasks
    from lmms_general.task_failures import TaskDataFailure

    task = TASK_PREFIX + key
    try:
        docs = extra_tasks.build_docs(key)
    except Exception as exc:  # noqa: BLE001 - any failure to build this task's data is this task's
        raise TaskDataFailure(task, f"cannot build its samples ({type(exc).__name__}: {exc})") from exc
    if not docs:
        raise TaskDataFailure(task, "the task folder has no samples (see `lmms-general validate`)")
    return docs


def __getattr__(name: str) -> Callable[[Any], Any]:
    if name.startswith("__"):
        raise AttributeError(name)
    return make_process_docs(name)
