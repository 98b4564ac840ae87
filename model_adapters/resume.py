"""Resume interrupted generation runs: reuse media already written for the same request.

Each generation request gets a key: a hash of the adapter's settings (model paths, steps, sizes, seed; not the
device or output folder) and of the request (task, sample, prompt, generation kwargs, the doc with its input
media paths). Files are named with the key (content-addressed), and after a successful generation a small
manifest ``<output_dir>/<task>/<sample_id>_<key>.json`` stores the response. A later run with the same key
returns that response without generating again, as long as every listed file still exists and is non-empty;
anything else (a changed setting, a missing file) regenerates.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lmms_general.atomic_json import write_json_atomic
from model_adapters.media_output import MEDIA_KEYS, parse_response, safe_name

#: adapter attributes that do not change what is generated
VOLATILE = frozenset({"output_dir", "batch_size", "device", "failures", "generated_items", "reused_items", "resume",
                      "task_dict", "accelerator"})


def _plain(value: Any) -> bool:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def settings(adapter: Any) -> dict[str, Any]:
    """The adapter's plain-valued public attributes that shape its outputs (model paths, steps, seed...)."""
    return {k: v for k, v in sorted(vars(adapter).items()) if not k.startswith("_") and k not in VOLATILE and _plain(v)}


def _doc_material(row: Any) -> Any:
    """What of a doc identifies the request: a General-Bench doc's payload JSON text (the same text for a light row
    and for a ``payload_json`` row of the same sample), another task's doc as it is."""
    from lmms_general.protocol.doc import doc_of, is_general_bench_row

    if not is_general_bench_row(row):
        return row
    if "payload_json" in row:
        return row["payload_json"]
    return json.dumps(doc_of(row).payload(), ensure_ascii=False, default=str)


def request_key(adapter: Any, req: Any) -> str:
    """16 hex digits identifying what ``adapter`` would generate for ``req``."""
    doc = _doc_material(req.doc)
    material = {
        "adapter": type(adapter).__name__, "settings": settings(adapter), "kind": req.kind, "task": req.task,
        "sample_id": req.sample_id, "context": req.context, "gen_kwargs": req.gen_kwargs, "doc": doc,
    }
    text = json.dumps(material, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def manifest_path(output_dir: str | Path, task: str, sample_id: str, key: str) -> Path:
    return Path(output_dir).resolve() / safe_name(task) / f"{safe_name(sample_id)}_{key}.json"


def load_reusable(path: Path) -> str | None:
    """The stored response when the manifest and every file it lists are intact, else None."""
    try:
        response = json.loads(path.read_text(encoding="utf-8"))["response"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    payload = parse_response(response)
    if payload is None:
        return None
    files = [f for key in MEDIA_KEYS for f in payload[key]]
    if not files or not all(os.path.isfile(f) and os.path.getsize(f) > 0 for f in files):
        return None
    return response


def store(path: Path, response: str, key: str) -> None:
    """Write the manifest atomically (a crash mid-write leaves no half manifest)."""
    write_json_atomic(path, {"key": key, "response": response})
