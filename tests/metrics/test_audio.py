"""Audio metrics: WER vs hand counts, MCD vs pymcd, PCC vs numpy, seams and tiny models."""

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


def _speech(seed: int, seconds: float, rate: int = 22050) -> np.ndarray:
    """Synthetic voiced speech: harmonics of a gliding pitch under a syllable-rate envelope, plus breath noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    f0 = rng.uniform(100, 200) * (1 + 0.15 * np.sin(2 * np.pi * rng.uniform(0.5, 2) * t))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    formant = rng.uniform(0.3, 1.0, 10)
    wave = sum(formant[k - 1] * np.sin(k * phase) / k for k in range(1, 11))
    envelope = 0.5 * (1 + np.sin(2 * np.pi * rng.uniform(3, 5) * t))
    return (0.2 * wave * envelope + 0.005 * rng.standard_normal(len(t))).astype(np.float32)


def test_mcd_equals_pymcd_dtw_on_synthetic_speech(tmp_path) -> None:
    pymcd = pytest.importorskip("pymcd.mcd", reason="pymcd (dev extra) is the independent MCD reference")
    reference = pymcd.Calculate_MCD(MCD_mode="dtw")
    spec = get_metric("mcd")
    values = []
    for seed in range(3):
        ref = write_audio(tmp_path / f"r{seed}.wav", _speech(seed, 1.0), 22050)
        gen = write_audio(tmp_path / f"g{seed}.wav", _speech(seed + 10, 1.2), 16000)  # other rate: resampled
        expected = reference.calculate_mcd(ref, gen)
        ours = spec.score([gen], [{"target": [ref]}])
        assert ours == pytest.approx(expected, rel=1e-6)
        assert 2.0 < ours < 30.0  # the dB range of MCD between different voices
        values.append(expected)
    refs = [{"target": [str(tmp_path / f"r{s}.wav")]} for s in range(3)]
    gens = [str(tmp_path / f"g{s}.wav") for s in range(3)]
    assert spec.score(gens, refs) == pytest.approx(np.mean(values), rel=1e-6)
    assert spec.score(refs[0]["target"], refs[:1]) == pytest.approx(0.0, abs=1e-9)


def test_mcd_missing_output_is_worse_than_a_different_voice(tmp_path) -> None:
    ref = write_audio(tmp_path / "r.wav", _speech(0, 0.8), 22050)
    other = write_audio(tmp_path / "o.wav", _speech(5, 0.8), 22050)
    spec = get_metric("mcd")
    assert spec.score([None], [{"target": [ref]}]) > spec.score([other], [{"target": [ref]}])
    assert mcd_pair(mel_cepstrum(_speech(1, 0.3)), mel_cepstrum(_speech(1, 0.3))) == 0.0
    assert MCD_RATE == 22050


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
