"""`lmms-general prompts --lint`: every finding kind on crafted samples, and zero findings on the sample tree and
the synthetic samples of all 699 rows (issue 18 item 3)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lmms_general.hooks.docs import build_docs
from lmms_general.protocol import Doc, doc_of
from lmms_general.protocol.lint import (
    ACCEPTED,
    KINDS,
    MAX_PROMPT_CHARS,
    accepted_reason,
    contradiction,
    lint_task,
    raw_structure,
)
from tests.promptcmd.conftest import SAMPLE_ROOT

CARS = "image_comp_car_brands_recognition"
GOOD_TEXT = "Which brand is the car in the image?\nAnswer with the label only, one of: GMC, Toyota, Ford."


def _car_doc(**changes: object) -> Doc:
    doc = doc_of(build_docs(CARS, SAMPLE_ROOT)[0])
    context = {**doc.context, "labels": ["GMC", "Toyota", "Ford"]}
    return dataclasses.replace(doc, **{"context": context, **changes})


def _kinds(doc: Doc, text: str) -> set[str]:
    return {f.kind for f in lint_task("general_bench_" + doc.registry_key, [doc], lambda _d: text)}


def test_a_clean_sample_has_no_finding() -> None:
    assert _kinds(_car_doc(), GOOD_TEXT) == set()


def test_placeholder_prompt() -> None:
    placeholder = "users' specifically-defined prompts for different models"
    doc = _car_doc(sample={"id": "x", "input": {"prompt": placeholder, "image_file": "images/a.png"}})
    assert _kinds(doc, placeholder + "\nAnswer with the label only.") == {"placeholder_prompt"}
    assert _kinds(doc, GOOD_TEXT) == set()  # replaced by a task-derived prompt: fine


def test_empty_prompt() -> None:
    assert _kinds(_car_doc(), "  \n") == {"empty_prompt"}


@pytest.mark.parametrize("text", ['{"video_folder": "JPEGImages/v1"}\nAnswer with JSON only: ...', "{}",
                                  "c.mp4\nAnswer with polygons", "JPEGImages/v1", "{'a': 1, 'b': [2]}",
                                  "<<<raw_text>>> List relations."])
def test_raw_structure_prompt(text: str) -> None:
    assert raw_structure(text)
    assert _kinds(_car_doc(), text) == {"raw_structure_prompt"}


@pytest.mark.parametrize("text", ["Table: {\"a\": 1}\nQuestion: what?", "Which car is this?", "Translate 3.5 km."])
def test_not_raw_structure(text: str) -> None:
    assert raw_structure(text) == ""


def test_label_metric_without_label_set() -> None:
    doc = _car_doc()
    bare = dataclasses.replace(doc, context={k: v for k, v in doc.context.items() if k != "labels"})
    assert _kinds(bare, GOOD_TEXT) == {"label_set_missing"}
    with_options = dataclasses.replace(bare, context={**bare.context, "options": ["GMC", "Ford"]})
    assert _kinds(with_options, GOOD_TEXT) == set()  # the options are the label set


def test_instruction_contradicting_the_annotation() -> None:
    question = "Is the car a GMC? Answer yes or no."
    doc = _car_doc(sample={"id": "x", "input": {"prompt": question, "image_file": "images/a.png"}})
    clash = question + "\nA. yes\nB. no\nAnswer with the option letter only."
    assert _kinds(doc, clash) == {"contradicting_instruction"}
    assert "yes/no" in contradiction(clash, [question]) and "option letter" in contradiction(clash, [question])
    assert _kinds(doc, question + "\nAnswer with the label only.") == set()  # no second answer type
    assert contradiction("Answer yes or no. Answer yes or no.", ["Answer yes or no."]) == ""


def test_missing_media() -> None:
    doc = _car_doc()
    gone = dataclasses.replace(doc.inputs[0], path=str(Path(doc.inputs[0].path).with_name("gone.png")))
    assert _kinds(dataclasses.replace(doc, media=(gone,)), GOOD_TEXT) == {"missing_media"}
    assert _kinds(dataclasses.replace(doc, media=()), GOOD_TEXT) == {"missing_media"}  # image task, no input
    unresolved = dataclasses.replace(doc.inputs[0], path=None)
    assert _kinds(dataclasses.replace(doc, media=(unresolved,)), GOOD_TEXT) == {"missing_media"}
    assert _kinds(dataclasses.replace(doc, load_error="missing media 'a.png'"), GOOD_TEXT) == {"missing_media"}


def test_long_prompt_threshold_is_configurable() -> None:
    doc = _car_doc()
    text = GOOD_TEXT + "x" * MAX_PROMPT_CHARS
    assert _kinds(doc, text) == {"long_prompt"}
    assert not lint_task("t", [doc], lambda _d: text, max_chars=len(text))


def test_findings_count_samples_and_name_the_first() -> None:
    docs = [doc_of(row) for row in build_docs(CARS, SAMPLE_ROOT)]
    findings = lint_task("general_bench_" + CARS, docs, lambda d: "" if d.sample_id != docs[0].sample_id else "ok")
    empty = next(f for f in findings if f.kind == "empty_prompt")
    assert (empty.count, empty.samples, empty.sample_id) == (len(docs) - 1, len(docs), docs[1].sample_id)
    assert empty.line().startswith(f"general_bench_{CARS}: empty_prompt: {len(docs) - 1} of {len(docs)} samples")


def test_every_kind_is_covered_and_exceptions_have_reasons() -> None:
    assert set(KINDS) == {"placeholder_prompt", "empty_prompt", "raw_structure_prompt", "label_set_missing",
                          "contradicting_instruction", "missing_media", "long_prompt"}
    assert all(kind in KINDS and len(reason) > 20 for (_pattern, kind), reason in ACCEPTED.items())
    assert accepted_reason("general_bench_nlp_abstractive_summarization", "nlp_abstractive_summarization",
                           "long_prompt")
    assert not accepted_reason("general_bench_nlp_abstractive_summarization", "x", "empty_prompt")


# ------------------------------------------------------------------------ zero findings (the Done-when)


def test_sample_tree_lints_clean(capsys: pytest.CaptureFixture[str]) -> None:
    from lmms_general.cli import main

    status = main(["prompts", "--root", str(SAMPLE_ROOT), "--limit", "1", "--lint"])
    out = capsys.readouterr().out
    assert "lint: 0 finding(s)" in out and status == 0, out[out.find("\nlint:"):]


def test_synthetic_rows_lint_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lmms_general.cli import main
    from lmms_general.protocol.synthetic_tree import write_synthetic_tree
    from lmms_general.registry import load_registry

    root = write_synthetic_tree(tmp_path / "synthetic")
    status = main(["prompts", "--root", str(root), "--limit", "1", "--lint"])
    out = capsys.readouterr().out
    assert f"lint: {len(load_registry())} task(s)" in out  # every row was found and linted
    assert "lint: 0 finding(s)" in out and status == 0, out[out.find("\nlint:"):]


def test_detection_prompt_must_name_its_labels() -> None:
    doc = doc_of(build_docs("image_comp_fall_human_detection", SAMPLE_ROOT)[0])
    assert doc.task_kind == "detection"
    silent = "Detect the person in the image.\nAnswer with JSON only: {\"<label>\": [[x, y, w, h], ...]}"
    findings = lint_task("t", [doc], lambda _d: silent)
    assert [(f.kind, f.detail) for f in findings] == [
        ("label_set_missing", "the detection prompt never names the label(s) to output: Fall")]
    assert not lint_task("t", [doc], lambda _d: silent.replace("the person", "people who fall (label: Fall)"))
