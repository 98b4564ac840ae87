"""Audio generation metrics: WER, MCD, FAD, CLAP, Style-CLAP, PCC, MOS (proxy), E-Acc.

Predictions are generated audio paths; references are generation reference dicts (reference text /
prompt, source and target audio). A missing or unreadable output scores as the worst value: WER — an
empty transcript (every reference word deleted); MCD / FAD — 1 s of silence; CLAP, PCC, E-Acc — 0;
MOS — 1. Definitions:

* ``wer`` — Whisper transcript vs the reference text, corpus WER over the task (jiwer, pooled edit
  counts) ×100, after lower-casing and removing punctuation; references written without spaces (Chinese,
  Japanese) are scored per character (CER), as is usual for those languages.
* ``mcd`` — mel-cepstral distortion (dB) as ``pymcd`` (``Calculate_MCD("dtw")``) computes it: 22.05 kHz
  audio, WORLD spectral envelope (5 ms frames), SPTK mel-cepstrum (order 13, alpha 0.65), fastdtw on
  c1..c13, per frame (10/ln 10)·sqrt(2·Σ Δmc²) over c0..c13, mean over the path, mean over samples.
* ``fad`` — Fréchet distance between CLAP audio embeddings of the outputs and of the task's reference audio.
* ``clap_score`` — CLAP cosine ×100 between the output audio and the reference text / prompt.
* ``style_clap`` — CLAP cosine ×100 between the output and the style reference: the target audio when the
  annotation has one, else the style prompt.
* ``pitch_class_consistency`` — Pearson correlation ×100 of the time-averaged 12-bin chroma (pitch-class)
  profiles of output and reference music (target, else source audio).
* ``mos`` (proxy) — a learned MOS predictor (``AutoModelForAudioClassification`` with one regression output,
  e.g. a UTMOS/DNSMOS-style model converted to transformers) at ``LMMS_GENERAL_MODEL_MOS``; clipped to [1, 5].
* ``emotion_accuracy`` — % outputs whose emotion, by an audio classifier, matches the reference emotion
  (annotation label, else the classifier's label for the reference audio); labels compared by their
  first 3 letters (``hap`` = ``happy``).
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lmms_general.metrics import media
from lmms_general.metrics._common import mean, require_samples
from lmms_general.metrics.image_generation import frechet_distance, reference_media, reference_set, source_media
from lmms_general.metrics.models import (
    ModelUnavailableError,
    clap_audio_embeddings,
    clap_sample_rate,
    clap_text_embeddings,
    device,
    load_audio_classifier,
    load_clap,
    load_whisper,
    resolve_model,
)
from lmms_general.metrics.registry import AS_IS, LevelMap, MetricSpec, register
from lmms_general.metrics.synthetic import gen_generation

ASR_RATE = 16000
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _audio_files(values: Sequence[str]) -> list[str]:
    return [v for v in values if Path(v).suffix.lower() in media.AUDIO_SUFFIXES or Path(v).is_dir()]


def reference_audio(ref: Any, allow_source: bool = True) -> str:
    """The reference audio of a sample: the target, else (when allowed) the source audio."""
    candidates = _audio_files(reference_media(ref)) + (_audio_files(source_media(ref)) if allow_source else [])
    if not candidates:
        raise ValueError(f"sample without reference audio: {str(ref)[:200]}")
    return candidates[0]


# ------------------------------------------------------------------------------------------------ WER
def normalize_transcript(text: str) -> str:
    """Lower case, punctuation (ASCII and CJK) removed, whitespace collapsed."""
    text = text.lower().translate(str.maketrans("", "", string.punctuation + "，。！？；：、“”‘’（）《》"))
    return " ".join(text.split())


def whisper_transcriber(model: str | None = None, language: str | None = None) -> Callable[[np.ndarray], str]:
    """Greedy Whisper transcription of a 16 kHz waveform (first 30 s, as Whisper's window)."""
    import torch

    whisper, processor = load_whisper(resolve_model("WHISPER", model))

    def transcribe(wave: np.ndarray) -> str:
        features = processor(wave, sampling_rate=ASR_RATE, return_tensors="pt").input_features.to(device())
        kwargs = {"language": language, "task": "transcribe"} if language else {}
        with torch.no_grad():
            ids = whisper.generate(features.to(whisper.dtype), **kwargs)
        return processor.batch_decode(ids, skip_special_tokens=True)[0]

    return transcribe


def corpus_wer(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus WER ×100 with pooled edit counts (jiwer); character-level for unspaced CJK references."""
    import jiwer

    refs = [normalize_transcript(r) for r in references]
    hyps = [normalize_transcript(h) for h in hypotheses]
    if any(not r for r in refs):
        raise ValueError("wer: a reference text is empty after normalisation")
    if all(_CJK.search(r) for r in refs):
        return 100.0 * float(jiwer.cer(refs, hyps))
    return 100.0 * float(jiwer.wer(refs, hyps))


def wer(
    predictions: Sequence[Any],
    references: Sequence[Any],
    model: str | None = None,
    language: str | None = None,
    transcriber: Callable[[np.ndarray], str] | None = None,
) -> float:
    """WER (%) of the ASR transcripts of the outputs against the reference texts (see module docstring)."""
    require_samples("wer", predictions)
    texts = [media.reference_text(r) for r in references]
    transcribe = transcriber or whisper_transcriber(model, language)
    hypotheses: list[str] = []
    failed = 0
    for prediction in predictions:
        try:
            hypotheses.append(transcribe(media.load_audio(prediction, ASR_RATE)) if prediction else "")
            failed += not prediction
        except media.MediaError:
            hypotheses.append("")
            failed += 1
    if failed:
        import logging

        logging.getLogger(__name__).warning(
            "wer: %d/%d outputs missing/unreadable (empty transcript)", failed, len(predictions)
        )
    return corpus_wer(hypotheses, texts)


# ------------------------------------------------------------------------------------------------ MCD
MCD_RATE = 22050
MCD_FRAME_MS = 5.0
MCD_ORDER = 13
MCD_ALPHA = 0.65  # all-pass constant of the mel warping at 22.05 kHz
_MCD_DB = 10.0 / np.log(10.0) * np.sqrt(2.0)


def mel_cepstrum(wave: np.ndarray, rate: int = MCD_RATE) -> np.ndarray:
    """``(frames, 14)`` mel-cepstra c0..c13: WORLD (``pyworld.wav2world``, 5 ms frames, FFT 512) spectral
    envelope, then SPTK ``mcep`` (order 13, alpha 0.65, power-spectrum input) — pymcd's features.

    The envelope is ``wav2world``'s steps up to the envelope (DIO F0, StoneMask refinement, CheapTrick), without
    its D4C aperiodicity, which the envelope does not use (two thirds of its time; same envelope, tested)."""
    import pyworld

    wave = np.ascontiguousarray(wave, dtype=np.float64)
    if not np.any(wave):
        wave = wave + 1e-7 * np.random.default_rng(0).standard_normal(len(wave))  # silence: WORLD needs signal
    coarse_f0, times = pyworld.dio(wave, rate, frame_period=MCD_FRAME_MS)
    envelope = pyworld.cheaptrick(wave, pyworld.stonemask(wave, coarse_f0, times, rate), times, rate, fft_size=512)
    # ``pysptk.sptk.mcep(envelope, order=13, alpha=0.65, maxiter=0, etype=1, eps=1e-8, min_det=0, itype=3)``
    # frame by frame through the C function it wraps: its decorators inspect the signature on every frame (two
    # thirds of the time); miniter 2 and threshold 0.001 are its defaults (same cepstra, tested)
    from pysptk import _sptk

    return np.stack([_sptk.mcep(np.ascontiguousarray(frame), MCD_ORDER, MCD_ALPHA, 2, 0, 0.001, 1, 1.0e-8, 0.0, 3)
                     for frame in envelope])


def mcd_pair(generated: np.ndarray, reference: np.ndarray) -> float:
    """MCD (dB) of two mel-cepstrum sequences: ``fastdtw`` path on c1..c13 (Euclidean), then the mean over
    the path of ``(10 / ln 10) * sqrt(2 * sum_d (c_d - c'_d)^2)`` over c0..c13 (pymcd ``"dtw"`` mode)."""
    from fastdtw import fastdtw
    from scipy.spatial.distance import euclidean

    _, path = fastdtw(reference[:, 1:], generated[:, 1:], dist=euclidean)
    ref_idx, gen_idx = (np.fromiter((p[k] for p in path), int) for k in (0, 1))
    diff = reference[ref_idx] - generated[gen_idx]
    return float(_MCD_DB * np.sqrt((diff**2).sum(-1)).mean())


def mcd(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Mean MCD (dB) over samples; a missing output is scored as silence of the reference's length."""
    require_samples("mcd", predictions)
    values = []
    failed = 0
    for prediction, ref in zip(predictions, references, strict=True):
        target = media.load_audio(reference_audio(ref, allow_source=False), MCD_RATE)
        try:
            wave = media.load_audio(prediction, MCD_RATE)
        except media.MediaError:
            wave, failed = np.zeros_like(target), failed + 1
        values.append(mcd_pair(mel_cepstrum(wave), mel_cepstrum(target)))
    if failed:
        import logging

        logging.getLogger(__name__).warning("mcd: %d/%d outputs missing/unreadable (silence)", failed, len(values))
    return mean(values)


# ------------------------------------------------------------------------------------------------ CLAP
def _clap_waves(values: Sequence[Any], path: str, metric_id: str) -> list[np.ndarray]:
    rate = clap_sample_rate(path)
    limit = int(getattr(load_clap(path)[1].feature_extractor, "nb_max_samples", 10 * rate))
    waves, failed = [], 0
    for value in values:
        try:
            waves.append(media.load_audio(value, rate)[:limit])
        except media.MediaError:
            waves.append(np.zeros(rate, np.float32))
            failed += 1
    if failed:
        import logging

        logging.getLogger(__name__).warning(
            "%s: %d/%d outputs missing/unreadable (silence)", metric_id, failed, len(values)
        )
    return waves


def fad(predictions: Sequence[Any], references: Sequence[Any], model: str | None = None) -> float:
    """FAD (raw) between CLAP embeddings of the outputs and of the task's reference audio set
    (first 10 s of each clip, deterministic crop)."""
    require_samples("fad", predictions)
    path = resolve_model("CLAP", model)
    real = reference_set(references, media.AUDIO_SUFFIXES)
    if not real:
        raise ValueError("fad: the task has no reference audio (targets)")
    fake_emb = clap_audio_embeddings(_clap_waves(predictions, path, "fad"), path)
    real_emb = clap_audio_embeddings([media.load_audio(p, clap_sample_rate(path)) for p in real], path)
    return frechet_distance(fake_emb, real_emb)


def _clap_cosines(metric_id: str, predictions: Sequence[Any], others: Sequence[np.ndarray], path: str) -> float:
    valid = [i for i, p in enumerate(predictions) if p is not None]
    waves = _clap_waves([predictions[i] for i in valid], path, metric_id)
    scores = np.zeros(len(predictions))
    if valid:
        emb = clap_audio_embeddings(waves, path)
        scores[valid] = np.sum(emb * np.asarray([others[i] for i in valid]), axis=1)
        silent = [i for i, w in zip(valid, waves, strict=True) if not np.any(w)]
        scores[silent] = 0.0  # unreadable outputs: worst (0), not the embedding of silence
    return 100.0 * float(scores.mean())


def clap_score(predictions: Sequence[Any], references: Sequence[Any], model: str | None = None) -> float:
    """Mean CLAP text–audio cosine ×100 (reference text, else prompt); missing = 0."""
    require_samples("clap_score", predictions)
    path = resolve_model("CLAP", model)
    text = clap_text_embeddings([media.reference_prompt(r) for r in references], path)
    return _clap_cosines("clap_score", predictions, list(text), path)


def style_clap(predictions: Sequence[Any], references: Sequence[Any], model: str | None = None) -> float:
    """Mean CLAP cosine ×100 between output and style reference (target audio, else style prompt)."""
    require_samples("style_clap", predictions)
    path = resolve_model("CLAP", model)
    others = []
    for ref in references:
        audio = _audio_files(reference_media(ref))
        if audio:
            others.append(clap_audio_embeddings([media.load_audio(audio[0], clap_sample_rate(path))], path)[0])
        else:
            others.append(clap_text_embeddings([media.reference_prompt(ref)], path)[0])
    return _clap_cosines("style_clap", predictions, others, path)


# ------------------------------------------------------------------------------------------------- PCC
def chroma_profile(wave: np.ndarray, rate: int = MCD_RATE) -> np.ndarray:
    """Time-averaged 12-bin chroma (pitch-class) profile (librosa STFT chroma)."""
    import librosa

    return librosa.feature.chroma_stft(y=wave, sr=rate, n_fft=2048, hop_length=512).mean(axis=1)


def pitch_class_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two pitch-class profiles (0 when either is constant)."""
    if np.std(a) == 0 or np.std(b) == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def pitch_class_consistency(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Mean Pearson correlation ×100 of output vs reference pitch-class profiles; missing = 0."""
    require_samples("pitch_class_consistency", predictions)

    def one(prediction: Any, ref: Any) -> float:
        target = chroma_profile(media.load_audio(reference_audio(ref), MCD_RATE))
        return pitch_class_correlation(chroma_profile(media.load_audio(prediction, MCD_RATE)), target)

    return 100.0 * mean(media.per_sample("pitch_class_consistency", predictions, references, one, worst=0.0))


# --------------------------------------------------------------------------------------- MOS and E-Acc
def _classifier_logits(path: str, wave: np.ndarray) -> Any:
    import torch

    model, extractor = load_audio_classifier(path)
    inputs = extractor(wave, sampling_rate=extractor.sampling_rate, return_tensors="pt").to(device())
    with torch.no_grad():
        return model(**inputs).logits[0].float().cpu(), model.config


def mos_predictor(model: str | None = None) -> Callable[[np.ndarray], float]:
    """A transformers audio model with one regression output, at ``model`` or ``LMMS_GENERAL_MODEL_MOS``."""
    path = model or os.environ.get("LMMS_GENERAL_MODEL_MOS")
    if not path:
        raise ModelUnavailableError(
            "mos is a proxy for human ratings and needs a MOS predictor: set LMMS_GENERAL_MODEL_MOS (or the "
            "`model` option) to a transformers audio-classification model with num_labels=1 (e.g. a UTMOS port)"
        )

    def predict(wave: np.ndarray) -> float:
        logits, config = _classifier_logits(path, wave)
        if config.num_labels != 1:
            raise ModelUnavailableError(f"MOS model {path} has {config.num_labels} outputs; expected 1 (regression)")
        return float(logits[0])

    return predict


def mos(
    predictions: Sequence[Any],
    references: Sequence[Any],
    model: str | None = None,
    predictor: Callable[[np.ndarray], float] | None = None,
) -> float:
    """Mean predicted MOS (1–5) of the outputs at 16 kHz; missing = 1 (proxy for listener ratings)."""
    require_samples("mos", predictions)
    predict = predictor or mos_predictor(model)
    return mean(
        media.per_sample(
            "mos",
            predictions,
            references,
            lambda p, r: float(np.clip(predict(media.load_audio(p, ASR_RATE)), 1.0, 5.0)),
            worst=1.0,
        )
    )


def emotion_classifier(model: str | None = None) -> Callable[[np.ndarray], str]:
    """Top label of an audio emotion classifier on a 16 kHz waveform."""
    path = resolve_model("EMOTION", model)

    def classify(wave: np.ndarray) -> str:
        logits, config = _classifier_logits(path, wave)
        return str(config.id2label[int(logits.argmax())])

    return classify


def same_emotion(a: str, b: str) -> bool:
    """Labels agree on their first 3 letters, case-folded (``hap`` = ``Happy``)."""
    fold = lambda s: re.sub(r"[^a-z]", "", s.lower())[:3]  # noqa: E731
    return bool(fold(a)) and fold(a) == fold(b)


def emotion_accuracy(
    predictions: Sequence[Any],
    references: Sequence[Any],
    model: str | None = None,
    classifier: Callable[[np.ndarray], str] | None = None,
) -> float:
    """% outputs whose classified emotion matches the reference emotion (label, else reference audio)."""
    require_samples("emotion_accuracy", predictions)
    classify = classifier or emotion_classifier(model)

    def one(prediction: Any, ref: Any) -> float:
        label = media.reference_input(ref, "emotion", "label") if isinstance(ref, Mapping) else ref
        if label is None and isinstance(ref, Mapping) and isinstance(ref.get("text"), str):
            label = ref["text"]
        if label is None:
            label = classify(media.load_audio(reference_audio(ref), ASR_RATE))
        return float(same_emotion(classify(media.load_audio(prediction, ASR_RATE)), str(label)))

    return 100.0 * mean(media.per_sample("emotion_accuracy", predictions, references, one, worst=0.0))


_CLAP = "laion/clap-htsat-unfused"

register(
    MetricSpec(
        "wer",
        wer,
        "corpus",
        (0.0, float("inf")),
        "x100 (percent)",
        "Whisper ASR + jiwer",
        default_model="openai/whisper-large-v3-turbo",
        description="corpus WER (%) of ASR transcripts vs reference text (CER for CJK)",
        **media.GENERATION_IO,
        aliases=("WER",),
        lower_is_better=True,
        task_kind="generation",
        level_map=LevelMap("percent_complement"),
        synthetic=gen_generation,
        no_statistics="model-based: Whisper transcripts pooled into one corpus WER; the bootstrap keeps the "
        "point score",
    )
)
register(
    MetricSpec(
        "mcd",
        mcd,
        "sample",
        (0.0, float("inf")),
        "raw dB",
        "pyworld WORLD envelope + pysptk mcep + fastdtw (pymcd dtw mode)",
        description="mel-cepstral distortion (order 13, alpha 0.65) with DTW alignment, as pymcd",
        **media.GENERATION_IO,
        aliases=("MCD",),
        lower_is_better=True,
        task_kind="generation",
        level_map=LevelMap.sigmoid(5.0),
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "fad",
        fad,
        "corpus",
        (0.0, float("inf")),
        "raw",
        "transformers CLAP + scipy Fréchet",
        default_model=_CLAP,
        description="Fréchet distance of CLAP embeddings",
        **media.GENERATION_IO,
        aliases=("FAD",),
        lower_is_better=True,
        task_kind="generation",
        level_map=LevelMap.sigmoid(10.0),
        synthetic=gen_generation,
        no_statistics="model-based: a Fréchet distance of CLAP features pooled over the task (no per-sample "
        "sum); the bootstrap keeps the point score",
    )
)
register(
    MetricSpec(
        "clap_score",
        clap_score,
        "sample",
        (-100.0, 100.0),
        "x100",
        "transformers CLAP",
        default_model=_CLAP,
        description="CLAP text-audio cosine x100",
        **media.GENERATION_IO,
        aliases=("CLAP",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "style_clap",
        style_clap,
        "sample",
        (-100.0, 100.0),
        "x100",
        "transformers CLAP",
        default_model=_CLAP,
        description="CLAP cosine x100 to the style reference audio/prompt",
        **media.GENERATION_IO,
        aliases=("Style-CLAP",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "pitch_class_consistency",
        pitch_class_consistency,
        "sample",
        (-100.0, 100.0),
        "x100",
        "librosa chroma",
        description="Pearson correlation of pitch-class profiles x100",
        **media.GENERATION_IO,
        aliases=("PCC",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "mos",
        mos,
        "sample",
        (1.0, 5.0),
        "raw (1-5)",
        "transformers MOS regressor",
        default_model="LMMS_GENERAL_MODEL_MOS (no public default)",
        proxy=True,
        description="predicted MOS (stand-in for listener ratings)",
        **media.GENERATION_IO,
        aliases=("MOS",),
        task_kind="generation",
        level_map=LevelMap.affine(1.0, 5.0),
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "emotion_accuracy",
        emotion_accuracy,
        "sample",
        (0.0, 100.0),
        "x100",
        "transformers audio classifier",
        default_model="superb/wav2vec2-base-superb-er",
        description="% outputs whose predicted emotion matches the reference",
        **media.GENERATION_IO,
        aliases=("E-Acc",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
