"""Per-sample sufficient statistics of the corpus metrics, for vectorised bootstrap replicates.

:func:`corpus_replicator` precomputes, once per task, what each sample contributes to its corpus metric
(micro-F1 TP/FP/FN, a confusion matrix for mIoU, BLEU n-gram counts, squared errors, per-class counts,
per-image COCO matches, ranked anomaly scores); a replicate then sums the drawn samples' statistics and
applies the metric's closing formula. The builder checks its own value on the original items against the
metric's point score and returns None when they differ (the caller then recomputes the metric per
replicate), so a change of a metric's definition can never give silently different intervals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lmms_general.metrics.coco_ap_statistics import IOU_THRESHOLDS, CocoApReplicator
from lmms_general.metrics.codebleu_statistics import codebleu_replicator
from lmms_general.metrics.image_maps import pixel_auc_statistics
from lmms_general.metrics.multi_object_tracking import amota_statistics
from lmms_general.metrics.panoptic import pq_statistics
from lmms_general.metrics.resampling import MeanReplicator, Replicator, SumReplicator

Builder = Callable[[list[Any], list[Any]], Replicator]


def _ratio(numerator: np.ndarray, denominator: np.ndarray, where: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` where ``where`` holds, else 0 (no division warnings)."""
    return np.where(where, numerator / np.where(where, denominator, 1.0), 0.0)


def _micro_f1(predictions: list[Any], references: list[Any]) -> Replicator:
    stats = np.zeros((len(predictions), 3))
    for i, (p, r) in enumerate(zip(predictions, references, strict=True)):
        pred, ref = set(p or ()), set(r or ())
        stats[i] = (len(pred & ref), len(pred - ref), len(ref - pred))

    def finish(s: np.ndarray) -> np.ndarray:
        tp, fp, fn = s[:, 0], s[:, 1], s[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(tp > 0, 100.0 * 2 * tp / (2 * tp + fp + fn), 0.0)

    return SumReplicator(stats, finish)


def _rmse(predictions: list[Any], references: list[Any]) -> Replicator:
    from lmms_general.metrics.regression import _errors

    stats = np.zeros((len(predictions), 2))
    for i, error in enumerate(_errors(predictions, references)):
        stats[i] = (float(np.sum(error**2)), error.size)
    return SumReplicator(stats, lambda s: np.sqrt(s[:, 0] / s[:, 1]))


def _miou(predictions: list[Any], references: list[Any]) -> Replicator:
    from collections.abc import Mapping

    from scipy import sparse

    from lmms_general.metrics.arrays import load_array
    from lmms_general.metrics.segmentation import _labels, _pred_like, _video_iou

    if all(isinstance(r, Mapping) and "counts" not in r and "mask" not in r for r in references):
        values = np.array([_video_iou(p, r) for p, r in zip(predictions, references, strict=True)])
        return MeanReplicator(values, 100.0)
    # per sample: the (reference, predicted) label pairs that occur and how often (no global class list
    # needed yet, so only one sample's masks are in memory at a time)
    triples = []
    for p, r in zip(predictions, references, strict=True):
        ref = _labels(load_array(r))
        t = ref.ravel().astype(np.int64)
        q = _labels(_pred_like(p, ref)).ravel().astype(np.int64)
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
        triples.append((codes // width + t0, codes % width + q0, counts))
    classes = np.unique(np.concatenate([np.concatenate([a, b]) for a, b, _ in triples]))
    k = len(classes)
    rows = np.concatenate([np.full(len(c), i) for i, (_, _, c) in enumerate(triples)])
    cols = np.concatenate([np.searchsorted(classes, a) * k + np.searchsorted(classes, b) for a, b, _ in triples])
    data = np.concatenate([c for _, _, c in triples]).astype(np.float64)
    stats = sparse.csr_matrix((data, (rows, cols)), shape=(len(triples), k * k))

    def finish(s: np.ndarray) -> np.ndarray:
        m = s.reshape(-1, k, k)
        inter = np.diagonal(m, axis1=1, axis2=2)
        union = m.sum(axis=1) + m.sum(axis=2) - inter
        present = union > 0
        return 100.0 * _ratio(inter, union, present).sum(axis=1) / present.sum(axis=1)

    return SumReplicator(stats, finish)


def _bleu_4(predictions: list[Any], references: list[Any]) -> Replicator:
    from pycocoevalcap.bleu.bleu_scorer import cook_refs, cook_test

    from lmms_general.metrics.text import _coco_inputs

    gts, res = _coco_inputs(predictions, references)
    n = 4
    stats = np.zeros((len(predictions), 2 + 2 * n))
    for i in range(len(predictions)):
        comps = cook_test(res[i][0], cook_refs(gts[i]))
        testlen = comps["testlen"]
        reflen = min((abs(length - testlen), length) for length in comps["reflen"])[1]
        stats[i] = (testlen, reflen, *comps["guess"], *comps["correct"])

    def finish(s: np.ndarray) -> np.ndarray:
        small, tiny = 1e-9, 1e-15
        testlen, reflen = s[:, 0], s[:, 1]
        bleu = np.prod([(s[:, 2 + n + k] + tiny) / (s[:, 2 + k] + small) for k in range(n)], axis=0)
        value = bleu ** (1.0 / n)
        ratio = (testlen + tiny) / (reflen + small)
        with np.errstate(divide="ignore", over="ignore"):
            penalty = np.where(ratio < 1, np.exp(1 - 1 / ratio), 1.0)
        return 100.0 * value * penalty

    return SumReplicator(stats, finish)


def _bleu_1_corpus(predictions: list[Any], references: list[Any]) -> Replicator:
    """Corpus BLEU-1 as :func:`lmms_general.metrics.text.corpus_bleu_1` (nltk ``corpus_bleu``, weights
    (1, 0, 0, 0)): per sample the clipped unigram matches, ``max(1, hypothesis length)`` (the precision's
    denominator), the hypothesis length and the closest reference length (the brevity penalty's)."""
    from collections import Counter

    from lmms_general.metrics._common import answer_list
    from lmms_general.metrics.text import word_tokens

    stats = np.zeros((len(predictions), 4))
    for i, (prediction, reference) in enumerate(zip(predictions, references, strict=True)):
        refs = [word_tokens(r) for r in answer_list(reference)] or [[]]
        hyp = word_tokens(str(prediction)) if prediction is not None else []
        max_ref: Counter[str] = Counter()
        for ref in refs:
            for token, count in Counter(ref).items():
                max_ref[token] = max(max_ref[token], count)
        matches = sum(min(count, max_ref[token]) for token, count in Counter(hyp).items())
        closest = min((len(r) for r in refs), key=lambda length: (abs(length - len(hyp)), length))
        stats[i] = (matches, max(1, len(hyp)), len(hyp), closest)

    def finish(s: np.ndarray) -> np.ndarray:
        matches, denominator, hyp_len, ref_len = s.T
        safe = np.where(hyp_len > 0, hyp_len, 1.0)
        penalty = np.where(hyp_len > ref_len, 1.0, np.where(hyp_len == 0, 0.0, np.exp(1.0 - ref_len / safe)))
        return np.where(matches > 0, 100.0 * penalty * matches / denominator, 0.0)

    return SumReplicator(stats, finish)


@dataclass(frozen=True)
class CiderReplicator:
    """CIDEr-D as pycocoevalcap ``Cider`` computes it, with document frequencies from each replicate.

    With ``w_g = log(N) - log(max(1, df_g))`` (N = images, df_g = drawn images whose references hold
    n-gram g) every term of the cosine similarities is ``w_g**2`` times a count that does not depend on
    the replicate. So: ``df = drawn @ D``, ``u = w**2``, then the numerators and squared norms of every
    (image, reference, n) are sparse matrices times ``u``.
    """

    doc: Any  # (n, G) 0/1: image i's references hold n-gram g
    num: Any  # (P, G) per (image, reference, order) pair: min(tf_h, tf_r) * tf_r
    hyp_sq: Any  # (n * 4, G): tf_h**2 per (image, order)
    ref_sq: Any  # (P, G): tf_r**2
    pair_image: np.ndarray  # (P,) image of each pair
    pair_hyp_row: np.ndarray  # (P,) row of hyp_sq for the pair's image and order
    pair_weight: np.ndarray  # (P,) Gaussian length penalty * 10 / (4 * references of the image)

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        from lmms_general.metrics.resampling import count_matrix

        n = self.doc.shape[0]
        out = np.empty(idx.shape[0])
        for start in range(0, idx.shape[0], 100):
            drawn = count_matrix(idx[start : start + 100], n)
            df = np.asarray((drawn @ self.doc).todense())
            u = (np.log(float(n)) - np.log(np.maximum(1.0, df))) ** 2  # (rows, G)
            num = np.asarray(self.num @ u.T)  # (P, rows)
            norm_h = np.sqrt(np.asarray(self.hyp_sq @ u.T))[self.pair_hyp_row]
            norm_r = np.sqrt(np.asarray(self.ref_sq @ u.T))
            both = (norm_h != 0) & (norm_r != 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                val = np.where(both, num / np.where(both, norm_h * norm_r, 1.0), num)
            per_image = np.zeros((n, val.shape[1]))
            np.add.at(per_image, self.pair_image, val * self.pair_weight[:, None])
            out[start : start + drawn.shape[0]] = 100.0 * np.asarray(drawn @ per_image).diagonal() / idx.shape[1]
        return out


def _cider(predictions: list[Any], references: list[Any]) -> Replicator:
    from pycocoevalcap.cider.cider_scorer import precook
    from scipy import sparse

    from lmms_general.metrics.text import _coco_inputs

    gts, res = _coco_inputs(predictions, references)
    n_img, orders, sigma = len(predictions), 4, 6.0
    vocab: dict[tuple[str, ...], int] = {}
    doc, num, ref_sq, hyp_sq = ([], [], []), ([], [], []), ([], [], []), ([], [], [])
    pair_image, pair_hyp_row, pair_weight = [], [], []

    def add(target: tuple[list, list, list], row: int, col: int, value: float) -> None:
        target[0].append(row), target[1].append(col), target[2].append(value)

    for i in range(n_img):
        hyp = precook(res[i][0], orders)
        refs = [precook(r, orders) for r in gts[i]]
        for g in {g for ref in refs for g in ref}:
            add(doc, i, vocab.setdefault(g, len(vocab)), 1.0)
        for g, tf in hyp.items():
            add(hyp_sq, i * orders + len(g) - 1, vocab.setdefault(g, len(vocab)), float(tf) ** 2)
        hyp_len = sum(tf for g, tf in hyp.items() if len(g) == 2)  # pycocoevalcap's "length": bigram count
        for ref in refs:
            ref_len = sum(tf for g, tf in ref.items() if len(g) == 2)
            penalty = np.e ** (-(float(hyp_len - ref_len) ** 2) / (2 * sigma**2))
            for order in range(orders):
                p = len(pair_image)
                pair_image.append(i)
                pair_hyp_row.append(i * orders + order)
                pair_weight.append(penalty * 10.0 / (orders * len(refs)))
                for g, tf in ref.items():
                    if len(g) - 1 != order:
                        continue
                    col = vocab.setdefault(g, len(vocab))
                    add(ref_sq, p, col, float(tf) ** 2)
                    if g in hyp:
                        add(num, p, col, float(min(hyp[g], tf) * tf))
    g_count, p_count = len(vocab), len(pair_image)

    def matrix(parts: tuple[list, list, list], rows: int) -> Any:
        return sparse.csr_matrix((parts[2], (parts[0], parts[1])), shape=(rows, g_count))

    return CiderReplicator(matrix(doc, n_img), matrix(num, p_count), matrix(hyp_sq, n_img * orders),
                           matrix(ref_sq, p_count), np.array(pair_image), np.array(pair_hyp_row),
                           np.array(pair_weight))


def _class_pairs(predictions: list[Any], references: list[Any]) -> tuple[np.ndarray, np.ndarray, int]:
    """Reference and predicted class indices as the sklearn-based metrics see them; index k = a
    predicted class that is never a reference class."""
    from lmms_general.metrics.classification import _classes

    y_true, y_pred = _classes(predictions, references)  # exactly the classes the metric itself scores
    labels = sorted(set(y_true))
    where = {c: i for i, c in enumerate(labels)}
    k = len(labels)
    return (np.array([where[c] for c in y_true]), np.array([where.get(c, k) for c in y_pred]), k)


def _macro_accuracy(predictions: list[Any], references: list[Any]) -> Replicator:
    t, p, k = _class_pairs(predictions, references)
    stats = np.zeros((len(t), 2 * k))
    stats[np.arange(len(t)), t] = 1.0
    stats[np.arange(len(t)), k + t] = (t == p).astype(float)

    def finish(s: np.ndarray) -> np.ndarray:
        support, correct = s[:, :k], s[:, k:]
        present = support > 0
        recall = _ratio(correct, support, present)
        return 100.0 * recall.sum(axis=1) / present.sum(axis=1)

    return SumReplicator(stats, finish)


def _f_score(predictions: list[Any], references: list[Any]) -> Replicator:
    t, p, k = _class_pairs(predictions, references)
    rows = np.arange(len(t))
    stats = np.zeros((len(t), 3 * k))
    stats[rows, t] = 1.0
    hit = p < k
    stats[rows[hit], k + p[hit]] = 1.0
    stats[rows, 2 * k + t] = (t == p).astype(float)

    def finish(s: np.ndarray) -> np.ndarray:
        support, predicted, tp = s[:, :k], s[:, k : 2 * k], s[:, 2 * k :]
        f1 = _ratio(2 * tp, support + predicted, support > 0)
        return 100.0 * (f1 * support).sum(axis=1) / support.sum(axis=1)

    return SumReplicator(stats, finish)


def _binary_ap(predictions: list[Any], references: list[Any]) -> Replicator:
    """Anomaly AP (sklearn ``average_precision_score``) from per-score-value positive/negative counts."""
    y_true = np.array([int(float(r) >= 0.5) for r in references])
    y_score = np.array([float(p) if isinstance(p, (int, float)) else 0.0 for p in predictions])
    values, group = np.unique(-y_score, return_inverse=True)  # group 0 = highest score
    g = len(values)
    stats = np.zeros((len(y_true), 2 * g))
    stats[np.arange(len(y_true)), group + g * (1 - y_true)] = 1.0

    def finish(s: np.ndarray) -> np.ndarray:
        tp, fp = np.cumsum(s[:, :g], axis=1), np.cumsum(s[:, g:], axis=1)
        positives = tp[:, -1:]
        with np.errstate(divide="ignore", invalid="ignore"):
            precision = np.where(tp + fp > 0, tp / np.where(tp + fp > 0, tp + fp, 1.0), 0.0)
            recall = np.where(positives > 0, tp / np.where(positives > 0, positives, 1.0), 0.0)
        gain = np.diff(np.concatenate([np.zeros((len(s), 1)), recall], axis=1), axis=1)
        return 100.0 * (gain * precision).sum(axis=1)

    return SumReplicator(stats, finish)


def _box_ap(metric_id: str) -> Builder:
    def build(predictions: list[Any], references: list[Any]) -> Replicator:
        if metric_id in ("map", "map50"):
            from lmms_general.metrics.detection import _require_2d

            _require_2d(predictions, references, metric_id)
        return CocoApReplicator.build(predictions, references, IOU_THRESHOLDS[metric_id])

    return build


def _ap(predictions: list[Any], references: list[Any]) -> Replicator:
    if all(isinstance(r, list) for r in references):
        preds = [p if isinstance(p, list) else None for p in predictions]
        return CocoApReplicator.build(preds, references, IOU_THRESHOLDS["ap"])
    return _binary_ap(predictions, references)


#: corpus metric id -> builder of its vectorised replicator
BUILDERS: dict[str, Builder] = {
    "micro_f1": _micro_f1,
    "rmse": _rmse,
    "miou": _miou,
    "bleu_4": _bleu_4,
    "bleu_1": _bleu_1_corpus,
    "cider": _cider,
    "macro_accuracy": _macro_accuracy,
    "f_score": _f_score,
    "ap": _ap,
    "codebleu": codebleu_replicator,
    "amota": amota_statistics,
    "pq": pq_statistics,
    "pixel_auc": pixel_auc_statistics,
    **{m: _box_ap(m) for m in ("ap50", "ap75", "ap10", "map", "map50")},
}


#: per-sample metrics scored over the whole corpus on rows with the ``corpus`` option (their builder is used when
#: its value equals the task's score, i.e. on those rows)
OPTIONAL_CORPUS = frozenset({"bleu_1"})


def build_corpus_replicator(metric_id: str, items: Sequence[dict[str, Any]]) -> tuple[Replicator, float] | None:
    """The vectorised replicator of a corpus metric and its value on the items as given (to be compared
    with the metric's score by the caller), or None when the metric has none or the statistics fail."""
    builder = BUILDERS.get(metric_id)
    if builder is None:
        return None
    predictions = [i.get("prediction") for i in items]
    references = [i.get("reference") for i in items]
    try:
        replicator = builder(predictions, references)
        return replicator, float(replicator(np.arange(len(items))[None, :])[0])
    except Exception:  # noqa: BLE001 - any failure means: recompute the metric per replicate instead
        return None


def agrees(value: float, point: float | None) -> bool:
    """Whether the statistics' value reproduces the metric's score (to 1e-6)."""
    return point is not None and math.isclose(value, point, rel_tol=1e-6, abs_tol=1e-6)


def corpus_replicator(metric_id: str, items: Sequence[dict[str, Any]], point: float) -> Replicator | None:
    """The vectorised replicator of a corpus metric on these items, or None when the metric has none or
    the statistics do not reproduce ``point`` (the metric's score on the items) to 1e-6."""
    built = build_corpus_replicator(metric_id, items)
    return built[0] if built is not None and agrees(built[1], point) else None
