"""AMOTA (nuScenes definition): hand-computed sequences and edge cases.

Recall levels are ``linspace(0.1, 1, 40)`` (step 0.9 / 39); with every prediction at one score, the
levels up to the reached recall R score MOTAR at that threshold and the others 0, so
AMOTA = MOTAR * #{levels <= R} / 40.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from lmms_general.metrics import get_metric

LEVELS = np.linspace(0.1, 1.0, 40).round(12)


def _reference(frames: int = 4) -> dict:
    """Two objects, 10 m apart, moving 1 m per frame along x."""
    return {str(f): [{"track_id": "a", "center": [f, 0, 0]}, {"track_id": "b", "center": [f, 10, 0]}]
            for f in range(frames)}


def _predict(reference: dict, score: float = 0.9, rename=None, keep=None, shift: float = 0.0) -> dict:
    out = {}
    for frame, boxes in reference.items():
        out[frame] = [{"track_id": (rename(int(frame), b["track_id"]) if rename else b["track_id"]),
                       "center": [b["center"][0] + shift, *b["center"][1:]], "score": score}
                      for b in boxes if keep is None or keep(b)]
    return out


def _score(preds: list, refs: list, **options) -> float:
    spec = get_metric("amota")
    return spec.score(preds, [spec.prepare_reference(r, {}) for r in refs], **options)


def _expected(motar: float, recall: float) -> float:
    return 100 * motar * int((LEVELS <= recall + 1e-12).sum()) / 40


def test_perfect_tracks_score_100() -> None:
    ref = _reference()
    assert _score([_predict(ref)], [ref]) == pytest.approx(100.0)
    # a center under 2 m away (bird's-eye view) is a match; height is ignored as in the devkit
    assert _score([_predict(ref, shift=1.5)], [ref]) == pytest.approx(100.0)
    lifted = {f: [dict(b, center=[b["center"][0], b["center"][1], 5.0]) for b in boxes]
              for f, boxes in _predict(ref).items()}
    assert _score([lifted], [ref]) == pytest.approx(100.0)
    assert _score([_predict(ref, shift=2.0)], [ref]) == 0.0


def test_identity_switch() -> None:
    ref = _reference()
    swap = {"a": "b", "b": "a"}
    pred = _predict(ref, rename=lambda f, t: swap[t] if f >= 2 else t)
    # frame 2: both objects switch (IDS 2); 6 matches of P = 8 -> R = 0.75; MOTAR = 1 - (2 - 0.25 * 8) / 6 = 1
    assert _score([pred], [ref]) == pytest.approx(_expected(1.0, 0.75))
    assert _score([pred], [ref]) == pytest.approx(72.5)


def test_missed_object_and_false_positive() -> None:
    ref = _reference()
    only_a = _predict(ref, keep=lambda b: b["track_id"] == "a")
    assert _score([only_a], [ref]) == pytest.approx(_expected(1.0, 0.5)) == pytest.approx(45.0)
    # one extra box at the same score: MOTAR = 1 - FP / TP = 1 - 1 / 8
    extra = _predict(ref)
    extra["1"].append({"track_id": "ghost", "center": [50, 50, 0], "score": 0.9})
    assert _score([extra], [ref]) == pytest.approx(100 * (1 - 1 / 8))
    # at a lower score it is thresholded away for every recall level
    extra["1"][-1]["score"] = 0.1
    assert _score([extra], [ref]) == pytest.approx(100.0)


def test_scenes_pool_and_categories_average() -> None:
    ref = _reference()
    # scene 2 unparsed: P = 16, 8 matches -> R = 0.5
    spec = get_metric("amota")
    assert spec.parse("no idea", {}) is None
    assert _score([_predict(ref), None], [ref, ref]) == pytest.approx(_expected(1.0, 0.5))
    typed = {f: [dict(b, category="car" if b["track_id"] == "a" else "pedestrian") for b in boxes]
             for f, boxes in ref.items()}
    pred = {f: [dict(b, score=0.9) for b in boxes if b["category"] == "car"] for f, boxes in typed.items()}
    assert _score([pred], [typed]) == pytest.approx((100.0 + 0.0) / 2)


def test_parse_formats_and_edge_cases() -> None:
    spec = get_metric("amota")
    text = "Tracks:\n" + json.dumps({"frames": [[{"tracking_id": 1, "translation": [0, 0, 0], "tracking_score": 0.5}]]})
    assert spec.parse(text, {}) == {"0": [{"track_id": "1", "center": [0.0, 0.0, 0.0], "category": None,
                                           "score": 0.5}]}
    ref = _reference()
    # empty prediction: nothing matched -> 0, never an error
    assert _score([{}], [ref]) == 0.0
    # a NaN center never matches (an FP); a NaN score ranks lowest
    nan_pred = _predict(ref)
    nan_pred["0"].append({"track_id": "x", "center": [math.nan, 0, 0], "score": 0.9})
    assert _score([nan_pred], [ref]) == pytest.approx(100 * (1 - 1 / 8))
    nan_pred["0"][-1]["score"] = math.nan
    parsed = spec.parse(json.dumps(nan_pred), {})
    assert parsed["0"][-1]["score"] == 0.0
    assert spec.score([parsed], [spec.prepare_reference(ref, {})]) == pytest.approx(100.0)
    with pytest.raises(ValueError, match="non-finite center"):
        spec.prepare_reference({"0": [{"track_id": "a", "center": [math.nan, 0, 0]}]}, {})
    with pytest.raises(ValueError, match="no tracked boxes"):
        spec.prepare_reference({"0": []}, {})


def _random_scene(rng: np.random.Generator, categories: tuple[str, ...]) -> tuple[dict, dict]:
    tracks = {f"t{k}": (rng.uniform(-10, 10, 3), rng.uniform(-1, 1, 3), str(rng.choice(categories)))
              for k in range(int(rng.integers(1, 4)))}
    reference = {str(f): [{"track_id": k, "center": (c + f * v).tolist(), "category": cat}
                          for k, (c, v, cat) in tracks.items()] for f in range(4)}
    prediction = {}
    for f, boxes in reference.items():
        kept = [{**b, "center": [x + float(rng.normal(0, 0.8)) for x in b["center"]],
                 "score": float(rng.choice([0.3, 0.5, 0.7, 0.9]))} for b in boxes if rng.random() < 0.8]
        kept += [{"track_id": f"x{j}", "center": rng.uniform(-10, 10, 3).tolist(), "category": cat,
                  "score": float(rng.uniform())} for j, cat in enumerate(categories) if rng.random() < 0.3]
        if rng.random() < 0.2 and len(kept) > 1:  # an identity swap
            kept[0]["track_id"], kept[1]["track_id"] = kept[1]["track_id"], kept[0]["track_id"]
        prediction[f] = kept
    return prediction, reference


@pytest.mark.parametrize("categories", [("car",), ("car", "pedestrian")])
def test_amota_statistics_reproduce_amota_on_resampled_scenes(categories) -> None:
    """Per-scene statistics summed over drawn scenes give amota() of the drawn scenes (duplicates included)."""
    from lmms_general.metrics.multi_object_tracking import amota, amota_statistics

    rng = np.random.default_rng(3)
    pairs = [_random_scene(rng, categories) for _ in range(12)]
    pairs.append((None, pairs[0][1]))  # an unparsed prediction
    predictions, references = [p for p, _ in pairs], [r for _, r in pairs]
    replicator = amota_statistics(predictions, references)
    idx = np.vstack([np.arange(len(pairs)), rng.integers(0, len(pairs), size=(8, len(pairs)))])
    expected = [amota([predictions[i] for i in row], [references[i] for i in row]) for row in idx]
    assert np.allclose(replicator(idx), expected, rtol=0, atol=1e-12)
