"""Our answer parsers beside lmms-eval's (MMBench ``can_infer``, MMMU multiple choice) on the same answers
(``benchmarks/parser_agreement.py``): at least as many read right on multiple choice and on label lists, and every
corpus row read as its reader reads it."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "parser_agreement.py"


@pytest.fixture(scope="module")
def agreement_module():
    spec = importlib.util.spec_from_file_location("parser_agreement", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    from loguru import logger

    logger.disable("lmms_eval")
    return module


def test_corpus_agreement_beats_lmms_eval(agreement_module) -> None:
    rows = agreement_module.corpus_rows()
    table = agreement_module.agreement(rows)
    print("\n" + agreement_module.format_table(table))
    for group in ("corpus:options", "corpus:labels", "total"):
        counts = table[group]
        assert counts["ours"] == counts["n"], agreement_module.misses(rows)
        assert counts["ours"] > counts["can_infer"] and counts["ours"] > counts["mmmu"], (group, counts)


def test_jsonl_rows_with_their_own_choices(agreement_module, tmp_path: Path) -> None:
    records = [
        {"task": "t", "sample_id": "1", "answer": "The relation is INCLUDES.", "expected": "INCLUDES",
         "labels": ["INCLUDES", "IS_INCLUDED", "BEFORE", "IBEFORE"]},
        {"task": "t", "sample_id": "2", "answer": "IS_INCLUDED", "expected": "IS_INCLUDED",
         "labels": ["INCLUDES", "IS_INCLUDED", "BEFORE", "IBEFORE"]},
        {"task": "m", "sample_id": "3", "answer": "I think it's (C).", "expected": "C", "options": ["x", "y", "z"]},
        {"task": "m", "sample_id": "4", "answer": "B or C", "expected": None, "options": ["x", "y", "z"]},
        {"task": "m", "sample_id": "5", "answer": "z", "expected": True, "options": ["x", "y", "z"],
         "reference": "C"},
        {"task": "open", "sample_id": "6", "answer": "a dog", "expected": "a dog"},  # no choices: skipped
        {"task": "m", "sample_id": "7", "answer": "It is y.", "score": 0, "options": ["x", "y", "z"],
         "reference": "z"},  # a 0/1 score: the answer is wrong, and we read it as wrong
        {"task": "m", "sample_id": "8", "answer": "(C)", "score": 1, "options": ["x", "y", "z"]},  # no reference
    ]
    path = tmp_path / "answers.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    rows, skipped = agreement_module.jsonl_rows(path, None)
    assert len(rows) == 6 and sum(skipped.values()) == 2
    table = agreement_module.agreement(rows)
    assert table["total"]["ours"] == 6


def test_jsonl_rows_read_their_context_from_the_data_root(agreement_module, tmp_path: Path) -> None:
    from tests.conftest import SAMPLE_ROOT

    records = [
        {"task": "general_bench_nlp_causal_reasoning", "sample_id": sid, "answer": answer, "expected": expected}
        for sid, answer, expected in _causal_rows()
    ]
    path = tmp_path / "answers.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    rows, skipped = agreement_module.jsonl_rows(path, SAMPLE_ROOT)
    assert len(rows) == len(records) and not skipped
    assert all(row.kind == "options" and len(row.choices) >= 2 for row in rows)
    assert agreement_module.agreement(rows)["total"]["ours"] == len(records)


def _causal_rows() -> list[tuple[str, str, object]]:
    from lmms_general import dataset
    from tests.conftest import SAMPLE_ROOT

    data = dataset.load_task(SAMPLE_ROOT, "nlp_causal_reasoning")
    ids = [str(s.id) for s in data.samples]
    return [(ids[0], "The answer is (A).", "A"), (ids[1], "B", "B"), (ids[-1], "A or B", None)]
