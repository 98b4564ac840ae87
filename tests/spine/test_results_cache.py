"""The ``score`` and ``error`` aggregations share one task score, keyed by the items' content (not by ``id()``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from lmms_general.hooks import results
from lmms_general.protocol.scoring import TaskScore


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []

    def fake_task_score(items: Sequence[Mapping[str, Any]], key: str | None = None) -> TaskScore:
        seen.append(str(key))
        ok = sum(i["status"] == "ok" for i in items)
        return TaskScore(key=str(key), score=100.0 * ok / len(items), n=len(items), n_scored=len(items), n_ok=ok)

    monkeypatch.setattr(results, "task_score", fake_task_score)
    monkeypatch.setattr(results, "_LAST", {})
    return seen


def _items(key: str, statuses: Sequence[str]) -> list[dict[str, Any]]:
    return [{"key": key, "id": str(n), "status": s, "prediction": s} for n, s in enumerate(statuses)]


def test_error_aggregation_reuses_the_score_of_the_same_items(calls: list[str]) -> None:
    items = _items("t", ["ok", "unparsed"])
    assert results.aggregate_score(items) == 50.0
    assert results.aggregate_error(list(items)) == ""  # a new list, same content: no second metric run
    assert calls == ["t"]


def test_other_items_of_the_same_length_are_scored_again(calls: list[str]) -> None:
    first = _items("t", ["ok", "unparsed"])
    assert results.aggregate_score(first) == 50.0
    del first  # its id may be reused: the content key cannot go stale
    assert results.aggregate_score(_items("t", ["ok", "ok"])) == 100.0
    assert calls == ["t", "t"]


def test_threads_get_their_own_task_scores(calls: list[str]) -> None:
    lists = [_items(f"task{k}", ["ok"] * k + ["failed"] * (4 - k)) for k in range(5)]
    with ThreadPoolExecutor(4) as pool:
        scores = list(pool.map(results.aggregate_score, lists * 3))
    assert scores == [25.0 * k for k in range(5)] * 3
