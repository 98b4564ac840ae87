"""Where a sample's reference answer lives (DATASET_FORMAT.md §4 answer-key variants, §5 NLP dispatch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lmms_general.dataset.models import Sample

#: answer keys of non-NLP outputs, in lookup order
ANSWER_KEYS: tuple[str, ...] = (
    "answer",
    "text",
    "prediction",
    "category",
    "label",
    "response",
    "bbox",
    "flow",
    "mask_file",
    "image_file",
)
_TRAJECTORY_KEYS = ("trajectory", "tube_start_frame", "tube_end_frame", "frame_count")


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _first_value(output: Any) -> Any:
    if isinstance(output, dict):
        return next(iter(output.values()), None)
    return output


def _proof(output: Any) -> Any:
    steps = _get(output, "proof", "steps")
    conclusion = _get(output, "proof", "conclusion")
    if steps is None and conclusion is None:
        return None
    text = "\n".join(str(s) for s in steps) if isinstance(steps, list) else str(steps or "")
    return f"{text}\nConclusion: {conclusion if conclusion is not None else ''}"


def _translation(output: Any) -> Any:
    return output if isinstance(output, str) else _get(output, "translation")


def _code_defect(output: Any) -> Any:
    target = _get(output, "target")
    return None if target is None else str(target)


#: NLP ``type`` -> reference extractor (the official scorer's ``_extract_reference``)
NLP_REFERENCE: dict[str, Callable[[Any], Any]] = {
    "MultipleChoiceQA": lambda o: _get(o, "answer"),
    "OpenQA": lambda o: _get(o, "answer"),
    "Text Style Transfer": lambda o: _get(o, "answer"),
    "Summarization": lambda o: _get(o, "summary") if _get(o, "summary") is not None else _get(o, "highlights"),
    "Translation": _translation,
    "Story Generation": lambda o: _get(o, "story"),
    "Dialogue": lambda o: _get(o, "reference") if _get(o, "reference") is not None else _get(o, "response"),
    "Code Generation": lambda o: _get(o, "response", "content"),
    "Code Repair": lambda o: _get(o, "repairCode"),
    "Code Defect Detection": _code_defect,
    "Text to SQL": lambda o: _get(o, "sql"),
    "Code Explanation": lambda o: _get(o, "nl"),
    "Proof": _proof,
    "Mathematical Word Problem Solving": lambda o: _get(o, "solution", "final_answer"),
    "Paraphrase Generation": lambda o: _get(o, "paraphraseSentence"),
    "Grammar Correction": lambda o: _get(o, "Standard English"),
    "Table-to-Text Generation": lambda o: _get(o, "response", "text"),
    "Time Series": lambda o: _get(o, "target"),
}


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (dict, list, str)) and len(value) == 0)


def _with_resolved_files(value: Any, resolved: dict[str, str]) -> Any:
    """``value`` with every string naming an output media file replaced by its resolved path."""
    if isinstance(value, str):
        return resolved.get(value, value)
    if isinstance(value, dict):
        return {k: _with_resolved_files(v, resolved) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_resolved_files(v, resolved) for v in value]
    return value


def sample_reference(sample: Sample) -> Any:
    """The reference answer of a sample with its output files resolved (see :func:`raw_sample_reference`)."""
    value = raw_sample_reference(sample)
    resolved = {m.raw: str(m.path) for m in sample.media if m.role == "output" and m.path is not None}
    if not resolved or sample.paradigm == "generation":
        return value
    return _with_resolved_files(value, resolved)


def raw_sample_reference(sample: Sample) -> Any:
    """The reference answer of a sample, as written (the metric normalises it further).

    * Comprehension with no ``output`` (Closeset) -> None, except ActionDet/VG records whose reference
      is sample-level: ``{"trajectory", "tube_start_frame", "tube_end_frame", "frame_count"}``.
    * NLP: the §5 dispatch on the header ``type``; unknown types take the first value of ``output``.
    * Other comprehension: ``output`` itself when it is a string (VDE depth file), else the first of
      ``answer``, ``text``, ``prediction``, ``category``, ``label``, ``response``, ``bbox``, ... present;
      a per-frame VOS output (or any other shape) is returned whole.
    * Generation: None. A generation sample's reference is media, not an answer: it is built from the whole sample
      (prompt, source and target media, reference text) by
      :func:`lmms_general.protocol.references.generation_reference`, its one definition.
    """
    if sample.paradigm == "generation":
        return None
    if "trajectory" in sample.extra:
        return {k: sample.extra.get(k) for k in _TRAJECTORY_KEYS}
    output = sample.output
    if _empty(output):
        return None
    if sample.modality == "nlp":
        extractor = NLP_REFERENCE.get(sample.task_type.strip())
        value = extractor(output) if extractor else None
        return value if value is not None else _first_value(output)
    if not isinstance(output, dict):
        return output
    for key in ANSWER_KEYS:
        if key in output:
            return output[key]
    if len(output) == 1:
        return _first_value(output)
    return output
