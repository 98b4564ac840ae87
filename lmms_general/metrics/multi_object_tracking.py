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


def _split_by_class(predictions: Sequence[Any], references: Sequence[Scene],
                    categories: set[str | None] | None = None, id_ends: list[int] | None = None
                    ) -> dict[str | None, _ClassData]:
    """Per category: per ground-truth frame (gt ids, gt centers, pred ids, pred centers, pred scores); the
    categories are those of the references unless given. Ids are numbered scene by scene: ``id_ends`` (when
    given) receives, per scene, one past its last id."""
    if categories is None:
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
        if id_ends is not None:
            id_ends.append(len(ids))
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
    scores = np.sort(_matched_scores(cls, max_distance))[::-1]
    return _thresholds_of(scores, cls.gt_count, num_thresholds, min_recall)


def _matched_scores(cls: _ClassData, max_distance: float) -> np.ndarray:
    """The scores of the predicted boxes matched when every prediction is kept."""
    events = _accumulate(cls, None, max_distance).events
    score_of = {pid: s for frame in cls.frames for pid, s in zip(frame[2], frame[4], strict=True)}
    matched = events[events.Type == "MATCH"].HId.astype(int).tolist()
    return np.asarray([score_of[h] for h in matched], dtype=float)


def _thresholds_of(scores: np.ndarray, gt_count: int, num_thresholds: int, min_recall: float) -> np.ndarray:
    """Score thresholds reaching the recall levels, from the matched scores sorted in descending order."""
    if scores.size == 0:
        return np.full(num_thresholds, np.nan)
    recall = np.arange(1, scores.size + 1) / gt_count
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


# --------------------------------------------------------------------------- per-scene statistics (bootstrap)


def _class_statistics(cls: _ClassData, id_ends: np.ndarray, n: int, max_distance: float) -> dict[str, Any]:
    """Per scene of one category: ground-truth boxes, the scores of the boxes matched with every prediction kept,
    and the MOT counts (``_MOT_FIELDS``) as the score threshold falls: ``base`` with no prediction kept (every
    ground-truth box a miss), then ``step`` rows, the change when the scene's boxes of score ``-step_order``
    are added (sorted by falling score). The all-kept matching runs once over every scene (one accumulator;
    scenes never share ids); only scenes with several distinct scores are re-matched at their higher scores."""
    scene_of = np.zeros(len(cls.frames), dtype=np.int64)
    for f, frame in enumerate(cls.frames):
        ids = frame[0] or frame[2]
        scene_of[f] = int(np.searchsorted(id_ends, ids[0], side="right")) if ids else -1
    sizes = np.array([len(f[0]) for f in cls.frames], dtype=float)
    gt = np.bincount(scene_of[scene_of >= 0], weights=sizes[scene_of >= 0], minlength=n).astype(np.int64)
    base = np.zeros((n, len(_MOT_FIELDS)), dtype=np.int64)
    base[:, 1] = base[:, 4] = gt
    events = _accumulate(cls, None, max_distance).events
    types = events.Type.astype(str).to_numpy()
    oid, hid = events.OId.to_numpy(dtype=float), events.HId.to_numpy(dtype=float)
    event_scene = np.searchsorted(id_ends, np.where(np.isnan(oid), hid, oid), side="right")
    all_kept = np.stack([np.bincount(event_scene, weights=part, minlength=n) for part in _event_parts(types, oid)],
                        axis=1).astype(np.int64)
    score_of = {pid: s for frame in cls.frames for pid, s in zip(frame[2], frame[4], strict=True)}
    match = types == "MATCH"
    matched = np.asarray([score_of[int(h)] for h in hid[match]], dtype=float)
    scene_frames: dict[int, list[Any]] = {}
    for frame, scene in zip(cls.frames, scene_of, strict=True):
        scene_frames.setdefault(int(scene), []).append(frame)
    step_scene, step_score, step = [], [], []
    for scene, frames in scene_frames.items():
        scores = np.concatenate([f[4] for f in frames])
        if scene < 0 or scores.size == 0:
            continue
        levels = np.unique(scores)[::-1]
        one = _ClassData()
        one.frames = frames
        table = [base[scene]]
        table += [_event_counts(_accumulate(one, float(t), max_distance).events) for t in levels[:-1]]
        table.append(all_kept[scene])  # the lowest level keeps every prediction
        step_scene += [scene] * levels.size
        step_score.append(levels)
        step.append(np.diff(np.stack(table), axis=0))
    order = np.argsort(-np.concatenate(step_score), kind="stable") if step_score else np.zeros(0, dtype=np.int64)
    return {"gt": gt, "matched": matched, "matched_scene": event_scene[match].astype(np.int64), "base": base,
            "step_scene": np.asarray(step_scene, dtype=np.int64)[order],
            "step_order": -np.concatenate(step_score)[order] if step_score else np.zeros(0),
            "step": np.concatenate(step)[order] if step else np.zeros((0, len(_MOT_FIELDS)), dtype=np.int64)}


def _event_parts(types: np.ndarray, oid: np.ndarray) -> list[np.ndarray]:
    """Per event, 0/1 for each of ``_MOT_FIELDS`` as py-motmetrics' metrics count them (over the MATCH, MISS,
    SWITCH and FP events; ``num_objects``: those with an object id)."""
    scored = np.isin(types, ["MATCH", "MISS", "SWITCH", "FP"])
    return [(types == t).astype(float) for t in ("MATCH", "MISS", "SWITCH", "FP")] + \
        [(scored & ~np.isnan(oid)).astype(float)]


def _event_counts(events: Any) -> np.ndarray:
    """``_MOT_FIELDS`` of one accumulator's events (see :func:`_event_parts`)."""
    types = events.Type.astype(str).to_numpy()
    return np.array([int(p.sum()) for p in _event_parts(types, events.OId.to_numpy(dtype=float))], dtype=np.int64)


class AmotaReplicator:
    """AMOTA of resampled scenes from per-scene statistics (:func:`amota_statistics`)."""

    def __init__(self, per_class: list[dict[str, Any]], n: int, num_thresholds: int, min_recall: float) -> None:
        self.per_class, self.n = per_class, n
        self.num_thresholds, self.min_recall = num_thresholds, min_recall

    def _class_value(self, stats: dict[str, Any], weights: np.ndarray) -> float | None:
        gt_count = int(weights @ stats["gt"])
        if gt_count == 0:
            return None
        scores = np.sort(np.repeat(stats["matched"], weights[stats["matched_scene"]]))[::-1]
        thresholds = _thresholds_of(scores, gt_count, self.num_thresholds, self.min_recall)
        base = weights @ stats["base"]
        steps = np.cumsum(weights[stats["step_scene"]][:, None] * stats["step"], axis=0)
        values = []
        for threshold in thresholds:
            if np.isnan(threshold):
                values.append(0.0)
                continue
            kept = int(np.searchsorted(stats["step_order"], -threshold, side="right"))
            counts = base + (steps[kept - 1] if kept else 0)
            motar = _motar(dict(zip(_MOT_FIELDS, (int(c) for c in counts), strict=True)))
            values.append(0.0 if math.isnan(motar) else motar)
        return float(np.mean(values))

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        out = np.empty(idx.shape[0])
        for row, drawn in enumerate(idx):
            weights = np.bincount(drawn, minlength=self.n)
            values = [v for stats in self.per_class if (v := self._class_value(stats, weights)) is not None]
            out[row] = 100.0 * float(np.mean(values)) if values else math.nan
        return out


def amota_statistics(predictions: Sequence[Any], references: Sequence[Any], max_distance: float = DISTANCE_THRESHOLD,
                     num_thresholds: int = NUM_THRESHOLDS, min_recall: float = MIN_RECALL) -> AmotaReplicator:
    """Per-scene statistics of :func:`amota` for bootstrap replicates: per category and scene the ground-truth
    count, the matched scores (all predictions kept) and the MOT counts as a function of the score threshold.

    Scenes are matched independently (track ids never cross scenes), so a replicate's counts at any threshold
    are sums of the drawn scenes' counts, and its thresholds come from the drawn scenes' matched scores, as in
    :func:`amota` on the drawn scenes. Raises ValueError where that does not hold (uncategorised predictions
    in a task of several categories: whether they count depends on the categories drawn)."""
    scenes = [_scene(p, with_score=True) if p is not None else None for p in predictions]
    refs = [tracks_reference(r, {}) for r in references]
    categories = {b["category"] for ref in refs for boxes in ref.values() for b in boxes}
    if len(categories) > 1 and any(b["category"] is None for s in scenes if s for boxes in s.values() for b in boxes):
        raise ValueError("amota: uncategorised predictions in a task of several categories")
    id_ends: list[int] = []
    data = _split_by_class(scenes, refs, categories, id_ends)
    per_class = [_class_statistics(data[c], np.asarray(id_ends), len(scenes), max_distance)
                 for c in sorted(categories, key=str)]
    return AmotaReplicator(per_class, len(scenes), num_thresholds, min_recall)


register(MetricSpec(id="amota", compute=amota, kind="corpus", native_range=(0.0, 1.0), scale="x100",
                    implementation="py-motmetrics accumulation + nuScenes devkit AMOTA (40 recall levels from 0.1, "
                                   "BEV center distance < 2 m)",
                    parse=parse_tracks, prepare_reference=tracks_reference,
                    description="average over recall levels of recall-normalised MOTA (nuScenes AMOTA)",
                    aliases=("AMOTA (Average Multi-Object Tracking Accuracy)",),
                    task_kind="tracking_3d",
                    level_map=AS_IS,
                    synthetic=gen_scene,
                    statistics=amota_statistics))
