"""Audio metrics: WER vs hand counts, MCD vs a brute-force DTW, PCC vs numpy, seams and tiny models."""

from __future__ import annotations

import numpy as np
import pytest

from lmms_general.metrics import get_metric
from lmms_general.metrics.audio import MCD_RATE, corpus_wer, mcd_pair, mel_cepstrum
from lmms_general.metrics.models import ModelUnavailableError
from tests.metrics._media_files import tone, write_audio, write_corrupt


def test_corpus_wer_hand_counted() -> None:
    # ref 1: "the cat sat" vs "the cat sit" -> 1 substitution; ref 2: "hello world" vs "" -> 2 deletions; 3/5 words
    assert corpus_wer(["The cat sit.", ""], ["the cat sat", "Hello, world!"]) == pytest.approx(60.0)
    assert corpus_wer(["你好世界"], ["你好，世界。"]) == pytest.approx(0.0)  # CJK: characters
    assert corpus_wer(["你好"], ["你好世界"]) == pytest.approx(50.0)


def test_wer_metric_with_transcriber_seam(tmp_path) -> None:
    a = write_audio(tmp_path / "a.wav", tone([440]))
    corrupt = write_corrupt(tmp_path / "bad.wav")
    refs = [{"input": {"text": "hello world"}}, {"text": "good morning"}, {"text": "one two"}]
    score = get_metric("wer").score([a, corrupt, None], refs, transcriber=lambda wave: "hello word")
    assert score == pytest.approx(100 * 5 / 6)  # 1 substitution + 4 deletions over 6 words


def _dtw_mcd(x: np.ndarray, y: np.ndarray) -> float:
    """Brute-force DTW (symmetric steps) and mean frame distortion along the optimal path."""
    cost = np.sqrt(((x[:, None] - y[None]) ** 2).sum(-1))
    n, m = cost.shape
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            acc[i, j] = cost[i - 1, j - 1] + min(acc[i - 1, j], acc[i, j - 1], acc[i - 1, j - 1])
    i, j, path = n, m, []
    while i > 0 and j > 0:
        path.append((i - 1, j - 1))
        step = np.argmin([acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1]])
        i, j = (i - 1, j - 1) if step == 0 else ((i - 1, j) if step == 1 else (i, j - 1))
    return float(np.mean([np.sqrt(0.5 * ((x[a] - y[b]) ** 2).sum()) for a, b in path]))


def test_mcd_matches_brute_force_dtw(tmp_path) -> None:
    x = mel_cepstrum(tone([300, 600], 0.3, MCD_RATE))
    y = mel_cepstrum(tone([320, 640, 900], 0.4, MCD_RATE))
    assert mcd_pair(x, y) == pytest.approx(_dtw_mcd(x, y), rel=1e-6)
    ref = write_audio(tmp_path / "r.wav", tone([300, 600], 0.5), 16000)
    spec = get_metric("mcd")
    assert spec.score([ref], [{"target": [ref]}]) == pytest.approx(0.0, abs=1e-6)
    assert spec.score([None], [{"target": [ref]}]) > 10.0  # missing = silence: large distortion


def test_pitch_class_consistency(tmp_path) -> None:
    from lmms_general.metrics.audio import chroma_profile, pitch_class_correlation

    c_major = write_audio(tmp_path / "c.wav", tone([261.63, 329.63, 392.0], 1.0, 22050), 22050)
    f_sharp = write_audio(tmp_path / "f.wav", tone([369.99, 466.16, 554.37], 1.0, 22050), 22050)
    spec = get_metric("pitch_class_consistency")
    ref = {"target": [c_major]}
    assert spec.score([c_major], [ref]) == pytest.approx(100.0)
    a = chroma_profile(tone([369.99, 466.16, 554.37], 1.0, 22050))
    b = chroma_profile(tone([261.63, 329.63, 392.0], 1.0, 22050))
    expected = 100 * np.corrcoef(a, b)[0, 1]
    assert spec.score([f_sharp, None], [ref, ref]) == pytest.approx(expected / 2, abs=1e-4)
    assert pitch_class_correlation(np.ones(12), b) == 0.0


def test_mos_and_emotion_seams(tmp_path, monkeypatch) -> None:
    loud = write_audio(tmp_path / "l.wav", tone([440], 0.5))
    mos = get_metric("mos")
    assert mos.proxy
    assert mos.score([loud, None], [{}, {}], predictor=lambda w: 9.0) == pytest.approx((5.0 + 1.0) / 2)
    monkeypatch.delenv("LMMS_GENERAL_MODEL_MOS", raising=False)
    with pytest.raises(ModelUnavailableError, match="LMMS_GENERAL_MODEL_MOS"):
        mos.score([loud], [{}])
    emo = get_metric("emotion_accuracy")
    refs = [{"input": {"emotion": "Happy"}}, {"input": {"emotion": "sad"}}, {"input": {"emotion": "hap"}}]
    assert emo.score([loud, loud, None], refs, classifier=lambda w: "hap") == pytest.approx(100 / 3)


@pytest.fixture(scope="module")
def tiny_audio_models(tmp_path_factory):
    from tests.metrics._tiny_models import build_audio_classifier, build_clap, build_whisper

    root = tmp_path_factory.mktemp("tiny_audio")
    return (
        str(build_clap(root / "clap")),
        str(build_whisper(root / "whisper")),
        str(build_audio_classifier(root / "emo")),
    )


@pytest.mark.slow
def test_audio_metrics_with_tiny_models(tmp_path, tiny_audio_models) -> None:
    clap, whisper, emo = tiny_audio_models
    waves = [write_audio(tmp_path / f"{i}.wav", tone([200 + 150 * i, 500 + 90 * i], 0.5)) for i in range(4)]
    refs = [{"target": [w], "input": {"prompt": "music with drums"}} for w in waves]
    assert get_metric("fad").score(waves, refs, model=clap) == pytest.approx(0.0, abs=1e-6)
    shifted = [{"target": [waves[(i + 1) % 4]], "input": {"prompt": "x"}} for i in range(4)]
    assert get_metric("fad").score(waves[:3] + [None], shifted, model=clap) > 0
    clap_value = get_metric("clap_score").score(waves + [None], refs + refs[:1], model=clap)
    assert -100.0 <= clap_value <= 100.0
    assert get_metric("style_clap").score(waves[:1], refs[:1], model=clap) == pytest.approx(100.0, abs=1e-3)
    value = get_metric("wer").score(waves[:2], [{"text": "hello world"}] * 2, model=whisper)
    assert value >= 0.0  # random weights: noise transcripts, but the real Whisper path runs end to end
    assert get_metric("emotion_accuracy").score(waves[:2], [{"target": [waves[0]]}] * 2, model=emo) in {
        0.0,
        50.0,
        100.0,
    }
