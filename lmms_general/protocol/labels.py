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
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
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
    from lmms_general.protocol.formats import answer_format
    from lmms_general.protocol.kinds import task_kind

    fmt = answer_format(task_kind(spec))
    if fmt.labels_in_boxes:
        return True
    if spec.paradigm != "comprehension" or not fmt.answers_with_labels:
        return False
    if spec.metric_id in {"macro_accuracy", "f_score"}:  # both compare classes, whatever the task is called
        return True
    if spec.modality == "nlp":
        return str(header.get("type", "")).strip().lower() in LABEL_NLP_TYPES
    name = f"{spec.display_name} {header.get('skill') or ''}"
    return bool(_CLASSIFY_NAME.search(name)) and not _NOT_CLASSIFY.search(spec.display_name)


# --------------------------------------------------------------------------- sources


#: TimeML temporal-link relations (TimeBank / TempEval), read as "<first event> RELATION <second event>": the labels
#: of temporal-relation tasks, which a model that does not know TimeML cannot tell apart by name alone
TIMEML_RELATIONS: dict[str, str] = {
    "BEFORE": "the first event ends before the second begins",
    "AFTER": "the first event begins after the second ends",
    "IBEFORE": "the first event ends exactly when the second begins (immediately before)",
    "IAFTER": "the first event begins exactly when the second ends (immediately after)",
    "INCLUDES": "the first event's time span contains the second event",
    "IS_INCLUDED": "the first event happens within the second event's time span",
    "DURING": "the first event takes place during the second",
    "DURING_INV": "the second event takes place during the first",
    "SIMULTANEOUS": "both events happen at the same time",
    "IDENTITY": "both mentions refer to the same event",
    "BEGINS": "the first event begins the second (they start together, the first ends earlier)",
    "BEGUN_BY": "the second event begins the first (they start together, the second ends earlier)",
    "ENDS": "the first event ends the second (they end together, the first starts later)",
    "ENDED_BY": "the second event ends the first (they end together, the second starts later)",
    "OVERLAP": "the two events overlap in time",
    "BEFORE-OR-OVERLAP": "the first event is before or overlaps the second",
    "OVERLAP-OR-AFTER": "the first event overlaps or is after the second",
    "VAGUE": "the order of the two events cannot be told",
}


def label_meanings(labels: Sequence[str]) -> dict[str, str]:
    """What each label means, when the whole label set is a known vocabulary whose names are not self-explaining
    (TimeML relations); else ``{}``. Two labels at least: one known word alone is no vocabulary."""
    folded = [str(label).strip().upper().replace(" ", "_") for label in labels]
    if len(folded) < 2 or not all(f in TIMEML_RELATIONS for f in folded):
        return {}
    return {str(label): TIMEML_RELATIONS[f] for label, f in zip(labels, folded, strict=True)}


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
    inp = sample.input
    if type(inp) is not dict and not isinstance(inp, Mapping):
        return None
    options = inp.get("options")
    return [str(o) for o in options] if isinstance(options, list) and options else None


_PROMPT_KEYS = ("prompt", "question", "instruction")


def _prompt_text(sample: Any) -> str:
    """The sample's non-blank prompt texts, joined (what the prompt-listed label sources read)."""
    inp = sample.input
    if type(inp) is not dict and not isinstance(inp, Mapping):
        return ""
    texts = []
    for key in _PROMPT_KEYS:
        value = inp.get(key)
        if isinstance(value, str) and value.strip():
            texts.append(value)
    return " ".join(texts)


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
    """Class names of a detection reference, read as the detection metric reads it (``{"bird": [...]}``,
    ``[{"Fall": [...]}]``, ``[{"label": ..., "bbox": ...}]``, ``{"boxes": [...]}``): field names are never classes."""
    from lmms_general.metrics.parsing import boxes_from_value, extract_json

    value = extract_json(reference) if isinstance(reference, str) else reference
    try:
        boxes = boxes_from_value(value) or []
    except (TypeError, ValueError):
        return []
    labels = [str(box["label"]) for box in boxes if box.get("label") is not None]
    if isinstance(value, Mapping) and boxes_from_value(value) is not None:  # {class: boxes}: a class with no box
        labels += [str(k) for k, v in value.items() if v == [] and str(k).lower() not in _BOX_FIELDS]  # here too
    return labels


#: field names of box records, never classes
_BOX_FIELDS = frozenset({"bbox", "bboxes", "box", "boxes", "label", "labels", "class", "category", "score", "scores"})


def _reference_labels(references: Sequence[Any], multi: bool) -> tuple[list[str], bool]:
    """Distinct labels of label references (sorted) and whether any reference holds several."""
    labels: set[str] = set()
    several = False
    for ref in references:
        if type(ref) is str and not multi:  # one label (the loop below, written for it)
            if label := ref.strip():
                labels.add(label)
            continue
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


_NOTHING = object()


def _same(values: Iterable[Any]) -> Any:
    """The one value all of ``values`` share (None when they differ or there is none), read once, stopping at the
    first difference (``values`` may stream a task's samples)."""
    items = iter(values)
    first = next(items, _NOTHING)
    if first is _NOTHING:
        return None
    return first if all(v == first for v in items) else None


def _memo(read: Callable[[str], Any], limit: int = 1024) -> Callable[[str], Any]:
    """``read`` remembering its answers for the first ``limit`` distinct texts (a task's samples mostly share one
    prompt, so each is read once; a task whose every prompt differs keeps no more than ``limit`` of them)."""
    answers: dict[str, Any] = {}

    def cached(text: str) -> Any:
        if text in answers:
            return answers[text]
        value = read(text)
        if len(answers) < limit:
            answers[text] = value
        return value

    return cached


def gather_labels(spec: TaskSpec, header: Mapping[str, Any], samples: Collection[Any], *,
                  use_references: bool = True) -> TaskLabels:
    """The label set of one task from its header and all its samples (see the module docstring). ``samples`` is read
    in a few passes, each holding one sample at a time (it may stream a large task's samples).

    ``use_references=False`` skips the reference fallback (a caller holding one sample must not list its answer).
    """
    task_type = str(header.get("type", "")).strip().lower()
    label_task = is_label_task(spec, header)
    multi = spec.modality == "nlp" and task_type in MULTI_LABEL_NLP_TYPES
    references = _references(samples) if (use_references and label_task) else []
    from lmms_general.protocol.formats import answer_format
    from lmms_general.protocol.kinds import task_kind

    if answer_format(task_kind(spec)).labels_in_boxes:
        names = sorted({n for ref in references for n in _box_labels(ref)}, key=str.lower)
        return TaskLabels(labels=tuple(names), source="references" if names else "")
    ref_labels, several = _reference_labels(references, multi) if references else ([], False)
    multi = multi or (label_task and several)

    options = _same(map(_options, samples))
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
    if isinstance(samples, (list, tuple)):  # held samples: each distinct prompt is read once, in first-seen order
        distinct = list(dict.fromkeys(map(_prompt_text, samples)))

        def texts() -> Iterator[str]:
            return iter(distinct)
    else:
        def texts() -> Iterator[str]:  # one pass over the samples per use: ``samples`` may be a stream
            return map(_prompt_text, samples)

    yes_no_of, listed_of = _memo(prompt_yes_no_codes), _memo(lambda t: tuple(prompt_listed_labels(t)))
    yes_no = _same(yes_no_of(t) for t in texts())
    if yes_no:
        codes = {yes_no["yes"]: "Yes", yes_no["no"]: "No"}
        return TaskLabels(labels=(yes_no["yes"], yes_no["no"]), label_codes=codes, yes_no_codes=yes_no,
                          multi_label=False, source="prompt")
    prompt_labels = _same(listed_of(t) for t in texts())
    if prompt_labels:
        return TaskLabels(labels=tuple(_reference_spelling(prompt_labels, ref_labels)), multi_label=multi,
                          source="prompt")
    if label_task and _valid(ref_labels):
        return TaskLabels(labels=tuple(ref_labels), multi_label=multi, source="references")
    return TaskLabels(multi_label=multi)
