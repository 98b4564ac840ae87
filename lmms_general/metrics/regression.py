"""Regression / geometry metrics: MAE, MSE, RMSE, RMS (depth), absRel, EPE, RTE.

Worst-case rule for unparsed answers (documented per metric): a missing scalar answer counts as the
prediction 0 (a count of zero, a zero forecast), a missing dense map as an all-zero map of the
reference's shape (zero depth / zero flow). The sample stays in the denominator either way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from lmms_general.metrics._common import answer_list, require_samples
from lmms_general.metrics.arrays import dense_reference, load_array, parse_dense
from lmms_general.metrics.parsing import clean_response, extract_json, parse_number
from lmms_general.metrics.registry import MetricSpec, register

_PATH = re.compile(
    r"^(?=\S*[A-Za-z_])[^\s\[\]{}]+(?:/[^\s]*|\.(?:npy|npz|png|flo|exr|pfm|tif|tiff|jpg|jpeg|bmp|json|txt|csv))$", re.I
)


def parse_value(raw: str, context: Mapping[str, Any]) -> Any:
    """A number (counting, forecasting: "42 apples" -> 42, "4,200" -> 4200, "4,2" -> None), a JSON array
    (also fenced / with prose around it), a JSON dense map (RLE), or a file path to a dense map; None when
    the response holds none of these (refusals, prose without a number)."""
    text = clean_response(raw or "")
    if not text:
        return None
    if _PATH.match(text):
        return parse_dense(text, context)
    if text[:1] == "{":
        return parse_dense(text, context)
    if "[" in text:
        value = extract_json(text)
        if isinstance(value, list) and value:
            return value
    return parse_number(text)


def value_reference(raw: Any, context: Mapping[str, Any]) -> Any:
    """A number (first acceptable answer), an array, or an absolute file path."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    if isinstance(raw, list) and raw and all(isinstance(v, (int, float, list)) for v in raw):
        return raw
    answers = answer_list(raw)
    number = parse_number(answers[0]) if answers else None
    if number is not None and isinstance(raw, (str, list)) and not str(answers[0]).lower().endswith(
        (".npy", ".npz", ".png", ".flo")
    ):
        return number
    return dense_reference(raw, context)


def _pair(prediction: Any, reference: Any) -> tuple[np.ndarray, np.ndarray]:
    """Reference array and the prediction as an array of the same shape (zeros when missing/unreadable)."""
    ref = np.asarray(load_array(reference), dtype=np.float64)
    try:
        pred = load_array(prediction)
    except ValueError:
        pred = None
    pred = np.zeros_like(ref) if pred is None else np.asarray(pred, dtype=np.float64)
    if pred.size == 1 and ref.size == 1:
        return pred.reshape(ref.shape), ref
    if pred.shape != ref.shape:
        pred = pred.squeeze()
        ref_s = ref.squeeze()
        if pred.shape != ref_s.shape:
            return np.zeros_like(ref), ref
        return pred.reshape(ref.shape), ref
    return pred, ref


def _errors(predictions: Sequence[Any], references: Sequence[Any]) -> list[np.ndarray]:
    return [(p - r).ravel() for p, r in (_pair(p, r) for p, r in zip(predictions, references, strict=True))]


def mae(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Mean absolute error over samples (counting: per-image |count error|), raw units."""
    require_samples("mae", predictions)
    return float(np.mean([np.abs(e).mean() for e in _errors(predictions, references)]))


def mse(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Mean squared error, mean per sample. Alpha mattes (maps with values in 0-255 or 0-1) are put in
    [0, 1] and reported x1000, the matting convention; scalars are raw."""
    require_samples("mse", predictions)
    values = []
    for prediction, reference in zip(predictions, references, strict=True):
        pred, ref = _pair(prediction, reference)
        if ref.size > 1:
            scale = 255.0 if max(ref.max(initial=0), pred.max(initial=0)) > 1.0 else 1.0
            values.append(1000.0 * float(np.mean(((pred - ref) / scale) ** 2)))
        else:
            values.append(float(np.mean((pred - ref) ** 2)))
    return float(np.mean(values))


def rmse(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Root mean squared error over every value of the task (pooled), raw units."""
    require_samples("rmse", predictions)
    return float(np.sqrt(np.mean(np.concatenate(_errors(predictions, references)) ** 2)))


def rms(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Depth RMS error: per-image sqrt(mean squared error) over valid (reference > 0) pixels, mean over
    images, x100 (metres -> centimetres, the scale of the reference table's 36.4)."""
    require_samples("rms", predictions)
    values = []
    for prediction, reference in zip(predictions, references, strict=True):
        pred, ref = _pair(prediction, reference)
        valid = ref > 0
        values.append(float(np.sqrt(np.mean((pred[valid] - ref[valid]) ** 2))) if valid.any() else 0.0)
    return 100.0 * float(np.mean(values))


def _align_disparity(pred: np.ndarray, ref_disp: np.ndarray, valid: np.ndarray) -> np.ndarray:
    a = np.stack([pred[valid], np.ones(valid.sum())], axis=1)
    (scale, shift), *_ = np.linalg.lstsq(a, ref_disp[valid], rcond=None)
    return scale * pred + shift


def abs_rel(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Absolute relative depth error (official video-depth scorer): the predicted disparity is aligned to
    the reference disparity by least-squares scale and shift, depths clipped to [1e-3, 80], then
    mean |d - d*| / d* over valid pixels; mean over clips (raw)."""
    require_samples("abs_rel", predictions)
    values = []
    for prediction, reference in zip(predictions, references, strict=True):
        pred, ref = _pair(prediction, reference)
        valid = ref > 0
        if not valid.any():
            raise ValueError("abs_rel: a reference has no valid pixel")
        aligned = _align_disparity(pred, ref, valid) if np.any(pred[valid]) else np.full_like(ref, 1e-3)
        depth = 1.0 / np.clip(aligned, 1.0 / 80.0, 1e3)
        gt = 1.0 / np.clip(ref, 1.0 / 80.0, 1e3)
        values.append(float(np.mean(np.abs(depth[valid] - gt[valid]) / gt[valid])))
    return float(np.mean(values))


def epe(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Average end-point error of optical flow (L2 over the 2 flow channels), mean per sample (raw)."""
    require_samples("epe", predictions)
    values = []
    for prediction, reference in zip(predictions, references, strict=True):
        pred, ref = _pair(prediction, reference)
        values.append(float(np.linalg.norm(pred - ref, axis=-1).mean()))
    return float(np.mean(values))


def rte(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Relative translation error: for position sequences (N x 3), mean norm of the difference between
    predicted and reference frame-to-frame translations; for one translation, its error norm (raw)."""
    require_samples("rte", predictions)
    values = []
    for prediction, reference in zip(predictions, references, strict=True):
        pred, ref = _pair(prediction, reference)
        if ref.ndim == 2 and ref.shape[0] > 1:
            pred, ref = np.diff(pred, axis=0), np.diff(ref, axis=0)
        values.append(float(np.linalg.norm(np.atleast_2d(pred - ref), axis=-1).mean()))
    return float(np.mean(values))


_REG = {"native_range": None, "parse": parse_value, "prepare_reference": value_reference}
register(MetricSpec(id="mae", compute=mae, kind="sample", scale="raw", implementation="numpy mean absolute error",
                    description="mean absolute error (unparsed answer = 0)", **_REG))
register(MetricSpec(id="mse", compute=mse, kind="sample", scale="raw (mattes x1000)",
                    implementation="numpy mean squared error", description="mean squared error", **_REG))
register(MetricSpec(id="rmse", compute=rmse, kind="corpus", scale="raw", implementation="numpy RMSE (pooled)",
                    description="root mean squared error over all values", **_REG))
register(MetricSpec(id="rms", compute=rms, kind="sample", scale="x100 (m -> cm)",
                    implementation="numpy depth RMS", description="depth RMS error per image", **_REG))
register(MetricSpec(id="abs_rel", compute=abs_rel, kind="sample", scale="raw",
                    implementation="numpy scale-shift aligned absRel", description="absolute relative depth error",
                    **_REG))
register(MetricSpec(id="epe", compute=epe, kind="sample", scale="raw", implementation="numpy end-point error",
                    description="optical-flow average end-point error", **_REG))
register(MetricSpec(id="rte", compute=rte, kind="sample", scale="raw", implementation="numpy relative translation",
                    description="relative translation error of odometry", **_REG))
