"""How many answers each parser reads right: ours, lmms-eval's MMBench matcher (``can_infer``) and lmms-eval's MMMU
multiple-choice parser, on the same answers, side by side.

A row is ``(raw answer, options or labels, expected parse)``: ``kind`` ``options`` (multiple choice; the expected
parse is a letter) or ``labels`` (a label list; the expected parse is a label), ``expected`` None where a careful
reader finds no answer (a refusal, two options named): then only a parser that gives no answer is right.

* ours: :func:`lmms_general.metrics.classification.parse_answer` with the row's context (options, or the label set
  with its code table / yes-no codes);
* ``can_infer``: ``MMBench_Evaluator.can_infer`` (rule-based, before its GPT fallback). Its text matcher asserts
  letters A-D, so for more than four choices the same substring rule runs over all of them (a copy of its six
  lines). On label lists only the text matcher runs: the prompt letters no labels, so there are no letters to read;
* MMMU: ``parse_mmmu_multi_choice_response``; its random pick when it finds nothing counts as no answer.

Sources: ``--corpus`` (default) the multiple-choice and single-label rows of ``tests/answers/corpus.py``;
``--jsonl FILE`` rows ``{"task", "sample_id", "answer", "expected"}`` (the model-side corpus), with ``options`` /
``labels`` / ``context`` per row or, given ``--root DIR``, the context of the task's sample read from the data root
the way the lmms-eval hooks build it (rows of tasks that are neither multiple choice nor single-label lists are
skipped and counted). ``expected`` is the expected parse (a letter / label / null), or ``true`` / ``false`` (or a
``score`` of 1 / 0 instead of ``expected``): whether the answer is right, checked against the sample's reference
(the row's ``reference``, else the annotation's).

Usage: ``python benchmarks/parser_agreement.py [--corpus] [--jsonl FILE --root DIR] [--show-misses]``
"""

from __future__ import annotations

import argparse
import json
import string
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lmms_general.metrics.label_reading import fold  # noqa: E402

PARSERS = ("ours", "can_infer", "mmmu")


@dataclass(frozen=True)
class AgreementRow:
    """One answer with the choices it was given and the parse a careful reader expects."""

    raw: str
    kind: str  # "options" | "labels"
    choices: tuple[str, ...]
    expected: Any  # a letter / label / None; or a bool when ``reference`` is set (right or wrong answer)
    context: Mapping[str, Any] = field(default_factory=dict)
    source: str = "corpus"
    reference: tuple[str, ...] | None = None


# --------------------------------------------------------------------------- the three parsers


def _letters(n: int) -> list[str]:
    return list(string.ascii_uppercase[:n])


def ours(row: AgreementRow) -> str | None:
    from lmms_general.metrics.classification import parse_answer

    context = dict(row.context)
    if row.kind == "options":
        context["options"] = list(row.choices)
    else:
        context.setdefault("labels", list(row.choices))
    got = parse_answer(row.raw, context)
    return got if isinstance(got, str) or got is None else None


def can_infer(row: AgreementRow) -> str | None:
    from lmms_eval.tasks.mmbench.mmbench_evals import MMBench_Evaluator

    evaluator = MMBench_Evaluator.__new__(MMBench_Evaluator)  # the matcher needs no API settings
    letters = _letters(len(row.choices))
    choices = dict(zip(letters, row.choices, strict=True))
    if row.kind == "options":
        pick = evaluator.can_infer_option(row.raw) or _can_infer_text(evaluator, row.raw, choices)
    else:
        pick = _can_infer_text(evaluator, row.raw, choices)
    return _as_answer(row, pick or None)


def _can_infer_text(evaluator: Any, answer: str, choices: dict[str, str]) -> str | None:
    if len(choices) <= 4:
        return evaluator.can_infer_text(answer, dict(choices)) or None
    cands = [k for k, v in choices.items() if str(v).lower() in answer.lower()]  # can_infer_text, any number
    return cands[0] if len(cands) == 1 else None


def mmmu(row: AgreementRow) -> str | None:
    from lmms_eval.tasks._task_utils import mmmu_mcq_utils

    letters = _letters(len(row.choices))
    with mock.patch.object(mmmu_mcq_utils.random, "choice", lambda seq: None):
        pick = mmmu_mcq_utils.parse_mmmu_multi_choice_response(row.raw, letters, dict(zip(letters, row.choices,
                                                                                              strict=True)))
    return _as_answer(row, pick)


def _as_answer(row: AgreementRow, letter: str | None) -> str | None:
    """A letter picked among the choices as the row's answer: the letter itself, or the label it stands for."""
    if letter is None or letter not in _letters(len(row.choices)):
        return None
    return letter if row.kind == "options" else row.choices[ord(letter) - ord("A")]


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return fold(a).strip() == fold(b).strip()


def is_right(row: AgreementRow, got: str | None) -> bool:
    """Whether a parse agrees with the reader: the expected parse, or (``reference`` rows) right / wrong alike."""
    if row.reference is not None and isinstance(row.expected, bool):
        references = set(row.reference)
        if row.kind == "options":  # a reference written as the option's text stands for its letter
            references |= {_letters(len(row.choices))[i] for i, c in enumerate(row.choices)
                           if any(_same(c, r) for r in row.reference)}
        correct = got is not None and any(_same(got, r) for r in references)
        return correct == row.expected
    return _same(got, row.expected)


# --------------------------------------------------------------------------- rows


def corpus_rows() -> list[AgreementRow]:
    """The multiple-choice and single-label rows of the realistic answers corpus (``tests/answers/corpus.py``)."""
    from tests.answers.corpus import ANSWERS, LABELS, MULTIPLE_CHOICE

    rows = [AgreementRow(r.raw, "options", tuple(r.context), r.expected, source="corpus:multiple_choice")
            for r in MULTIPLE_CHOICE]
    rows += [AgreementRow(r.raw, "labels", tuple(r.context), r.expected, source="corpus:labels") for r in LABELS]
    for r in ANSWERS:
        if r.context.get("multi_label"):
            continue  # label sets: neither lmms-eval parser reads several labels
        context = {k: v for k, v in r.context.items() if k != "labels"}
        rows.append(AgreementRow(r.raw, "labels", tuple(r.context["labels"]), r.expected, context,
                                 source="corpus:label_context"))
    return rows


def jsonl_rows(path: Path, root: Path | None) -> tuple[list[AgreementRow], Counter]:
    """Rows of a JSONL file of ``{"task", "sample_id", "answer", "expected"}`` (see the module docstring)."""
    rows: list[AgreementRow] = []
    skipped: Counter = Counter()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"error: {path}:{number}: not JSON: {exc}") from None
        context, reference = _context_of(record, root)
        options, labels = context.get("options"), context.get("labels") or (
            list(context["label_codes"]) if isinstance(context.get("label_codes"), Mapping) else None)
        if context.get("multi_label") or not (options or labels):
            skipped[record.get("task", "?")] += 1
            continue
        expected = record["expected"] if "expected" in record else record.get("score")
        if "expected" not in record and isinstance(expected, (int, float)):
            expected = bool(expected)  # a 0/1 score: whether the answer is right
        if isinstance(expected, (list, dict)) or (isinstance(expected, bool) and reference is None):
            skipped[record.get("task", "?")] += 1  # a label set, or right/wrong without a reference to check
            continue
        if expected is not None and not isinstance(expected, bool):
            expected = str(expected)
        kind, choices = ("options", options) if options else ("labels", labels)
        ctx = {k: v for k, v in context.items() if k in {"label_codes", "yes_no_codes"}}
        rows.append(AgreementRow(str(record.get("answer", "")), kind, tuple(str(c) for c in choices), expected, ctx,
                                 source=str(record.get("task", path.name)), reference=reference))
    return rows, skipped


_DOCS: dict[str, dict[str, Any]] = {}


def _context_of(record: Mapping[str, Any], root: Path | None) -> tuple[dict[str, Any], tuple[str, ...] | None]:
    """The row's own context (``context`` / ``options`` / ``labels``), else its sample's context under ``root``."""
    context = dict(record.get("context") or {})
    for key in ("options", "labels"):
        if record.get(key):
            context[key] = record[key]
    reference = record.get("reference")
    if (context.get("options") or context.get("labels")) or root is None:
        return context, _reference_tuple(reference)
    doc = _doc(str(record.get("task", "")), str(record.get("sample_id", "")), root)
    if doc is None:
        return context, None
    letters_ref = doc.reference
    return {**doc.context, **context}, _reference_tuple(letters_ref if reference is None else reference)


def _reference_tuple(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = [v for v in value.values() if isinstance(v, str)]
    return tuple(str(v) for v in (value if isinstance(value, list) else [value]))


def _doc(task: str, sample_id: str, root: Path) -> Any:
    from lmms_general.hooks.docs import build_docs
    from lmms_general.protocol import doc_of
    from lmms_general.registry import TASK_PREFIX, load_registry

    key = task[len(TASK_PREFIX):] if task.startswith(TASK_PREFIX) else task
    if key not in load_registry():
        return None
    if key not in _DOCS:
        _DOCS[key] = {str(d.sample_id): d for d in (doc_of(row) for row in build_docs(key, root))}
    return _DOCS[key].get(sample_id)


# --------------------------------------------------------------------------- report


def agreement(rows: Iterable[AgreementRow]) -> dict[str, dict[str, int]]:
    """Counts of answers each parser reads right, per source and in total (``n`` = rows)."""
    parsers = {"ours": ours, "can_infer": can_infer, "mmmu": mmmu}
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        for group in (row.source.split(":")[0] + ":" + row.kind, "total"):
            counts = table.setdefault(group, {"n": 0, **dict.fromkeys(PARSERS, 0)})
            counts["n"] += 1
            for name, parse in parsers.items():
                counts[name] += is_right(row, parse(row))
    return table


def misses(rows: Iterable[AgreementRow]) -> list[str]:
    """One line per row our parser reads differently from the reader."""
    return [f"{row.source}: {row.raw[:90]!r} expected {row.expected!r} got {ours(row)!r}" for row in rows
            if not is_right(row, ours(row))]


def format_table(table: Mapping[str, Mapping[str, int]]) -> str:
    lines = [f"{'rows':<28}{'n':>6}{'ours':>8}{'can_infer':>11}{'MMMU':>8}"]
    for group, c in sorted(table.items(), key=lambda kv: (kv[0] == "total", kv[0])):
        lines.append(f"{group:<28}{c['n']:>6}{c['ours']:>8}{c['can_infer']:>11}{c['mmmu']:>8}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="store_true", help="the rows of tests/answers/corpus.py (default)")
    parser.add_argument("--jsonl", type=Path, help="model-side corpus: {task, sample_id, answer, expected} rows")
    parser.add_argument("--root", type=Path, help="data root for the context of --jsonl rows without one")
    parser.add_argument("--show-misses", action="store_true", help="list the rows our parser reads differently")
    args = parser.parse_args(argv)
    rows: list[AgreementRow] = []
    if args.corpus or not args.jsonl:
        rows += corpus_rows()
    if args.jsonl:
        extra, skipped = jsonl_rows(args.jsonl, args.root)
        rows += extra
        if skipped:
            print(f"skipped (not multiple choice / single-label): {sum(skipped.values())} rows of "
                  f"{len(skipped)} tasks")
    import logging

    from loguru import logger

    logging.disable(logging.WARNING)
    logger.disable("lmms_eval")  # can_infer logs every answer holding the word "A"
    print(format_table(agreement(rows)))
    if args.show_misses:
        print("\n".join(misses(rows)) or "no misses")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
