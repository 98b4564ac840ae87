"""Hooks on hand-made docs: prompts per kind, media loading, process_results items, aggregation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lmms_general import hooks
from lmms_general.hooks.results import process_results
from lmms_general.protocol import task_score
from lmms_general.protocol.media_response import media_paths as generated_paths
from lmms_general.registry import load_registry


def make_doc(key: str, sample: dict[str, Any], *, reference: Any = None, media: list[dict] | None = None,
             task_type: str = "", options: list[str] | None = None, kind: str = "qa", out: str = "text",
             load_error: str = "") -> dict[str, Any]:
    """A doc in the three-column layout of docs/ARCHITECTURE.md."""
    return {
        "registry_key": key, "sample_id": str(sample.get("id", "s0")),
        "payload_json": json.dumps({
            "index": 0, "task_kind": kind, "output_modality": out, "generation_kind": "", "media": media or [],
            "load_error": load_error, "sample": sample, "reference": reference, "task_dir": "/nonexistent",
            "context": {"task_type": task_type, "options": options, "bbox_format": "(x, y, w, h)"},
        }),
    }


def test_nlp_multiple_choice_prompt_letters_options() -> None:
    doc = make_doc("nlp_causal_reasoning", {"id": "c1", "input": {"question": "Effect?", "options": ["a", "b"]}},
                   task_type="MultipleChoiceQA", options=["a", "b"])
    text = hooks.doc_to_text(doc, {"pre_prompt": "P:", "post_prompt": ""})
    assert text.startswith("P:Effect?") and "A. a\nB. b" in text and "option letter" in text


def test_prompt_template_placeholders_are_filled() -> None:
    sample = {"id": "n1", "input": {"raw_text": "Premise X", "prompt": "<<<raw_text>>>. Relationship?"}}
    doc = make_doc("nlp_natural_language_inference", sample, task_type="classification")
    assert hooks.doc_to_text(doc) == "Premise X. Relationship?"


def test_detection_prompt_asks_for_boxes_in_declared_format() -> None:
    doc = make_doc("image_comp_bird_detection", {"id": "b", "input": {"prompt": "Detect the bird"}}, kind="detection")
    text = hooks.doc_to_text(doc)
    assert text.startswith("Detect the bird") and "(x, y, w, h)" in text


def test_doc_to_visual_loads_inputs_and_records_corrupt_files(tmp_path: Path) -> None:
    from PIL import Image

    good = tmp_path / "a.png"
    Image.new("RGB", (8, 8), "red").save(good)
    bad = tmp_path / "b.png"
    bad.write_bytes(b"not a png")
    wav = tmp_path / "c.wav"
    import soundfile as sf

    sf.write(wav, np.zeros(160, dtype="float32"), 16000)
    media = [{"kind": "image", "path": str(good), "role": "input"},
             {"kind": "image", "path": str(bad), "role": "input"},
             {"kind": "audio", "path": str(wav), "role": "input"},
             {"kind": "image", "path": str(good), "role": "output"}]
    doc = make_doc("image_comp_bird_detection", {"id": "v1"}, media=media)
    visuals = hooks.doc_to_visual(doc)
    assert len(visuals) == 2 and visuals[0].size == (8, 8) and visuals[1]["sampling_rate"] == 16000
    from lmms_general.hooks.media import media_failure

    assert "b.png" in (media_failure("image_comp_bird_detection", "v1") or "")
    messages = hooks.doc_to_messages(doc)
    assert [c["type"] for c in messages[0]["content"]] == ["image", "audio", "text"]
    item = process_results(doc, ["[1, 2, 3, 4]"])["score"]
    assert item["status"] == "failed" and "b.png" in item["error"]
    assert media_failure("image_comp_bird_detection", "v1") is None  # recorded once, then forgotten


def test_process_results_never_raises_and_keeps_errors() -> None:
    doc = make_doc("nlp_causal_reasoning", {"id": "c1"}, reference="A", load_error="missing media x.png")
    item = process_results(doc, ["A"])["score"]
    # the model never saw its input: scored as wrong, kept in the denominator, the reason named
    assert item["status"] == "failed" and "x.png" in item["error"] and item["reference"] in ("A", ["A"])


def test_generation_failures_are_counted_not_dropped() -> None:
    doc = make_doc("image_gen_image_deraining", {"id": "g1", "input": {"prompt": "derain"}}, out="image",
                   kind="generation")
    item = process_results(doc, ["[GENERATION_FAILED] out of memory"])["score"]
    assert item["status"] == "failed" and item["prediction"] is None


def test_generated_paths_accepts_json_path_and_folder(tmp_path: Path) -> None:
    (tmp_path / "x.png").write_bytes(b"")
    assert generated_paths(json.dumps({"text": "", "images": ["/a.png"]}), "image") == ["/a.png"]
    assert generated_paths(json.dumps({"pointclouds": ["/p.npy"], "meshes": ["/m.obj"]}), "3d") == ["/p.npy", "/m.obj"]
    assert generated_paths(str(tmp_path), "image") == [str(tmp_path / "x.png")]
    assert generated_paths("/some/file.mp4", "video") == ["/some/file.mp4"]


def test_accuracy_task_scores_through_items() -> None:
    pytest.importorskip("lmms_general.metrics.classification")
    docs = [make_doc("nlp_causal_reasoning", {"id": f"c{i}"}, reference=ref, task_type="MultipleChoiceQA",
                     options=["x", "y"]) for i, ref in enumerate(["A", "B", "A", "B"])]
    items = [process_results(d, [r])["score"] for d, r in zip(docs, ["A", "B", "no idea", "A"], strict=True)]
    assert [i["status"] for i in items][:2] == ["ok", "ok"]
    assert items[2]["status"] == "unparsed"  # stays in the denominator
    assert task_score(items).score == pytest.approx(50.0)
    flags = [process_results(d, [r])["failed"] for d, r in zip(docs, ["A", "B", "?", "A"], strict=True)]
    assert hooks.aggregate_failed(flags) == 1


def test_a_metric_that_cannot_run_marks_its_task_and_spares_the_run(monkeypatch, caplog) -> None:
    monkeypatch.delenv("LMMS_GENERAL_JUDGE_BASE_URL", raising=False)
    monkeypatch.delenv("LMMS_GENERAL_JUDGE_MODEL", raising=False)
    spec = next(s for s in load_registry().values() if s.metric_id == "gpt_score")
    items = [{"id": "1", "key": spec.key, "prediction": "a cat", "reference": "a cat", "status": "ok"}]
    with caplog.at_level("ERROR", logger="lmms_general"):
        value = hooks.aggregate_score(items)
        error = hooks.aggregate_error(items)
    assert value is None  # the score field stays numeric or null
    assert error.startswith("metric gpt_score failed: ")
    assert f"task {spec.task} (metric gpt_score)" in caplog.text
