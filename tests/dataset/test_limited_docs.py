"""``--limit N`` builds only the first N docs (issue 20 item 6): each equal to the same doc of a full build (label
sets and the missing-reference check still read every sample), and the window only applies to integer limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from lmms_general import doc_window
from lmms_general.dataset import index_root, load_task
from lmms_general.hooks.docs import load_docs, make_process_docs
from tests.fixtures.isolation import isolate_general_bench

REPO = Path(__file__).resolve().parents[2]
OPENSET = REPO / "lmms_general" / "sample_data" / "General-Bench-Openset"
CLOSESET = REPO / "lmms_general" / "sample_data" / "General-Bench-Closeset"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from isolate_general_bench(tmp_path, monkeypatch)


@pytest.mark.parametrize("root", [OPENSET, CLOSESET], ids=["openset", "closeset"])
def test_first_docs_equal_a_full_builds_first_docs(root: Path) -> None:
    keys = sorted(t.registry_key for t in index_root(root).tasks if t.registry_key and t.samples)
    assert len(keys) >= 10
    for key in keys:
        full, full_errors = load_docs(key, root)
        for limit in (1, 2):
            head, errors = load_docs(key, root, limit=limit)
            assert head == full[:limit], key
            assert set(errors) <= set(full_errors), key


def _write(root: Path, records: list[dict]) -> None:
    path = root / "nlp" / "Causal-Reasoning" / "annotation.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"task": "Causal Reasoning", "type": "MultipleChoiceQA", "data": records}))


def test_task_wide_facts_come_from_every_sample(tmp_path: Path) -> None:
    """A missing reference is flagged in the head because a later sample has one; a duplicate id in the head is
    named; every sample still counts."""
    records = [{"id": "a", "input": {"question": "q?", "options": ["x", "y"]}, "output": {}},
               {"id": "a", "input": {"question": "q?", "options": ["x", "y"]}, "output": {}}]
    records += [{"id": f"s{i}", "input": {"question": "q?", "options": ["x", "y"]}, "output": {"answer": "A"}}
                for i in range(50)]
    _write(tmp_path, records)
    full = load_task(tmp_path, "nlp_causal_reasoning")
    head = load_task(tmp_path, "nlp_causal_reasoning", limit=2)
    assert head.samples == full.samples[:2]
    assert any("no reference answer" in e for e in head.samples[0].errors)
    assert any("duplicate id" in e for e in head.samples[1].errors)
    assert len(head.every_sample) == 52 and [s.id for s in head.every_sample] == [s.id for s in full.samples]


def test_a_malformed_file_fails_a_limited_load_as_a_full_one(tmp_path: Path) -> None:
    path = tmp_path / "nlp" / "Causal-Reasoning" / "annotation.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"task": "Causal Reasoning", "data": [{"id": "a"}, {"id": "b"} {"id": "c"}]}')
    full = load_task(tmp_path, "nlp_causal_reasoning")
    head = load_task(tmp_path, "nlp_causal_reasoning", limit=1)
    assert head.samples == full.samples == [] and head.errors == full.errors
    assert "malformed JSON" in head.errors[-1]


@pytest.mark.parametrize(("limit", "offset", "fewshot", "cache", "needed"), [
    (10, 0, None, False, 10), (10.0, 5, 0, False, 15), (None, 0, None, False, None), (-1, 0, None, False, None),
    (0, 0, None, False, None), (0.5, 0, None, False, None), (2.5, 0, None, False, None), (10, 0, 3, False, None),
    (10, 0, None, True, None), (True, 0, None, False, None), ("x", 0, None, False, None),
])
def test_window_only_for_a_whole_limit(limit: object, offset: int, fewshot: object, cache: bool,
                                       needed: int | None) -> None:
    assert doc_window.needed_for(limit, offset, fewshot, cache) == needed


def test_simple_evaluate_wrapper_sets_the_window_and_restores_counts(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """process_docs inside a wrapped ``simple_evaluate(limit=1)`` builds one doc; the results get the task's full
    count back in ``n-samples.original``; outside the call every doc is built."""
    monkeypatch.setenv("GENERAL_BENCH_ROOT", str(OPENSET))
    key = "nlp_causal_reasoning"
    task = "general_bench_" + key
    total = len(load_docs(key, OPENSET)[0])
    assert total > 1
    built: list[int] = []

    def simple_evaluate(model: str, limit: object = None, offset: int = 0, num_fewshot: object = None,
                        cache_requests: bool = False) -> dict:
        built.append(len(make_process_docs(key)(None)))
        return {"n-samples": {task: {"original": built[-1], "effective": 1}}}

    evaluator = SimpleNamespace(simple_evaluate=simple_evaluate)
    assert doc_window.install(evaluator) and not doc_window.install(evaluator)
    results = evaluator.simple_evaluate("m", limit=1)
    assert built == [1] and results["n-samples"][task] == {"original": total, "effective": 1}
    evaluator.simple_evaluate(model="m")
    assert built == [1, total] and doc_window.docs_needed() is None
