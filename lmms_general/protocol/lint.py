"""Lint what a model receives: the prompt text (``doc_to_text``) and input media of every sample of a task.

Each finding names the task, its kind, how many samples show it and the first one. Kinds:

* ``placeholder_prompt``: a known dataset placeholder ("users' specifically-defined prompts ...") reaches the
  model (:func:`lmms_general.protocol.prompts.is_placeholder_prompt`);
* ``empty_prompt``: the prompt is empty;
* ``raw_structure_prompt``: the prompt (or its first line) is a JSON / dict structure, a bare file name or path,
  or it still holds an unfilled ``<<<field>>>`` template slot;
* ``label_set_missing``: a label metric (accuracy, F1, micro-F1, macro accuracy, F-score) on a classification-like
  task without options, and no ``context["labels"]`` for the parser; or a detection prompt that never names the
  label(s) its reference boxes carry;
* ``contradicting_instruction``: the annotation's own instruction asks for one answer type and our added sentence
  for another (:data:`ANSWER_TYPES`: yes/no, option letter, number);
* ``missing_media``: an input file that did not resolve / does not exist / could not be read, a sample load error,
  or a comprehension sample of a media modality with no input at all;
* ``long_prompt``: more than ``max_chars`` characters (default :data:`MAX_PROMPT_CHARS`).

Accepted exceptions are listed in :data:`ACCEPTED` with their reason; they are reported but do not fail the lint.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lmms_general.protocol.doc import Doc
from lmms_general.protocol.formats import answer_format

MAX_PROMPT_CHARS = 8000
KINDS: tuple[str, ...] = (
    "placeholder_prompt",
    "empty_prompt",
    "raw_structure_prompt",
    "label_set_missing",
    "contradicting_instruction",
    "missing_media",
    "long_prompt",
)
#: metrics that compare labels (the parser needs the task's label set when the prompt gives no options)
LABEL_METRICS: frozenset[str] = frozenset({"accuracy", "f1", "micro_f1", "macro_accuracy", "f_score"})
#: metrics that compare classes whatever the task is named (accuracy / F1 / micro-F1 also score open answers and
#: extracted spans)
_ALWAYS_LABELS: frozenset[str] = frozenset({"macro_accuracy", "f_score"})
_CLASSIFICATION = re.compile(
    r"classif|recogni|identif|categori|intent|accent|emotion|sentiment|inference|entailment|relation|"
    r"detection of|spoof|genre|species|brand|quality", re.I)
#: annotation fields that hold the dataset's own instruction / question
_INSTRUCTION_FIELDS: tuple[str, ...] = ("prompt", "question", "instruction", "query", "text", "caption")
#: answer type -> pattern of a sentence asking for it (the contradiction rule set)
ANSWER_TYPES: dict[str, re.Pattern[str]] = {
    "yes/no": re.compile(
        r"\b(answer|respond|reply|output|say)\b[^.?!\n]{0,30}\byes\b\s*(or|/)\s*\bno\b|\(yes\s*/\s*no\)", re.I),
    "option letter": re.compile(r"\b(option|choice|answer)(?:'s)?\s+letter\b|\bletter of the (correct )?(option|choice|"
                                r"answer)\b", re.I),
    "number": re.compile(r"\b(answer|respond|reply)\b[^.?!\n]{0,30}\b(a single|one|a) (number|integer)\b", re.I),
}
_FILE_NAME = re.compile(r"[\w.\-]+(/[\w.\-]+)*\.[A-Za-z0-9]{2,5}|[\w.\-]+(/[\w.\-]+)+/?")
_TEMPLATE_FIELD = re.compile(r"<<<\w+>>>")
_MEDIA_MODALITIES = frozenset({"image", "video", "audio", "3d"})

#: accepted findings: (registry key or lmms-eval task pattern, finding kind) -> why it is accepted
ACCEPTED: dict[tuple[str, str], str] = {
    ("general_bench_nlp_*summarization*", "long_prompt"):
        "summarization prompts carry the whole source document(s); shortening them would change the task",
}


@dataclass(frozen=True)
class Finding:
    """One kind of problem in one task: ``count`` of its ``samples`` samples, the first at ``sample_id``."""

    task: str
    kind: str
    count: int
    samples: int
    sample_id: str
    detail: str
    accepted: str = ""

    def line(self) -> str:
        """``task: kind: N of M samples (first sample X): detail`` (+ the accepted reason)."""
        note = f" [accepted: {self.accepted}]" if self.accepted else ""
        return (f"{self.task}: {self.kind}: {self.count} of {self.samples} samples (first: sample "
                f"{self.sample_id!r}): {self.detail}{note}")

    def to_json(self) -> dict[str, Any]:
        return {"task": self.task, "kind": self.kind, "count": self.count, "samples": self.samples,
                "sample_id": self.sample_id, "detail": self.detail, "accepted": self.accepted}


@dataclass
class LintReport:
    """Findings of every linted task; ``failed`` when any finding is not an accepted exception."""

    tasks: int = 0
    samples: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def open_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.accepted]

    @property
    def failed(self) -> bool:
        return bool(self.open_findings)


def accepted_reason(task: str, registry_key: str, kind: str) -> str:
    """The reason an (task, kind) finding is accepted, "" when it is not listed in :data:`ACCEPTED`."""
    for (pattern, accepted_kind), reason in ACCEPTED.items():
        if accepted_kind == kind and (fnmatch.fnmatch(task, pattern) or fnmatch.fnmatch(registry_key, pattern)):
            return reason
    return ""


# ------------------------------------------------------------------------------------------------ per sample


def annotation_instructions(doc: Doc) -> list[str]:
    """The dataset's own instruction / question strings of a sample (as annotated, stripped, non-empty)."""
    found: list[str] = []
    for source in (doc.sample.get("input"), doc.sample):
        if isinstance(source, str):
            found.append(source)
        elif isinstance(source, Mapping):
            found.extend(v for k, v in source.items() if k in _INSTRUCTION_FIELDS and isinstance(v, str))
    return list(dict.fromkeys(s.strip() for s in found if s.strip()))


def _is_structure(line: str) -> bool:
    text = line.strip()
    if len(text) < 2 or text[0] + text[-1] not in ("{}", "[]"):
        return False
    try:
        value = json.loads(text)
    except ValueError:
        return bool(re.search(r"['\"]\s*:", text))  # a Python dict repr
    return isinstance(value, (dict, list))


def raw_structure(text: str) -> str:
    """What makes ``text`` a raw-structure prompt ("" when it is not): a JSON / dict whole text or first line, a
    first line that is only a file name or path, or an unfilled ``<<<field>>>`` template slot."""
    stripped = text.strip()
    first = stripped.splitlines()[0].strip() if stripped else ""
    for candidate in (stripped, first):
        if _is_structure(candidate):
            return f"structure {candidate[:80]!r}"
    template = _TEMPLATE_FIELD.search(text)
    if template:
        return f"template field left unfilled {template.group(0)!r}"
    if first and _FILE_NAME.fullmatch(first):
        return f"bare file name {first[:80]!r}"
    return ""


def answer_types(text: str) -> set[str]:
    """The answer types (:data:`ANSWER_TYPES`) a text asks for."""
    return {name for name, pattern in ANSWER_TYPES.items() if pattern.search(text)}


def contradiction(text: str, instructions: Sequence[str]) -> str:
    """"" unless the annotation's instructions ask for one answer type and the rest of the prompt (ours) for
    another only."""
    theirs = set().union(*(answer_types(s) for s in instructions)) if instructions else set()
    ours_text = text
    for s in instructions:
        ours_text = ours_text.replace(s, " ")
    ours = answer_types(ours_text)
    if theirs and ours and not theirs & ours:
        return f"the annotation asks for {'/'.join(sorted(theirs))}, our instruction for {'/'.join(sorted(ours))}"
    return ""


def _is_label_task(doc: Doc) -> bool | None:
    """The prompts' own notion of a label task (``protocol.labels.is_label_task``: the tasks whose label set is
    gathered), None where that module is absent (before the prompts work is merged)."""
    try:
        from lmms_general.protocol.labels import is_label_task  # type: ignore[import-not-found]
    except ImportError:
        return None
    header = {"type": doc.context.get("task_type", ""), "skill": doc.context.get("skill", "")}
    return bool(is_label_task(doc.spec, header))


def classification_like(doc: Doc) -> bool:
    """A label-metric task without options whose answers are labels: macro accuracy and F-score always compare
    classes; accuracy / F1 / micro-F1 when the task is a label task (``protocol.labels.is_label_task`` where present,
    else its name or skill says classification, recognition, ...)."""
    spec = doc.spec
    if spec.metric_id not in LABEL_METRICS or doc.context.get("options") \
            or not answer_format(doc.task_kind).answers_with_labels:
        return False
    if spec.metric_id in _ALWAYS_LABELS:
        return True
    shared = _is_label_task(doc)
    if shared is not None:
        return shared
    return bool(_CLASSIFICATION.search(f"{spec.display_name} {doc.context.get('skill', '')}"))


def reference_labels(reference: Any) -> list[str]:
    """The labels a detection reference holds (``{"label": boxes}`` or a list of such), in order."""
    parts = reference if isinstance(reference, list) else [reference]
    labels = [str(k) for part in parts if isinstance(part, Mapping) for k in part]
    return list(dict.fromkeys(label for label in labels if label.strip()))


def unnamed_labels(doc: Doc, text: str) -> list[str]:
    """Detection: the reference labels the prompt does not name (the model is never told what to output)."""
    if not answer_format(doc.task_kind).labels_in_boxes:
        return []
    folded = text.lower()
    return [label for label in reference_labels(doc.reference)
            if not re.search(rf"(?<!\w){re.escape(label.lower())}(?!\w)", folded)]


def media_problem(doc: Doc) -> str:
    """Why a sample's inputs are missing ("" when they are all there)."""
    if doc.load_error:
        return doc.load_error[:300]
    for ref in doc.inputs:
        if not ref.path:
            return f"input {ref.raw!r} did not resolve"
        if not os.path.exists(ref.path):
            return f"input {ref.path} does not exist"
    spec = doc.spec
    if spec.modality in _MEDIA_MODALITIES and spec.paradigm == "comprehension" and not doc.inputs:
        return f"a {spec.modality} comprehension sample with no input media"
    return ""


def sample_findings(doc: Doc, text: str, max_chars: int = MAX_PROMPT_CHARS) -> dict[str, str]:
    """``kind -> detail`` for one sample whose prompt is ``text``."""
    from lmms_general.protocol.prompts import is_placeholder_prompt

    found: dict[str, str] = {}
    instructions = annotation_instructions(doc)
    if not text.strip():
        found["empty_prompt"] = "the prompt is empty"
    placeholder = [s for s in instructions if is_placeholder_prompt(s) and s in text]
    if placeholder or (text.strip() and is_placeholder_prompt(text)):
        found["placeholder_prompt"] = f"sends {(placeholder or [text])[0][:80]!r}"
    structure = raw_structure(text)
    if structure:
        found["raw_structure_prompt"] = f"the prompt has a {structure}"
    if classification_like(doc) and not doc.context.get("labels"):
        found["label_set_missing"] = f"{doc.spec.metric_id} compares labels but the parser gets no label set"
    unnamed = unnamed_labels(doc, text)
    if unnamed:
        found["label_set_missing"] = f"the detection prompt never names the label(s) to output: {', '.join(unnamed)}"
    clash = contradiction(text, instructions)
    if clash:
        found["contradicting_instruction"] = clash
    problem = media_problem(doc)
    if problem:
        found["missing_media"] = problem
    if len(text) > max_chars:
        found["long_prompt"] = f"{len(text)} characters (> {max_chars})"
    return found


# ------------------------------------------------------------------------------------------------ per task


def lint_task(
    task: str,
    docs: Sequence[Doc],
    text_of: Callable[[Doc], str],
    max_chars: int = MAX_PROMPT_CHARS,
) -> list[Finding]:
    """The findings of one task (one per kind, in :data:`KINDS` order); ``text_of`` gives a sample's prompt."""
    first: dict[str, tuple[str, str]] = {}
    counts: dict[str, int] = {}
    for doc in docs:
        for kind, detail in sample_findings(doc, text_of(doc), max_chars).items():
            counts[kind] = counts.get(kind, 0) + 1
            first.setdefault(kind, (doc.sample_id, detail))
    key = docs[0].registry_key if docs else ""
    return [
        Finding(task, kind, counts[kind], len(docs), first[kind][0], first[kind][1], accepted_reason(task, key, kind))
        for kind in KINDS
        if kind in counts
    ]


def _prompt_of(doc: Doc) -> str:
    return doc.prompt


def lint_tasks(
    tasks: Iterable[tuple[str, Sequence[Doc]]],
    text_of: Callable[[Doc], str] | None = None,
    max_chars: int = MAX_PROMPT_CHARS,
) -> LintReport:
    """Lint several tasks; ``text_of`` defaults to the doc's prompt (``Doc.prompt``: exactly what lmms-eval's
    ``doc_to_text`` hook sends without a model's pre / post prompt)."""
    if text_of is None:
        text_of = _prompt_of
    report = LintReport()
    for task, docs in tasks:
        report.tasks += 1
        report.samples += len(docs)
        report.findings.extend(lint_task(task, docs, text_of, max_chars))  # type: ignore[arg-type]
    return report
