"""Bootstrap replicates of COCO box AP without re-running ``COCOeval`` per replicate.

``COCOeval.evaluate`` matches detections to ground truth per (image, category); that result does not
depend on the other images. So each image's matches are one sample's state (:func:`image_matches`: pycocotools'
own ``computeIoU`` / ``evaluateImg`` on the one image, logged when the sample is scored), and each replicate only
re-does ``COCOeval.accumulate`` on the drawn images: their detections sorted by score (stable, as pycocotools'
mergesort on the images concatenated in draw order), TP/FP cumulated per category, precision made monotone and
read at the 101 recall thresholds. Same numbers as :func:`lmms_general.metrics.detection.coco_eval` on the drawn
items, a few milliseconds per replicate instead of a full ``COCOeval``.

A state is ``{label: [npig, scores, codes]}`` per compared label (the folded label name the metric maps to a
category): ``npig`` the image's non-ignored ground truths of that label, ``scores`` its detections' scores in
pycocotools' order (score descending, stable, at most ``maxDets``), ``codes`` one character per detection and IoU
threshold (detection-major): ``t`` true positive, ``f`` false positive, ``i`` ignored. Detections ignored at every
threshold and labels with neither ground truth nor detections are left out (they change no cumulative count).
A label that has no ground truth anywhere in the task only has false positives: pycocotools skips its category
(no non-ignored ground truth), and so does the replicator (``npig == 0`` in every replicate).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: pycocotools' 101 recall thresholds
REC_THRS = np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1)
#: IoU thresholds of each box-AP metric id (None = COCO's 0.50:0.05:0.95)
IOU_THRESHOLDS: dict[str, Sequence[float] | None] = {
    "ap50": [0.5], "ap75": [0.75], "ap10": [0.1], "map50": [0.5], "map": None, "ap": None,
}
#: detections of all replicates handled in one numpy pass (plus images per replicate in the sort-free path): batches
#: of this size stay in the CPU cache and reuse their memory (measured on bench tasks x 1,000 replicates: ~1.6x
#: faster than 2M in the sort-free path, ~2x on the first call with ties)
_BATCH_ELEMENTS = 200_000
_EPS = np.spacing(1)

def match_flags(e: Mapping[str, Any], max_dets: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Scores, TP and FP flags ``(T, D)`` and the non-ignored ground-truth count of one ``evaluateImg`` result, as
    ``COCOeval.accumulate`` reads them."""
    scores = np.asarray(e["dtScores"][:max_dets], dtype=np.float64)
    dtm = np.asarray(e["dtMatches"])[:, :max_dets]
    dtig = np.asarray(e["dtIgnore"])[:, :max_dets].astype(bool)
    tp = np.logical_and(dtm, ~dtig)
    fp = np.logical_and(~dtm.astype(bool), ~dtig)
    return scores, tp, fp, int(np.count_nonzero(np.asarray(e["gtIgnore"]) == 0))


def image_matches(prediction: Any, reference: Any, iou_thresholds: Sequence[float] | None = None,
                  max_dets: int = 100) -> dict[str, list]:
    """One image's COCO matches as a compact JSON state (see the module docstring): pycocotools ``COCOeval``'s
    ``computeIoU`` and ``evaluateImg`` on this image alone, with the COCO inputs the metric builds
    (:func:`lmms_general.metrics.detection.coco_inputs`: the same compared labels) and the ground-truth ignore flag
    ``COCOeval._prepare`` sets (``iscrowd``); area range "all"."""
    from pycocotools.cocoeval import COCOeval

    from lmms_general.metrics.detection import all_area_params, coco_inputs

    _images, gts, dts, categories = coco_inputs([prediction], [reference or []])
    evaluator = COCOeval(iouType="bbox")
    p = evaluator.params
    all_area_params(p, iou_thresholds, max_dets)
    p.imgIds, p.catIds = [1], sorted(categories.values())
    evaluator._gts, evaluator._dts = defaultdict(list), defaultdict(list)
    for gt in gts:
        gt["ignore"] = gt["iscrowd"]  # COCOeval._prepare
        evaluator._gts[1, gt["category_id"]].append(gt)
    for dt in dts:
        evaluator._dts[1, dt["category_id"]].append(dt)
    evaluator.ious = {(1, c): evaluator.computeIoU(1, c) for c in p.catIds}
    state: dict[str, list] = {}
    for name, cat in categories.items():
        e = evaluator.evaluateImg(1, cat, p.areaRng[0], max_dets)
        if e is None:
            continue
        scores, tp, fp, npig = match_flags(e, max_dets)
        keep = np.flatnonzero((tp | fp).any(axis=0))
        codes = np.where(tp[:, keep], "t", np.where(fp[:, keep], "f", "i")).T
        if npig or keep.size:
            state[name] = [npig, scores[keep].tolist(), "".join(codes.ravel().tolist())]
    return state


def _least_counts(npig: np.ndarray) -> np.ndarray:
    """``(rows, R)``: per row, the least true-positive count ``m`` with ``m / npig >= REC_THRS[r]`` (pycocotools'
    recall, the same float division; division is monotone, so ``tp / npig >= thr`` iff ``tp >= m``); ``npig + 1``
    (never reached) where the row has no ground truth."""
    g = np.where(npig > 0, npig, 1.0)[:, None]
    m = np.ceil(REC_THRS[None, :] * g)
    with np.errstate(invalid="ignore"):
        m = np.where((m - 1.0) / g >= REC_THRS, m - 1.0, m)
        m = np.where(m / g < REC_THRS, m + 1.0, m)
    return np.where(npig[:, None] > 0, m, npig[:, None] + 1.0)


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
    def from_states(cls, states: Sequence[Mapping[str, Sequence[Any]]],
                    iou_thresholds: Sequence[float] | None = None) -> CocoApReplicator:
        """The replicator of the images whose :func:`image_matches` states are ``states`` (task order)."""
        n_iou = 10 if iou_thresholds is None else len(iou_thresholds)
        column: dict[str, int] = {}
        cells: list[tuple[int, int, float]] = []
        cats: list[int] = []
        scores: list[float] = []
        codes: list[str] = []
        lengths = np.zeros(len(states), dtype=np.int64)
        for i, state in enumerate(states):
            for name, (npig, det_scores, det_codes) in state.items():
                k = column.setdefault(name, len(column))
                if npig:
                    cells.append((k, i, npig))
                if det_scores:
                    if len(det_codes) != n_iou * len(det_scores):
                        raise ValueError(f"AP state of sample {i}: {len(det_codes)} match codes for "
                                         f"{len(det_scores)} detections at {n_iou} IoU thresholds")
                    cats.extend([k] * len(det_scores))
                    scores.extend(det_scores)
                    codes.append(det_codes)
                    lengths[i] += len(det_scores)
        npig_table = np.zeros((len(column), len(states)))
        for k, i, count in cells:
            npig_table[k, i] = count
        if not npig_table.any():
            raise ValueError("AP: no image of the task has a ground-truth box that counts")
        flags = np.frombuffer("".join(codes).encode("ascii"), dtype=np.uint8).reshape(len(scores), n_iou).T
        return cls.from_arrays(lengths, np.array(cats, dtype=np.int64), np.array(scores, dtype=np.float64),
                                flags == ord("t"), flags == ord("f"), npig_table)

    @classmethod
    def from_arrays(cls, lengths: np.ndarray, det_cat: np.ndarray, det_score: np.ndarray, det_tp: np.ndarray,
                     det_fp: np.ndarray, npig: np.ndarray) -> CocoApReplicator:
        """The replicator of detections stored image-major (``lengths`` per image) with their categories, scores and
        TP / FP flags ``(T, N)``, and the non-ignored ground truths ``npig`` ``(K, n)`` per category and image."""
        n = len(lengths)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
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
        """Replicate scores, several replicates per numpy pass (bounded to ~200k detections at a time)."""
        if self.distinct_scores:
            per_row, batch = len(self.det_score) + idx.shape[1], self._weighted_batch
        else:
            per_row = max(1, int(self.img_len.sum() * idx.shape[1] / max(1, len(self.img_len))))
            batch = self._batch
        step = max(1, min(len(idx), _BATCH_ELEMENTS // per_row))
        return np.concatenate([batch(idx[s : s + step]) for s in range(0, len(idx), step)])

    def _drawn(self, idx: np.ndarray) -> np.ndarray:
        """``(rows, n)`` how often each image is drawn in each row of ``idx``."""
        n_rows, n_total = len(idx), self.npig.shape[1]
        flat = (np.arange(n_rows)[:, None] * n_total + idx).ravel()
        return np.bincount(flat, minlength=n_rows * n_total).reshape(n_rows, n_total).astype(np.float64)

    @staticmethod
    def _finish(per_group: np.ndarray, npig: np.ndarray) -> np.ndarray:
        """``100 *`` the mean precision over the categories with ground truth in each row (0 when none)."""
        valid = npig > 0
        count = valid.sum(axis=1)
        return np.where(count > 0, 100.0 * (per_group * valid).sum(axis=1) / np.maximum(count, 1), 0.0)

    def _weighted_batch(self, idx: np.ndarray) -> np.ndarray:
        """Scores of the rows of ``idx`` when no two detections of a category tie (sorted order = the task's
        presorted order, each detection's copies adjacent: one per draw of its image, with equal flags).

        No copy is materialised: each detection is one entry whose TP and TP + FP counts are the cumulative sums of
        the counted detections weighted by their image's draws, i.e. the counts at the run's last copy. That is all
        ``accumulate`` reads: along a true positive's run precision and recall rise, so a recall threshold met
        inside the run reads the envelope, i.e. the last copy's precision or a later one; a false positive's copy
        has a lower precision than the entry before it (same TP, one FP more) and never raises the envelope, nor
        is it the first to reach a recall. A detection not drawn repeats the counts of the entry before it (0
        before any). The counts are integers, the divisions pycocotools' own: the same floating-point values."""
        n_rows = len(idx)
        n_cat, n_iou, n_rec = self.npig.shape[0], self.det_tp.shape[0], len(REC_THRS)
        drawn = self._drawn(idx)
        npig = drawn @ self.npig.T  # (rows, K): ground truths per replicate and category
        order = self.presorted
        bounds = np.searchsorted(self.det_cat[order], np.arange(n_cat + 1))
        per_group = np.zeros((n_rows, n_cat))
        for k in range(n_cat):
            lo, hi = bounds[k], bounds[k + 1]
            if hi == lo:
                continue
            dets = order[lo:hi]
            if (npig[:, k] > 0).any():
                per_group[:, k] = self._category_sums(drawn[:, self.det_img[dets]], self.det_tp[:, dets],
                                                      self.det_tp[:, dets] | self.det_fp[:, dets], npig[:, k])
        return self._finish(per_group / (n_iou * n_rec), npig)

    @staticmethod
    def _category_sums(w: np.ndarray, tp_flags: np.ndarray, counted: np.ndarray, npig: np.ndarray) -> np.ndarray:
        """Per row, one category's precision summed over the IoU and recall thresholds: ``w`` the ``(rows, D)``
        weights of its detections in score order, ``tp_flags`` / ``counted`` their ``(T, D)`` TP and TP-or-FP flags,
        ``npig`` the rows' ground-truth counts."""
        n_rows, n_dets = w.shape
        needed = _least_counts(npig)  # (rows, R)
        offsets = np.arange(n_rows)[:, None] * (needed.max() + 1.0)
        starts = np.arange(n_rows)[:, None] * n_dets
        every = np.cumsum(w, axis=1) + _EPS if counted.all() else None  # fp + tp + eps when nothing is ignored
        total = np.zeros(n_rows)
        for t in range(len(tp_flags)):
            tp = np.cumsum(w * tp_flags[t], axis=1)
            pr = tp / (every if every is not None else np.cumsum(w * counted[t], axis=1) + _EPS)
            envelope = np.maximum.accumulate(pr[:, ::-1], axis=1)  # reversed: position p at n_dets - 1 - p
            # pycocotools' searchsorted(rc, thresholds, "left") in every row at once: rc >= thr_r iff
            # tp >= needed[:, r], and the integer counts, offset per row, are sorted as one array
            tp += offsets
            pos = np.searchsorted(tp.ravel(), needed + offsets, side="left") - starts  # (rows, R), in the row
            values = np.take_along_axis(envelope, np.maximum(n_dets - 1 - pos, 0), axis=1)
            total += np.where(pos < n_dets, values, 0.0).sum(axis=1)
        return total

    def _batch(self, idx: np.ndarray) -> np.ndarray:
        """Scores of the rows of ``idx`` with tied scores: replicate ``b``'s category ``k`` is the group
        ``b * K + k``, its drawn detections sorted as pycocotools sorts them (ties in draw order)."""
        n_rows, n_img = idx.shape
        n_cat, n_iou, n_rec = self.npig.shape[0], self.det_tp.shape[0], len(REC_THRS)
        groups = n_rows * n_cat
        drawn = self._drawn(idx)
        npig = (drawn @ self.npig.T).ravel()  # (rows * K,): ground truths per replicate and category
        valid = npig > 0
        lens = self.img_len[idx].ravel()
        total = int(lens.sum())
        precision = np.zeros((n_iou, n_rec, groups))
        if total:
            offsets = np.repeat(self.img_start[idx].ravel() - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
            dets = offsets + np.arange(total)
            rows = np.repeat(np.repeat(np.arange(n_rows), n_img), lens)
            cats = rows * n_cat + self.det_cat[dets]
            # per group: by score, ties in draw order (pycocotools' stable mergesort on concatenated images)
            n_ranks = int(self.det_rank.max()) + 1
            order = np.argsort(cats * n_ranks + self.det_rank[dets], kind="stable")
            dets, cats = dets[order], cats[order]
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
        return self._finish(per_group, npig.reshape(n_rows, n_cat))
