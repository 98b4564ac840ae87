"""The generated-media response convention: the one place that writes and reads it.

A model that generates media answers with the JSON text
``{"text": str, "images": [path], "videos": [path], "audios": [path], "meshes": [path], "pointclouds": [path]}``
holding absolute paths of files it wrote. A failure is a text starting with ``[GENERATION_FAILED]`` (adapters)
or ``[ERROR]`` (some lmms-eval wrappers); it is counted as ``failed`` and scores as wrong, never dropped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FAILED_PREFIX = "[GENERATION_FAILED]"
#: response prefixes that mean "the model could not answer this sample"
FAILURE_PREFIXES: tuple[str, ...] = (FAILED_PREFIX, "[ERROR]")
MEDIA_KEYS: tuple[str, ...] = ("images", "videos", "audios", "meshes", "pointclouds")
#: output modality -> the response keys that carry it
MODALITY_KEYS: dict[str, tuple[str, ...]] = {
    "image": ("images",),
    "video": ("videos",),
    "audio": ("audios",),
    "3d": ("pointclouds", "meshes"),
}


def failure(reason: str) -> str:
    """The response text of a failed generation."""
    return f"{FAILED_PREFIX} {reason}".strip()


def is_failure(response: Any) -> bool:
    """True for a response that reports a failure (``[GENERATION_FAILED] ...`` / ``[ERROR] ...``)."""
    return isinstance(response, str) and response.lstrip().startswith(FAILURE_PREFIXES)


def build_response(text: str = "", **media: Sequence[str | Path]) -> str:
    """JSON response text with every media key present (unknown keys raise ``KeyError``)."""
    unknown = set(media) - set(MEDIA_KEYS)
    if unknown:
        raise KeyError(f"unknown media keys {sorted(unknown)}; expected {MEDIA_KEYS}")
    payload: dict[str, Any] = {"text": text}
    for key in MEDIA_KEYS:
        payload[key] = [str(Path(p).resolve()) for p in media.get(key, ())]
    return json.dumps(payload, ensure_ascii=False)


def parse_response(response: Any) -> dict[str, Any] | None:
    """The JSON payload of a media response (every key present), or None for failures and other text."""
    if not isinstance(response, str) or is_failure(response):
        return None
    text = response.strip()
    if not text.startswith("{"):
        return None
    try:
        payload = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(payload, dict) or not any(key in payload for key in MEDIA_KEYS):
        return None
    out: dict[str, Any] = {"text": payload.get("text") if isinstance(payload.get("text"), str) else ""}
    for key in MEDIA_KEYS:
        values = payload.get(key) or []
        out[key] = [str(v) for v in values if isinstance(v, (str, Path))] if isinstance(values, list) else []
    return out


def media_paths(response: Any, modality: str) -> list[str]:
    """Paths of one output modality in a response: the JSON convention, a bare file path, or a folder of files.

    Returns [] for failures, empty answers and JSON without that modality.
    """
    if not isinstance(response, str) or is_failure(response):
        return []
    payload = parse_response(response)
    if payload is not None:
        return [p for key in MODALITY_KEYS.get(modality, ()) for p in payload[key]]
    text = response.strip()
    if not text or "\n" in text or len(text) > 4096 or text.startswith(("{", "[")):
        return []
    path = Path(text)
    try:
        if path.is_dir():
            return sorted(str(p) for p in path.iterdir() if p.is_file())
    except OSError:
        return []
    return [text]
