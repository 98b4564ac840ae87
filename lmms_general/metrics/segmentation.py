"""Segmentation / matting / saliency metrics: mIoU, instance mIoU, m_vIoU, S-measure, SAD.

Unparsed or unreadable predictions are scored as an empty (all-background / all-zero) prediction of the
reference's shape, so they stay in every denominator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Any

import numpy as np

from lmms_general.metrics._common import percent, require_samples
from lmms_general.metrics.arrays import dense_reference, load_array, parse_dense
from lmms_general.metrics.parsing import declares_xyxy, extract_json, xyxy_to_xywh
from lmms_general.metrics.registry import AS_IS, LevelMap, MetricSpec, SampleStates, register
from lmms_general.metrics.resampling import MeanReplicator, Replicator, SumReplicator, safe_ratio
from lmms_general.metrics.synthetic import gen_alpha, gen_mask, gen_part_labels, gen_saliency, gen_tube


def _pred_like(prediction: Any, reference: np.ndarray) -> np.ndarray:
    """The prediction as an array of the reference's shape; zeros when missing, unreadable or mis-shaped.
    A polygon answer (``{"polygons": [...]}``) is rasterised onto the reference's grid."""
    from lmms_general.metrics.polygons import is_polygon_answer, polygons_as_array

    if is_polygon_answer(prediction):
        return polygons_as_array(prediction, reference)
    try:
        array = load_array(prediction)
    except ValueError:
        array = None
    if array is None:
        return np.zeros_like(reference)
    if array.ndim == 3 and reference.ndim == 2:
        array = array[..., 0]
    if array.shape != reference.shape:
        from PIL import Image

        resized = Image.fromarray(np.asarray(array, dtype=np.float32)).resize(reference.shape[::-1], Image.NEAREST)
        array = np.asarray(resized)
    return array


def _labels(array: np.ndarray) -> np.ndarray:
    return array[..., 0] if array.ndim == 3 else array


# --------------------------------------------------------------------------- mIoU


def binary_iou(pred: np.ndarray, ref: np.ndarray) -> float:
    """IoU of two binary masks (1.0 when both are empty, as in DAVIS J)."""
    pred, ref = pred.astype(bool), ref.astype(bool)
    union = np.logical_or(pred, ref).sum()
    return 1.0 if union == 0 else float(np.logical_and(pred, ref).sum() / union)


def _frame_answers(prediction: Any, reference: Mapping[str, Any]) -> Mapping[str, Any]:
    """Per-frame answers keyed like the reference: by frame key, else by position (``"0"``, ``"1"``, ... in the
    order of the reference's frames, as the prompt asks)."""
    frames = prediction if isinstance(prediction, Mapping) else {}
    if not frames or set(frames) & set(reference):
        return frames
    by_position = {str(i): key for i, key in enumerate(reference)}
    return {by_position[k]: v for k, v in frames.items() if k in by_position}


def _video_iou(prediction: Any, reference: Mapping[str, Any]) -> float:
    frames = _frame_answers(prediction, reference)
    scores = []
    for frame, ref_value in reference.items():
        ref = load_array(ref_value)
        scores.append(binary_iou(_pred_like(frames.get(frame), ref), ref))
    return float(np.mean(scores)) if scores else 0.0


def _is_binary(array: np.ndarray) -> bool:
    """A mask with values in {0, 1} or {0, 255} only."""
    values = np.unique(array)
    return bool(set(values.tolist()) <= {0, 1} or set(values.tolist()) <= {0, 255})


def miou(predictions: Sequence[Any], references: Sequence[Any], binary: bool | str = "auto") -> float:
    """Mean IoU, 0-100.

    Binary masks (every reference holds only 0 and 1, or 0 and 255; or ``binary=True``): the foreground
    IoU pooled over the task (prediction pixels > 0 are foreground), so an empty answer scores 0.
    Label maps: a confusion matrix pooled over the task, IoU per class present in the ground truth or
    predictions, then the mean over classes. Video object segmentation (references ``{frame: RLE}``):
    per-video mean frame IoU (J), then the mean over videos (the official VOS scorer).
    """
    from sklearn.metrics import confusion_matrix

    require_samples("miou", predictions)
    if all(isinstance(r, Mapping) and "counts" not in r and "mask" not in r for r in references):
        return percent(_video_iou(p, r) for p, r in zip(predictions, references, strict=True))
    refs = [_labels(load_array(r)) for r in references]
    preds = [_labels(_pred_like(p, r)) for p, r in zip(predictions, refs, strict=True)]
    if binary is True or (binary == "auto" and all(_is_binary(r) for r in refs)):
        # binary masks: IoU of the foreground class pooled over the task (background is not a class)
        inter = sum(int(np.logical_and(p > 0, r > 0).sum()) for p, r in zip(preds, refs, strict=True))
        union = sum(int(np.logical_or(p > 0, r > 0).sum()) for p, r in zip(preds, refs, strict=True))
        return 100.0 if union == 0 else 100.0 * inter / union
    y_true = np.concatenate([r.ravel() for r in refs]).astype(np.int64)
    y_pred = np.concatenate([p.ravel() for p in preds]).astype(np.int64)
    classes = np.union1d(np.unique(y_true), np.unique(y_pred))
    matrix = confusion_matrix(y_true, y_pred, labels=classes)
    inter = np.diag(matrix).astype(float)
    union = matrix.sum(0) + matrix.sum(1) - inter
    return 100.0 * float(np.mean(inter[union > 0] / union[union > 0]))


def instance_miou(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Part segmentation instance mIoU, 0-100: per shape the mean IoU over its parts (a part absent from
    both prediction and reference counts 1), then the mean over shapes (ShapeNet-Part convention)."""
    require_samples("instance_miou", predictions)
    scores = []
    for prediction, reference in zip(predictions, references, strict=True):
        ref = np.asarray(load_array(reference)).astype(np.int64).ravel()
        pred = np.asarray(_pred_like(prediction, ref)).astype(np.int64).ravel()
        parts = np.unique(ref)
        scores.append(float(np.mean([binary_iou(pred == part, ref == part) for part in parts])))
    return percent(scores)


# --------------------------------------------------------------------------- m_vIoU (spatio-temporal grounding)


def _tube(value: Any) -> dict[int, list[float]]:
    """``{frame: [x, y, w, h]}`` from a trajectory (dict or list), ``{frame: {"bbox": box}}``
    or ``[[frame, x, y, w, h]]``."""
    if isinstance(value, str):
        value = extract_json(value)
    if isinstance(value, Mapping) and "trajectory" in value:
        start = int(value.get("tube_start_frame") or 0)
        trajectory = value["trajectory"]
        if isinstance(trajectory, list):
            return {start + i: [float(v) for v in box] for i, box in enumerate(trajectory) if box and len(box) == 4}
        value = trajectory
    out: dict[int, list[float]] = {}
    if isinstance(value, Mapping):
        for frame, box in value.items():
            box = box.get("bbox") if isinstance(box, Mapping) else box
            if isinstance(box, (list, tuple)) and len(box) == 4:
                out[int(frame)] = [float(v) for v in box]
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (list, tuple)) and len(item) == 5:
                out[int(item[0])] = [float(v) for v in item[1:]]
    return out


def box_iou(a: Sequence[float], b: Sequence[float]) -> float:
    """IoU of two ``[x, y, w, h]`` boxes."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def viou(prediction: Any, reference: Any) -> float:
    """vIoU: sum of box IoUs over frames in both tubes, divided by the frames in either tube."""
    pred, ref = _tube(prediction) if prediction is not None else {}, _tube(reference)
    frames = set(pred) | set(ref)
    if not frames:
        return 0.0
    return sum(box_iou(pred[f], ref[f]) for f in set(pred) & set(ref)) / len(frames)


def m_viou(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Mean vIoU over videos (spatio-temporal video grounding), 0-100."""
    require_samples("m_viou", predictions)
    return percent(viou(p, r) for p, r in zip(predictions, references, strict=True))


def parse_tube(raw: str, context: Mapping[str, Any]) -> dict[str, list[float]] | None:
    """``{frame: [x, y, w, h]}``; boxes the answer declares as corners ("[x1, y1, x2, y2]") converted."""
    tube = _tube(raw)
    if tube and declares_xyxy(raw):
        frames = sorted(tube)
        converted = xyxy_to_xywh([tube[f] for f in frames])
        if converted is not None:
            tube = {f: box for f, box in zip(frames, converted, strict=True) if box is not None}
    return {str(k): v for k, v in sorted(tube.items())} or None


def tube_reference(raw: Any, context: Mapping[str, Any]) -> dict[str, list[float]]:
    tube = _tube(raw)
    if not tube:
        raise ValueError(f"reference holds no box tube: {str(raw)[:120]}")
    return {str(k): v for k, v in sorted(tube.items())}


# --------------------------------------------------------------------------- S-measure, SAD


def _unit(array: np.ndarray) -> np.ndarray:
    array = _labels(np.asarray(array, dtype=np.float64))
    return array / 255.0 if array.max(initial=0) > 1.0 else array


def s_measure(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Structure measure (alpha 0.5, ``py_sod_metrics.Smeasure``) averaged over maps, 0-100."""
    from py_sod_metrics import Smeasure

    require_samples("s_measure", predictions)
    scores = []
    for prediction, reference in zip(predictions, references, strict=True):
        ref = load_array(reference)
        pred = _pred_like(prediction, ref)
        metric = Smeasure(alpha=0.5)
        metric.step(pred=(_unit(pred) * 255).astype(np.uint8), gt=(_unit(ref) > 0.5).astype(np.uint8) * 255)
        scores.append(float(metric.get_results()["sm"]))
    return percent(scores)


def sad(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Sum of absolute alpha differences (alpha in [0, 1]) divided by 1000, mean per image (raw)."""
    require_samples("sad", predictions)
    values = []
    for prediction, reference in zip(predictions, references, strict=True):
        ref = _unit(load_array(reference))
        pred = _unit(_pred_like(prediction, load_array(reference)))
        values.append(float(np.abs(pred - ref).sum()) / 1000.0)
    return float(np.mean(values))


# ------------------------------------------------------------------ per-sample statistics (the bootstrap)


def miou_state(prediction: Any, reference: Any, binary: bool | str = "auto", **options: Any) -> dict[str, Any]:
    """One sample's mIoU statistics: a video's IoU (``{"iou": J}``), else the (reference, predicted) label pairs
    that occur in its maps and how often (``{"pairs": [reference labels, predicted labels, counts]}``: no task-wide
    class list needed, and only this sample's maps are read)."""
    if isinstance(reference, Mapping) and "counts" not in reference and "mask" not in reference:
        return {"iou": _video_iou(prediction, reference)}
    ref = _labels(load_array(reference))
    t = ref.ravel().astype(np.int64)
    q = _labels(_pred_like(prediction, ref)).ravel().astype(np.int64)
    t0, q0 = int(t.min(initial=0)), int(q.min(initial=0))
    width = int(q.max(initial=0)) - q0 + 1
    code = (t - t0) * width + (q - q0)
    span = (int(t.max(initial=0)) - t0 + 1) * width
    if span <= 4 * code.size + 4096:  # few labels: counting is cheaper than sorting
        counts = np.bincount(code, minlength=span)
        codes = np.flatnonzero(counts)
        counts = counts[codes]
    else:
        codes, counts = np.unique(code, return_counts=True)
    return {"pairs": [(codes // width + t0).tolist(), (codes % width + q0).tolist(), counts.tolist()]}


def miou_replicator(states: Sequence[Mapping[str, Any]], binary: bool | str = "auto", **options: Any) -> Replicator:
    """The bootstrap replicator of :func:`miou` from its samples' states (:func:`miou_state`): videos, the mean of
    their IoUs; binary masks (as :func:`miou` decides), the pooled foreground intersection over union; label maps,
    each sample's sparse confusion counts, mIoU of the sums."""
    from scipy import sparse

    videos = ["iou" in state for state in states]
    if all(videos):
        return MeanReplicator(np.array([float(state["iou"]) for state in states]), 100.0)
    if any(videos):
        raise ValueError("miou: a task mixing video and image references has no statistics")
    sizes = np.array([len(state["pairs"][2]) for state in states], dtype=np.int64)
    # every sample's (reference label, predicted label, count) triples in one array each, sample after sample
    t, q, c = (np.fromiter(chain.from_iterable(state["pairs"][part] for state in states), dtype=np.int64,
                           count=int(sizes.sum())) for part in range(3))
    sample = np.repeat(np.arange(len(states)), sizes)
    n = len(states)

    def any_per_sample(flags: np.ndarray) -> np.ndarray:
        return np.bincount(sample[flags], minlength=n) > 0

    # binary: every sample's reference labels within {0, 1} or within {0, 255} (:func:`_is_binary` per sample)
    if binary is True or (binary == "auto" and not np.any(any_per_sample((t != 0) & (t != 1))
                                                          & any_per_sample((t != 0) & (t != 255)))):
        fg = c * ((t > 0) & (q > 0))
        either = c * ((t > 0) | (q > 0))
        pooled = np.stack([np.bincount(sample, weights=fg, minlength=n),
                           np.bincount(sample, weights=either, minlength=n)], axis=1).astype(np.float64)

        def foreground_iou(s: np.ndarray) -> np.ndarray:
            return np.where(s[:, 1] == 0, 100.0, 100.0 * s[:, 0] / np.where(s[:, 1] == 0, 1.0, s[:, 1]))

        return SumReplicator(pooled, foreground_iou)
    classes = np.unique(np.concatenate([t, q]))
    k = len(classes)
    cols = np.searchsorted(classes, t) * k + np.searchsorted(classes, q)
    stats = sparse.csr_matrix((c.astype(np.float64), (sample, cols)), shape=(n, k * k))

    def finish(s: np.ndarray) -> np.ndarray:
        m = s.reshape(-1, k, k)
        inter = np.diagonal(m, axis1=1, axis2=2)
        union = m.sum(axis=1) + m.sum(axis=2) - inter
        present = union > 0
        return 100.0 * safe_ratio(inter, union, present).sum(axis=1) / present.sum(axis=1)

    return SumReplicator(stats, finish)


#: mIoU's statistics: per sample, its confusion counts (or a video's IoU), logged when the sample is scored
MIOU_STATES = SampleStates(of=miou_state, replicator=miou_replicator)


_DENSE = {"parse": parse_dense, "prepare_reference": dense_reference}
register(MetricSpec(id="miou", compute=miou, kind="corpus", native_range=(0.0, 1.0), scale="x100",
                    implementation="scikit-learn confusion_matrix (pooled) / per-video J for VOS",
                    description="mean intersection-over-union over classes (VOS: mean frame IoU per video)", **_DENSE,
                    aliases=("mIoU",),
                    task_kind="dense",
                    level_map=AS_IS,
                    synthetic=gen_mask,
                    statistics=MIOU_STATES))
register(MetricSpec(id="instance_miou", compute=instance_miou, kind="sample", native_range=(0.0, 1.0), scale="x100",
                    implementation="numpy per-shape part IoU", description="mean over shapes of mean part IoU",
                    **_DENSE,
                    aliases=("Instance mIoU",),
                    task_kind="point_labels",
                    level_map=AS_IS,
                    synthetic=gen_part_labels))
register(MetricSpec(id="s_measure", compute=s_measure, kind="sample", native_range=(0.0, 1.0), scale="x100",
                    implementation="py_sod_metrics Smeasure (alpha 0.5)",
                    description="structure similarity of saliency maps", **_DENSE,
                    aliases=("Structure measure",),
                    task_kind="dense",
                    level_map=AS_IS,
                    synthetic=gen_saliency))
register(MetricSpec(id="sad", compute=sad, kind="sample", native_range=None, scale="raw (/1000)",
                    implementation="numpy sum of absolute alpha differences / 1000",
                    description="matting SAD, alpha in [0,1], divided by 1000, mean per image", **_DENSE,
                    aliases=("SAD",),
                    lower_is_better=True,
                    task_kind="dense",
                    level_map=LevelMap.sigmoid(10.0),
                    synthetic=gen_alpha))
register(MetricSpec(id="m_viou", compute=m_viou, kind="sample", native_range=(0.0, 1.0), scale="x100",
                    implementation="numpy vIoU (spatio-temporal tube IoU)", parse=parse_tube,
                    prepare_reference=tube_reference, description="mean over videos of tube vIoU",
                    aliases=("m_vIoU",),
                    task_kind="tube",
                    level_map=AS_IS,
                    synthetic=gen_tube))
