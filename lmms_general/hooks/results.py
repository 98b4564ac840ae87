"""lmms-eval ``process_results`` and aggregations shared by all 699 tasks: thin wrappers of the protocol.

Each sample becomes one JSON item (:class:`lmms_general.protocol.SampleItem`) holding the parsed prediction, the
prepared reference, the task folder and the skill cluster, so the task score, bootstrap CIs, submission export and the
report's data root and Scope-D boards all work from the sample log alone. The
hooks never raise (lmms-eval retries raising hooks 5 times). ``score`` is always a number or None; a task-level
problem (a metric that cannot run, samples without a reference) is the text of the ``error`` metric.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from lmms_general.collector import run_aggregated
from lmms_general.hooks.media import media_failure
from lmms_general.protocol import doc_of, score_item, task_score
from lmms_general.protocol.scoring import SampleItem, TaskScore

_LOG = logging.getLogger("lmms_general")
_LOCK = threading.Lock()
#: the last task score per task key with the items it was computed from, so the ``error`` aggregation reports what
#: ``score`` found without running the metric twice. The items are held (no id can be reused while they are here)
#: and compared by content (``==``: the same dict objects compare at once, copies value by value); the entry goes
#: at its first reuse (one per task, nothing kept after both aggregations)
_LAST: dict[str, tuple[tuple[Mapping[str, Any], ...], TaskScore]] = {}


def process_results(doc: Mapping[str, Any], results: Sequence[Any]) -> dict[str, Any]:
    """lmms-eval hook: ``{"score": item, "failed": 0|1, "error": item}`` for one doc."""
    response = results[0] if results else ""
    try:
        data = doc_of(doc)
        item = score_item(data, response if isinstance(response, str) else str(response),
                          input_error=media_failure(data.registry_key, data.sample_id, consume=True))
    except Exception as exc:  # noqa: BLE001 - never raise inside lmms-eval's retried hook
        item = SampleItem(id=doc.get("sample_id") or f"doc {doc.get('doc_key')}", key=doc.get("registry_key"),
                          raw=str(response)[:20000], status="error", error=f"{type(exc).__name__}: {exc}").to_json()
    return {"score": item, "failed": int(item["status"] != "ok"), "error": item}


def _task_result(items: Sequence[Mapping[str, Any]]) -> TaskScore | None:
    run_aggregated()  # the run's per-sample work is done (lmms-eval aggregates after all of it)
    if not items:
        return None
    key = str(items[0].get("key"))
    held = tuple(items)
    with _LOCK:
        cached = _LAST.get(key)
        if cached is not None and cached[0] == held:
            del _LAST[key]
            return cached[1]
    result = task_score(items, key)
    with _LOCK:
        _LAST[key] = (held, result)
    if result.error:
        from lmms_general.registry import load_registry

        spec = load_registry().get(key)
        where = f"task {spec.task} (metric {spec.metric_id})" if spec else f"task {key}"
        _LOG.error("%s: %s", where, result.error)
    return result


def aggregate_score(items: Sequence[Mapping[str, Any]]) -> float | None:
    """lmms-eval aggregation for metric ``score``: the task score on the reference table's scale, or None."""
    result = _task_result(items)
    return None if result is None else result.score


def aggregate_error(items: Sequence[Mapping[str, Any]]) -> str:
    """lmms-eval aggregation for metric ``error``: "" when the task scored cleanly, else what went wrong
    (``lmms-general level`` re-scores a task whose metric could not run from its sample log)."""
    result = _task_result(items)
    return "" if result is None else result.error


def aggregate_failed(flags: Sequence[int]) -> int:
    """lmms-eval aggregation for metric ``failed``: samples that were not parsed answers (still in the score)."""
    return int(sum(flags))
