"""The reference of one sample, built once: the annotation answer for text outputs, the generation reference
(prompt, source and target media, reference text) for media outputs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lmms_general.protocol.doc import Doc

_SUFFIXES_BY_MODALITY: dict[str, str] = {
    "image": "IMAGE_SUFFIXES",
    "video": "VIDEO_SUFFIXES",
    "audio": "AUDIO_SUFFIXES",
    "3d": "POINT_SUFFIXES",
}


def generation_reference(doc: Doc) -> dict[str, Any]:
    """Reference material for generation metrics: prompt, source media, target media, reference text."""
    from lmms_general.protocol.prompts import generation_text

    output = doc.sample.get("output")
    text = None
    if isinstance(output, Mapping):
        text = next((output[n] for n in ("text", "transcript", "caption", "answer") if isinstance(output.get(n), str)),
                    None)
    return {
        "prompt": generation_text(doc),  # the annotation's text, not our "Generate an image of: ..." lead
        "source": [str(m.path) for m in doc.inputs if m.path],
        "target": [str(m.path) for m in doc.outputs if m.path],
        "text": text,
        "input": doc.sample.get("input"),
        "auxiliary_info": doc.sample.get("auxiliary_info"),
        "task_dir": doc.task_dir,
    }


def raw_reference(doc: Doc) -> Any:
    """The unprepared reference: the generation reference for media outputs, else the annotation answer
    (None for a Closeset sample)."""
    if doc.output_modality != "text":
        return generation_reference(doc)
    return doc.reference


def has_reference(doc: Doc) -> bool:
    """Whether the sample carries an answer to score against (False on the Closeset / a record without one)."""
    if doc.output_modality != "text":
        return True  # the generation reference is built from the sample itself (prompt, media; see above)
    reference = doc.reference
    if reference is None:
        return False
    if isinstance(reference, str):
        return bool(reference.strip())
    if isinstance(reference, (list, tuple, Mapping)):
        return len(reference) > 0
    return True


def _suffixes(modality: str) -> tuple[str, ...]:
    from lmms_general.metrics import media

    return tuple(getattr(media, _SUFFIXES_BY_MODALITY.get(modality, "IMAGE_SUFFIXES")))


def reference_output_media(reference: Any, modality: str, index: int = 0) -> list[str]:
    """Files that are a correct output of a generation sample, for the ground-truth oracle, best first:
    the sample's target media of the output modality; else its own source media of that modality (an identity
    edit); else the task's real set (FID/FVD/FAD folders), its ``index``-th file."""
    if not isinstance(reference, Mapping):
        return []
    suffixes = _suffixes(modality)

    def of_kind(paths: Any) -> list[str]:
        return [str(p) for p in paths or [] if isinstance(p, str) and Path(p).suffix.lower() in suffixes
                and Path(p).is_file()]

    for name in ("target", "source"):
        found = of_kind(reference.get(name))
        if found:
            return found
    from lmms_general.metrics.image_generation import reference_set

    real = [str(p) for p in reference_set([reference], suffixes) if p.is_file()]
    if real:
        return [real[index % len(real)]]
    return []
