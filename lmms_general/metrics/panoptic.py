"""Panoptic Quality (PQ, Kirillov et al. 2019) on per-image ``(category_id, instance_id)`` maps.

A panoptic map is an ``(H, W, 2)`` integer array: channel 0 the category, channel 1 the instance
(a ``.npy`` / ``.npz`` / 2-channel ``.png`` path or a nested list, read with :mod:`arrays`; a 2-D map is a
semantic map with one segment per category; extra channels beyond the second are dropped). A model
answer may also be JSON ``{"segments": [{"category_id", "id"?, "mask": RLE | "segmentation": polygons}]}``
(or the bare list), rasterised on the reference's grid; later segments overwrite earlier ones.

Segment matching and the per-category statistics (IoU sum, TP, FP, FN, pooled over the task) come from
``torchmetrics.detection.PanopticQuality``. Two conventions are pinned down here:

* category ``void_category`` (default 0, "unlabeled") is void in the reference: ignored, and a predicted
  segment lying mostly on it is not a false positive (COCO panopticapi rule);
* pixels a prediction leaves unlabeled (void, or everything for an unparsed answer) become a filler
  category that no reference uses. torchmetrics treats *predicted* void like reference void (it would
  drop the covered ground truth from the false negatives and from the IoU union); panopticapi does not,
  and the filler restores panopticapi's behaviour. The filler's own statistics are left out of the mean.

PQ = mean over categories with TP + FP + FN > 0 of ``sum IoU(TP) / (TP + FP/2 + FN/2)``, on 0-100.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from lmms_general.metrics._common import require_samples
from lmms_general.metrics.arrays import dense_reference, load_array, resolve_path
from lmms_general.metrics.parsing import extract_json
from lmms_general.metrics.registry import AS_IS, MetricSpec, SampleStates, register
from lmms_general.metrics.synthetic import gen_panoptic

_MAP_SUFFIXES = (".npy", ".npz", ".png", ".tif", ".tiff")


# --------------------------------------------------------------------------- parsing


def _segment_list(value: Any) -> list[dict[str, Any]] | None:
    """The segment dicts of ``{"segments": [...]}`` / ``{"segments_info": [...]}`` / a bare list, else None."""
    if isinstance(value, Mapping):
        value = value.get("segments", value.get("segments_info"))
    if not isinstance(value, list) or not all(isinstance(s, Mapping) for s in value):
        return None
    out = []
    for index, segment in enumerate(value, start=1):
        category = segment.get("category_id", segment.get("category"))
        mask = segment.get("mask", segment.get("segmentation", segment.get("rle")))
        try:
            category = int(category)
        except (TypeError, ValueError):
            continue
        if mask is None:
            continue
        instance = segment.get("id", segment.get("instance_id", index))
        out.append({"category_id": category, "id": int(instance) if isinstance(instance, (int, float)) else index,
                    "mask": mask})
    return out


def parse_panoptic(raw: str, context: Mapping[str, Any]) -> Any:
    """A panoptic prediction: ``{"segments": [...]}`` from JSON, a nested-list map, or a file path (None if neither)."""
    text = (raw or "").strip()
    if not text:
        return None
    value = extract_json(text)
    if value is not None:
        segments = _segment_list(value)
        if segments is not None:
            return {"segments": segments}
        if isinstance(value, list):
            return value
        return None
    if "\n" in text or not text.lower().endswith(_MAP_SUFFIXES):
        return None
    return resolve_path(text, context)


def panoptic_reference(raw: Any, context: Mapping[str, Any]) -> Any:
    """A reference map (path made absolute) or its segment list."""
    segments = _segment_list(raw) if isinstance(raw, (Mapping, list)) else None
    if segments is not None and (isinstance(raw, Mapping) or raw and isinstance(raw[0], Mapping)):
        return {"segments": segments}
    return dense_reference(raw, context)


# --------------------------------------------------------------------------- maps


def _decode_mask(mask: Any, shape: tuple[int, int]) -> np.ndarray:
    """A binary mask on ``shape`` from a COCO RLE (any size, resized) or polygon list ``[[x, y, ...], ...]``."""
    from pycocotools import mask as mask_utils

    height, width = shape
    if isinstance(mask, Mapping) and "counts" in mask:
        rle = dict(mask)
        if isinstance(rle["counts"], list):
            rle = mask_utils.frPyObjects(rle, *rle["size"])
        elif isinstance(rle["counts"], str):
            rle["counts"] = rle["counts"].encode("ascii")
        return _resize(mask_utils.decode(rle), shape).astype(bool)
    polygons = mask if mask and isinstance(mask[0], list) else [mask]
    polygons = [[float(v) for v in p] for p in polygons if len(p) >= 6]
    if not polygons:
        return np.zeros(shape, dtype=bool)
    rles = mask_utils.frPyObjects(polygons, height, width)
    return mask_utils.decode(mask_utils.merge(rles)).astype(bool)


def _resize(array: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Nearest-neighbour resize of the first two axes."""
    if array.shape[:2] == shape:
        return array
    rows = (np.arange(shape[0]) * array.shape[0] // shape[0]).astype(int)
    cols = (np.arange(shape[1]) * array.shape[1] // shape[1]).astype(int)
    return array[rows][:, cols]


def panoptic_map(value: Any, shape: tuple[int, int] | None, fill: int) -> np.ndarray:
    """An ``(H, W, 2)`` int64 map; pixels without a segment get category ``fill``. Raises ValueError on bad input."""
    if isinstance(value, Mapping) and "segments" in value:
        if shape is None:
            sizes = [tuple(s["mask"]["size"]) for s in value["segments"] if isinstance(s["mask"], Mapping)]
            if not sizes:
                raise ValueError("a segment-list map needs an RLE mask to know its size")
            shape = sizes[0]
        out = np.zeros((*shape, 2), dtype=np.int64)
        out[..., 0] = fill
        for segment in value["segments"]:
            out[_decode_mask(segment["mask"], shape)] = (segment["category_id"], segment["id"])
        return out
    array = load_array(value)
    if array is None:
        if shape is None:
            raise ValueError("empty panoptic map")
        out = np.zeros((*shape, 2), dtype=np.int64)
        out[..., 0] = fill
        return out
    array = np.asarray(array)
    if array.ndim == 2:
        array = np.stack([array, np.zeros_like(array)], axis=-1)
    if array.ndim != 3 or array.shape[-1] < 2:
        raise ValueError(f"panoptic map must be (H, W, 2), got shape {array.shape}")
    array = np.rint(np.asarray(array[..., :2], dtype=np.float64)).astype(np.int64)
    return _resize(array, shape) if shape is not None else array


_EMPTY = -2  # provisional category of unlabeled predicted pixels, replaced by the filler category


def _prediction_map(prediction: Any, shape: tuple[int, int], void_category: int | None) -> np.ndarray:
    """The prediction on the reference grid; unreadable -> all empty; predicted void -> empty."""
    try:
        out = panoptic_map(prediction, shape, _EMPTY)
    except (ValueError, TypeError, KeyError, IndexError):
        out = panoptic_map(None, shape, _EMPTY)
    if void_category is not None:
        out[out[..., 0] == void_category] = (_EMPTY, 0)
    return out


def _pairs(predictions: Sequence[Any], references: Sequence[Any],
           void_category: int | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(prediction map, reference map) per image, loaded lazily (maps can be large)."""
    for index, (prediction, reference) in enumerate(zip(predictions, references, strict=True)):
        try:
            ref = panoptic_map(reference, None, -1)
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"pq: reference {index}: {exc}") from exc
        yield _prediction_map(prediction, ref.shape[:2], void_category), ref


# --------------------------------------------------------------------------- PQ


def pq(predictions: Sequence[Any], references: Sequence[Any], things: Collection[int] | None = None,
       stuffs: Collection[int] = (), void_category: int | None = 0) -> float:
    """Panoptic Quality pooled over the task, 0-100 (see the module docstring for the conventions).

    ``things`` defaults to every non-void category seen in references or predictions, minus ``stuffs``
    (stuff categories ignore instance ids). Pixels of category -1 in a reference are void too; predicted
    categories outside ``things`` / ``stuffs`` count as unlabeled (filler).
    """
    import torch

    metric, known, filler = _pq_metric(predictions, references, things, stuffs, void_category)
    for pred, ref in _pairs(predictions, references, void_category):  # pass 2: the statistics
        pred[~np.isin(pred[..., 0], known)] = (filler, 0)
        metric.update(torch.from_numpy(pred)[None], torch.from_numpy(ref)[None])
    return 100.0 * _mean_pq(metric, exclude=filler)


def _pq_metric(predictions: Sequence[Any], references: Sequence[Any], things: Collection[int] | None,
               stuffs: Collection[int], void_category: int | None,
               maps: Iterable[tuple[np.ndarray, np.ndarray]] | None = None) -> tuple[Any, np.ndarray, int]:
    """Pass 1 over the task's maps (shared by :func:`pq` and :func:`pq_state`; ``maps``: the pairs already read):
    torchmetrics' ``PanopticQuality`` for the task's categories, the known category ids, and the filler category
    that predicted categories outside them are mapped to."""
    from torchmetrics.detection import PanopticQuality

    require_samples("pq", predictions)
    categories: set[int] = set()
    for pred, ref in maps if maps is not None else _pairs(predictions, references, void_category):
        categories |= {int(c) for c in np.unique(ref[..., 0])} | {int(c) for c in np.unique(pred[..., 0])}
    categories -= {void_category, -1, _EMPTY}
    filler = 1 + max(categories, default=0)
    stuff_set = {int(c) for c in stuffs}
    thing_set = {int(c) for c in things} if things is not None else categories - stuff_set
    known = np.asarray(sorted(thing_set | stuff_set))
    return PanopticQuality(things=thing_set | {filler}, stuffs=stuff_set), known, filler


def _mean_pq(metric: Any, exclude: int) -> float:
    """Mean per-category PQ from the metric's pooled states, over categories with TP + FP + FN > 0."""
    ids = [c for c, _ in sorted(metric.cat_id_to_continuous_id.items(), key=lambda kv: kv[1])]
    iou = metric.iou_sum.double()
    tp, fp, fn = (t.double() for t in (metric.true_positives, metric.false_positives, metric.false_negatives))
    denominator = tp + 0.5 * fp + 0.5 * fn
    keep = [i for i, c in enumerate(ids) if c != exclude and denominator[i] > 0]
    if not keep:
        raise ValueError("pq: the task has no ground-truth or predicted segments")
    return float(np.mean([float(iou[i] / denominator[i]) for i in keep]))


def pq_state(prediction: Any, reference: Any, things: Collection[int] | None = None, stuffs: Collection[int] = (),
             void_category: int | None = 0) -> dict[str, list[float]]:
    """One image's :func:`pq` statistics: torchmetrics' PanopticQuality states (IoU sum, TP, FP, FN) of each of its
    categories, from ``update`` on that image alone (``{"categories", "iou", "tp", "fp", "fn"}``, categories without
    any count left out). Segments are matched within an image, and a category is a thing or a stuff whatever the
    other images hold, so the task's pooled states are the sums of its images' states. Predicted categories outside
    ``things`` / ``stuffs`` count as unlabeled (the filler category), which the mean leaves out, as :func:`pq` does."""
    import torch

    pred, ref = next(_pairs([prediction], [reference], void_category))
    metric, known, filler = _pq_metric([prediction], [reference], things, stuffs, void_category, maps=[(pred, ref)])
    pred[~np.isin(pred[..., 0], known)] = (filler, 0)
    metric.update(torch.from_numpy(pred)[None], torch.from_numpy(ref)[None])
    ids = [c for c, _ in sorted(metric.cat_id_to_continuous_id.items(), key=lambda kv: kv[1])]
    states = [t.double().numpy() for t in (metric.iou_sum, metric.true_positives, metric.false_positives,
                                           metric.false_negatives)]
    keep = [i for i, c in enumerate(ids) if c != filler and any(float(t[i]) for t in states)]
    return {"categories": [int(ids[i]) for i in keep],
            **{name: [float(t[i]) for i in keep] for name, t in zip(("iou", "tp", "fp", "fn"), states, strict=True)}}


def pq_replicator(states: Sequence[Mapping[str, Any]], **options: Any) -> Any:
    """The bootstrap replicator of :func:`pq` from its images' states (:func:`pq_state`): per-category states summed
    over the drawn images, PQ averaged over the categories with TP + FP + FN > 0."""
    from lmms_general.metrics.resampling import SumReplicator

    categories = sorted({c for state in states for c in state["categories"]})
    column = {c: i for i, c in enumerate(categories)}
    k = len(categories)
    stats = np.zeros((len(states), 4 * k))
    for row, state in enumerate(states):
        cols = np.array([column[c] for c in state["categories"]], dtype=np.int64)
        for j, name in enumerate(("iou", "tp", "fp", "fn")):
            stats[row, j * k + cols] = state[name]

    def finish(summed: np.ndarray) -> np.ndarray:
        iou, tp, fp, fn = (summed[:, j * k : (j + 1) * k] for j in range(4))
        denominator = tp + 0.5 * fp + 0.5 * fn
        keep = denominator > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(keep, iou / np.where(keep, denominator, 1.0), 0.0)
            return 100.0 * ratio.sum(axis=1) / keep.sum(axis=1)

    return SumReplicator(stats, finish)


#: PQ's statistics: per image, its categories' PanopticQuality states, logged when the sample is scored
PQ_STATES = SampleStates(of=pq_state, replicator=pq_replicator)


register(MetricSpec(id="pq", compute=pq, kind="corpus", native_range=(0.0, 1.0), scale="x100",
                    implementation="torchmetrics PanopticQuality statistics (COCO panopticapi void rules)",
                    parse=parse_panoptic, prepare_reference=panoptic_reference,
                    description="panoptic quality SQ x RQ, mean over categories, pooled over images",
                    aliases=("PQ",),
                    task_kind="panoptic",
                    level_map=AS_IS,
                    synthetic=gen_panoptic,
                    statistics=PQ_STATES))
