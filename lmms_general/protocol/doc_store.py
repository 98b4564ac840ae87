"""This process's typed docs, found by content from lmms-eval's light rows.

A task's ``process_docs`` builds every :class:`~lmms_general.protocol.doc.Doc` once and puts it here under its
``doc_key`` (a hash of the doc's content, see :func:`content_key`); the lmms-eval row carries only ``registry_key``
and ``doc_key``, so ``datasets`` copies two short strings per row read instead of a JSON blob. The key is content,
never ``id()``: a row read back from a re-opened, mapped or ``--limit``-ed dataset, or from a cached request, finds
the same doc; each rank builds its own docs. A row whose doc is not here (built by another process) asks the
registered builder (:mod:`lmms_general.hooks.docs`) to build its task from ``$GENERAL_BENCH_ROOT`` once; a row whose
content changed since then raises a clear ``LookupError``. Reads and writes are thread-safe (lmms-eval calls
``process_results`` from 4 threads).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from typing import Any

_LOCK = threading.Lock()
_BUILD_LOCK = threading.Lock()
#: doc_key -> Doc
_DOCS: dict[str, Any] = {}
#: registry keys whose docs a miss already asked the builder for (never twice per process)
_REBUILT: set[str] = set()
_BUILDER: list[Callable[[str], Any]] = []


def content_key(registry_key: str, payload_text: str) -> str:
    """The doc key of a task's doc from its payload JSON text: 32 hex digits of the BLAKE2b hash of both (two tasks
    whose samples read alike keep their own docs)."""
    text = f"{registry_key}\0{payload_text}"
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def content_hasher(registry_key: str) -> Callable[[str], str]:
    """``lambda text: content_key(registry_key, text)`` for one task's docs: the hash state of ``registry_key\\0`` is
    made once and copied per doc (the same digest: BLAKE2b over the same bytes; thread-safe)."""
    primed = hashlib.blake2b(f"{registry_key}\0".encode("utf-8", "surrogatepass"), digest_size=16)

    def key_of(payload_text: str) -> str:
        digest = primed.copy()
        digest.update(payload_text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    return key_of


def put(doc_key: str, doc: Any) -> None:
    """Keep ``doc`` under ``doc_key`` (equal content gives an equal key: a rebuilt task replaces nothing)."""
    with _LOCK:
        _DOCS.setdefault(doc_key, doc)


def put_all(items: Iterable[tuple[str, Any]]) -> None:
    with _LOCK:
        for doc_key, doc in items:
            _DOCS.setdefault(doc_key, doc)


def register_builder(builder: Callable[[str], Any]) -> None:
    """``builder(registry_key)`` builds a task's docs into this store (the lmms-eval ``process_docs`` route)."""
    with _LOCK:
        _BUILDER[:] = [builder]


def get(doc_key: str, registry_key: str) -> Any:
    """The doc stored under ``doc_key``; on a miss, the task is built once in this process and looked up again."""
    doc = _DOCS.get(doc_key)
    if doc is not None:
        return doc
    with _BUILD_LOCK:  # one build per task even when 4 scoring threads miss at once
        doc = _DOCS.get(doc_key)
        if doc is None and registry_key not in _REBUILT and _BUILDER:
            _REBUILT.add(registry_key)
            try:
                _BUILDER[0](registry_key)
            except Exception as exc:  # noqa: BLE001 - any build failure: this row's doc cannot be had here
                raise LookupError(f"task {registry_key} doc {doc_key}: its doc was not built in this process and "
                                  f"its task cannot be built here: {type(exc).__name__}: {exc}") from exc
            doc = _DOCS.get(doc_key)
    if doc is None:
        raise LookupError(
            f"task {registry_key} doc {doc_key}: its doc was not built in this process and "
            f"building the task from $GENERAL_BENCH_ROOT gives no doc with that content (the data changed since the "
            f"row was made, or the row belongs to another data root)")
    return doc


def clear() -> None:
    """Drop every doc and forget which tasks were rebuilt (tests; a long-lived process between runs)."""
    with _LOCK, _BUILD_LOCK:
        _DOCS.clear()
        _REBUILT.clear()


def size() -> int:
    """Number of docs held (for tests and memory reports)."""
    with _LOCK:
        return len(_DOCS)
