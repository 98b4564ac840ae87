"""Classification / QA metrics: accuracy, macro accuracy, EM@1, token F1, micro-F1, F-score.

Unparsed predictions (``None``) stay in every denominator: wrong for accuracy-like metrics, an empty
token / label set for F1-like metrics (all reference labels become false negatives).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from lmms_general.metrics._common import UNPARSED, answer_list, context_options, percent, require_samples
from lmms_general.metrics.label_reading import choice_aliases, fold, label_reader, offered_choices
from lmms_general.metrics.parsing import (
    clean_response,
    is_yes_no,
    label_matches,
    label_words,
    normalize_answer,
    parse_label,
    parse_labels,
    parse_number,
    parse_option_letter,
    parse_yes_no,
    reference_letter,
    split_label_set,
    strip_answer_lead,
)
from lmms_general.metrics.registry import AS_IS, MetricSpec, register
from lmms_general.metrics.resampling import Replicator, SumReplicator, safe_ratio
from lmms_general.metrics.synthetic import (
    N_LABEL_SAMPLES,
    gen_binary_label,
    gen_choice,
    gen_label_set,
    gen_short_answer,
)
from lmms_general.text_memo import remembered_for_short_texts

#: NLP annotation ``type`` values whose label strings hold several labels separated by ", "
MULTI_LABEL_TYPES = frozenset(
    {"multi label classification", "ner", "extraction", "relation extraction", "event detection", "parsing"}
)


# --------------------------------------------------------------------------- accuracy / EM


#: key of a prepared multi-label reference: ``{"label_set": [labels]}`` is scored as one set, never as alternatives
LABEL_SET = "label_set"


def context_labels(context: Mapping[str, Any] | None) -> list[str] | None:
    """The task's label set (``labels`` in the context: a list of class names), or None."""
    labels = context.get("labels") if context else None
    return [str(label) for label in labels] if isinstance(labels, (list, tuple)) and labels else None


def _context_mapping(context: Mapping[str, Any] | None, key: str) -> dict[str, str] | None:
    value = context.get(key) if context else None
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) and value else None


def context_codes(context: Mapping[str, Any] | None) -> dict[str, str] | None:
    """The header code table (``label_codes``: code -> meaning), or None."""
    return _context_mapping(context, "label_codes")


#: "1 = Yes", "0: No", "Y means yes", "yes -> 1": a colon after a number only, or a one-character code after the word
#: ("A: yes" is a speaker saying yes, "Answer: yes" an instruction, not codes)
_YES_NO_CODE = re.compile(r"(?i)(?<![\w])(?:(\d{1,2})\s*(?:=|:|means|for)|([\w-]{1,3})\s*(?:=|means|for))"
                          r"\s*[\"']?(yes|no)\b|\b(yes|no)\s*(?:=|->|:)\s*[\"']?(\d{1,2}|[A-Za-z])(?![\w-])")


def yes_no_codes_in(text: str) -> dict[str, str] | None:
    """The codes a prompt text defines for yes and no (``{"yes": "1", "no": "0"}``), None unless it defines two
    different ones. The one reader of such codes: the prompts' label gathering uses it too."""
    found: dict[str, str] = {}
    for number, code, word, word_first, code_after in _YES_NO_CODE.findall(text or ""):
        found.setdefault((word or word_first).lower(), number or code or code_after)
    if {"yes", "no"} <= set(found) and found["yes"] != found["no"] \
            and not {found["yes"].lower(), found["no"].lower()} & {"yes", "no"}:
        return {"yes": found["yes"], "no": found["no"]}
    return None


def context_yes_no_codes(context: Mapping[str, Any] | None) -> dict[str, str] | None:
    """The codes the prompt defines for yes / no: ``yes_no_codes`` (e.g. ``{"yes": "1", "no": "0"}``), else codes
    the question text itself defines ("1 = Yes, 0 = No"); None when neither has both."""
    codes = _context_mapping(context, "yes_no_codes")
    if codes or not context:
        return codes
    return yes_no_codes_in(" ".join(str(context.get(key) or "") for key in ("question", "prompt")))


def context_choices(context: Mapping[str, Any] | None) -> list[str] | None:
    """The candidate answers a sample offers in its own question text (``choices`` in the context, else read from
    ``question`` / ``prompt``: "The candidate choices are ['Solution B', 'Solution A', ...]"), or None."""
    if not context:
        return None
    choices = context.get("choices")
    if isinstance(choices, (list, tuple)) and len(choices) >= 2:
        return [str(c) for c in choices]
    for key in ("question", "prompt"):
        found = offered_choices(str(context.get(key) or ""))
        if found:
            return list(found)
    return None


def parse_choice(raw: Any, choices: Sequence[str]) -> str | None:
    """The offered choice an answer commits to, read like a label: the whole choice, a part of a choice written in
    parts, or the letter that tells choices apart when only one choice has it; negated choices ignored, two choices
    -> None."""
    if raw is None:
        return None
    reader = label_reader(choices, aliases=choice_aliases(choices))
    picked = reader.read(raw)
    if picked is None:  # "Option B", "The answer is B.": the answer part alone may be a whole choice or its letter
        picked = reader.read_exact(strip_answer_lead(str(raw)))
    return picked


def is_multi_label(context: Mapping[str, Any] | None) -> bool:
    """Whether a reference may hold several labels: ``multi_label`` in the context, or an NLP multi-label type."""
    if not context:
        return False
    return context.get("multi_label") is True or str(context.get("task_type", "")).strip().lower() in MULTI_LABEL_TYPES


def _label_space(context: Mapping[str, Any]) -> list[str] | None:
    """The labels an answer is read against: the label set, else the code table's codes, else the yes/no codes."""
    labels = context_labels(context)
    if labels:
        return labels
    codes = context_codes(context) or context_yes_no_codes(context)
    return list(dict.fromkeys(codes.keys() if context_codes(context) else codes.values())) if codes else None


def parse_answer(raw: str, context: Mapping[str, Any]) -> str | list[str] | None:
    """Multiple choice (``options`` given): the chosen letter; with a label set (``labels``, ``label_codes``,
    ``yes_no_codes``) or candidates the question offers in its text (:func:`context_choices`): the label / choice
    the answer commits to (:func:`~lmms_general.metrics.parsing.parse_label`), or for
    a multi-label task (``multi_label``) every label it names (a list); otherwise the response without reasoning
    blocks and markdown. None when nothing usable is left."""
    options = context_options(context)
    if options:
        return parse_option_letter(raw, options)
    choices = None if context_labels(context) else context_choices(context)
    if choices:
        return parse_choice(raw, choices)
    labels = _label_space(context)
    if labels:
        codes = context_codes(context)
        if context.get("multi_label") is True:
            return parse_labels(raw, labels, codes=codes)
        return parse_label(raw, labels, codes=codes, yes_no_codes=context_yes_no_codes(context))
    text = clean_response(raw or "")
    return text or None


def _split_labels(value: Any) -> list[str]:
    """The labels of one reference value: a list, or a string with ``<p>`` / ``", "`` / ``";"`` between labels."""
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    parts = re.split(r"<p>|,\s|;|\n", str(value))
    return [p.strip() for p in parts if p.strip()]


def answers_reference(raw: Any, context: Mapping[str, Any]) -> list[str] | dict[str, list[str]]:
    """Acceptable answers as a list of strings (a letter, one string, or several); empty strings dropped. For a
    multi-label task (``multi_label``) the reference is one label set, ``{"label_set": [labels]}``.

    Raises ValueError when no non-empty answer is left: an empty reference makes the sample an error
    instead of a sample every answer (or none) matches."""
    if context and context.get("multi_label") is True and not context_options(context):
        labels = sorted(set(_split_labels(raw)))
        if not labels:
            raise ValueError(f"empty reference: {raw!r}")
        return {LABEL_SET: labels}
    answers = [a for a in answer_list(raw) if a.strip()]
    if not answers:
        raise ValueError(f"empty reference: {raw!r}")
    return answers


def _label_set_of(value: Any) -> frozenset[str]:
    """A prediction or a ``{"label_set": ...}`` reference as a set of folded labels."""
    if isinstance(value, Mapping):
        value = value.get(LABEL_SET) or []
    if value is None:
        return frozenset()
    items = value if isinstance(value, (list, tuple, set, frozenset)) else _split_labels(value)
    return frozenset(n for n in (normalize_answer(fold(str(v))) for v in items) if n)


def _is_label_set(reference: Any) -> bool:
    return isinstance(reference, Mapping) and LABEL_SET in reference


def _set_f1(prediction: Any, reference: Any) -> float:
    pred, ref = _label_set_of(prediction), _label_set_of(reference)
    common = len(pred & ref)
    return 0.0 if common == 0 else 2 * common / (len(pred) + len(ref))


def sample_correct(prediction: Any, reference: Any) -> bool:
    """One sample right: a label-set reference needs exactly its labels; otherwise :func:`answer_correct`."""
    if _is_label_set(reference):
        return prediction is not None and _label_set_of(prediction) == _label_set_of(reference)
    return answer_correct(prediction, answer_list(reference))


_THOUSANDS_OR_PLAIN = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _as_number(text: str) -> float | None:
    """A reference that is a number ("42", "4,200", "-0.5"); "4,2" and other text is None."""
    text = text.strip().rstrip(".")
    if not text or not _THOUSANDS_OR_PLAIN.fullmatch(text) or not any(c.isdigit() for c in text):
        return None
    value = float(text.replace(",", ""))
    return value if math.isfinite(value) else None


def answer_correct(prediction: Any, references: Sequence[Any], labels: Sequence[str] | None = None) -> bool:
    """Whether a prediction matches any acceptable answer.

    A reference that is a single option letter is compared with the letter the prediction chooses (two
    letters named -> no match); a number with the number the prediction gives ("42 apples" -> 42); yes/no
    with the decision it states ("Yes, it is."); any other reference after SQuAD folding (case,
    punctuation, articles, whitespace) on the whole response or its answer part, else as a free-text
    label the answer names (:func:`~lmms_general.metrics.parsing.label_matches`, over ``labels`` when the
    task has a label set). An empty reference matches nothing. The verdict is a pure function of the answer's text,
    the references and the labels: for a short answer with text references and labels it is remembered (a label
    task's answers repeat).
    """
    if prediction is None:
        return False
    text, refs = str(prediction), tuple(references)
    if all(type(r) is str for r in refs) and (labels is None or all(type(label) is str for label in labels)):
        return _remembered_verdict(text, refs, None if labels is None else tuple(labels))
    return _verdict(text, refs, labels)


def _verdict(text: str, references: Sequence[Any], labels: Sequence[str] | None) -> bool:
    """:func:`answer_correct` of an answer's text."""
    answer_part = strip_answer_lead(text)
    candidates = {normalize_answer(text), normalize_answer(answer_part)}
    for reference in references:
        if reference is None or not str(reference).strip():
            continue
        letter = reference_letter(reference)
        if letter is not None:
            if parse_option_letter(text) == letter:
                return True
            continue
        ref_number = _as_number(str(reference))
        if ref_number is not None:  # numbers compare as numbers only ("4,2" is not 42)
            if parse_number(text) == ref_number:
                return True
            continue
        norm = normalize_answer(reference)
        if norm and norm in candidates and label_words(reference) in {label_words(text), label_words(answer_part)}:
            return True  # SQuAD folding, but a last "A" names something ("Solution A" is not "Solution")
        decision = is_yes_no(reference)
        if decision is not None:
            if parse_yes_no(text) == decision:
                return True
            continue
        if label_matches(text, reference, labels):
            return True
    return False


#: :func:`_verdict` remembered for answers of up to 200 characters (hashable references and labels only)
_remembered_verdict = remembered_for_short_texts(maxsize=65536, max_chars=200)(_verdict)


def accuracy(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Percentage of samples whose prediction matches an acceptable answer (0-100)."""
    require_samples("accuracy", predictions)
    return percent(sample_correct(p, r) for p, r in zip(predictions, references, strict=True))


def exact_match_at_1(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """EM@1 (3D situated QA): the top-1 answer equals an acceptable answer after folding (0-100)."""
    require_samples("em_at_1", predictions)
    return percent(sample_correct(p, r) for p, r in zip(predictions, references, strict=True))


def _class_of(value: Any) -> str:
    if value is None:
        return UNPARSED
    if isinstance(value, (list, tuple, Mapping)):
        return " | ".join(sorted(_label_set_of(value))) or UNPARSED
    letter = reference_letter(value)
    if letter is not None:
        return letter
    return normalize_answer(strip_answer_lead(str(value)))


def _classes(predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], list[str]]:
    """Reference and predicted classes; a prediction is mapped onto the task's reference classes when it
    names exactly one of them ("It is sarcastic." -> "sarcastic", "Yes, it is." -> "yes")."""
    y_true = [_class_of(r) if _is_label_set(r) else _class_of(answer_list(r)[0] if answer_list(r) else None)
              for r in references]
    classes = sorted({c for c in y_true if c and c != UNPARSED})
    y_pred = []
    for prediction in predictions:
        cls = _class_of(prediction)
        if prediction is not None and cls not in classes:
            named = parse_label(prediction, classes)
            cls = named if named is not None else cls
        y_pred.append(cls)
    return y_true, y_pred


def macro_accuracy(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Mean over reference classes of per-class accuracy (sklearn ``balanced_accuracy_score``), 0-100."""
    import warnings

    from sklearn.metrics import balanced_accuracy_score

    require_samples("macro_accuracy", predictions)
    y_true, y_pred = _classes(predictions, references)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # predicted classes absent from y_true are expected
        return 100.0 * float(balanced_accuracy_score(y_true, y_pred))


# --------------------------------------------------------------------------- token F1


def _bag_f1(pred: list[str], ref: list[str]) -> float:
    """SQuAD ``f1_score``: overlap of the token multisets (``Counter &``), not of the token sets."""
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: Any, reference: Any) -> float:
    """Token F1 of one prediction against one reference over token bags (SQuAD v1.1 ``f1_score``)."""
    return _bag_f1(normalize_answer(prediction).split(), normalize_answer(reference).split())


def f1(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Mean over samples of the best bag-of-tokens F1 against any acceptable answer (SQuAD), 0-100."""
    require_samples("f1", predictions)
    total = 0.0
    for prediction, reference in zip(predictions, references, strict=True):
        if _is_label_set(reference):
            total += _set_f1(prediction, reference) if prediction is not None else 0.0
            continue
        refs = answer_list(reference)
        if prediction is None or not refs:
            continue  # scores 0, still counted in the denominator below
        total += max(token_f1(prediction, ref) for ref in refs)
    return 100.0 * total / len(predictions)


# --------------------------------------------------------------------------- micro-F1 over label sets


def _multi(context: Mapping[str, Any]) -> bool:
    return is_multi_label(context)


def parse_label_set(raw: str, context: Mapping[str, Any]) -> list[str] | None:
    """The predicted label set (sorted list, lower-cased as the official scorer does). With the task's label set
    (``labels`` / ``label_codes``): the label the answer commits to, or every label it names for a multi-label task
    (:func:`~lmms_general.metrics.parsing.parse_labels`). Without one, the official reading: the answer split on
    ``<p>``, plus ``", "`` for multi-label types."""
    labels = _label_space(context)
    if labels:
        codes = context_codes(context)
        named: list[str] = []
        for part in str(raw or "").split("<p>"):  # the official separator of several labels
            if _multi(context):
                named += parse_labels(part, labels, codes=codes) or []
            else:
                one = parse_label(part, labels, codes=codes, yes_no_codes=context_yes_no_codes(context))
                named += [] if one is None else [one]
        return sorted({label for name in named for label in split_label_set(name, multi=_multi(context))}) or None
    text = strip_answer_lead(raw or "")
    found = split_label_set(text, multi=_multi(context))
    return sorted(found) if found else None


def label_set_reference(raw: Any, context: Mapping[str, Any]) -> list[str]:
    """The reference label set as the official scorer builds it (lower-cased, ``<p>`` / ``", "`` split)."""
    values = raw if isinstance(raw, list) else [raw]
    labels: set[str] = set()
    for value in values:
        if value is not None:
            labels |= split_label_set(value, multi=_multi(context))
    return sorted(labels)


def micro_f1(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Micro-F1 over label sets: TP/FP/FN summed over the corpus, then F1 (0-100)."""
    require_samples("micro_f1", predictions)
    tp = fp = fn = 0
    for prediction, reference in zip(predictions, references, strict=True):
        pred = set(prediction or ())
        ref = set(reference or ())
        tp += len(pred & ref)
        fp += len(pred - ref)
        fn += len(ref - pred)
    if tp == 0:
        return 0.0
    return 100.0 * 2 * tp / (2 * tp + fp + fn)


# --------------------------------------------------------------------------- weighted F-score


def f_score(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Support-weighted F1 over classes (sklearn ``f1_score(average="weighted")``), 0-100.

    Used by Multimodal Sarcasm Detection, whose benchmark (MUStARD) reports weighted F-score.
    """
    from sklearn.metrics import f1_score

    require_samples("f_score", predictions)
    y_true, y_pred = _classes(predictions, references)
    return 100.0 * float(f1_score(y_true, y_pred, average="weighted", labels=sorted(set(y_true)), zero_division=0))


# ------------------------------------------------------------------ per-sample statistics (the bootstrap)


def micro_f1_statistics(predictions: list[Any], references: list[Any], **options: Any) -> Replicator:
    """Per sample: true positives, false positives, false negatives of its label set; micro-F1 of the sums."""
    stats = np.zeros((len(predictions), 3))
    for i, (p, r) in enumerate(zip(predictions, references, strict=True)):
        pred, ref = set(p or ()), set(r or ())
        stats[i] = (len(pred & ref), len(pred - ref), len(ref - pred))

    def finish(s: np.ndarray) -> np.ndarray:
        tp, fp, fn = s[:, 0], s[:, 1], s[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(tp > 0, 100.0 * 2 * tp / (2 * tp + fp + fn), 0.0)

    return SumReplicator(stats, finish)


def _class_pairs(predictions: list[Any], references: list[Any]) -> tuple[np.ndarray, np.ndarray, int]:
    """Reference and predicted class indices as the sklearn-based metrics see them; index k = a
    predicted class that is never a reference class."""
    y_true, y_pred = _classes(predictions, references)  # exactly the classes the metric itself scores
    labels = sorted(set(y_true))
    where = {c: i for i, c in enumerate(labels)}
    k = len(labels)
    return (np.array([where[c] for c in y_true]), np.array([where.get(c, k) for c in y_pred]), k)


def macro_accuracy_statistics(predictions: list[Any], references: list[Any], **options: Any) -> Replicator:
    """Per sample: a one-hot support and correct count of its reference class; balanced accuracy of the sums."""
    t, p, k = _class_pairs(predictions, references)
    stats = np.zeros((len(t), 2 * k))
    stats[np.arange(len(t)), t] = 1.0
    stats[np.arange(len(t)), k + t] = (t == p).astype(float)

    def finish(s: np.ndarray) -> np.ndarray:
        support, correct = s[:, :k], s[:, k:]
        present = support > 0
        recall = safe_ratio(correct, support, present)
        return 100.0 * recall.sum(axis=1) / present.sum(axis=1)

    return SumReplicator(stats, finish)


def f_score_statistics(predictions: list[Any], references: list[Any], **options: Any) -> Replicator:
    """Per sample: support, predicted and true-positive one-hots per class; weighted F1 of the sums."""
    t, p, k = _class_pairs(predictions, references)
    rows = np.arange(len(t))
    stats = np.zeros((len(t), 3 * k))
    stats[rows, t] = 1.0
    hit = p < k
    stats[rows[hit], k + p[hit]] = 1.0
    stats[rows, 2 * k + t] = (t == p).astype(float)

    def finish(s: np.ndarray) -> np.ndarray:
        support, predicted, tp = s[:, :k], s[:, k : 2 * k], s[:, 2 * k :]
        f1 = safe_ratio(2 * tp, support + predicted, support > 0)
        return 100.0 * (f1 * support).sum(axis=1) / support.sum(axis=1)

    return SumReplicator(stats, finish)



#: the context keys the label metrics' ``parse`` and ``prepare_reference`` read (all with ``get``, none of them
#: ``task_dir``, ``output_modality``, ``index`` or ``sample_id``): their result is a pure function of the text and these
#: values, so the scoring path remembers it per (text, values) (``tests/metrics/test_classification.py`` checks)
LABEL_CONTEXT_KEYS: tuple[str, ...] = ("options", "labels", "choices", "question", "prompt", "label_codes",
                                       "yes_no_codes", "multi_label", "task_type")
#: function -> the context keys it reads (:data:`LABEL_CONTEXT_KEYS`), for the scoring path's memos
READS_CONTEXT: dict[Any, tuple[str, ...]] = {
    fn: LABEL_CONTEXT_KEYS for fn in (parse_answer, parse_label_set, answers_reference, label_set_reference)}

#: what the label metrics share: a 0-1 value on the 0-100 scale, mapped as is by General-Level, and enough synthetic
#: samples that a random guess scores near its chance level
_LABEL: dict = {"native_range": (0.0, 1.0), "scale": "x100", "level_map": AS_IS, "synthetic_samples": N_LABEL_SAMPLES}
#: ... and what the metrics of answered questions (letters, labels, short answers) share besides
_QA: dict = {**_LABEL, "parse": parse_answer, "prepare_reference": answers_reference, "task_kind": "qa"}

register(
    MetricSpec(
        id="accuracy",
        compute=accuracy,
        kind="sample",
        implementation="lmms_general (option-letter parser + SQuAD-folded string match)",
        description="share of samples whose answer matches the reference letter or an acceptable answer",
        aliases=("Acc", "ACC"),
        synthetic=gen_choice,
        **_QA,
    )
)
register(
    MetricSpec(
        id="em_at_1",
        compute=exact_match_at_1,
        kind="sample",
        implementation="lmms_general (SQuAD-folded exact match of the top-1 answer)",
        description="exact match of the top-1 answer with any acceptable answer",
        aliases=("EM@1",),
        synthetic=gen_short_answer,
        **_QA,
    )
)
register(
    MetricSpec(
        id="macro_accuracy",
        compute=macro_accuracy,
        kind="corpus",
        implementation="scikit-learn balanced_accuracy_score",
        description="mean per-class accuracy (recall) over the reference classes",
        aliases=("Macro-Acc",),
        synthetic=gen_choice,
        statistics=macro_accuracy_statistics,
        **_QA,
    )
)
register(
    MetricSpec(
        id="f1",
        compute=f1,
        kind="sample",
        implementation="lmms_general token-set F1 (official OpenQA scorer, SQuAD folding)",
        description="token-set F1 against the best acceptable answer, averaged over samples",
        aliases=("F1", "F1 Score"),
        synthetic=gen_short_answer,
        **_QA,
    )
)
register(
    MetricSpec(
        id="micro_f1",
        compute=micro_f1,
        kind="corpus",
        implementation="lmms_general micro-F1 over <p>-separated label sets (official NLP scorer)",
        parse=parse_label_set,
        prepare_reference=label_set_reference,
        description="micro-averaged F1 over predicted vs reference label sets, counts pooled over the corpus",
        aliases=("Micro-F1",),
        task_kind="label_set",
        synthetic=gen_label_set,
        statistics=micro_f1_statistics,
        **_LABEL,
    )
)
register(
    MetricSpec(
        id="f_score",
        compute=f_score,
        kind="corpus",
        implementation="scikit-learn f1_score(average='weighted')",
        description="support-weighted F1 over the reference classes",
        aliases=("F-score",),
        synthetic=gen_binary_label,
        statistics=f_score_statistics,
        **_QA,
    )
)

__all__ = [
    "accuracy",
    "answer_correct",
    "context_codes",
    "context_labels",
    "context_yes_no_codes",
    "yes_no_codes_in",
    "exact_match_at_1",
    "f1",
    "f_score",
    "is_multi_label",
    "macro_accuracy",
    "micro_f1",
    "sample_correct",
    "token_f1",
]
