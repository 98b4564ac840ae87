"""Classification / QA metrics: parsing, edge cases and hand-computed values (the comparisons with scikit-learn
and SQuAD are in the shared contract, tests/metrics/metric_cases.py)."""

from __future__ import annotations

import pytest

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


def test_macro_accuracy_differs_from_accuracy() -> None:
    refs = ["before", "before", "before", "after"]
    raws = ["before", "before", "before", "before"]
    assert _score("accuracy", raws, refs) == 75.0
    # per class: before 3/3, after 0/1 -> 50 (sklearn balanced accuracy: tests/metrics/metric_cases.py)
    assert _score("macro_accuracy", raws, refs) == pytest.approx(50.0)


def test_token_f1_hand() -> None:
    # articles are folded away: pred {cat, sat} vs ref {cat, sat, down} -> P 1, R 2/3, F1 0.8
    assert token_f1("The cat sat", "cat sat down") == pytest.approx(0.8)
    # token bags (SQuAD): one common token, P 1/4, R 1/2 -> F1 1/3 (token sets would give 0.5)
    assert token_f1("x x x y", "y z") == pytest.approx(1 / 3)
    assert token_f1("", "x") == 0.0
    assert _score("f1", ["Paris, France", None, "blue"], [["Paris", "France Paris"], "x", ["red"]]) == \
        pytest.approx(100 * (1.0 + 0 + 0) / 3)


def test_micro_f1_is_corpus_level() -> None:
    """The sklearn comparison is in tests/metrics/metric_cases.py; here: counts pooled over the corpus."""
    ctx = {"task_type": "ner"}
    spec = get_metric("micro_f1")
    preds = [None if p is None else spec.parse(p, ctx) for p in LABEL_PRED]
    refs = [spec.prepare_reference(r, ctx) for r in LABEL_REF]
    ours = spec.score(preds, refs)
    # TP 4 (person, location, org, person), FP 2 (org, misc), FN 2 (person, misc) -> 8/12
    assert ours == pytest.approx(100 * 8 / 12)
    per_sample = [spec.score([p], [r]) for p, r in zip(preds, refs, strict=True)]
    assert sum(per_sample) / len(per_sample) != pytest.approx(ours)


def test_micro_f1_single_label_equals_accuracy() -> None:
    ctx = {"task_type": "classification"}
    assert _score("micro_f1", ["Neutral", "entailment.", "Answer: contradiction", "x, y"],
                  ["neutral", "entailment", "neutral", "x, y"], ctx) == pytest.approx(75.0)
    assert _score("micro_f1", [None, ""], ["a", "b"], ctx) == 0.0




class _ReadKeys(dict):
    """A context that records which keys a function reads (and whether it walks all of them)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.read: set[str] = set()

    def get(self, key: str, default: object = None) -> object:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> object:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)

    def __iter__(self):  # noqa: ANN204 - dict's iterator
        self.read.add("<every key>")
        return super().__iter__()

    def keys(self):  # noqa: ANN201 - dict's view
        self.read.add("<every key>")
        return super().keys()

    def items(self):  # noqa: ANN201 - dict's view
        self.read.add("<every key>")
        return super().items()


def test_label_functions_read_only_the_declared_context_keys() -> None:
    """The scoring path remembers the label metrics' outcome per (answer, reference, the context values of
    ``LABEL_CONTEXT_KEYS``): parse and reference preparation must read no other key, on every route through them."""
    from lmms_general.metrics.classification import LABEL_CONTEXT_KEYS, READS_CONTEXT

    base = {"registry_key": "k", "task_name": "T", "task_type": "classification", "skill": "s", "sample_id": "s1",
            "task_dir": "/d", "output_modality": "text", "index": 0, "modality_in": ["image"]}
    contexts = [
        {},
        {"options": ["cat", "dog"], "question": "Which?"},
        {"labels": ["GMC", "Audi", "BMW"]},
        {"labels": ["yes", "no"], "yes_no_codes": {"yes": "1", "no": "0"}},
        {"label_codes": {"0": "negative", "1": "positive"}},
        {"labels": ["a", "b", "c"], "multi_label": True},
        {"question": "The candidate choices are ['Solution B', 'Solution A']", "prompt": "1 = Yes, 0 = No"},
        {"choices": ["left", "right"]},
        {"task_type": "ner", "labels": ["PER", "LOC"]},
    ]
    answers = ["GMC", "The answer is **Audi**.", "I think it's (B) BMW", "yes", "1", "a, b", "Solution A", "", "none",
               "PER<p>LOC", "positive"]
    for extra in contexts:
        for fn in READS_CONTEXT:
            for answer in answers:
                context = _ReadKeys({**base, **extra})
                try:
                    fn(answer, context)
                except ValueError:
                    pass  # an empty reference: raised after reading the context
                assert context.read <= set(LABEL_CONTEXT_KEYS), (fn.__name__, extra, answer, context.read)
