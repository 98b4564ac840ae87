"""Deterministic answer parsers shared by the metric families.

Every parser returns ``None`` when the response holds no usable answer; the caller keeps the sample
in the denominator and scores it as wrong / worst. No parser ever guesses (the official NLP
predictor defaults to option ``A``; we do not).
"""

from __future__ import annotations

import json
import math
import re
import string
from collections.abc import Sequence
from typing import Any

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans("", "", string.punctuation)
_BOXED = re.compile(r"\\boxed\s*\{\s*([^{}]*)\}")
_ANSWER_LEAD = re.compile(
    r"^\s*(?:the\s+)?(?:final\s+|correct\s+)?(?:answer|option|choice)\s*(?:is|:)?\s*[:\-]?\s*", re.IGNORECASE
)
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+")
_LEAD_WORDS = re.compile(r"(?i)\b(?:the|final|correct|answers?|options?|choices?|is|would|be)\b")
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


def normalize_answer(text: Any) -> str:
    """SQuAD-style folding: lower case, punctuation and articles removed, whitespace collapsed."""
    folded = str(text).lower().translate(_PUNCT)
    return " ".join(_ARTICLES.sub(" ", folded).split())


def strip_answer_lead(text: str) -> str:
    """The answer part of a response: ``\\boxed{X}`` content, or the text after "Answer:"/"The answer is"."""
    boxed = _BOXED.findall(text)
    if boxed:
        return boxed[-1].strip()
    stripped = text.strip()
    return _ANSWER_LEAD.sub("", stripped, count=1).strip() or stripped


def _letters(n_options: int | None) -> str:
    return string.ascii_uppercase[: n_options or 26]


def parse_option_letter(raw: str | None, options: Sequence[str] | None = None) -> str | None:
    """The option letter a response chooses, or None.

    Accepted, in this order: ``\\boxed{B}``; the first standalone letter after the last "answer"/"option";
    a response that is only a letter (``B``, ``(B)``, ``B.``, ``B)``); a leading ``B.``/``(B)``/``B)``;
    the exact (normalised) text of one option, or the only option whose text the response contains.
    Letters beyond ``len(options)`` are rejected when options are known.
    """
    if raw is None:
        return None
    text = str(raw).strip()
    if not text:
        return None
    valid = _letters(len(options) if options else None)
    candidates: list[str] = []
    boxed = _BOXED.findall(text)
    if boxed:
        candidates.append(boxed[-1])
    lowered = text.lower()
    anchor = max(lowered.rfind("answer"), lowered.rfind("option"), lowered.rfind("choice"))
    if anchor >= 0:
        candidates.append(text[anchor:].split("\n")[0])
    for chunk in candidates:
        chunk = _LEAD_WORDS.sub(" ", chunk)
        for match in re.finditer(r"(?<![A-Za-z'])([A-Z])(?![A-Za-z'])", chunk):
            pronoun = match.group(1) == "I" and re.match(r"\s+[a-z]", chunk[match.end() :])
            if match.group(1) in valid and not pronoun:
                return match.group(1)
            break
    whole = re.fullmatch(r"\s*[\(\[]?([A-Za-z])[\)\]\.:]?\s*", text)
    if whole and whole.group(1).upper() in valid:
        return whole.group(1).upper()
    lead = re.match(r"\s*[\(\[]?([A-Z])[\)\]\.:](?:\s|$)", text)
    if lead and lead.group(1) in valid:
        return lead.group(1)
    if options:
        return _option_by_text(text, options)
    return None


def _option_by_text(text: str, options: Sequence[str]) -> str | None:
    norm = normalize_answer(strip_answer_lead(text))
    normalized = [normalize_answer(o) for o in options]
    for index, option in enumerate(normalized):
        if option and norm == option:
            return string.ascii_uppercase[index]
    contained = [i for i, o in enumerate(normalized) if o and re.search(rf"\b{re.escape(o)}\b", norm)]
    if len(contained) == 1:
        return string.ascii_uppercase[contained[0]]
    return None


def reference_letter(value: Any) -> str | None:
    """The letter of a reference written as ``"B"``, ``"(B)"`` or ``"B."``; None when it is not a letter."""
    if not isinstance(value, str):
        return None
    match = re.fullmatch(r"\s*[\(\[]?([A-Za-z])[\)\]\.]?\s*", value)
    return match.group(1).upper() if match else None


def parse_number(raw: Any) -> float | None:
    """A number from a response: ``\\boxed{}`` content, else the first number after the last "answer",
    else the only number, else the last number. Thousands separators are accepted; NaN/inf are None."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw) if math.isfinite(raw) else None
    text = str(raw)
    boxed = _BOXED.findall(text)
    scopes = [boxed[-1]] if boxed else []
    anchor = text.lower().rfind("answer")
    if anchor >= 0:
        scopes.append(text[anchor:])
    scopes.append(text)
    for index, scope in enumerate(scopes):
        numbers = _NUMBER.findall(scope)
        if numbers:
            pick = numbers[-1] if index == len(scopes) - 1 else numbers[0]
            value = float(pick.replace(",", ""))
            return value if math.isfinite(value) else None
    return None


def extract_json(raw: Any) -> Any | None:
    """The first JSON value in a response: the whole text, a fenced ```json block, or the first balanced
    ``{...}`` / ``[...]`` span that decodes. None when nothing decodes."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    candidates = [text, *_FENCE.findall(text)]
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    decoder = json.JSONDecoder()
    for index, char in enumerate(text):
        if char in "[{":
            try:
                value, _ = decoder.raw_decode(text[index:])
            except ValueError:
                continue
            return value
    return None


def _is_box(value: Any) -> bool:
    return (
        isinstance(value, (list, tuple))
        and len(value) == 4
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value)
    )


def boxes_from_value(value: Any, default_label: str | None = None) -> list[dict[str, Any]] | None:
    """Boxes ``[{"label", "bbox": [x, y, w, h], "score"}]`` from a decoded annotation-style value.

    Accepts ``{class: [[x,y,w,h], ...]}``, ``{class: [x,y,w,h]}``, ``[{class: [x,y,w,h]}]``,
    ``[{"label"/"class", "bbox"/"box", "score"}]``, ``[[x,y,w,h], ...]`` and one ``[x,y,w,h]``.
    Returns None when the value has another shape (an empty list/dict means "no boxes" and is ``[]``).
    """
    out: list[dict[str, Any]] = []
    if _is_box(value):
        return [{"label": default_label, "bbox": [float(v) for v in value], "score": 1.0}]
    if isinstance(value, dict):
        if "bbox" in value or "box" in value:
            value = [value]
        else:
            for label, boxes in value.items():
                if _is_box(boxes):
                    boxes = [boxes]
                if not isinstance(boxes, list) or not all(_is_box(b) for b in boxes):
                    return None
                out.extend({"label": str(label), "bbox": [float(v) for v in b], "score": 1.0} for b in boxes)
            return out
    if not isinstance(value, list):
        return None
    for item in value:
        if _is_box(item):
            out.append({"label": default_label, "bbox": [float(v) for v in item], "score": 1.0})
        elif isinstance(item, dict) and ("bbox" in item or "box" in item):
            box = item.get("bbox", item.get("box"))
            if not _is_box(box):
                return None
            label = item.get("label", item.get("class", item.get("category", default_label)))
            score = item.get("score", 1.0)
            score = float(score) if isinstance(score, (int, float)) and math.isfinite(score) else 1.0
            label = None if label is None else str(label)
            out.append({"label": label, "bbox": [float(v) for v in box], "score": score})
        elif isinstance(item, dict):
            nested = boxes_from_value(item, default_label)
            if nested is None:
                return None
            out.extend(nested)
        else:
            return None
    return out


_BOX_TEXT = re.compile(
    r"[\[\(]\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*[\]\)]"
)


def parse_boxes(raw: Any, default_label: str | None = None) -> list[dict[str, Any]] | None:
    """Boxes from a response: decoded JSON in any :func:`boxes_from_value` shape, else every
    ``[a, b, c, d]`` / ``(a, b, c, d)`` in the text. None when neither yields a box (the response
    is unparsed, not "no objects"); an explicit empty JSON list/object is ``[]``."""
    value = extract_json(raw)
    if value is not None:
        boxes = boxes_from_value(value, default_label)
        if boxes is not None:
            return boxes
    if not isinstance(raw, str):
        return None
    found = [[float(g) for g in m.groups()] for m in _BOX_TEXT.finditer(raw)]
    if not found:
        return None
    return [{"label": default_label, "bbox": b, "score": 1.0} for b in found]


def parse_label(raw: Any, labels: Sequence[str]) -> str | None:
    """The label of ``labels`` a response names: exact normalised match, else the only label it contains
    (longest label wins when one contains another, e.g. "not sarcastic" over "sarcastic")."""
    if raw is None:
        return None
    norm = normalize_answer(strip_answer_lead(str(raw)))
    if not norm:
        return None
    by_norm = {normalize_answer(label): label for label in labels}
    if norm in by_norm:
        return by_norm[norm]
    hits = [n for n in by_norm if n and re.search(rf"\b{re.escape(n)}\b", norm)]
    hits = [h for h in hits if not any(h != o and h in o for o in hits)]
    return by_norm[hits[0]] if len(hits) == 1 else None


def split_label_set(text: Any, *, multi: bool) -> frozenset[str]:
    """A label set as the official NLP scorer builds it: lower-cased, split on ``<p>``; with ``multi``
    (multi-label / extraction types) ``", "``, ``";"`` and new lines separate labels too. Empty parts dropped."""
    value = str(text).strip().lower()
    if multi:
        value = re.sub(r",\s|;|\n", "<p>", value)
    parts = (p.strip().strip(".").strip() for p in value.split("<p>"))
    return frozenset(p for p in parts if p)
