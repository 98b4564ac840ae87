"""Bootstrap replicates of COCO box AP without re-running ``COCOeval`` per replicate.

``COCOeval.evaluate`` matches detections to ground truth per (image, category); that result does not
depend on the other images. So it runs once on the task (pycocotools itself), and each replicate only
re-does ``COCOeval.accumulate`` on the drawn images: concatenate their per-image detection flags in draw
order, sort by score (stable, as pycocotools' mergesort), cumulate TP/FP per category, make precision
monotone and read it at the 101 recall thresholds. Same numbers as :func:`lmms_general.metrics.detection.
coco_eval` on the drawn items, a few milliseconds per replicate instead of a full ``COCOeval``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: pycocotools' 101 recall thresholds
REC_THRS = np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1)
#: IoU thresholds of each box-AP metric id (None = COCO's 0.50:0.05:0.95)
IOU_THRESHOLDS: dict[str, Sequence[float] | None] = {
    "ap50": [0.5], "ap75": [0.75], "ap10": [0.1], "map50": [0.5], "map": None, "ap": None,
}


def _evaluate(predictions: Sequence[Any], references: Sequence[Any], iou_thresholds: Sequence[float] | None,
              max_dets: int) -> tuple[Any, int]:
    """``COCOeval`` after ``evaluate()`` (per-image matching), built exactly as the metric builds it."""
    from lmms_general.metrics.detection import coco_evaluated

    return coco_evaluated(predictions, references, iou_thresholds, max_dets)


@dataclass(frozen=True)
class CocoApReplicator:
    """Replicates of ``100 * COCO AP`` (0 when undefined) from per-image matches.

    Detections are stored image-major (image, category, score order) with ``det_rank`` the dense rank of
    their score (0 = highest); ``det_tp`` / ``det_fp`` are
    ``(T, N)`` flags per IoU threshold (both False for an ignored detection); ``npig`` is the
    ``(K, n)`` count of non-ignored ground truths per category and image; ``presorted`` orders the
    detections by (category, score); ``distinct_scores`` says no two detections of a category tie.
    """

    img_start: np.ndarray
    img_len: np.ndarray
    det_cat: np.ndarray
    det_score: np.ndarray
    det_rank: np.ndarray
    det_tp: np.ndarray
    det_fp: np.ndarray
    npig: np.ndarray
    det_img: np.ndarray
    presorted: np.ndarray
    distinct_scores: bool

    @classmethod
    def build(cls, predictions: Sequence[Any], references: Sequence[Any],
              iou_thresholds: Sequence[float] | None = None, max_dets: int = 100) -> CocoApReplicator:
        """Run pycocotools' per-image matching once on the task's items."""
        evaluator, n = _evaluate(predictions, references, iou_thresholds, max_dets)
        p = evaluator.params
        n_cat, n_iou = len(p.catIds), len(p.iouThrs)
        npig = np.zeros((n_cat, n), dtype=np.float64)
        per_image: list[list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]] = [[] for _ in range(n)]
        for k in range(n_cat):
            for i in range(n):
                e = evaluator.evalImgs[k * n + i]  # one area range: index = cat * n_images + image
                if e is None:
                    continue
                npig[k, i] = np.count_nonzero(np.asarray(e["gtIgnore"]) == 0)
                scores = np.asarray(e["dtScores"][:max_dets], dtype=np.float64)
                if scores.size:
                    dtm = np.asarray(e["dtMatches"][:, :max_dets])
                    dtig = np.asarray(e["dtIgnore"][:, :max_dets]).astype(bool)
                    tp = np.logical_and(dtm, ~dtig)
                    fp = np.logical_and(~dtm.astype(bool), ~dtig)
                    per_image[i].append((k, scores, tp, fp))
        lengths = np.array([sum(len(s) for _, s, _, _ in blocks) for blocks in per_image], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        blocks = [b for image in per_image for b in image]
        if blocks:
            det_cat = np.concatenate([np.full(len(s), k, dtype=np.int64) for k, s, _, _ in blocks])
            det_score = np.concatenate([s for _, s, _, _ in blocks])
            det_tp = np.concatenate([tp for _, _, tp, _ in blocks], axis=1)
            det_fp = np.concatenate([fp for _, _, _, fp in blocks], axis=1)
        else:
            det_cat = np.zeros(0, dtype=np.int64)
            det_score = np.zeros(0)
            det_tp = det_fp = np.zeros((n_iou, 0), dtype=bool)
        rank = np.unique(-det_score, return_inverse=True)[1].astype(np.int64).reshape(-1)
        det_img = np.repeat(np.arange(n), lengths)
        presorted = np.lexsort((rank, det_cat)) if det_score.size else np.zeros(0, np.int64)
        pairs = det_cat[presorted] * (int(rank.max(initial=0)) + 1) + rank[presorted]
        distinct = bool(np.all(np.diff(pairs) != 0))
        return cls(starts, lengths, det_cat, det_score, rank if det_score.size else np.zeros(0, np.int64),
                   det_tp, det_fp, npig, det_img, presorted, distinct)

    def score(self, row: np.ndarray) -> float:
        """``100 * AP`` of the images in ``row`` (draw order), 0 when no drawn image has ground truth."""
        return float(self(np.asarray(row)[None, :])[0])

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        """Replicate scores, several replicates per numpy pass (bounded to ~2M detections at a time)."""
        per_row = max(1, int(self.img_len.sum() * idx.shape[1] / max(1, len(self.img_len))))
        step = max(1, min(len(idx), 2_000_000 // per_row))
        return np.concatenate([self._batch(idx[s : s + step]) for s in range(0, len(idx), step)])

    def _batch(self, idx: np.ndarray) -> np.ndarray:
        """Scores of the rows of ``idx``: replicate ``b``'s category ``k`` is the group ``b * K + k``."""
        n_rows, n_img = idx.shape
        n_cat, n_iou, n_rec = self.npig.shape[0], self.det_tp.shape[0], len(REC_THRS)
        groups = n_rows * n_cat
        n_total = self.npig.shape[1]
        flat = (np.arange(n_rows)[:, None] * n_total + idx).ravel()
        drawn = np.bincount(flat, minlength=n_rows * n_total).reshape(n_rows, n_total).astype(np.float64)
        npig = (drawn @ self.npig.T).ravel()  # (rows * K,): ground truths per replicate and category
        valid = npig > 0
        lens = self.img_len[idx].ravel()
        total = int(lens.sum())
        precision = np.zeros((n_iou, n_rec, groups))
        if total and self.distinct_scores:
            # no two detections of a category share a score: the sorted order is the task's presorted
            # order with each detection repeated as often as its image was drawn (no sort needed)
            presorted = self.presorted
            times = drawn[:, self.det_img[presorted]].astype(np.int64).ravel()
            dets = np.repeat(np.tile(presorted, n_rows), times)
            rows = np.repeat(np.repeat(np.arange(n_rows), len(presorted)), times)
            cats = rows * n_cat + self.det_cat[dets]
        elif total:
            offsets = np.repeat(self.img_start[idx].ravel() - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
            dets = offsets + np.arange(total)
            rows = np.repeat(np.repeat(np.arange(n_rows), n_img), lens)
            cats = rows * n_cat + self.det_cat[dets]
            # per group: by score, ties in draw order (pycocotools' stable mergesort on concatenated images)
            n_ranks = int(self.det_rank.max()) + 1
            order = np.argsort(cats * n_ranks + self.det_rank[dets], kind="stable")
            dets, cats = dets[order], cats[order]
        if total:
            seg_start = np.searchsorted(cats, np.arange(groups), side="left")
            seg_end = np.searchsorted(cats, np.arange(groups), side="right")
            for t in range(n_iou):
                tp = np.cumsum(self.det_tp[t, dets]).astype(float)
                fp = np.cumsum(self.det_fp[t, dets]).astype(float)
                base_tp, base_fp = np.concatenate([[0.0], tp]), np.concatenate([[0.0], fp])
                tp = tp - base_tp[seg_start][cats]
                fp = fp - base_fp[seg_start][cats]
                with np.errstate(divide="ignore", invalid="ignore"):
                    rc = np.where(valid[cats], tp / np.where(valid[cats], npig[cats], 1.0), 0.0)
                pr = tp / (fp + tp + np.spacing(1))
                # precision made non-increasing from the right within each group (pr < 1; the per-group
                # offsets keep groups apart and cost at most ~1e-12 of precision)
                shift = 2.0 * (groups - 1 - cats)
                pr = np.maximum.accumulate((pr + shift)[::-1])[::-1] - shift
                # searchsorted(rc_group, thr, "left") = group start + #(rc_group < thr), counted exactly
                first = np.searchsorted(REC_THRS, rc, side="right")
                below = np.bincount(cats * (n_rec + 1) + first, minlength=groups * (n_rec + 1))
                pos = seg_start[:, None] + np.cumsum(below.reshape(groups, n_rec + 1), axis=1)[:, :n_rec]
                inside = pos < seg_end[:, None]
                precision[t] = np.where(inside, pr[np.minimum(pos, total - 1)], 0.0).T
        per_group = precision.mean(axis=(0, 1)).reshape(n_rows, n_cat)
        valid = valid.reshape(n_rows, n_cat)
        count = valid.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(count > 0, 100.0 * (per_group * valid).sum(axis=1) / np.maximum(count, 1), 0.0)
