"""Tracking metrics: single-object tracking success AUC (OTB/LaSOT one-pass evaluation).

AMOTA (3-D multi-object tracking) lives in :mod:`lmms_general.metrics.multi_object_tracking`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from lmms_general.metrics._common import percent, require_samples
from lmms_general.metrics.parsing import declares_xyxy, extract_json, xyxy_to_xywh
from lmms_general.metrics.registry import AS_IS, MetricSpec, register
from lmms_general.metrics.segmentation import box_iou
from lmms_general.metrics.synthetic import gen_track

THRESHOLDS = np.linspace(0.0, 1.0, 21)


def _boxes(value: Any) -> list[list[float] | None] | None:
    """Per-frame ``[x, y, w, h]`` boxes (``None`` for a frame without a box) from a list or ``{frame: box}``."""
    if isinstance(value, str):
        value = extract_json(value)
    if isinstance(value, Mapping):
        keys = sorted(value, key=lambda k: int(k))
        value = [value[k] for k in keys]
    if not isinstance(value, list):
        return None
    out: list[list[float] | None] = []
    for box in value:
        ok = isinstance(box, (list, tuple)) and len(box) == 4 and all(isinstance(v, (int, float)) for v in box)
        out.append([float(v) for v in box] if ok else None)
    return out if any(b is not None for b in out) else None


def parse_track(raw: str, context: Mapping[str, Any]) -> list[list[float] | None] | None:
    """Per-frame ``[x, y, w, h]`` boxes; boxes the answer declares as corners ("(x1, y1, x2, y2)") converted."""
    boxes = _boxes(raw)
    if boxes and declares_xyxy(raw):
        boxes = xyxy_to_xywh(boxes) or boxes
    return boxes


def track_reference(raw: Any, context: Mapping[str, Any]) -> list[list[float] | None]:
    boxes = _boxes(raw)
    if boxes is None:
        raise ValueError(f"reference holds no per-frame boxes: {str(raw)[:120]}")
    return boxes


def success_auc(prediction: Sequence[Any] | None, reference: Sequence[Any]) -> float:
    """Area under the success plot (IoU thresholds 0:0.05:1) of one sequence, in [0, 1].

    Frames whose reference box is absent are skipped; missing predicted frames have IoU 0.
    """
    pred = list(prediction or [])
    ious = [box_iou(pred[i], ref) if i < len(pred) and pred[i] is not None else 0.0
            for i, ref in enumerate(reference) if ref is not None and ref[2] > 0 and ref[3] > 0]
    if not ious:
        raise ValueError("auc: a sequence has no reference box")
    overlaps = np.asarray(ious)
    return float(np.mean([(overlaps > t).mean() for t in THRESHOLDS]))


def auc(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Success AUC averaged over sequences, 0-100."""
    require_samples("auc", predictions)
    return percent(success_auc(p, r) for p, r in zip(predictions, references, strict=True))


register(MetricSpec(id="auc", compute=auc, kind="sample", native_range=(0.0, 1.0), scale="x100",
                    implementation="numpy one-pass-evaluation success AUC", parse=parse_track,
                    prepare_reference=track_reference,
                    description="area under the success curve of box IoU, mean over sequences",
                    aliases=("AUC",),
                    task_kind="tracking",
                    level_map=AS_IS,
                    synthetic=gen_track))
