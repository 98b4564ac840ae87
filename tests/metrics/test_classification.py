"""Classification / QA metrics against hand-computed values and scikit-learn."""

from __future__ import annotations

import pytest
from sklearn.metrics import f1_score as sk_f1
from sklearn.preprocessing import MultiLabelBinarizer

from lmms_general.metrics import get_metric
from lmms_general.metrics.classification import token_f1
from tests.metrics._inputs import LABEL_PRED, LABEL_REF

MCQ = {"options": ["cat", "dog", "bird"], "task_type": "MultipleChoiceQA"}


def _score(metric_id: str, raws: list[str | None], refs: list[object], context: dict | None = None) -> float:
    spec = get_metric(metric_id)
    ctx = context or {}
    preds = [None if r is None else spec.parse(r, ctx) for r in raws]
    return spec.score(preds, [spec.prepare_reference(r, ctx) for r in refs])


def test_accuracy_mcq_letters() -> None:
    raws = ["B", "Answer: (A)", "The final answer is $\\boxed{C}$", "dog", "no idea", None]
    refs = ["B", "A", "A", "B", "C", "A"]
    # correct: 1, 2, 4 -> 3 of 6; unparsed and missing stay in the denominator
    assert _score("accuracy", raws, refs, MCQ) == pytest.approx(50.0)
    spec = get_metric("accuracy")
    assert spec.parse("no idea", MCQ) is None


def test_accuracy_vqa_folding_and_lists() -> None:
    raws = ["The Person.", "a man", "Solution B", "Answer: 42", "42.0", "wrong"]
    refs = [["person", "man"], ["person", "man"], "Solution B", "42", "42", "right"]
    assert _score("accuracy", raws, refs) == pytest.approx(100 * 5 / 6)


def test_accuracy_letter_reference_without_options() -> None:
    assert _score("accuracy", ["(C) the tree", "C", "A"], ["C", "C", "C"]) == pytest.approx(200 / 3)


def test_accuracy_edges() -> None:
    assert _score("accuracy", ["a", "b"], ["a", "b"]) == 100.0
    assert _score("accuracy", ["x", "y"], ["a", "b"]) == 0.0
    assert _score("accuracy", [""], ["a"]) == 0.0
    with pytest.raises(ValueError, match="no samples"):
        get_metric("accuracy").score([], [])
    with pytest.raises(ValueError):
        get_metric("accuracy").score(["a"], [])


def test_em_at_1() -> None:
    assert _score("em_at_1", ["Two chairs", "table", None], [["two chairs", "2 chairs"], "desk", "lamp"]) == \
        pytest.approx(100 / 3)


def test_macro_accuracy_differs_from_accuracy() -> None:
    refs = ["before", "before", "before", "after"]
    raws = ["before", "before", "before", "before"]
    assert _score("accuracy", raws, refs) == 75.0
    # per class: before 3/3, after 0/1 -> 50
    assert _score("macro_accuracy", raws, refs) == pytest.approx(50.0)
    # before: 1 of 3 (unparsed and "x" wrong), after: 1 of 1
    assert _score("macro_accuracy", [None, "before", "x", "after"], refs) == pytest.approx(100 * (1 / 3 + 1) / 2)


def test_token_f1_hand() -> None:
    # articles are folded away: pred {cat, sat} vs ref {cat, sat, down} -> P 1, R 2/3, F1 0.8
    assert token_f1("The cat sat", "cat sat down") == pytest.approx(0.8)
    # token bags (SQuAD): one common token, P 1/4, R 1/2 -> F1 1/3 (token sets would give 0.5)
    assert token_f1("x x x y", "y z") == pytest.approx(1 / 3)
    assert token_f1("", "x") == 0.0
    assert _score("f1", ["Paris, France", None, "blue"], [["Paris", "France Paris"], "x", ["red"]]) == \
        pytest.approx(100 * (1.0 + 0 + 0) / 3)


def test_micro_f1_matches_sklearn_and_is_corpus_level() -> None:
    ctx = {"task_type": "ner"}
    spec = get_metric("micro_f1")
    preds = [None if p is None else spec.parse(p, ctx) for p in LABEL_PRED]
    refs = [spec.prepare_reference(r, ctx) for r in LABEL_REF]
    ours = spec.score(preds, refs)
    mlb = MultiLabelBinarizer().fit([*[p or [] for p in preds], *refs])
    expected = 100 * sk_f1(mlb.transform(refs), mlb.transform([p or [] for p in preds]), average="micro")
    assert ours == pytest.approx(expected)
    # TP 4 (person, location, org, person), FP 2 (org, misc), FN 2 (person, misc) -> 8/12
    assert ours == pytest.approx(100 * 8 / 12)
    per_sample = [spec.score([p], [r]) for p, r in zip(preds, refs, strict=True)]
    assert sum(per_sample) / len(per_sample) != pytest.approx(ours)


def test_micro_f1_single_label_equals_accuracy() -> None:
    ctx = {"task_type": "classification"}
    assert _score("micro_f1", ["Neutral", "entailment.", "Answer: contradiction", "x, y"],
                  ["neutral", "entailment", "neutral", "x, y"], ctx) == pytest.approx(75.0)
    assert _score("micro_f1", [None, ""], ["a", "b"], ctx) == 0.0


def test_f_score_weighted() -> None:
    refs = ["sarcastic", "sarcastic", "not sarcastic", "not sarcastic"]
    raws = ["sarcastic", "not sarcastic", "not sarcastic", None]
    expected = 100 * sk_f1(refs, ["sarcastic", "not sarcastic", "not sarcastic", "<unparsed>"], average="weighted",
                           labels=["not sarcastic", "sarcastic"], zero_division=0)
    assert _score("f_score", raws, refs) == pytest.approx(expected)


def _squad_f1(prediction: str, truth: str) -> float:
    """SQuAD v1.1 ``f1_score`` written from its definition: lower-case, drop punctuation and the articles
    a/an/the, split on whitespace, F1 of the token multisets."""
    import collections
    import re
    import string

    def norm(text: str) -> list[str]:
        text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
        return re.sub(r"\b(a|an|the)\b", " ", text).split()

    pred, ref = norm(prediction), norm(truth)
    same = sum((collections.Counter(pred) & collections.Counter(ref)).values())
    if same == 0:
        return 0.0
    p, r = same / len(pred), same / len(ref)
    return 2 * p * r / (p + r)


def test_token_f1_equals_squad_on_repeated_words() -> None:
    cases = [
        ("the the cat cat cat", "the cat sat on the cat mat"),
        ("New York New York", "New York City"),
        ("2 2 2 apples", "2 apples and 2 pears"),
        ("Barack Obama, president", "president Barack Obama"),
    ]
    for pred, ref in cases:
        assert token_f1(pred, ref) == pytest.approx(_squad_f1(pred, ref), abs=1e-12), (pred, ref)
    expected = 100 * sum(max(_squad_f1(p, r) for r in [ref, "zzz"]) for p, ref in cases) / len(cases)
    assert _score("f1", [p for p, _ in cases], [[r, "zzz"] for _, r in cases]) == pytest.approx(expected)
