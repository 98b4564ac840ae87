"""Per-task ``process_docs`` hooks: replace the template's one-row stub with the task's real samples.

Task YAMLs say ``process_docs: !function lmms_general.hooks.docs.<registry key>``; lmms-eval resolves that
with ``getattr(module, key)``, and the module-level ``__getattr__`` below returns a loader bound to the
key. Samples come from ``$GENERAL_BENCH_ROOT`` through :mod:`lmms_general.dataset`. Every sample becomes
one doc with three string columns (annotation records are too irregular for Arrow's nested types),
so nothing is dropped: samples whose media failed to resolve keep their ``load_error`` and score as wrong.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from lmms_general.hooks.kinds import generation_kind, output_modality, task_kind
from lmms_general.registry import TASK_PREFIX, TaskSpec, load_registry

logger = logging.getLogger(__name__)

#: Three columns on purpose: lmms-eval reads every row through ``datasets`` several times, and its cost
#: grows with the number of columns; everything else lives in ``payload_json`` (parsed once, cached).
COLUMNS: dict[str, str] = {
    "registry_key": "string",
    "sample_id": "string",
    "payload_json": "string",
}


@functools.lru_cache(maxsize=8192)
def payload(text: str) -> dict[str, Any]:
    """The parsed ``payload_json`` of a doc (see :func:`sample_to_doc` for its keys; do not mutate)."""
    return json.loads(text)


def doc_field(doc: Mapping[str, Any], name: str) -> Any:
    """A doc value: ``index``, ``task_kind``, ``output_modality``, ``generation_kind``, ``load_error``,
    ``sample``, ``context``, ``reference``, ``task_dir``."""
    return payload(doc["payload_json"])[name]


def doc_media(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The doc's media entries ``{"kind", "path", "raw", "role"}`` (path absolute or None)."""
    return list(payload(doc["payload_json"])["media"])


def _features() -> Any:
    import datasets

    return datasets.Features({name: datasets.Value(dtype) for name, dtype in COLUMNS.items()})


def _media_role(raw: str, sample: Any) -> str:
    """``input`` when the annotation's input side names this file, else ``output`` (a target / reference)."""
    role = getattr(sample, "role", None)
    if role:
        return str(role)
    haystack = json.dumps([sample.input, {k: v for k, v in sample.extra.items()}], default=str)
    return "input" if raw and raw.replace("\\", "/") in haystack.replace("\\\\", "/") else "output"


def _context(spec: TaskSpec, header: dict[str, Any], sample: Any) -> dict[str, Any]:
    others = header.get("others") if isinstance(header.get("others"), dict) else {}
    inp = sample.input if isinstance(sample.input, dict) else {}
    return {
        "registry_key": spec.key,
        "task_name": spec.display_name,
        "task_type": str(header.get("type", "")),
        "bbox_format": others.get("bbox_format", "(x_min, y_min, width, height)"),
        "options": inp.get("options") if isinstance(inp.get("options"), list) else None,
        "question": inp.get("question") if isinstance(inp.get("question"), str) else None,
        "sample_id": sample.id,
    }


def sample_to_doc(spec: TaskSpec, header: dict[str, Any], sample: Any, task_dir: str) -> dict[str, Any]:
    """One loader :class:`~lmms_general.dataset.Sample` as a doc (see ARCHITECTURE.md)."""
    from lmms_general.dataset import sample_reference

    media = [
        {"kind": ref.kind, "path": str(ref.path) if ref.path else None, "raw": ref.raw,
         "role": getattr(ref, "role", None) or _media_role(ref.raw, sample)}
        for ref in sample.media
    ]
    input_kinds = [m["kind"] for m in media if m["role"] == "input" and m["path"]]
    record = {"id": sample.id, "input": sample.input, "output": sample.output, **sample.extra}
    body = {
        "index": sample.index,
        "task_kind": task_kind(spec),
        "output_modality": output_modality(spec),
        "generation_kind": generation_kind(spec, input_kinds),
        "media": media,
        "load_error": "; ".join(sample.errors),
        "sample": record,
        "context": _context(spec, header, sample),
        "reference": sample_reference(sample),
        "task_dir": task_dir,
    }
    return {
        "registry_key": spec.key,
        "sample_id": sample.id,
        "payload_json": json.dumps(body, ensure_ascii=False, default=str),
    }


def build_docs(key: str, root: Any = None) -> list[dict[str, Any]]:
    """All docs of one registry task under ``root`` (default ``$GENERAL_BENCH_ROOT``).

    Raises the loader's clear errors when the root is not configured or the task is absent: lmms-eval
    cannot run a task with zero documents, and groups only request tasks that are present.
    """
    from lmms_general import dataset

    spec = load_registry()[key]
    data = dataset.load_task(dataset.resolve_root(root), key)
    for error in data.errors:
        logger.warning("%s: %s", spec.task, error)
    return [sample_to_doc(spec, data.header, s, str(data.folder.folder)) for s in data.samples]


def docs_to_dataset(docs: list[dict[str, Any]]) -> Any:
    """A ``datasets.Dataset`` built straight from Arrow columns (``from_list`` re-encodes every value)."""
    import datasets
    import pyarrow as pa

    features = _features()
    table = pa.table({name: [doc[name] for doc in docs] for name in COLUMNS}, schema=features.arrow_schema)
    return datasets.Dataset(table)


def make_process_docs(key: str) -> Callable[[Any], Any]:
    """The ``process_docs`` function for one task: ignores the stub split, returns the task's docs."""
    if key not in load_registry():
        raise AttributeError(f"{key!r} is not a General-Bench registry key")

    def process_docs(_stub: Any) -> Any:
        from lmms_general.run_guard import task_data

        with task_data(key):  # downloads when asked; "no data" errors print once and exit 2
            docs = build_docs(key)
        if not docs:
            raise ValueError(f"{TASK_PREFIX}{key}: the task folder has no samples (see `lmms-general validate`)")
        return docs_to_dataset(docs)

    process_docs.__name__ = f"process_docs_{key}"
    process_docs.__qualname__ = process_docs.__name__
    return process_docs


def __getattr__(name: str) -> Callable[[Any], Any]:
    if name.startswith("__"):
        raise AttributeError(name)
    return make_process_docs(name)
