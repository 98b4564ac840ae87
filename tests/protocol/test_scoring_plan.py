"""The per-task scoring plan and the remembered outcome of label answers (issue 23): built once per task, never a
different item than scoring each sample step by step, a different label set a different answer, safe in 4 threads."""

from __future__ import annotations

import dataclasses
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from lmms_general import dataset
from lmms_general.protocol import scoring, task_docs
from lmms_general.protocol.media_response import failure
from lmms_general.registry import load_registry
from lmms_general.text_memo import Keyed, ValuesKeys, json_key, values_key
from tests.conftest import SAMPLE_ROOT

#: sample-tree tasks whose metric is a label metric (remembered) and one that is not
LABEL_KEYS = ("image_comp_car_brands_recognition", "nlp_natural_language_inference", "audio_comp_intent_classification",
              "audio_comp_note_qualities_analysis", "video_comp_tv_show_recognition")
OTHER_KEY = "nlp_abstractive_summarization"


def _docs(key: str) -> list:
    spec = load_registry()[key]
    return task_docs(spec, dataset.load_task(SAMPLE_ROOT, key))


def _responses(doc) -> list[str | None]:
    labels = [str(x) for x in doc.context.get("labels") or []][:3]
    right = str(doc.reference if not isinstance(doc.reference, list) else doc.reference[0])
    return [right, right.lower(), f"The answer is **{right}**.", f"I think it's (B) {right}", f"{right}.", "", None,
            failure("crashed"), "none of these", *labels, *(f"It is not {x}." for x in labels), f"{right} or GMC"]


def _stepwise(doc, response: str | None) -> dict:
    """The item scored step by step (no plan memo), as the code before the plan did."""
    item = scoring.SampleItem(id=doc.sample_id, key=doc.registry_key, raw=(response or "")[:20000],
                              task_dir=doc.task_dir, skill=doc.skill)
    scoring._score(item, doc, response, None, scoring._build_plan(doc.spec))
    return item.to_json()


@pytest.mark.parametrize("key", [*LABEL_KEYS, OTHER_KEY])
def test_remembered_items_equal_stepwise_items(key: str) -> None:
    scoring._remembered_outcome.cache_clear()
    docs = _docs(key)
    for _ in range(2):  # the second pass answers from the memo
        for doc in docs:
            for response in _responses(doc):
                assert scoring.score_item(doc, response) == _stepwise(doc, response), (doc.sample_id, response)
    assert (scoring.scoring_plan(key).reads_context is None) == (key == OTHER_KEY)


def test_items_never_share_lists() -> None:
    doc = _docs("audio_comp_note_qualities_analysis")[0]  # multi-label: list predictions and references
    first, second = scoring.score_item(doc, "bright, dark"), scoring.score_item(doc, "bright, dark")
    assert first == second and first["reference"] is not second["reference"]
    assert first["prediction"] is None or first["prediction"] is not second["prediction"]


def test_a_different_label_set_gives_a_different_answer() -> None:
    """Same task key, same reference, same answer: the label set in the context decides (a second tree's task)."""
    doc = _docs("image_comp_car_brands_recognition")[0]
    right = str(doc.reference)
    ours = dataclasses.replace(doc, context={**doc.context, "labels": [right, "Audi"]})
    other = dataclasses.replace(doc, context={**doc.context, "labels": ["Audi", "BMW"]})
    answer = f"I think it's {right}"
    items = [scoring.score_item(d, answer) for d in (ours, other, ours, other)]
    assert items[0]["status"] == "ok" and items[0]["prediction"] == right and items[0]["value"] == 100.0
    assert items[1]["status"] == "unparsed" and items[1]["value"] == 0.0
    assert items[2:] == items[:2]
    assert items[:2] == [_stepwise(ours, answer), _stepwise(other, answer)]


def test_plan_built_once_per_task_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scoring, "_PLANS", {})
    built: list[str] = []
    build = scoring._build_plan

    def counting(spec):  # noqa: ANN001, ANN202
        built.append(spec.key)
        return build(spec)

    monkeypatch.setattr(scoring, "_build_plan", counting)
    scoring._remembered_outcome.cache_clear()
    docs = [d for key in LABEL_KEYS for d in _docs(key)]
    cases = [(d, r) for d in docs for r in _responses(d)] * 3
    serial = [json.dumps(scoring.score_item(d, r), sort_keys=True) for d, r in cases]
    scoring._remembered_outcome.cache_clear()
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda c: json.dumps(scoring.score_item(*c), sort_keys=True), cases))
    assert threaded == serial
    assert sorted(built) == sorted(LABEL_KEYS)


def test_json_key_is_exact() -> None:
    assert len({json_key(v) for v in (True, 1, 1.0, "1", [1], [True], {"a": 1}, [["a", 1]], None, [])}) == 10
    assert json_key({"a": [1, "b"]}) == json_key({"a": [1, "b"]})
    assert json_key({"a": 1, "b": 2}) != json_key({"b": 2, "a": 1})  # order kept: a parser may read it in order
    with pytest.raises(TypeError):
        json_key({"a": {1, 2}})


def test_values_keys_follow_the_values() -> None:
    labels = ["GMC", "Audi"]
    keys = ValuesKeys(("labels", "multi_label", "question"))
    first = keys({"labels": labels, "question": None})
    assert keys({"labels": labels, "question": None}) is first  # the same objects: the same key, not rebuilt
    assert keys({"labels": list(labels), "question": None}) == first  # equal values: an equal key
    assert keys({"labels": ["GMC", "BMW"]}) != first
    assert keys({"labels": labels, "multi_label": True}) != keys({"labels": labels, "multi_label": 1})
    assert values_key({"labels": labels}, ("labels", "options")) == (json_key(labels), None)


def test_keyed_compares_by_key_and_gives_its_value_once() -> None:
    a, b = Keyed(("k", 1), "doc a"), Keyed(("k", 1), "doc b")
    assert a == b and hash(a) == hash(b) and a != Keyed(("k", 2), "doc a")
    assert a.take() == "doc a" and a.take() is None
