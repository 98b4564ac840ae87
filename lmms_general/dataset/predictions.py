"""Reading ``prediction.json`` files in both shapes the official suite uses (§6)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from lmms_general.dataset import jsonsafe
from lmms_general.dataset.errors import DatasetError
from lmms_general.dataset.media import KIND_BY_EXT, is_regular_file


class PredictionFileError(DatasetError):
    """A prediction file is unreadable or has records without an ``id``."""


def _media_path(value: Any, base: Path) -> str | None:
    if not isinstance(value, str) or "\n" in value or len(value) > 400:
        return None
    dot = value.rfind(".")
    if dot <= 0 or value[dot:].lower() not in KIND_BY_EXT:
        return None
    path = Path(value.replace("\\", "/"))
    return str(path if path.is_absolute() else Path(os.path.normpath(base / path)))


def read_predictions(path: Path) -> dict[str, Any]:
    """``id -> record`` from a bare list ``[{"id", "prediction"}, ...]`` or a ``{"task", ..., "data": [...]}`` wrapper.

    Ids become strings. When ``prediction`` is a media file path (generation tasks) the record gains
    ``prediction_path``, the path resolved relative to the prediction file's folder.

    Raises:
        PredictionFileError: malformed JSON, another shape, a record that is not an object or has no
            ``id``, or a repeated id (the message names the file and the record).
    """
    path = Path(path)
    if path.exists() and not is_regular_file(path):
        raise PredictionFileError(f"{path}: not a regular file (a FIFO or device is never opened)")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=jsonsafe.object_pairs)
    except RecursionError:
        raise PredictionFileError(f"{path}: cannot read predictions (nested too deeply for the JSON parser)") from None
    except (OSError, ValueError) as exc:
        raise PredictionFileError(f"{path}: cannot read predictions ({exc})") from exc
    if isinstance(doc, jsonsafe.DuplicateKeyDict) and doc.duplicates:
        raise PredictionFileError(f"{path}: duplicate top-level key {', '.join(map(repr, doc.duplicates))}")
    records = doc.get("data") if isinstance(doc, dict) else doc
    if not isinstance(records, list):
        raise PredictionFileError(f"{path}: expected a list of predictions or an object with a 'data' list")
    out: dict[str, Any] = {}
    for index, record in enumerate(records):
        if not isinstance(record, dict) or record.get("id") is None:
            raise PredictionFileError(f"{path}: prediction #{index} has no 'id' ({str(record)[:80]})")
        sid = str(record["id"])
        if isinstance(record, jsonsafe.DuplicateKeyDict) and record.duplicates:
            keys = ", ".join(map(repr, record.duplicates))
            raise PredictionFileError(f"{path}: prediction #{index} (id {sid!r}): duplicate key {keys}")
        if sid in out:
            raise PredictionFileError(f"{path}: prediction #{index}: id {sid!r} appears twice")
        media = _media_path(record.get("prediction"), path.parent)
        out[sid] = {**record, "prediction_path": media} if media else dict(record)
    return out
