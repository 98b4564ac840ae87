"""``process_results`` and aggregation shared by all 699 tasks.

Each sample becomes one JSON item (see ARCHITECTURE.md) holding the parsed prediction and the reference,
so the task score, bootstrap CIs and submission export all work from the sample log alone. The hook never
raises (lmms-eval retries raising hooks 5 times): problems become the item's ``status`` and ``error``.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

from lmms_general.hooks.docs import doc_field, doc_media, payload
from lmms_general.hooks.media import media_failure
from lmms_general.hooks.prompts import build_prompt
from lmms_general.metrics import get_metric
from lmms_general.registry import load_registry

_LOG = logging.getLogger("lmms_general")
FAILED_PREFIXES = ("[GENERATION_FAILED]", "[ERROR]")
_MEDIA_KEYS = {"image": "images", "video": "videos", "audio": "audios", "3d": ("pointclouds", "meshes")}


def _jsonable(value: Any) -> Any:
    """Make numpy scalars/arrays and tuples JSON-friendly (items go into the sample log)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def generated_paths(raw: str, modality: str) -> list[str]:
    """Media paths of the requested modality in a response (JSON convention, bare path, or folder)."""
    from pathlib import Path

    text = raw.strip()
    keys = _MEDIA_KEYS.get(modality, ())
    keys = (keys,) if isinstance(keys, str) else keys
    try:
        payload = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        payload = None
    if isinstance(payload, dict):
        return [str(p) for k in keys for p in payload.get(k) or []]
    if text and Path(text).is_dir():
        return sorted(str(p) for p in Path(text).iterdir() if p.is_file())
    return [text] if text else []


def generation_reference(doc: Mapping[str, Any], sample: Mapping[str, Any]) -> dict[str, Any]:
    """Reference material for generation metrics: prompt, source media, target media, reference text."""
    media = doc_media(doc)
    output = sample.get("output")
    text = None
    if isinstance(output, Mapping):
        for name in ("text", "transcript", "caption", "answer"):
            if isinstance(output.get(name), str):
                text = output[name]
                break
    return {
        "prompt": build_prompt(doc),
        "source": [m["path"] for m in media if m.get("role") == "input" and m.get("path")],
        "target": [m["path"] for m in media if m.get("role") != "input" and m.get("path")],
        "text": text,
        "input": sample.get("input"),
        "auxiliary_info": sample.get("auxiliary_info"),
        "task_dir": payload(doc["payload_json"])["task_dir"],
    }


def raw_reference(doc: Mapping[str, Any], sample: Mapping[str, Any]) -> Any:
    """The unprepared reference of a doc: the generation reference for media outputs, else the answer."""
    if doc_field(doc, "output_modality") != "text":
        return generation_reference(doc, sample)
    return payload(doc["payload_json"])["reference"]


def score_item(doc: Mapping[str, Any], response: str) -> dict[str, Any]:
    """One sample's item: parsed prediction, prepared reference, status."""
    spec = load_registry()[doc["registry_key"]]
    item: dict[str, Any] = {
        "id": doc["sample_id"], "key": spec.key, "prediction": None, "reference": None,
        "raw": response, "status": "ok", "error": "",
    }
    try:
        metric = get_metric(spec.metric_id, spec.task)
    except NotImplementedError as exc:
        item.update(status="error", error=str(exc))
        return item
    data = payload(doc["payload_json"])
    sample = data["sample"]
    context = {**data["context"], "task_dir": data["task_dir"]}
    try:
        reference = raw_reference(doc, sample)
        if reference is not None:
            item["reference"] = _jsonable(metric.prepare_reference(reference, context))
    except Exception as exc:  # noqa: BLE001 - a bad reference is reported per sample
        item.update(status="error", error=f"reference of sample {doc['sample_id']}: {type(exc).__name__}: {exc}")
        return item
    problem = doc_field(doc, "load_error") or media_failure(spec.key, doc["sample_id"])
    if problem:
        item.update(status="error", error=problem)
        return item
    if response.startswith(FAILED_PREFIXES):
        item.update(status="failed", error=response[:500])
        return item
    modality = doc_field(doc, "output_modality")
    if modality != "text":
        paths = generated_paths(response, modality)
        if not paths:
            item.update(status="failed", error=f"no {modality} file in the response")
            return item
        response = paths[0] if len(paths) == 1 else json.dumps(paths)
    try:
        prediction = metric.parse(response, context)
    except Exception as exc:  # noqa: BLE001
        prediction = None
        item["error"] = f"parse: {type(exc).__name__}: {exc}"
    item["prediction"] = _jsonable(prediction)
    if prediction is None:
        item["status"] = "unparsed"
    return item


def process_results(doc: Mapping[str, Any], results: Sequence[str]) -> dict[str, Any]:
    """lmms-eval hook: ``{"score": item, "failed": item}`` for one doc."""
    response = results[0] if results else ""
    try:
        item = score_item(doc, response if isinstance(response, str) else str(response))
    except Exception as exc:  # noqa: BLE001 - never raise inside lmms-eval's retried hook
        item = {"id": doc.get("sample_id"), "key": doc.get("registry_key"), "prediction": None, "reference": None,
                "raw": str(response), "status": "error", "error": f"{type(exc).__name__}: {exc}"}
    return {"score": item, "failed": int(item["status"] != "ok")}


def score_items(items: Sequence[Mapping[str, Any]]) -> float | None:
    """Task score from items (all of one task). None when nothing is scorable (no samples / Closeset)."""
    if not items:
        return None
    spec = load_registry()[items[0]["key"]]
    metric = get_metric(spec.metric_id, spec.task)
    scorable = [i for i in items if i.get("reference") is not None]
    if not scorable:
        return None
    return metric.score([i["prediction"] for i in scorable], [i["reference"] for i in scorable],
                        **spec.compute_options)


def aggregate_score(items: Sequence[Mapping[str, Any]]) -> float | str | None:
    """lmms-eval aggregation for metric ``score`` (reference-table scale).

    A metric that cannot run (a model-based metric without its weights offline, a judge not configured)
    must not abort the other tasks of the run: the error is logged naming the task and metric, and the
    task's score becomes the text ``"error: ..."``, which ``lmms-general level`` reports and counts as
    missing. The sample log keeps every item, so ``lmms-general level`` re-scores the task from it once the
    metric can run.
    """
    try:
        return score_items(items)
    except Exception as exc:  # noqa: BLE001 - one task's metric must not lose the whole run
        key = items[0].get("key") if items else None
        spec = load_registry().get(key) if key else None
        where = f"task {spec.task} (metric {spec.metric_id})" if spec else f"task {key}"
        message = f"error: {type(exc).__name__}: {exc}"
        _LOG.error("%s could not be scored: %s; `lmms-general level` re-scores it from the sample log once the "
                   "metric can run", where, message)
        return message


def aggregate_failed(flags: Sequence[int]) -> int:
    """lmms-eval aggregation for metric ``failed``: samples that were not parsed answers (still in the score)."""
    return int(sum(flags))
