"""What the specialists of a task kind are given besides the media: the facts a prompt must state.

* single-object tracking (OTB / LaSOT one-pass evaluation): the target's box in the first frame;
* semi-supervised video object segmentation (DAVIS): the target's mask in the first frame (as polygons);
* referring tasks (referring VOS, spatio-temporal video grounding, HC-STVG / VidSTG): the expression;
* temporal grounding (Charades-STA, VidSTG, HC-STVG): how many frames the video has and at what rate, so an answer in
  frame indices can be given.

:func:`specialist_inputs` returns them as ``Doc.context`` keys (``first_frame_box``, ``first_frame_polygons``,
``frame_count``, ``fps``, ``expression``); docs/METRICS.md "What the model is given" lists them per kind.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lmms_general.media_kinds import IMAGE_SUFFIXES, VIDEO_SUFFIXES
from lmms_general.registry import TaskSpec

_IMAGE_SUFFIXES = frozenset(IMAGE_SUFFIXES)
_VIDEO_SUFFIXES = frozenset(VIDEO_SUFFIXES)
_REFERRING = re.compile(r"referring|\brvos\b|revos|grounding|\bvg\b", re.I)
#: at most this many polygon coordinates are written for a first-frame mask (an outline is simplified beyond it)
MAX_MASK_COORDS = 400


def is_vos(spec: TaskSpec) -> bool:
    """Video object segmentation rows (semi-supervised or referring)."""
    name = spec.display_name.lower()
    return spec.modality == "video" and ("object segmentation" in name or re.search(r"\bvos\b", name) is not None)


def is_referring(spec: TaskSpec, expression: str) -> bool:
    """Referring tasks: the target is named by an expression, not given as a first-frame mask."""
    return bool(expression) or bool(_REFERRING.search(f"{spec.display_name} {spec.short_name}"))


def _frames_in(path: Path) -> int:
    return sum(1 for p in path.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES and p.is_file())


def video_timing(path: str | Path) -> tuple[int | None, float | None]:
    """(frame count, frames per second) of a video file from its container header; (None, None) when unreadable."""
    try:
        import av

        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            frames = int(stream.frames) or None
            rate = float(stream.average_rate) if stream.average_rate else None
            if frames is None and stream.duration and stream.time_base and rate:
                frames = round(float(stream.duration * stream.time_base) * rate)
            return frames, rate
    except Exception:  # noqa: BLE001 - timing is a hint; a bad file is reported when it is read
        return None, None


def _frame_total(media: Sequence[Mapping[str, Any]]) -> int | None:
    """Frames of the sample's input clip: a frame folder, a frame list, or a video file's header."""
    inputs = [m for m in media if m.get("role") == "input" and m.get("path")]
    frame_files = [m for m in inputs if m.get("kind") == "frames" and Path(m["path"]).suffix.lower() in _IMAGE_SUFFIXES]
    if frame_files:
        return len(frame_files)
    for m in inputs:
        path = Path(str(m["path"]))
        if path.is_dir():
            return _frames_in(path) or None
        if path.suffix.lower() in _VIDEO_SUFFIXES:
            return video_timing(path)[0]
    return None


def _video_rate(media: Sequence[Mapping[str, Any]]) -> float | None:
    for m in media:
        if m.get("role") == "input" and m.get("path") and Path(str(m["path"])).suffix.lower() in _VIDEO_SUFFIXES:
            return video_timing(m["path"])[1]
    return None


def mask_polygons(mask: Any) -> list[list[float]]:
    """Polygons of a binary mask in pixel-corner coordinates: exact (unions of pixel rectangles) when short,
    else the simplified outer outlines (OpenCV contours, vertices at pixel centres)."""
    from lmms_general.metrics.polygons import mask_to_polygons

    binary = np.asarray(mask) != 0
    if binary.ndim == 3:
        binary = binary.any(axis=-1)
    exact = mask_to_polygons(binary)
    if sum(len(p) for p in exact) <= MAX_MASK_COORDS:
        return exact
    import cv2

    contours, _ = cv2.findContours(binary.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    epsilon = 0.5
    while True:
        polys = [cv2.approxPolyDP(c, epsilon, True).reshape(-1, 2) for c in contours]
        coords = sum(2 * len(p) for p in polys)
        if coords <= MAX_MASK_COORDS or epsilon > 64:
            break
        epsilon *= 2
    return [[round(float(v) + 0.5, 1) for v in p.ravel()] for p in polys if len(p) >= 3]


def _first_frame(reference: Any) -> Any:
    if isinstance(reference, Mapping) and reference:
        keys = sorted(reference, key=lambda k: (not str(k).isdigit(), int(k) if str(k).isdigit() else 0, str(k)))
        return reference[keys[0]]
    return None


def _expression(sample: Any) -> str:
    inp = sample.input if isinstance(sample.input, Mapping) else {}
    for value in (inp.get("prompt"), inp.get("expression"), inp.get("caption"), sample.extra.get("caption")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def specialist_inputs(spec: TaskSpec, kind: str, sample: Any, media: Sequence[Mapping[str, Any]],
                      reference: Any) -> dict[str, Any]:
    """The task kind's specialist inputs for one sample (its :class:`~lmms_general.protocol.formats.AnswerFormat`
    says which; keys absent when the kind has none or the sample lacks them). ``reference`` is the sample's resolved
    reference (the first frame of a track / mask comes from it). A malformed record gives none and says so: a
    warning naming the task, sample and cause, and the key ``specialist_input_error`` (shown by
    ``lmms-general prompts``); its reference problems are reported again when the sample is scored. Never raises."""
    from lmms_general.protocol.formats import answer_format

    try:
        out = answer_format(kind).specialist_inputs(spec, sample, media, reference)
    except Exception as exc:  # noqa: BLE001 - hints for the prompt; a broken record must not stop the task's docs
        import logging

        why = f"{type(exc).__name__}: {exc}"
        logging.getLogger("lmms_general").warning("%s sample %s: specialist input not given (%s)", spec.task,
                                                  getattr(sample, "id", "?"), why)
        return {"specialist_input_error": why}
    return {k: v for k, v in out.items() if v is not None}


def gives_specialist_inputs(kind: str) -> bool:
    """False when :func:`specialist_inputs` gives ``{}`` for every sample of the kind (its format keeps the base's
    none), so a task's doc building may skip the call; True when it may give some (or the kind is unknown: each
    sample's call then reports the error)."""
    from lmms_general.protocol.formats import AnswerFormat, answer_format

    try:
        fmt = answer_format(kind)
    except KeyError:
        return True
    return type(fmt).specialist_inputs is not AnswerFormat.specialist_inputs or "specialist_inputs" in vars(fmt)


def tracking_inputs(media: Sequence[Mapping[str, Any]], reference: Any) -> dict[str, Any]:
    """Single-object tracking: the target's box in the first frame and the frame count."""
    out: dict[str, Any] = {}
    boxes = reference.get("answer") if isinstance(reference, Mapping) else reference
    if isinstance(boxes, list) and boxes and isinstance(boxes[0], list) and len(boxes[0]) == 4 \
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in boxes[0]):
        out["first_frame_box"] = [float(v) for v in boxes[0]]
    out["frame_count"] = _frame_total(media) or (len(boxes) if isinstance(boxes, list) else None)
    return out


def video_mask_inputs(spec: TaskSpec, sample: Any, media: Sequence[Mapping[str, Any]],
                      reference: Any) -> dict[str, Any]:
    """Video object segmentation rows: the frame count and the referring expression, or (semi-supervised) the
    target's first-frame mask as polygons; nothing for other dense rows."""
    if not is_vos(spec):
        return {}
    out: dict[str, Any] = {}
    expression = _expression(sample)
    out["frame_count"] = _frame_total(media)
    if is_referring(spec, expression):
        out["expression"] = expression
    else:
        first = _first_frame(reference)
        if first is not None:
            from lmms_general.metrics.arrays import load_array

            mask = load_array(first)
            if mask is not None and mask.ndim in (2, 3) and mask.size:
                out["first_frame_polygons"] = mask_polygons(mask)
    return out


def tube_inputs(sample: Any, media: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Spatio-temporal grounding: the expression, the frame count and the frame rate."""
    out: dict[str, Any] = {}
    expression = _expression(sample)
    if expression:
        out["expression"] = expression
    count = sample.extra.get("frame_count")
    valid = isinstance(count, (int, float)) and not isinstance(count, bool) and 0 < count < 10**7
    out["frame_count"] = int(count) if valid else _frame_total(media)
    out["fps"] = _video_rate(media)
    return out
