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
from lmms_general.metrics.registry import LevelMap, MetricSpec, register
from lmms_general.metrics.resampling import Replicator, SumReplicator
from lmms_general.metrics.synthetic import (
    gen_alpha,
    gen_count,
    gen_depth,
    gen_flow,
    gen_rmse,
    gen_trajectory,
    gen_video_depth,
)

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


def angular_errors(pred: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Angles (degrees) between predicted and reference normals ``(..., 3)``; a zero-length (missing)
    predicted normal counts 180 degrees (worst). Reference pixels with a zero normal are skipped."""
    ref = ref.reshape(-1, 3)
    pred = pred.reshape(-1, 3)
    valid = np.linalg.norm(ref, axis=1) > 0
    ref, pred = ref[valid], pred[valid]
    ref_unit = ref / np.linalg.norm(ref, axis=1, keepdims=True)
    norms = np.linalg.norm(pred, axis=1)
    angles = np.full(len(ref), 180.0)
    ok = norms > 0
    cosine = np.clip(np.sum(pred[ok] / norms[ok, None] * ref_unit[ok], axis=1), -1.0, 1.0)
    angles[ok] = np.degrees(np.arccos(cosine))
    return angles


def rmse(predictions: Sequence[Any], references: Sequence[Any], angular: bool = False) -> float:
    """Root mean squared error over every value of the task (pooled), raw units. With ``angular=True``
    (surface normals, a row option) the RMSE of the angular error in degrees over all valid pixels."""
    require_samples("rmse", predictions)
    if angular:
        pairs = (_pair(p, r) for p, r in zip(predictions, references, strict=True))
        angles = np.concatenate([angular_errors(pred, ref) for pred, ref in pairs])
        return float(np.sqrt(np.mean(angles**2)))
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


def abs_rel(
    predictions: Sequence[Any],
    references: Sequence[Any],
    reference: str = "disparity",
    max_depth: float = 80.0,
    prediction: str | None = None,
) -> float:
    """Absolute relative depth error of affine-invariant video depth (DepthCrafter's protocol), raw.

    The reference is a disparity clip, or with ``reference="depth"`` (a row option) a depth clip —
    DepthCrafter's benchmark files store depth under the npz key ``disparity``. The prediction is in the same
    convention as the reference (the prompt asks for a map like the reference) unless ``prediction`` says
    otherwise (``"disparity"``: DepthCrafter's own outputs); a depth prediction is inverted to disparity.
    Reference disparity = 1 / depth on valid (> 0) pixels; the predicted disparity is aligned
    to it by one least-squares scale and shift over the whole clip, clipped to >= 1/``max_depth``, turned into
    depth; then mean ``|d - d*| / d*`` over valid pixels of the clip; mean over clips. A missing prediction
    becomes the constant depth ``max_depth``."""
    require_samples("abs_rel", predictions)
    prediction = prediction or reference
    if {reference, prediction} - {"disparity", "depth"}:
        raise ValueError(f"abs_rel: reference/prediction must be 'disparity' or 'depth', got {reference!r}, "
                         f"{prediction!r}")
    values = []
    for predicted, ref_value in zip(predictions, references, strict=True):
        pred, ref = _pair(predicted, ref_value)
        if prediction == "depth":
            pred = np.where(pred > 0, 1.0 / np.where(pred > 0, pred, 1.0), 0.0)
        valid = ref > 0
        if not valid.any():
            raise ValueError("abs_rel: a reference has no valid pixel")
        ref_disp = np.zeros_like(ref)
        ref_disp[valid] = 1.0 / ref[valid] if reference == "depth" else ref[valid]
        gt = 1.0 / np.clip(ref_disp, 1.0 / max_depth, None)
        if np.any(pred[valid]):
            aligned = _align_disparity(pred, ref_disp, valid)
        else:
            aligned = np.full_like(ref, 1.0 / max_depth)
        depth = 1.0 / np.clip(aligned, 1.0 / max_depth, None)
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


KITTI_LENGTHS = (100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0, 800.0)


def _kitti_translation_error(pred: np.ndarray, ref: np.ndarray, lengths: Sequence[float], step: int = 10) -> float:
    """KITTI odometry t_rel (fraction): over sub-trajectories of the given lengths (metres, along the
    reference path) starting every ``step`` frames, the norm of the difference of predicted and reference
    displacement divided by the length, averaged. Positions only (no rotation alignment). A trajectory
    shorter than every length is one segment of its own length."""
    travelled = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(ref, axis=0), axis=1))])
    errors = []
    for start in range(0, len(ref), step):
        for length in lengths:
            ends = np.nonzero(travelled > travelled[start] + length)[0]
            if len(ends):
                end = ends[0]
                delta = (pred[end] - pred[start]) - (ref[end] - ref[start])
                errors.append(np.linalg.norm(delta) / length)
    if not errors:
        length = travelled[-1]
        if length <= 0:
            raise ValueError("rte: a reference trajectory does not move")
        errors.append(np.linalg.norm((pred[-1] - pred[0]) - (ref[-1] - ref[0])) / length)
    return float(np.mean(errors))


def rte(
    predictions: Sequence[Any], references: Sequence[Any], percent: bool = False,
    lengths: Sequence[float] = KITTI_LENGTHS,
) -> float:
    """Relative translation error of odometry, raw.

    Default: for position sequences (N x 3), mean norm of the difference between predicted and reference
    frame-to-frame translations; for one translation, its error norm. With ``percent=True`` (a row option):
    KITTI's translational error t_rel in % over sub-trajectories of ``lengths`` metres (see
    :func:`_kitti_translation_error`)."""
    require_samples("rte", predictions)
    values = []
    for prediction, reference in zip(predictions, references, strict=True):
        pred, ref = _pair(prediction, reference)
        if percent:
            if ref.ndim != 2 or ref.shape[0] < 2 or ref.shape[1] != 3:
                raise ValueError(f"rte: percent mode needs an N x 3 reference trajectory, got shape {ref.shape}")
            values.append(100.0 * _kitti_translation_error(pred, ref, lengths))
            continue
        if ref.ndim == 2 and ref.shape[0] > 1:
            pred, ref = np.diff(pred, axis=0), np.diff(ref, axis=0)
        values.append(float(np.linalg.norm(np.atleast_2d(pred - ref), axis=-1).mean()))
    return float(np.mean(values))


# ------------------------------------------------------------------ per-sample statistics (the bootstrap)


def rmse_statistics(predictions: list[Any], references: list[Any], angular: bool = False, **options: Any
                    ) -> Replicator | None:
    """Per sample: the sum of squared errors and the value count; sqrt(sum / count). Angular RMSE (normals) has
    none: the bootstrap recomputes it per replicate."""
    if angular:
        return None
    stats = np.zeros((len(predictions), 2))
    for i, error in enumerate(_errors(predictions, references)):
        stats[i] = (float(np.sum(error**2)), error.size)
    return SumReplicator(stats, lambda s: np.sqrt(s[:, 0] / s[:, 1]))


_REG = {"native_range": None, "parse": parse_value, "prepare_reference": value_reference}
register(MetricSpec(id="mae", compute=mae, kind="sample", scale="raw", implementation="numpy mean absolute error",
                    description="mean absolute error (unparsed answer = 0)", **_REG,
                    aliases=("MAE",),
                    lower_is_better=True,
                    task_kind="number",
                    level_map=LevelMap.sigmoid(50.0),
                    synthetic=gen_count))
register(MetricSpec(id="mse", compute=mse, kind="sample", scale="raw (mattes x1000)",
                    implementation="numpy mean squared error", description="mean squared error", **_REG,
                    aliases=("MSE",),
                    lower_is_better=True,
                    task_kind="dense",
                    level_map=LevelMap.sigmoid(5.0),
                    synthetic=gen_alpha))
register(MetricSpec(id="rmse", compute=rmse, kind="corpus", scale="raw", implementation="numpy RMSE (pooled)",
                    description="root mean squared error over all values (angular RMSE, degrees, for normals)",
                    **_REG,
                    aliases=("RMSE",),
                    lower_is_better=True,
                    task_kind="number",
                    level_map=LevelMap.sigmoid(5.0),
                    synthetic=gen_rmse,
                    statistics=rmse_statistics))
register(MetricSpec(id="rms", compute=rms, kind="sample", scale="x100 (m -> cm)",
                    implementation="numpy depth RMS", description="depth RMS error per image", **_REG,
                    aliases=("RMS",),
                    lower_is_better=True,
                    task_kind="dense",
                    level_map=LevelMap.sigmoid(50.0),
                    synthetic=gen_depth))
register(MetricSpec(id="abs_rel", compute=abs_rel, kind="sample", scale="raw",
                    implementation="numpy scale-shift aligned absRel (DepthCrafter protocol)",
                    description="absolute relative depth error of disparity aligned by scale and shift",
                    **_REG,
                    aliases=("absRel",),
                    lower_is_better=True,
                    task_kind="dense",
                    level_map=LevelMap.sigmoid(0.1),
                    synthetic=gen_video_depth))
register(MetricSpec(id="epe", compute=epe, kind="sample", scale="raw", implementation="numpy end-point error",
                    description="optical-flow average end-point error", **_REG,
                    aliases=("EPE",),
                    lower_is_better=True,
                    task_kind="dense",
                    level_map=LevelMap.sigmoid(1.0),
                    synthetic=gen_flow))
register(MetricSpec(id="rte", compute=rte, kind="sample", scale="raw", implementation="numpy relative translation",
                    description="relative translation error of odometry (KITTI t_rel % with percent=True)", **_REG,
                    aliases=("RTE ( Relative Translation Error)",),
                    lower_is_better=True,
                    task_kind="trajectory",
                    level_map=LevelMap.sigmoid(0.5),
                    synthetic=gen_trajectory))
