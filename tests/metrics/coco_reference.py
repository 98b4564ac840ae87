"""pycocotools run on a whole task: the reference that the box-AP task score (faster-coco-eval) and the replicator
built from per-image states (:func:`lmms_general.metrics.coco_ap_statistics.image_matches`) are checked against."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from typing import Any

import numpy as np

from lmms_general.metrics.coco_ap_statistics import CocoApReplicator, match_flags
from lmms_general.metrics.detection import all_area_params, coco_inputs


def coco_evaluated(predictions: Sequence[Any], references: Sequence[Any], iou_thresholds: Sequence[float] | None,
                   max_dets: int = 100) -> tuple[Any, int]:
    """pycocotools ``COCOeval`` of the task after ``evaluate()`` (area range "all"), and the number of images."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    images, gts, dts, categories = coco_inputs(predictions, references)
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = {"images": images, "annotations": gts,
                      "categories": [{"id": i, "name": n} for n, i in categories.items()]}
        gt.createIndex()
        dt = COCO()
        dt.dataset = {"images": images, "annotations": dts, "categories": gt.dataset["categories"]}
        dt.createIndex()
        evaluator = COCOeval(gt, dt, "bbox")
        all_area_params(evaluator.params, iou_thresholds, max_dets)
        evaluator.evaluate()
    return evaluator, len(images)


def task_wide_replicator(predictions: Sequence[Any], references: Sequence[Any],
                         iou_thresholds: Sequence[float] | None = None, max_dets: int = 100) -> CocoApReplicator:
    """The replicator from pycocotools' matching of the whole task (``evalImgs``), not from per-image states."""
    evaluator, n = coco_evaluated(predictions, references, iou_thresholds, max_dets)
    n_cat, n_iou = len(evaluator.params.catIds), len(evaluator.params.iouThrs)
    npig = np.zeros((n_cat, n), dtype=np.float64)
    per_image: list[list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]] = [[] for _ in range(n)]
    for k in range(n_cat):
        for i in range(n):
            e = evaluator.evalImgs[k * n + i]  # one area range: index = cat * n_images + image
            if e is None:
                continue
            scores, tp, fp, npig[k, i] = match_flags(e, max_dets)
            if scores.size:
                per_image[i].append((k, scores, tp, fp))
    blocks = [b for image in per_image for b in image]
    lengths = np.array([sum(len(s) for _, s, _, _ in image) for image in per_image], dtype=np.int64)
    if not blocks:
        empty = np.zeros((n_iou, 0), dtype=bool)
        return CocoApReplicator.from_arrays(lengths, np.zeros(0, np.int64), np.zeros(0), empty, empty, npig)
    return CocoApReplicator.from_arrays(
        lengths, np.concatenate([np.full(len(s), k, dtype=np.int64) for k, s, _, _ in blocks]),
        np.concatenate([s for _, s, _, _ in blocks]), np.concatenate([tp for _, _, tp, _ in blocks], axis=1),
        np.concatenate([fp for _, _, _, fp in blocks], axis=1), npig)
