"""Audio metrics: WER hand counts, MCD / PCC edge cases, seams and tiny models (MCD vs pymcd, PCC vs numpy and
the seams' values: tests/metrics/metric_cases.py)."""

from __future__ import annotations

import numpy as np
import pytest

from lmms_general.metrics import get_metric
from lmms_general.metrics.audio import MCD_RATE, corpus_wer, mcd_pair, mel_cepstrum
from lmms_general.metrics.models import ModelUnavailableError
from tests.metrics._media_files import tone, write_audio
from tests.metrics.metric_cases import speech as _speech


def test_corpus_wer_hand_counted() -> None:
    # ref 1: "the cat sat" vs "the cat sit" -> 1 substitution; ref 2: "hello world" vs "" -> 2 deletions; 3/5 words
    assert corpus_wer(["The cat sit.", ""], ["the cat sat", "Hello, world!"]) == pytest.approx(60.0)
    assert corpus_wer(["你好世界"], ["你好，世界。"]) == pytest.approx(0.0)  # CJK: characters
    assert corpus_wer(["你好"], ["你好世界"]) == pytest.approx(50.0)


def test_mcd_of_identical_speech_is_zero(tmp_path) -> None:
    """MCD against pymcd (dtw mode) on synthetic speech at two rates: tests/metrics/metric_cases.py."""
    ref = write_audio(tmp_path / "r.wav", _speech(0, 0.5), 22050)
    assert get_metric("mcd").score([ref], [{"target": [ref]}]) == pytest.approx(0.0, abs=1e-9)


def test_mcd_missing_output_is_worse_than_a_different_voice(tmp_path) -> None:
    ref = write_audio(tmp_path / "r.wav", _speech(0, 0.8), 22050)
    other = write_audio(tmp_path / "o.wav", _speech(5, 0.8), 22050)
    spec = get_metric("mcd")
    assert spec.score([None], [{"target": [ref]}]) > spec.score([other], [{"target": [ref]}])
    assert mcd_pair(mel_cepstrum(_speech(1, 0.3)), mel_cepstrum(_speech(1, 0.3))) == 0.0
    assert MCD_RATE == 22050


def test_pitch_class_correlation_of_a_flat_profile_is_zero() -> None:
    """Chroma correlations of tones (librosa + numpy corrcoef): tests/metrics/metric_cases.py."""
    from lmms_general.metrics.audio import chroma_profile, pitch_class_correlation

    b = chroma_profile(tone([261.63, 329.63, 392.0], 1.0, 22050))
    assert pitch_class_correlation(np.ones(12), b) == 0.0


def test_mos_without_a_model_names_the_variable(tmp_path, monkeypatch) -> None:
    """MOS and emotion accuracy through their seams: tests/metrics/metric_cases.py."""
    loud = write_audio(tmp_path / "l.wav", tone([440], 0.5))
    mos = get_metric("mos")
    assert mos.proxy
    monkeypatch.delenv("LMMS_GENERAL_MODEL_MOS", raising=False)
    with pytest.raises(ModelUnavailableError, match="LMMS_GENERAL_MODEL_MOS"):
        mos.score([loud], [{}])


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


def test_mel_cepstrum_envelope_is_wav2worlds() -> None:
    """The envelope without D4C is wav2world's envelope, so the cepstra are pyworld + SPTK's exactly."""
    import pysptk
    import pyworld

    for seed in range(3):
        wave = np.ascontiguousarray(_speech(seed, 0.8), dtype=np.float64)
        _, envelope, _ = pyworld.wav2world(wave, fs=MCD_RATE, frame_period=5.0, fft_size=512)
        expected = pysptk.sptk.mcep(envelope, order=13, alpha=0.65, maxiter=0, etype=1, eps=1.0e-8, min_det=0.0,
                                    itype=3)
        assert np.array_equal(mel_cepstrum(wave), expected)
