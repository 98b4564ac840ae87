"""The label set of a task, gathered once per task from its annotation file.

A classification task's prompt must name the labels it may answer with, and its parser must know them
(``context["labels"]``). Sources, first that gives a set wins:

1. the annotation's ``options`` when every sample has the same ones and the references are option texts;
2. a class list in the annotation header (``labels`` / ``classes`` / ``categories`` ...);
3. a header code table (IntentClassification's ``intent_label``: ``{"action": {"a": "activate"}, ...}``): the
   references stay codes, ``label_codes`` maps code -> meaning and the prompt shows the decoded table;
4. labels the prompt itself lists ("Choose from: entailment, contradiction, or neutral"), or yes/no codes it defines
   ("1 = Yes, 0 = No" -> ``yes_no_codes``);
5. else, for classification-like tasks only, the distinct labels of the task's references (a classification
   benchmark publishes its class list; extraction / NER references are spans, never listed).

Detection tasks take the class names of their reference boxes. Everything is returned as a
:class:`TaskLabels`; :meth:`TaskLabels.context` gives the ``Doc.context`` keys of the issue-18 contract.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lmms_general.registry import TaskSpec

#: NLP annotation ``type`` values whose references are labels (not spans)
LABEL_NLP_TYPES = frozenset({"classification", "multiple choice", "multi label classification"})
#: NLP annotation ``type`` values whose reference holds several labels (the official scorer's ", " split)
MULTI_LABEL_NLP_TYPES = frozenset(
    {"multi label classification", "ner", "extraction", "relation extraction", "event detection", "parsing"}
)
#: header keys that are task metadata, never a class list or code table
_META_KEYS = frozenset({
    "task", "type", "modality", "version", "set_type", "data_source", "skill", "domain", "general_capability",
    "capability", "others", "data", "description", "source", "license", "url",
})
_LIST_KEY = re.compile(r"label|class|categor|option|tag|choices", re.I)
_CLASSIFY_NAME = re.compile(
    r"classif|recogni|recongi|identif|detection|diagnos|analysis|command|emotion|inference|verification|"
    r"sentiment|stance|intent|topic|similarity|ripeness|hallucination|anomaly|sex|gender|accent",
    re.I,
)
_NOT_CLASSIFY = re.compile(r"question answering|\bvqa\b|\bqa\b|caption|reasoning|matching|counting|ordering", re.I)
_LIST_AFTER = re.compile(
    r"(?:choose|select|pick)\s+(?:only\s+)?(?:one\s+)?(?:of\s+)?(?:the\s+)?(?:label\s+|category\s+|answer\s+|class\s+)?"
    r"(?:from|among)(?:\s+the\s+following)?(?:\s+(?:labels|categories|options|classes))?\s*[:\-]?\s*(?P<list>[^\n]+)"
    r"|(?:one of(?: the following)?(?: labels| categories| classes| options)?|labels are|categories are|classes are|"
    r"label set is|possible labels|candidate labels)\s*[:\-]?\s*(?P<list2>[^\n]+)",
    re.I,
)
_MAX_LABELS = 400
_MAX_LABEL_CHARS = 60


@dataclass(frozen=True)
class TaskLabels:
    """A task's label set and how to read it (all fields optional / empty when the task has none)."""

    labels: tuple[str, ...] = ()
    label_codes: dict[str, str] = field(default_factory=dict)
    code_groups: dict[str, dict[str, str]] = field(default_factory=dict)
    multi_label: bool = False
    yes_no_codes: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def context(self) -> dict[str, Any]:
        """The ``Doc.context`` keys: ``labels``, ``label_codes``, ``code_groups``, ``multi_label``,
        ``yes_no_codes``, ``labels_source`` (None where the task has none)."""
        return {
            "labels": list(self.labels) or None,
            "label_codes": dict(self.label_codes) or None,
            "code_groups": {k: dict(v) for k, v in self.code_groups.items()} or None,
            "multi_label": self.multi_label,
            "yes_no_codes": dict(self.yes_no_codes) or None,
            "labels_source": self.source or None,
        }


# --------------------------------------------------------------------------- which tasks have labels


def is_label_task(spec: TaskSpec, header: Mapping[str, Any]) -> bool:
    """Whether the task's references are class labels (so its reference values form its class list)."""
    from lmms_general.protocol.kinds import task_kind

    kind = task_kind(spec)
    if kind == "detection":
        return True
    if spec.paradigm != "comprehension" or kind not in {"qa", "label_set"}:
        return False
    if spec.metric_id in {"macro_accuracy", "f_score"}:  # both compare classes, whatever the task is called
        return True
    if spec.modality == "nlp":
        return str(header.get("type", "")).strip().lower() in LABEL_NLP_TYPES
    name = f"{spec.display_name} {header.get('skill') or ''}"
    return bool(_CLASSIFY_NAME.search(name)) and not _NOT_CLASSIFY.search(spec.display_name)


# --------------------------------------------------------------------------- sources


def _clean_label(text: str) -> str:
    return text.strip().strip("'\"`*[](){}").strip().rstrip(".").strip()


def _valid(labels: Sequence[str]) -> bool:
    return 2 <= len(labels) <= _MAX_LABELS and all(0 < len(x) <= _MAX_LABEL_CHARS for x in labels)


def split_listed(text: str) -> list[str]:
    """``"entailment, contradiction, or neutral"`` -> the three labels (commas, "or", "and", "/", ";")."""
    text = re.split(r"\.\s|\.$|\?|(?<=\w)\.\s*(?:provide|answer|output|respond|give|only)", text, maxsplit=1,
                    flags=re.I)[0]
    parts = re.split(r",\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+|\s*/\s*|;\s*|\|", text)
    labels = [_clean_label(p) for p in parts]
    return list(dict.fromkeys(x for x in labels if x))


def prompt_listed_labels(text: str) -> list[str]:
    """Labels a prompt lists after "Choose from:" / "one of" ..., [] when it lists none."""
    match = _LIST_AFTER.search(text or "")
    if not match:
        return []
    labels = split_listed(match.group("list") or match.group("list2") or "")
    return labels if _valid(labels) and all(len(x.split()) <= 6 for x in labels) else []


def prompt_yes_no_codes(text: str) -> dict[str, str]:
    """``{"yes": "1", "no": "0"}`` when the prompt defines codes for yes and no ("1 = Yes, 0 = No"), else {}
    (read as the parsers read them: :func:`lmms_general.metrics.classification.yes_no_codes_in`)."""
    from lmms_general.metrics.classification import yes_no_codes_in

    return yes_no_codes_in(text) or {}


def header_class_list(header: Mapping[str, Any]) -> list[str]:
    """A class list in the header (``labels`` / ``classes`` / ``categories`` ..., also under ``others``)."""
    scopes = [header]
    if isinstance(header.get("others"), Mapping):
        scopes.append(header["others"])
    for scope in scopes:
        for key, value in scope.items():
            if key in _META_KEYS or not _LIST_KEY.search(str(key)):
                continue
            if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
                labels = list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))
                if _valid(labels):
                    return labels
    return []


def _code_map(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not value:
        return {}
    if all(isinstance(k, str) and isinstance(v, (str, int)) and len(k) <= 8 for k, v in value.items()):
        return {str(k): str(v) for k, v in value.items()}
    return {}


def header_code_table(header: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """A code table in the header as ``{group: {code: meaning}}`` (one unnamed group ``""`` for a flat table):
    ``intent_label: {"action": {"a": "activate"}, ...}`` -> ``{"action": {"a": "activate"}, ...}``."""
    for key, value in header.items():
        if key in _META_KEYS or not isinstance(value, Mapping):
            continue
        flat = _code_map(value)
        if flat and len(flat) >= 2:
            return {"": flat}
        groups = {str(g): _code_map(v) for g, v in value.items()}
        if groups and all(groups.values()):
            return groups
    return {}


def _options(sample: Any) -> list[str] | None:
    inp = sample.input if isinstance(sample.input, Mapping) else {}
    options = inp.get("options")
    return [str(o) for o in options] if isinstance(options, list) and options else None


def _prompt_texts(sample: Any) -> list[str]:
    inp = sample.input if isinstance(sample.input, Mapping) else {}
    return [v for k in ("prompt", "question", "instruction") if isinstance(v := inp.get(k), str) and v.strip()]


def _references(samples: Iterable[Any]) -> list[Any]:
    from lmms_general.dataset import sample_reference

    out = []
    for sample in samples:
        try:
            value = sample_reference(sample)
        except Exception:  # noqa: BLE001 - a broken reference is reported when the sample is scored
            continue
        if value is not None:
            out.append(value)
    return out


def _box_labels(reference: Any) -> list[str]:
    """Class names of a detection reference (``{"bird": [...]}``, ``[{"Fall": [...]}]``, ``[{"label": ...}]``)."""
    if isinstance(reference, Mapping):
        if "label" in reference:
            return [str(reference["label"])]
        return [str(k) for k in reference if str(k) not in {"bbox", "boxes", "score"}]
    if isinstance(reference, list):
        return [label for item in reference if isinstance(item, (Mapping, list)) for label in _box_labels(item)]
    return []


def _reference_labels(references: Sequence[Any], multi: bool) -> tuple[list[str], bool]:
    """Distinct labels of label references (sorted) and whether any reference holds several."""
    labels: set[str] = set()
    several = False
    for ref in references:
        values = ref if isinstance(ref, list) else [ref]
        if multi and len(values) == 1 and isinstance(values[0], str):
            values = [v for v in re.split(r"<p>|,\s", values[0]) if v.strip()]
        several |= len(values) > 1
        labels |= {str(v).strip() for v in values if isinstance(v, (str, int, float)) and str(v).strip()}
    return sorted(labels, key=lambda s: (s.lower(), s)), several


def _reference_spelling(labels: Sequence[str], references: Sequence[str]) -> list[str]:
    """Labels in the spelling the references use (case-folded match), else as listed."""
    by_fold = {r.casefold(): r for r in references}
    return [by_fold.get(label.casefold(), label) for label in labels]


def _same(values: Sequence[Any]) -> Any:
    return values[0] if values and all(v == values[0] for v in values) else None


def gather_labels(spec: TaskSpec, header: Mapping[str, Any], samples: Sequence[Any], *,
                  use_references: bool = True) -> TaskLabels:
    """The label set of one task from its header and all its samples (see the module docstring).

    ``use_references=False`` skips the reference fallback (a caller holding one sample must not list its answer).
    """
    task_type = str(header.get("type", "")).strip().lower()
    label_task = is_label_task(spec, header)
    multi = spec.modality == "nlp" and task_type in MULTI_LABEL_NLP_TYPES
    references = _references(samples) if (use_references and label_task) else []
    from lmms_general.protocol.kinds import task_kind

    detection = task_kind(spec) == "detection"
    if detection:
        names = sorted({n for ref in references for n in _box_labels(ref)}, key=str.lower)
        return TaskLabels(labels=tuple(names), source="references" if names else "")
    ref_labels, several = _reference_labels(references, multi) if references else ([], False)
    multi = multi or (label_task and several)

    options = _same([_options(s) for s in samples])
    if options and references and all(isinstance(r, str) and r.strip() in options for r in references):
        return TaskLabels(labels=tuple(options), multi_label=multi, source="options")
    listed = header_class_list(header)
    if listed:
        return TaskLabels(labels=tuple(_reference_spelling(listed, ref_labels)), multi_label=multi, source="header")
    groups = header_code_table(header)
    if groups:
        codes = {code: meaning for group in groups.values() for code, meaning in group.items()}
        return TaskLabels(labels=tuple(ref_labels), label_codes=codes, code_groups=groups, multi_label=multi,
                          source="code_table")
    texts = [" ".join(_prompt_texts(s)) for s in samples]
    distinct = dict.fromkeys(texts)  # a task's samples mostly share one prompt: each text is read once
    codes_of = {t: prompt_yes_no_codes(t) for t in distinct}
    yes_no = _same([codes_of[t] for t in texts])
    if yes_no:
        codes = {yes_no["yes"]: "Yes", yes_no["no"]: "No"}
        return TaskLabels(labels=(yes_no["yes"], yes_no["no"]), label_codes=codes, yes_no_codes=yes_no,
                          multi_label=False, source="prompt")
    listed_in = {t: tuple(prompt_listed_labels(t)) for t in distinct}
    prompt_labels = _same([listed_in[t] for t in texts])
    if prompt_labels:
        return TaskLabels(labels=tuple(_reference_spelling(prompt_labels, ref_labels)), multi_label=multi,
                          source="prompt")
    if label_task and _valid(ref_labels):
        return TaskLabels(labels=tuple(ref_labels), multi_label=multi, source="references")
    return TaskLabels(multi_label=multi)
