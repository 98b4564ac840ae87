"""Detection / grounding metrics: COCO AP (faster-coco-eval; pycocotools matching for the bootstrap), AP@IoU,
binary AP, R@50 triplet recall, box DICE.

Boxes are ``[x_min, y_min, w, h]`` (the annotation convention). A prediction without boxes that could
not be parsed (``None``) is an image with no detections: its ground truth counts as missed. Boxes
without a confidence get score 1.0 (every detection ranks equally, in response order).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from lmms_general.metrics._common import answer_list, percent, require_samples
from lmms_general.metrics.coco_ap_statistics import IOU_THRESHOLDS, CocoApReplicator, image_matches
from lmms_general.metrics.parsing import (
    boxes_from_value,
    extract_json,
    normalize_answer,
    parse_anomaly_score,
    parse_boxes,
)
from lmms_general.metrics.registry import AS_IS, MetricSpec, SampleStates, register
from lmms_general.metrics.resampling import Replicator, SumReplicator
from lmms_general.metrics.synthetic import N_LABEL_SAMPLES, gen_anomaly, gen_boxes, gen_triplets

Box = dict[str, Any]


def parse_detections(raw: str, context: Mapping[str, Any]) -> list[Box] | None:
    """Boxes from a response (JSON in any annotation shape, or ``[x, y, w, h]`` spans in text)."""
    return parse_boxes(raw)


def boxes_reference(raw: Any, context: Mapping[str, Any]) -> list[Box]:
    """Reference boxes from ``{class: [[x,y,w,h],...]}`` or ``[{class: [x,y,w,h]}]`` (or a JSON string of them)."""
    value = extract_json(raw) if isinstance(raw, str) else raw
    boxes = boxes_from_value(value)
    if boxes is None:
        raise ValueError(f"reference is not a box list: {str(raw)[:120]}")
    return boxes


@functools.lru_cache(maxsize=4096)
def _label_key(label: str) -> str:
    """A box label as compared (SQuAD folding); a task has few distinct labels, so each is folded once."""
    return normalize_answer(label)


def _only_class(reference: list[Box]) -> str:
    """The compared label of an unlabelled predicted box: the image's ground-truth class when ``reference`` has
    exactly one and it does not fold to "" (as "a" does), else ``"<none>"``."""
    classes = {_label_key(str(label)) for box in reference if (label := box.get("label")) is not None}
    return (next(iter(classes)) if len(classes) == 1 else "") or "<none>"


def _coco_box(bbox: Any) -> list:
    """A box as pycocotools takes it: its own list (pycocotools reads boxes and never changes them, so no copy is
    made), or a list of a tuple / array (its IoU accepts lists of lists only)."""
    return bbox if type(bbox) is list else list(bbox)


def coco_inputs(predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list, list, list, dict]:
    """COCO images, ground truths and detections of a task (image ids 1..n, categories by compared label in order
    of first use: a box's folded label; an unlabelled ground truth is ``"<none>"``, an unlabelled detection takes
    :func:`_only_class` of its image)."""
    categories: dict[str, int] = {}
    images, gts, dts = [], [], []

    def category(label: Any, reference: list[Box]) -> int:
        key = _label_key(str(label)) if label is not None else _only_class(reference)
        return categories.setdefault(key, len(categories) + 1)

    for image_id, (prediction, reference) in enumerate(zip(predictions, references, strict=True), start=1):
        images.append({"id": image_id})
        reference = reference or []
        for box in reference:
            cat = category(box.get("label"), [])
            bbox = box["bbox"]
            x, y, w, h = bbox
            gts.append({"id": len(gts) + 1, "image_id": image_id, "category_id": cat, "bbox": _coco_box(bbox),
                        "area": float(w * h), "iscrowd": 0})
        for box in prediction or []:
            cat = category(box.get("label"), reference)
            bbox = _coco_box(box["bbox"])
            # id, area and iscrowd as ``COCO.loadRes`` sets them on bbox results
            dts.append({"image_id": image_id, "category_id": cat, "bbox": bbox, "score": float(box.get("score", 1.0)),
                        "area": bbox[2] * bbox[3], "id": len(dts) + 1, "iscrowd": 0})
    return images, gts, dts, categories


def all_area_params(params: Any, iou_thresholds: Sequence[float] | None, max_dets: int) -> None:
    """A COCOeval's parameters for the metric: the IoU thresholds (None: COCO's 0.50:0.05:0.95), ``max_dets``
    detections per image and the "all" area range only."""
    if iou_thresholds is not None:
        params.iouThrs = np.array(iou_thresholds, dtype=float)
    params.maxDets = [max_dets]
    params.areaRng = [params.areaRng[0]]
    params.areaRngLbl = ["all"]


def _silent(*args: Any, **kwargs: Any) -> None:
    """faster-coco-eval's ``print_function``: its progress lines are not wanted in logs."""


def coco_eval(predictions: Sequence[Any], references: Sequence[Any], iou_thresholds: Sequence[float] | None = None,
              max_dets: int = 100) -> float:
    """COCO bbox AP of the task: area range "all", ``max_dets`` detections per image, averaged over
    ``iou_thresholds`` (default 0.50:0.05:0.95) and categories; -1 when undefined.

    faster-coco-eval's ``COCOeval_faster`` (pycocotools' COCOeval with ``evaluateImg`` / ``accumulate`` in C++) on
    the task's COCO inputs (:func:`coco_inputs`): the same matches as pycocotools', each precision within one ulp of
    pycocotools' (``tests/metrics/coco_reference.py`` is that reference; checked on the metric cases and random tasks
    with ties, empty images, ignored boxes and ``maxDets`` cuts), about 2.4x faster. Equal to
    ``COCOeval.summarize()``'s ``stats[0]``; only the "all" area range is evaluated (the small / medium / large ranges
    it also computes are not reported by any General-Bench row), a quarter of the work.
    """
    from faster_coco_eval import COCO, COCOeval_faster

    images, gts, dts, categories = coco_inputs(predictions, references)
    if not gts:
        raise ValueError("AP: the task has no ground-truth boxes")
    cats = [{"id": i, "name": n} for n, i in categories.items()]
    gt = COCO({"images": images, "annotations": gts, "categories": cats}, print_function=_silent)
    dt = COCO({"images": images, "annotations": dts, "categories": cats}, print_function=_silent)
    evaluator = COCOeval_faster(gt, dt, "bbox", print_function=_silent)
    all_area_params(evaluator.params, iou_thresholds, max_dets)
    evaluator.evaluate()
    evaluator.accumulate()
    precision = np.asarray(evaluator.eval["precision"])[:, :, :, 0, -1]  # [iou, recall, category, area, maxDets]
    valid = precision[precision > -1]
    return float(valid.mean()) if valid.size else -1.0


def _ap_value(value: float) -> float:
    return 0.0 if value < 0 else 100.0 * value


def ap50(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """COCO AP at IoU 0.5 (COCOeval, 101-point interpolation, mean over classes), 0-100."""
    require_samples("ap50", predictions)
    return _ap_value(coco_eval(predictions, references, [0.5]))


def ap75(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """COCO AP at IoU 0.75, 0-100."""
    require_samples("ap75", predictions)
    return _ap_value(coco_eval(predictions, references, [0.75]))


def ap10(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """COCO-style AP at IoU 0.1 (loose grounding), 0-100."""
    require_samples("ap10", predictions)
    return _ap_value(coco_eval(predictions, references, [0.1]))


def map_coco(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """COCO mAP averaged over IoU 0.50:0.05:0.95 and classes, 0-100 (2-D ``[x, y, w, h]`` boxes)."""
    require_samples("map", predictions)
    _require_2d(predictions, references, "map")
    return _ap_value(coco_eval(predictions, references))


def map50(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """mAP at IoU 0.5 over classes, 0-100 (2-D ``[x, y, w, h]`` boxes)."""
    require_samples("map50", predictions)
    _require_2d(predictions, references, "map50")
    return _ap_value(coco_eval(predictions, references, [0.5]))


def _require_2d(predictions: Sequence[Any], references: Sequence[Any], metric: str) -> None:
    for boxes in (*predictions, *references):
        for box in boxes or []:
            if len(box.get("bbox", ())) != 4:
                raise NotImplementedError(f"{metric}: only 2-D [x, y, w, h] boxes are supported, got {box}")


# --------------------------------------------------------------------------- AP: detection or binary anomaly AP

_YES = {"yes", "true", "anomalous", "anomaly", "abnormal", "defective", "defect", "1"}
_NO = {"no", "false", "normal", "good", "nondefective", "0", "none"}


def parse_ap(raw: str, context: Mapping[str, Any]) -> Any:
    """Boxes when the response has any; else an anomaly score in [0, 1] (a number such as "0.85" or
    "Anomaly score: 0.12", a percentage, or a yes/no / normal/anomalous decision)."""
    boxes = parse_boxes(raw)
    if boxes:
        return boxes
    return parse_anomaly_score(raw)


def _binary_score(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(min(max(value, 0.0), 1.0))
    norm = normalize_answer(value)
    words = norm.split()
    if not words:
        return None
    if norm.replace(" ", "") in _YES or words[0] in _YES:
        return 1.0
    if norm.replace(" ", "") in _NO or words[0] in _NO:
        return 0.0
    match = re.search(r"\d*\.?\d+", norm)
    return float(min(max(float(match.group()), 0.0), 1.0)) if match and "." in match.group() else None


def ap_reference(raw: Any, context: Mapping[str, Any]) -> Any:
    """Reference boxes (detection) or a 0/1 anomaly label."""
    value = extract_json(raw) if isinstance(raw, str) and raw.strip()[:1] in "[{" else raw
    boxes = boxes_from_value(value)
    if boxes is not None:
        return boxes
    answers = answer_list(raw)
    label = _binary_score(answers[0]) if answers else None
    if label is None:
        raise ValueError(f"AP reference is neither boxes nor a yes/no label: {str(raw)[:120]}")
    return label


def ap(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """AP, 0-100: COCO AP@[.5:.95] for box references; for 0/1 (anomaly) references the area under the
    precision-recall curve of the predicted scores (sklearn ``average_precision_score``), unparsed -> 0."""
    from sklearn.metrics import average_precision_score

    require_samples("ap", predictions)
    if all(isinstance(r, list) for r in references):
        preds = [p if isinstance(p, list) else None for p in predictions]
        return _ap_value(coco_eval(preds, references))
    y_true = [int(float(r) >= 0.5) for r in references]
    y_score = [float(p) if isinstance(p, (int, float)) else 0.0 for p in predictions]
    if sum(y_true) == 0:
        raise ValueError("ap: no positive (anomalous) reference in the task")
    return 100.0 * float(average_precision_score(y_true, y_score))


# --------------------------------------------------------------------------- R@50 (relation triplets)

_TRIPLET_SPLIT = re.compile(r"\s*(?:,|;|\||->|-)\s*")


def _triplet(value: Any) -> tuple[str, str, str] | None:
    if isinstance(value, Mapping):
        parts = [value.get(k) for k in ("subject", "predicate", "object")]
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        text = str(value).strip().strip("()[]")
        parts = _TRIPLET_SPLIT.split(text)
    if len(parts) != 3 or any(p is None for p in parts):
        return None
    return tuple(normalize_answer(p) for p in parts)  # type: ignore[return-value]


def triplets(value: Any) -> list[tuple[str, str, str]] | None:
    """Relation triplets from JSON (list of [s, p, o] or {subject, predicate, object}) or one per line."""
    decoded = extract_json(value) if isinstance(value, str) else value
    items: list[Any]
    if isinstance(decoded, list) and decoded and _triplet(decoded) is not None and not isinstance(decoded[0], list):
        items = [decoded]
    elif isinstance(decoded, list):
        items = decoded
    elif isinstance(decoded, Mapping):
        items = [decoded]
    elif isinstance(value, str):
        items = [line for line in value.splitlines() if line.strip()]
    else:
        return None
    found = [t for t in (_triplet(i) for i in items) if t is not None]
    return found or None


def recall_at_50(predictions: Sequence[Any], references: Sequence[Any], k: int = 50) -> float:
    """Triplet recall at K=50: share of ground-truth triplets among the first 50 predicted, mean per image."""
    require_samples("recall_at_50", predictions)
    scores = []
    for prediction, reference in zip(predictions, references, strict=True):
        gt = [tuple(t) for t in reference or []]
        if not gt:
            raise ValueError("recall_at_50: a sample has no ground-truth triplet")
        top = {tuple(t) for t in (prediction or [])[:k]}
        scores.append(sum(t in top for t in gt) / len(gt))
    return percent(scores)


def parse_triplets(raw: str, context: Mapping[str, Any]) -> list[list[str]] | None:
    found = triplets(raw)
    return [list(t) for t in found] if found else None


def triplets_reference(raw: Any, context: Mapping[str, Any]) -> list[list[str]]:
    found = triplets(raw)
    if not found:
        raise ValueError(f"reference holds no (subject, predicate, object) triplet: {str(raw)[:120]}")
    return [list(t) for t in found]


# --------------------------------------------------------------------------- DICE of box regions


def _box_mask(boxes: Sequence[Box], height: int, width: int, dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
    mask = np.zeros((height, width), dtype=bool)
    for box in boxes:
        x, y, w, h = box["bbox"]
        x, y = x + dx, y + dy
        mask[int(round(y)) : int(round(y + h)), int(round(x)) : int(round(x + w))] = True
    return mask


def box_dice(prediction: Sequence[Box] | None, reference: Sequence[Box]) -> float:
    """Dice of the regions covered by predicted and reference boxes (1.0 when both are empty).

    Boxes are rasterised on a grid that covers all of them: a box with a negative coordinate is shifted
    with the others (never sliced from the array's end or emptied)."""
    boxes = [*(prediction or []), *reference]
    if not boxes:
        return 1.0
    dx = float(np.ceil(-min(0.0, min(b["bbox"][0] for b in boxes))))  # whole pixels: same rounding as unshifted
    dy = float(np.ceil(-min(0.0, min(b["bbox"][1] for b in boxes))))
    width = int(np.ceil(max(b["bbox"][0] + b["bbox"][2] for b in boxes) + dx)) + 1
    height = int(np.ceil(max(b["bbox"][1] + b["bbox"][3] for b in boxes) + dy)) + 1
    pred = _box_mask(prediction or [], height, width, dx, dy)
    ref = _box_mask(reference, height, width, dx, dy)
    total = int(pred.sum() + ref.sum())
    return 1.0 if total == 0 else 2.0 * int((pred & ref).sum()) / total


def dice(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Mean per-image Dice of the predicted vs reference box regions (detection-as-segmentation), 0-100."""
    require_samples("dice", predictions)
    return percent(box_dice(p, r) for p, r in zip(predictions, references, strict=True))


# ------------------------------------------------------------------ per-sample statistics (the bootstrap)


def _binary_ap_statistics(predictions: list[Any], references: list[Any]) -> Replicator:
    """Anomaly AP (sklearn ``average_precision_score``) from per-score-value positive/negative counts."""
    y_true = np.array([int(float(r) >= 0.5) for r in references])
    y_score = np.array([_anomaly_score(p) for p in predictions])
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


def _anomaly_score(prediction: Any) -> float:
    return float(prediction) if isinstance(prediction, (int, float)) else 0.0


def box_ap_states(metric_id: str) -> SampleStates:
    """Statistics of a box-AP metric: each image's pycocotools matches at the metric's IoU thresholds
    (:func:`~lmms_general.metrics.coco_ap_statistics.image_matches`), logged when the sample is scored; the
    bootstrap accumulates the drawn images' matches (:class:`~lmms_general.metrics.coco_ap_statistics.
    CocoApReplicator`)."""
    thresholds = IOU_THRESHOLDS[metric_id]

    def of(prediction: Any, reference: Any, **options: Any) -> dict[str, list]:
        if metric_id in ("map", "map50"):
            _require_2d([prediction], [reference], metric_id)
        return image_matches(prediction, reference, thresholds)

    def replicator(states: list[Any], **options: Any) -> Replicator:
        return CocoApReplicator.from_states(states, thresholds)

    return SampleStates(of=of, replicator=replicator)


def ap_state(prediction: Any, reference: Any, **options: Any) -> Any:
    """One sample's state for :func:`ap`: its box matches (:func:`box_ap_states`) for a box reference, else its
    ``[anomaly score, 0/1 label]``."""
    if isinstance(reference, list):
        return image_matches(prediction if isinstance(prediction, list) else None, reference, IOU_THRESHOLDS["ap"])
    return [_anomaly_score(prediction), int(float(reference) >= 0.5)]


def ap_replicator(states: list[Any], **options: Any) -> Replicator:
    """:func:`ap`'s replicator from its samples' states: COCO matches when every reference is boxes, per-score
    counts when every one is a 0/1 label (a task that mixes them has no statistics, as :func:`ap` fails on it)."""
    if all(isinstance(state, dict) for state in states):
        return CocoApReplicator.from_states(states, IOU_THRESHOLDS["ap"])
    if not all(isinstance(state, list) for state in states):
        raise ValueError("ap: the task mixes box and yes/no references")
    return _binary_ap_statistics([score for score, _ in states], [label for _, label in states])


_DET = {"native_range": (0.0, 1.0), "scale": "x100", "parse": parse_detections, "prepare_reference": boxes_reference}
register(MetricSpec(id="ap50", compute=ap50, kind="corpus",
                    implementation="faster-coco-eval COCOeval_faster (bbox, IoU 0.5)",
                    description="average precision at IoU 0.5 over the task's boxes", **_DET,
                    aliases=("AP50",),
                    task_kind="detection",
                    level_map=AS_IS,
                    synthetic=gen_boxes,
                    statistics=box_ap_states("ap50")))
register(MetricSpec(id="ap75", compute=ap75, kind="corpus",
                    implementation="faster-coco-eval COCOeval_faster (bbox, IoU 0.75)",
                    description="average precision at IoU 0.75 over the task's boxes", **_DET,
                    aliases=("AP75",),
                    task_kind="detection",
                    level_map=AS_IS,
                    synthetic=gen_boxes,
                    statistics=box_ap_states("ap75")))
register(MetricSpec(id="ap10", compute=ap10, kind="corpus",
                    implementation="faster-coco-eval COCOeval_faster (bbox, IoU 0.1)",
                    description="average precision at IoU 0.1 (grounding)", **_DET,
                    aliases=("AP10",),
                    task_kind="detection",
                    level_map=AS_IS,
                    synthetic=gen_boxes,
                    statistics=box_ap_states("ap10")))
register(MetricSpec(id="map", compute=map_coco, kind="corpus",
                    implementation="faster-coco-eval COCOeval_faster (bbox, IoU 0.50:0.95)",
                    description="mean average precision over IoU 0.50:0.95 and classes", **_DET,
                    aliases=("mAP",),
                    task_kind="detection",
                    level_map=AS_IS,
                    synthetic=gen_boxes,
                    statistics=box_ap_states("map")))
register(MetricSpec(id="map50", compute=map50, kind="corpus",
                    implementation="faster-coco-eval COCOeval_faster (bbox, IoU 0.5)",
                    description="mean average precision at IoU 0.5 over classes", **_DET,
                    aliases=("mAP@50",),
                    task_kind="detection",
                    level_map=AS_IS,
                    synthetic=gen_boxes,
                    statistics=box_ap_states("map50")))
register(MetricSpec(id="dice", compute=dice, kind="sample", implementation="numpy box rasterisation (Dice)",
                    description="Dice overlap of predicted and reference box regions, mean per image", **_DET,
                    aliases=("DICE",),
                    task_kind="detection",
                    level_map=AS_IS,
                    synthetic=gen_boxes))
register(MetricSpec(id="ap", compute=ap, kind="corpus", native_range=(0.0, 1.0), scale="x100",
                    implementation="faster-coco-eval COCOeval_faster / scikit-learn average_precision_score",
                    parse=parse_ap, prepare_reference=ap_reference,
                    description="COCO AP@[.5:.95] for boxes; anomaly AP (area under PR curve) for yes/no labels",
                    aliases=("AP",),
                    task_kind="detection",
                    level_map=AS_IS,
                    synthetic=gen_anomaly,
                    statistics=SampleStates(of=ap_state, replicator=ap_replicator),
                    synthetic_samples=N_LABEL_SAMPLES))
register(MetricSpec(id="recall_at_50", compute=recall_at_50, kind="sample", native_range=(0.0, 1.0), scale="x100",
                    implementation="lmms_general triplet recall@50", parse=parse_triplets,
                    prepare_reference=triplets_reference,
                    description="share of ground-truth relation triplets among the top-50 predicted, per image",
                    aliases=("R@50",),
                    task_kind="triplets",
                    level_map=AS_IS,
                    synthetic=gen_triplets))
