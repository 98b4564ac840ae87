"""General-Level arithmetic: official check vectors and hand-computed cases for every branch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from lmms_general.level import LevelScorer, harmonic_level4, reached_level
from lmms_general.registry import load_registry
from lmms_general.results import read_official_scores

VECTORS = Path(__file__).resolve().parents[1] / "data" / "general_level" / "check_vectors"
EXPECTED = json.loads((VECTORS / "expected_official_ranker.json").read_text())


@pytest.fixture(scope="module")
def official() -> LevelScorer:
    return LevelScorer(list(load_registry().values()), "official")


@pytest.fixture(scope="module")
def corrected() -> LevelScorer:
    return LevelScorer(list(load_registry().values()), "corrected")


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_official_mode_reproduces_the_official_ranker(scenario, official):
    scores = read_official_scores(VECTORS / scenario, scenario)
    result = official.score(scores.scores, scenario).to_dict()
    expected = EXPECTED[scenario]
    for name, exp in expected["modalities"].items():
        for field, value in exp.items():
            assert result["modalities"][name][field] == pytest.approx(value, abs=0.01), (name, field)
    for field, value in expected["overall"].items():
        assert result["overall"][field] == pytest.approx(value, abs=0.01), field


def test_official_internals_equal_sota(official):
    r = official.score(read_official_scores(VECTORS / "equal_sota", "equal_sota").scores)
    sc_sg = {m.modality: (m.S_C, m.S_G) for m in r.modalities}
    assert sc_sg["audio"] == pytest.approx((75.91, -126.40), abs=0.01)
    assert sc_sg["3d"] == pytest.approx((71.80, 637.61), abs=0.01)
    assert r.nlp.S_L == pytest.approx(63.27, abs=0.01)
    assert r.nlp.w_L == pytest.approx(0.6327, abs=1e-4)


def test_official_half_sota_nlp_only_rmse_wins(official):
    r = official.score(read_official_scores(VECTORS / "half_sota", "half_sota").scores)
    assert r.nlp.wins == 1 and r.tasks_won.count("nlp_time_series") == 1
    assert r.nlp.S_L == pytest.approx(97.40 / 115, abs=1e-3)
    assert r.modality("audio").S_C == 0 and r.modality("audio").level4 == 0
    assert r.level == 2  # Level-3 is negative


@pytest.mark.parametrize(
    ("name", "factor", "constant", "expected"),
    [
        ("2s", 2.0, None, {"image": (88.91, 81.10, 76.80), "video": (101.92, 99.96, 98.80),
                           "audio": (-66.85, 104.95, 84.03), "3d": (706.53, 706.32, 255.39),
                           "overall": (207.63, 248.08, 128.76, 161.70)}),
        ("constant50", None, 50.0, {"image": (81.89, 61.61, 35.61), "video": (55.34, 29.93, 29.36),
                                    "audio": (-454.38, 132.08, 8.20), "3d": (48.67, 18.33, 15.91),
                                    "overall": (-67.12, 60.49, 22.27, 3.30)}),
    ],
)
def test_official_extra_results(name, factor, constant, expected, official):
    """§7 further official results, inputs built from the SoTA column."""
    scores = {s.key: (s.sota * factor if factor else constant) for s in load_registry().values()}
    r = official.score(scores, name)
    for m in ("image", "video", "audio", "3d"):
        got = r.modality(m)
        assert (got.level2, got.level3, got.level4) == pytest.approx(expected[m], abs=0.01), m
    assert (r.level2, r.level3, r.level4, r.level5) == pytest.approx(expected["overall"], abs=0.01)


def test_corrected_mode_keeps_values_in_range(corrected):
    for scenario in ("equal_sota", "half_sota"):
        r = corrected.score(read_official_scores(VECTORS / scenario, scenario).scores)
        for o in r.outcomes:
            assert o.score is not None and 0 <= o.score <= 100, o
        for m in r.modalities:
            assert 0 <= m.level4 <= 100 and 0 <= m.level2 <= 100
    r = corrected.score(read_official_scores(VECTORS / "equal_sota", "equal_sota").scores)
    # every task tied -> won, except rows whose SoTA is already on the level scale (EPE): a raw EPE equal
    # to the mapped SoTA number is a large error, mapped below it
    mapped = {s.key for s in load_registry().values() if s.sota_is_mapped}
    assert set(r.tasks_won) | mapped == {o.key for o in r.outcomes} and not mapped & set(r.tasks_won)
    assert all(m.level2 == pytest.approx(m.level3) for m in r.modalities if m.modality != "video")
    assert r.modality("audio").wins == 44


def test_corrected_mode_clips_every_score_and_reports_it():
    from lmms_general.level.scoring import LevelScorer

    rows = [s for s in load_registry().values() if s.key in {"audio_gen_imagetospeech", "audio_gen_popmusicgeneration",
                                                             "video_comp_panoramic_optical_flow_estimation"}]
    r = LevelScorer(rows, "corrected").score({"audio_gen_imagetospeech": 130.0, "audio_gen_popmusicgeneration": -20.0,
                                              "video_comp_panoramic_optical_flow_estimation": 0.5})
    by_key = {o.key: o for o in r.outcomes}
    assert by_key["audio_gen_imagetospeech"].score == 100.0  # CIDEr x100 above 100
    assert by_key["audio_gen_popmusicgeneration"].score == 0.0  # negative correlation
    assert r.clipped_tasks == {"audio_gen_imagetospeech": 130.0, "audio_gen_popmusicgeneration": -20.0}
    assert r.to_dict()["clipped_tasks"] == r.clipped_tasks
    flow = by_key["video_comp_panoramic_optical_flow_estimation"]
    assert flow.sota_score == 23.0  # already mapped in the table: not mapped again
    assert flow.score == pytest.approx(100 * np.tanh(1 / (2 * 0.5))) and flow.win  # EPE 0.5 px maps to 76


def test_corrected_half_sota_lower_is_better_rows_win(corrected):
    r = corrected.score(read_official_scores(VECTORS / "half_sota", "half_sota").scores)
    won = set(r.tasks_won)
    registry = load_registry()
    for key in won:
        assert not registry[key].higher_is_better, key  # only halved lower-is-better rows can win
    assert "3d_gen_3d_point_cloud_completion" in won  # CD mapped in corrected mode
    assert "audio_gen_texttospeech" in won  # WER halved = better


# --- hand-computed cases on a tiny table ---------------------------------------------------------

@dataclass(frozen=True)
class Row:
    key: str
    modality: str
    paradigm: str
    metric_raw: str
    metric_id: str
    higher_is_better: bool
    sota: float


ROWS = [
    Row("a", "image", "comprehension", "Acc", "accuracy", True, 50.0),
    Row("b", "image", "comprehension", "Acc", "accuracy", True, 80.0),
    Row("g", "image", "generation", "Acc", "accuracy", True, 40.0),
    Row("n", "nlp", "comprehension", "ACC", "accuracy", True, 50.0),
]
BASE = {"a": 60.0, "b": 40.0, "g": 40.0, "n": 75.0}


@pytest.mark.parametrize("mode", ["official", "corrected"])
def test_hand_computed_full_case(mode):
    r = LevelScorer(ROWS, mode).score(BASE)
    image = r.modality("image")
    # L2_C = (60 + 40) / 2 = 50, L2_G = 40 -> 45; S_C = 60 / 2 = 30 (b loses), S_G = 40 (tie wins)
    assert (image.L2_C, image.L2_G, image.level2) == pytest.approx((50, 40, 45))
    assert (image.S_C, image.S_G, image.level3) == pytest.approx((30, 40, 35))
    assert image.level4 == pytest.approx(2 * 30 * 40 / (70 + 1e-6))
    assert image.wins == 2 and image.supported == 3
    # the three other modalities have no rows and count 0 in the mean over four
    assert r.level2 == pytest.approx(45 / 4) and r.level3 == pytest.approx(35 / 4)
    assert r.nlp.S_L == 75 and r.nlp.w_L == 0.75
    assert r.level5 == pytest.approx(r.level4 * 0.75)
    assert r.level == 5


def test_no_nlp_gives_level5_zero():
    r = LevelScorer(ROWS, "corrected").score({**BASE, "n": None})
    assert r.nlp.S_L == 0 and r.level5 == 0 and r.level == 4
    assert r.nlp.supported == 0 and "n" in r.missing_tasks


def test_s_c_zero_and_s_g_zero():
    r = LevelScorer(ROWS, "corrected").score({**BASE, "a": 10.0})
    assert r.modality("image").S_C == 0 and r.modality("image").level4 == 0
    assert r.level == 3  # Level-3 = S_G / 2 / 4 > 0, Level-4 = 0
    r = LevelScorer(ROWS, "corrected").score({**BASE, "g": 39.99})
    assert r.modality("image").S_G == 0 and r.modality("image").level4 == 0
    assert harmonic_level4(0.0, 5.0) == 0.0


def test_missing_rows_count_zero_in_denominator():
    r = LevelScorer(ROWS, "corrected").score({"a": 60.0, "g": 40.0, "n": 75.0})
    assert r.modality("image").L2_C == pytest.approx(30.0)  # 60 / 2 rows, b missing
    assert r.modality("image").supported == 2
    assert "b" in r.missing_tasks and "b" in r.unsupported_tasks


def test_nan_score_is_missing():
    r = LevelScorer(ROWS, "corrected").score({**BASE, "a": float("nan")})
    assert "a" in r.missing_tasks and r.modality("image").L2_C == pytest.approx(20.0)


LOWER = [
    Row("fid", "image", "generation", "FID", "fid", False, 25.0),
    Row("cd", "3d", "generation", "CD (Chamfer Distance)", "chamfer_distance", False, 0.217),
    Row("wer", "audio", "generation", "WER", "wer", False, 5.6),
    Row("rmse", "nlp", "comprehension", "RMSE", "rmse", False, 2.31),
]


def test_lower_is_better_rows_official():
    s = LevelScorer(LOWER, "official")
    won = set(s.score({"fid": 20.0, "cd": 0.1, "wer": 3.0, "rmse": 100.0}).tasks_won)
    # FID mapped (20 beats 25); CD compared raw as higher-is-better (0.1 < 0.217 loses);
    # WER 1 - x: -200 >= -460 wins; NLP RMSE: model mapped (2.50) vs raw SoTA 2.31 wins (bug)
    assert won == {"fid", "wer", "rmse"}
    r = s.score({"fid": 0.0})  # a perfect FID of 0 maps to 0 -> not supported, not a win
    fid = next(o for o in r.outcomes if o.key == "fid")
    assert fid.score == 0.0 and not fid.supported and not fid.win
    # a missing WER becomes 0.0 and "wins" against -460 (official quirk), but is not supported
    wer = next(o for o in r.outcomes if o.key == "wer")
    assert wer.win and not wer.supported


def test_lower_is_better_rows_corrected():
    s = LevelScorer(LOWER, "corrected")
    won = set(s.score({"fid": 20.0, "cd": 0.1, "wer": 3.0, "rmse": 100.0}).tasks_won)
    assert won == {"fid", "cd", "wer"}  # RMSE 100 is far worse than 2.31 once both sides are mapped
    r = s.score({"fid": 0.0, "wer": 10.0})
    outcome = {o.key: o for o in r.outcomes}
    assert outcome["fid"].score == 100.0 and outcome["fid"].win
    assert outcome["wer"].score == pytest.approx(90.0) and not outcome["wer"].win
    assert outcome["cd"].score is None and not outcome["cd"].win  # missing stays missing


def test_reached_level():
    assert reached_level(10, 5, 2, 1) == 5
    assert reached_level(10, 5, 0, 1) == 3
    assert reached_level(10, -1, 2, 1) == 2
    assert reached_level(0, 0, 0, 0) == 1


def test_json_keys(corrected):
    d = corrected.score({}).to_dict()
    assert set(d) >= {"mode", "model", "modalities", "nlp", "overall", "level"}
    assert set(d["modalities"]) == {"image", "video", "audio", "3d"}
    for m in d["modalities"].values():
        assert set(m) >= {"level2", "level3", "level4", "S_C", "S_G", "supported", "tasks", "wins"}
    assert set(d["nlp"]) >= {"S_L", "w_L", "supported", "tasks", "wins"}
    assert set(d["overall"]) == {"level2", "level3", "level4", "level5"}
    assert d["level"] == 1 and len(d["unsupported_tasks"]) == 699


def test_duplicate_rows_rejected():
    with pytest.raises(ValueError, match="duplicate"):
        LevelScorer([ROWS[0], ROWS[0]])
