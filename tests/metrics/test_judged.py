"""Judged proxies with fake judges through the seams; verdict parsing; no judge configured."""

from __future__ import annotations

import pytest

from lmms_general.metrics import get_metric
from lmms_general.metrics.judged import chat_judge, verdict
from lmms_general.metrics.models import ModelUnavailableError


def test_verdict_parsing() -> None:
    assert verdict("YES") == 1.0 and verdict("no, wrong") == 0.0 and verdict("Incorrect.") == 0.0
    assert verdict("maybe") is None


def test_gpt_score_with_fake_completer() -> None:
    spec = get_metric("gpt_score")
    assert spec.proxy
    refs = [spec.prepare_reference(r, {"question": "q"}) for r in ["a dog barking", ["rain", "water"], "cat", "x"]]
    assert refs[1]["answer"] == "rain / water"
    calls = []

    def complete(prompt: str) -> str:
        calls.append(prompt)
        answer = prompt.split("Model answer: ")[1].split("\n")[0]
        return (
            "I think... maybe"
            if answer == "???"
            else ("YES" if answer.split()[0] in prompt.split("Reference answer: ")[1] else "NO")
        )

    score = spec.score(["a dog", "rain", None, "???"], refs, judge=chat_judge(complete))
    assert score == pytest.approx(50.0)  # 2 correct, 1 missing (0, no call), 1 reply without verdict (0)
    assert len(calls) == 3


def test_gpt_score_without_judge_raises(monkeypatch) -> None:
    for name in ("LMMS_GENERAL_JUDGE_BASE_URL", "LMMS_GENERAL_JUDGE_MODEL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ModelUnavailableError, match="LMMS_GENERAL_JUDGE"):
        get_metric("gpt_score").score(["a"], [{"answer": "a", "question": ""}])


