"""3-D multi-object tracking: AMOTA, following the nuScenes tracking devkit (``nuscenes.eval.tracking``).

One sample is a scene: ``{frame_id: [{"track_id", "center": [x, y, z], "score"?, "category"?}]}`` (also
accepted: a list of per-frame lists, ``"tracking_id"`` / ``"id"``, ``"translation"``, ``"tracking_score"``,
``"tracking_name"`` / ``"label"``, a ``{"frames": ...}`` wrapper, or JSON text of any of these).

Per category (one anonymous category when the annotations name none), over all scenes of the task:

1. every predicted box takes its track's mean score (nuScenes averages ``tracking_score`` per track;
   a missing score is 1.0, a non-finite one 0.0);
2. boxes are matched per frame by py-motmetrics (Hungarian on bird's-eye-view (x, y) center distance,
   pairs at >= 2 m never match, earlier matches kept while still valid, so identity switches are counted);
3. the scores of matched boxes give the confidence thresholds that reach the recall levels
   ``linspace(0.1, 1, 40)`` (nuScenes ``min_recall = 0.1``, ``num_thresholds = 40``); a recall level the
   predictions never reach scores 0;
4. at each threshold ``MOTAR = max(0, 1 - (IDS + FP + FN - (1 - R) P) / (R P))`` with ``P`` the ground-truth
   boxes and ``R`` the recall measured at that threshold (TP / P, as the devkit does, alpha = 1);
5. AMOTA = mean MOTAR over the 40 recall levels; the task score is the mean over categories, x100.

Frames present only in a prediction are ignored (the devkit evaluates ground-truth frames); an unparsed
prediction is a scene with no boxes, so its objects are all missed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from lmms_general.metrics._common import require_samples
from lmms_general.metrics.parsing import extract_json
from lmms_general.metrics.registry import AS_IS, MetricSpec, register
from lmms_general.metrics.synthetic import gen_scene

Box = dict[str, Any]
Scene = dict[str, list[Box]]

NUM_THRESHOLDS = 40
MIN_RECALL = 0.1
DISTANCE_THRESHOLD = 2.0
_MOT_FIELDS = ["num_matches", "num_misses", "num_switches", "num_false_positives", "num_objects"]


# --------------------------------------------------------------------------- parsing


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _box(item: Any, *, with_score: bool) -> Box | None:
    """A normalised box, or None when it lacks a track id or a 3-number center."""
    if not isinstance(item, Mapping):
        return None
    track = item.get("track_id", item.get("tracking_id", item.get("id")))
    center = item.get("center", item.get("translation"))
    if track is None or not isinstance(center, (list, tuple)) or len(center) < 2:
        return None
    coords = [_number(v) for v in center[:3]]
    if any(c is None for c in coords):
        return None
    category = item.get("category", item.get("tracking_name", item.get("label")))
    box: Box = {"track_id": str(track), "center": coords, "category": None if category is None else str(category)}
    if with_score:
        score = _number(item.get("score", item.get("tracking_score", 1.0)))
        box["score"] = score if score is not None and math.isfinite(score) else 0.0
    return box


def _scene(value: Any, *, with_score: bool) -> Scene | None:
    """``{frame_id: [box, ...]}`` from any accepted shape, or None."""
    if isinstance(value, str):
        value = extract_json(value)
    if isinstance(value, Mapping) and isinstance(value.get("frames"), (Mapping, list)):
        value = value["frames"]
    if isinstance(value, list):
        value = {str(i): frame for i, frame in enumerate(value)}
    if not isinstance(value, Mapping):
        return None
    scene: Scene = {}
    for frame, items in value.items():
        if isinstance(items, Mapping):
            items = [items]
        if not isinstance(items, list):
            return None
        boxes = [_box(item, with_score=with_score) for item in items]
        scene[str(frame)] = [b for b in boxes if b is not None]
    return scene


def parse_tracks(raw: str, context: Mapping[str, Any]) -> Scene | None:
    """A predicted scene from the response (None when no frame dict / list decodes)."""
    return _scene(raw, with_score=True)


def tracks_reference(raw: Any, context: Mapping[str, Any]) -> Scene:
    """A reference scene; raises ValueError when it holds no box or a non-finite center."""
    scene = _scene(raw, with_score=False)
    if not scene or not any(scene.values()):
        raise ValueError(f"reference holds no tracked boxes: {str(raw)[:120]}")
    for frame, boxes in scene.items():
        if any(not all(math.isfinite(c) for c in b["center"]) for b in boxes):
            raise ValueError(f"reference frame {frame} has a non-finite center")
    return scene


# --------------------------------------------------------------------------- accumulation


def _frame_key(frame: str) -> tuple[int, float | str]:
    number = _number(frame)
    return (0, number) if number is not None else (1, frame)


def _track_scores(scene: Mapping[str, list[Box]]) -> dict[str, float]:
    """The mean score of each predicted track over its boxes."""
    scores: dict[str, list[float]] = {}
    for boxes in scene.values():
        for box in boxes:
            scores.setdefault(box["track_id"], []).append(float(box.get("score", 1.0)))
    return {track: float(np.mean(values)) for track, values in scores.items()}


class _ClassData:
    """The frames of one category over the task, with integer ids (motmetrics needs numbers)."""

    def __init__(self) -> None:
        self.frames: list[tuple[list[int], np.ndarray, list[int], np.ndarray, np.ndarray]] = []
        self.gt_count = 0


def _split_by_class(predictions: Sequence[Any], references: Sequence[Scene]) -> dict[str | None, _ClassData]:
    """Per category: per ground-truth frame (gt ids, gt centers, pred ids, pred centers, pred scores)."""
    categories = {b["category"] for ref in references for boxes in ref.values() for b in boxes}
    data = {c: _ClassData() for c in categories}
    ids: dict[tuple[int, str, str], int] = {}

    def number(sample: int, kind: str, track: str) -> int:
        return ids.setdefault((sample, kind, track), len(ids))

    for sample, (prediction, reference) in enumerate(zip(predictions, references, strict=True)):
        pred_scene = prediction if isinstance(prediction, Mapping) else {}
        scores = _track_scores(pred_scene)
        for frame in sorted(reference, key=_frame_key):
            gt_boxes = reference[frame]
            pred_boxes = pred_scene.get(frame) or []
            for category, cls in data.items():
                gts = [b for b in gt_boxes if b["category"] == category]
                # a prediction without a category is compared with every category only when there is one
                preds = [b for b in pred_boxes
                         if b["category"] == category or (b["category"] is None and len(data) == 1)]
                if not gts and not preds:
                    continue
                cls.gt_count += len(gts)
                seen: set[str] = set()
                pred_ids = []
                for box in preds:  # a duplicated id within a frame becomes a separate hypothesis
                    key = box["track_id"] if box["track_id"] not in seen else f"{box['track_id']}#{len(seen)}"
                    seen.add(key)
                    pred_ids.append(number(sample, "pred", key))
                cls.frames.append((
                    [number(sample, "gt", b["track_id"]) for b in gts],
                    np.asarray([b["center"][:2] for b in gts], dtype=float).reshape(-1, 2),
                    pred_ids,
                    np.asarray([b["center"][:2] for b in preds], dtype=float).reshape(-1, 2),
                    np.asarray([scores.get(b["track_id"], 0.0) for b in preds], dtype=float),
                ))
    return data


def _accumulate(cls: _ClassData, threshold: float | None, max_distance: float) -> Any:
    """A motmetrics accumulator over the category's frames, keeping predictions scoring >= ``threshold``."""
    import motmetrics as mm

    acc = mm.MOTAccumulator()
    frame_id = 0
    for gt_ids, gt_xy, pred_ids, pred_xy, scores in cls.frames:
        keep = np.ones(len(pred_ids), bool) if threshold is None else scores >= threshold
        hyp_ids = [h for h, k in zip(pred_ids, keep, strict=True) if k]
        hyp_xy = pred_xy[keep]
        if not gt_ids and not hyp_ids:
            continue
        distances = np.full((len(gt_ids), len(hyp_ids)), np.nan)
        if gt_ids and hyp_ids:
            from scipy.spatial.distance import cdist

            with np.errstate(invalid="ignore"):
                distances = cdist(gt_xy, hyp_xy)
            distances[~(distances < max_distance)] = np.nan  # NaN centers never match
        acc.update(gt_ids, hyp_ids, distances, frameid=frame_id)
        frame_id += 1
    return acc


def _recall_thresholds(cls: _ClassData, max_distance: float, num_thresholds: int,
                       min_recall: float) -> np.ndarray:
    """Score thresholds reaching recall ``linspace(min_recall, 1, num_thresholds)``; NaN where unreachable."""
    acc = _accumulate(cls, None, max_distance)
    events = acc.events
    score_of = {pid: s for frame in cls.frames for pid, s in zip(frame[2], frame[4], strict=True)}
    matched = events[events.Type == "MATCH"].HId.astype(int).tolist()
    scores = np.sort(np.asarray([score_of[h] for h in matched], dtype=float))[::-1]
    if scores.size == 0:
        return np.full(num_thresholds, np.nan)
    recall = np.arange(1, scores.size + 1) / cls.gt_count
    targets = np.linspace(min_recall, 1.0, num_thresholds).round(12)
    thresholds = np.interp(targets, recall, scores, right=0)
    thresholds[targets > recall.max()] = np.nan
    return thresholds


def _motar(summary: Mapping[str, float]) -> float:
    """nuScenes MOTAR at one threshold (alpha = 1, measured recall); NaN when nothing matched."""
    objects, matches = float(summary["num_objects"]), float(summary["num_matches"])
    recall = matches / objects
    errors = summary["num_misses"] + summary["num_switches"] + summary["num_false_positives"]
    if recall * objects == 0:
        return math.nan
    return max(0.0, 1.0 - (errors - (1.0 - recall) * objects) / (recall * objects))


def class_amota(cls: _ClassData, max_distance: float = DISTANCE_THRESHOLD, num_thresholds: int = NUM_THRESHOLDS,
                min_recall: float = MIN_RECALL) -> float:
    """AMOTA of one category in [0, 1]: mean MOTAR over the recall levels (unreached / undefined -> 0)."""
    import motmetrics as mm

    handler = mm.metrics.create()
    cache: dict[float, float] = {}
    values = []
    for threshold in _recall_thresholds(cls, max_distance, num_thresholds, min_recall):
        if np.isnan(threshold):
            values.append(0.0)
            continue
        if threshold not in cache:
            acc = _accumulate(cls, float(threshold), max_distance)
            summary = handler.compute(acc, metrics=_MOT_FIELDS, return_dataframe=False)
            cache[threshold] = _motar(summary)
        values.append(0.0 if math.isnan(cache[threshold]) else cache[threshold])
    return float(np.mean(values))


def amota(predictions: Sequence[Any], references: Sequence[Any], max_distance: float = DISTANCE_THRESHOLD,
          num_thresholds: int = NUM_THRESHOLDS, min_recall: float = MIN_RECALL) -> float:
    """AMOTA over the task's scenes, mean over categories with ground truth, 0-100."""
    require_samples("amota", predictions)
    scenes = [_scene(p, with_score=True) if p is not None else None for p in predictions]
    refs = []
    for index, reference in enumerate(references):
        try:
            refs.append(tracks_reference(reference, {}))
        except ValueError as exc:
            raise ValueError(f"amota: reference {index}: {exc}") from exc
    data = _split_by_class(scenes, refs)
    per_class = [class_amota(cls, max_distance, num_thresholds, min_recall)
                 for cls in data.values() if cls.gt_count > 0]
    if not per_class:
        raise ValueError("amota: the task has no ground-truth boxes")
    return 100.0 * float(np.mean(per_class))


register(MetricSpec(id="amota", compute=amota, kind="corpus", native_range=(0.0, 1.0), scale="x100",
                    implementation="py-motmetrics accumulation + nuScenes devkit AMOTA (40 recall levels from 0.1, "
                                   "BEV center distance < 2 m)",
                    parse=parse_tracks, prepare_reference=tracks_reference,
                    description="average over recall levels of recall-normalised MOTA (nuScenes AMOTA)",
                    aliases=("AMOTA (Average Multi-Object Tracking Accuracy)",),
                    task_kind="tracking_3d",
                    level_map=AS_IS,
                    synthetic=gen_scene,
                    no_statistics="AMOTA sweeps recall thresholds over the tracks of the whole task; recomputed per "
                    "replicate"))
