"""Every per-sample item names its task folder and the annotation's skill cluster (lmms-eval does not log the doc,
so the report's data root and the Scope-D boards are read from the items)."""

from __future__ import annotations

import pytest

from lmms_general import dataset
from lmms_general.hooks.results import process_results
from lmms_general.protocol import doc_of, doc_row, make_doc, score_item
from lmms_general.protocol.doc import header_skill
from lmms_general.registry import load_registry
from tests.conftest import SAMPLE_ROOT

#: image tasks of the sample tree whose annotation header names a skill cluster
SKILLED = {
    "image_comp_bird_detection": "Object Detection",
    "image_comp_car_brands_recognition": "Object Recognition",
}


def _task(key: str):
    spec = load_registry()[key]
    return spec, dataset.load_task(SAMPLE_ROOT, key)


@pytest.mark.parametrize("key", sorted(SKILLED))
def test_items_carry_task_dir_and_skill(key):
    spec, data = _task(key)
    task_dir = str(data.folder.folder)
    sample = data.samples[0]
    doc = make_doc(spec, data.header, sample, task_dir)
    assert doc.context["skill"] == SKILLED[key] == doc.skill
    item = score_item(doc, "no answer here")
    assert item["task_dir"] == task_dir and item["skill"] == SKILLED[key]
    # the lmms-eval route (three-column row -> process_results) gives the same item fields
    logged = process_results(doc_row(spec, data.header, sample, task_dir), ["no answer here"])["score"]
    assert (logged["task_dir"], logged["skill"]) == (task_dir, SKILLED[key])
    assert set(logged) == {"id", "key", "prediction", "reference", "raw", "status", "error", "task_dir", "skill",
                           "value", "state"}


def test_a_task_without_a_skill_logs_an_empty_one():
    spec, data = _task("nlp_causal_reasoning")
    doc = make_doc(spec, data.header, data.samples[0], str(data.folder.folder))
    item = score_item(doc, "A")
    assert item["skill"] == "" and item["task_dir"].endswith("Causal-Reasoning")


@pytest.mark.parametrize(
    ("header", "skill"),
    [({"skill": "  Object Detection \n"}, "Object Detection"), ({"skill": ["a", "b"]}, ""), ({"skill": None}, ""),
     ({"skill": 3}, ""), ({}, "")],
)
def test_header_skill_takes_stripped_strings_only(header, skill):
    assert header_skill(header) == skill


def test_a_payload_without_a_skill_still_scores():
    """Rows built before the context carried ``skill`` (an older payload) give items with skill ""."""
    spec, data = _task("image_comp_bird_detection")
    row = doc_row(spec, {}, data.samples[0], "/data/image/comprehension/BirdDetection")
    doc = doc_of(row)
    assert doc.skill == "" and score_item(doc, "{}")["task_dir"] == "/data/image/comprehension/BirdDetection"


def test_an_unreadable_row_still_gives_a_full_item():
    bad = {"registry_key": "image_comp_bird_detection", "sample_id": "s1", "payload_json": "{not json"}
    item = process_results(bad, ["x"])["score"]
    assert item["status"] == "error" and item["id"] == "s1" and item["raw"] == "x"
    assert (item["task_dir"], item["skill"]) == ("", "")
