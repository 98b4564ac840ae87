"""The realistic answers corpus: every row parses to its expected value, and on the multiple-choice and
number rows our parsers are right at least as often as lmms-eval's own (MMMU, MMStar/MCQ extraction)."""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

import pytest

from lmms_general.metrics.classification import answer_correct, parse_answer
from lmms_general.metrics.judged import verdict
from lmms_general.metrics.parsing import (
    parse_anomaly_score,
    parse_boxes,
    parse_caption,
    parse_frame_boxes,
    parse_label,
    parse_number,
    parse_option_letter,
    parse_polygons,
    parse_yes_no,
)
from tests.answers.corpus import CORPUS, MULTIPLE_CHOICE, NUMBERS, Row

PARSERS: dict[str, Callable[[Any, Any], Any]] = {
    "option": lambda raw, options: parse_option_letter(raw, options),
    "yes_no": lambda raw, _: parse_yes_no(raw),
    "label": lambda raw, labels: parse_label(raw, labels),
    "answer": lambda raw, context: parse_answer(raw, context),
    "match": lambda raw, reference: answer_correct(raw, [reference]),
    "number": lambda raw, _: parse_number(raw),
    "anomaly": lambda raw, _: parse_anomaly_score(raw),
    "verdict": lambda raw, _: verdict(raw),
    "boxes": lambda raw, _: parse_boxes(raw),
    "frame_boxes": lambda raw, _: parse_frame_boxes(raw),
    "polygons": lambda raw, _: parse_polygons(raw),
    "caption": lambda raw, _: parse_caption(raw),
}


def test_corpus_size_and_coverage() -> None:
    assert len(CORPUS) >= 200
    assert {row.parser for row in CORPUS} == set(PARSERS)
    assert sum(row.expected is None for row in CORPUS) >= 40  # refusals, two options named, non-answers


@pytest.mark.parametrize("row", CORPUS, ids=[f"{r.parser}:{str(r.raw)[:40]!r}" for r in CORPUS])
def test_row_parses_to_expected(row: Row) -> None:
    got = PARSERS[row.parser](row.raw, row.context)
    if isinstance(row.expected, float):
        assert got == pytest.approx(row.expected)
    else:
        assert got == row.expected


def test_deterministic() -> None:
    for row in CORPUS:
        assert PARSERS[row.parser](row.raw, row.context) == PARSERS[row.parser](row.raw, row.context)


# ----------------------------------------------------------------------------------------- vs lmms-eval


def _mmmu_letter(raw: str, options: list[str], monkeypatch: pytest.MonkeyPatch) -> str | None:
    """lmms-eval's MMMU parser; its random pick when nothing is found counts as no answer (wrong)."""
    from lmms_eval.tasks._task_utils import mmmu_mcq_utils

    letters = list(string.ascii_uppercase[: len(options)])
    monkeypatch.setattr(mmmu_mcq_utils.random, "choice", lambda seq: "<random>")
    pick = mmmu_mcq_utils.parse_mmmu_multi_choice_response(raw, letters, dict(zip(letters, options, strict=True)))
    return None if pick == "<random>" else pick


def _mcq_letter(raw: str, options: list[str]) -> str | None:
    """lmms-eval's shared MCQ extraction (MMStar and others); "" means no answer."""
    from lmms_eval.tasks._task_utils.mcq_extract import extract_mcq_answer

    return extract_mcq_answer(raw, list(string.ascii_uppercase[: len(options)])) or None


def _mmbench_letter(raw: str, options: list[str]) -> str | None:
    """lmms-eval's MMBench rule-based matching (``can_infer``, used before its GPT fallback); its text
    matcher accepts letters A-D only, so it sees the first four options."""
    from lmms_eval.tasks.mmbench.mmbench_evals import MMBench_Evaluator

    choices = dict(zip("ABCD", options, strict=False))
    return MMBench_Evaluator().can_infer(raw, choices) or None


def _mmmu_number_right(raw: str, expected: float | None) -> bool:
    """MMMU open-answer scoring: right when a parsed candidate equals the expected number (eval_open);
    for rows that must stay unparsed, right only when it extracts no number at all."""
    from lmms_eval.tasks.mmmu.utils import eval_open, parse_open_response

    candidates = parse_open_response(raw) if raw.strip() else []
    if expected is None:
        return not any(isinstance(c, float) for c in candidates)
    return bool(eval_open(str(expected), candidates))


def test_multiple_choice_at_least_as_good_as_lmms_eval(monkeypatch: pytest.MonkeyPatch) -> None:
    ours = sum(parse_option_letter(r.raw, r.context) == r.expected for r in MULTIPLE_CHOICE)
    mmmu = sum(_mmmu_letter(r.raw, r.context, monkeypatch) == r.expected for r in MULTIPLE_CHOICE)
    mcq = sum(_mcq_letter(r.raw, r.context) == r.expected for r in MULTIPLE_CHOICE)
    mmbench = sum(_mmbench_letter(r.raw, r.context) == r.expected for r in MULTIPLE_CHOICE)
    print(f"\nmultiple choice ({len(MULTIPLE_CHOICE)} rows): ours {ours}, lmms-eval MMMU {mmmu}, "
          f"lmms-eval extract_mcq_answer (MMStar) {mcq}, lmms-eval MMBench can_infer {mmbench}")
    assert ours == len(MULTIPLE_CHOICE)
    assert ours >= max(mmmu, mcq, mmbench)


def test_numbers_at_least_as_good_as_lmms_eval() -> None:
    def ours_right(row: Row) -> bool:
        got = parse_number(row.raw)
        return got == row.expected if row.expected is None or got is None else got == pytest.approx(row.expected)

    ours = sum(ours_right(r) for r in NUMBERS)
    mmmu = sum(_mmmu_number_right(r.raw, r.expected) for r in NUMBERS)
    print(f"\nnumbers ({len(NUMBERS)} rows): ours {ours}, lmms-eval MMMU parse_open_response {mmmu}")
    assert ours == len(NUMBERS)
    assert ours >= mmmu


# ----------------------------------------------------------------------------------------- Chinese captions


def test_chinese_captions_are_tokenised_per_character() -> None:
    from lmms_general.metrics import get_metric
    from lmms_general.metrics.text import coco_tokenize, word_tokens

    caption = parse_caption("描述：一只狗在草地上奔跑。")
    assert word_tokens(caption) == ["一", "只", "狗", "在", "草", "地", "上", "奔", "跑", "。"]
    assert coco_tokenize("一只狗, running!") == "一 只 狗 running"
    bleu, rouge = get_metric("bleu_1"), get_metric("rouge_l")
    assert bleu.score([caption], [["一只狗在草地上奔跑。"]]) == pytest.approx(100.0)
    close = bleu.score(["一只猫在草地上奔跑。"], [["一只狗在草地上奔跑。"]])
    assert 50.0 < close < 100.0  # 9 of 10 characters match; whitespace tokens would give 0
    assert rouge.score(["一只猫在草地上奔跑"], [["一只狗在草地上奔跑"]]) == pytest.approx(100 * 8 / 9)
    assert rouge.score(["A dog runs on the grass."], [["A dog is running on grass."]]) > 50.0
