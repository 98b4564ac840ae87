"""``speech_cider`` — Image-to-Speech (CIDEr): the generated speech is transcribed by Whisper (greedy), and the
transcripts are scored against the reference captions with CIDEr-D (the ASR-then-caption-metric protocol of
spoken image captioning). A missing or unreadable output is an empty transcript (never dropped)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lmms_general.metrics import media
from lmms_general.metrics._common import require_samples
from lmms_general.metrics.registry import AS_IS, MetricSpec, register
from lmms_general.metrics.synthetic import gen_generation


def _captions(reference: Any) -> list[str]:
    if isinstance(reference, Mapping):
        value = reference.get("text") or media.reference_text(reference)
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return [str(reference)]


def speech_cider(predictions: Sequence[Any], references: Sequence[Any], model: str | None = None,
                 transcriber: Any = None) -> float:
    """CIDEr-D x100 of the Whisper transcripts of the generated speech against the reference captions."""
    from lmms_general.metrics.audio import ASR_RATE, whisper_transcriber
    from lmms_general.metrics.text import cider

    require_samples("speech_cider", predictions)
    transcribe = transcriber or whisper_transcriber(model)
    transcripts = []
    for prediction in predictions:
        try:
            transcripts.append(transcribe(media.load_audio(prediction, ASR_RATE)) if prediction else "")
        except media.MediaError:
            transcripts.append("")
    return cider(transcripts, [_captions(r) for r in references])


register(MetricSpec(id="speech_cider", compute=speech_cider, kind="corpus", native_range=(0.0, 10.0), scale="x100",
                    implementation="Whisper (transformers) ASR + pycocoevalcap CIDEr-D",
                    default_model="openai/whisper-large-v3-turbo", parse=media.parse_media,
                    prepare_reference=media.generation_reference,
                    description="CIDEr-D of the ASR transcript of generated speech against the reference captions",
                    task_kind="generation",
                    level_map=AS_IS,
                    synthetic=gen_generation,
                    no_statistics="model-based: Whisper transcripts scored by corpus CIDEr; the bootstrap keeps the "
                    "point score"))
