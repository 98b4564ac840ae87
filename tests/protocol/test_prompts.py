"""What the model receives: label sets, task-derived instructions, the specialists' inputs, prompts that ask, 3D inputs
for chat models. Read from the bundled sample tree through the same path lmms-eval uses (``build_docs``)."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pytest

from lmms_general import hooks
from lmms_general.dataset.models import Sample
from lmms_general.hooks.docs import build_docs
from lmms_general.hooks.media import UNSUPPORTED_MODALITY
from lmms_general.hooks.results import process_results
from lmms_general.metrics.polygons import rasterize
from lmms_general.protocol import doc_of
from lmms_general.protocol.labels import gather_labels, prompt_listed_labels, prompt_yes_no_codes
from lmms_general.protocol.prompts import build_prompt, is_placeholder_prompt, is_raw_structure
from lmms_general.protocol.references import generation_reference
from lmms_general.protocol.render3d import RENDER_ENV, render_points, render_view_count, render_views
from lmms_general.registry import load_registry
from tests.conftest import SAMPLE_ROOT


@cache
def rows(key: str) -> tuple[dict, ...]:
    return tuple(build_docs(key, SAMPLE_ROOT))


def prompt(key: str, index: int = 0) -> str:
    return hooks.doc_to_text(rows(key)[index])


def context(key: str) -> dict:
    return dict(doc_of(rows(key)[0]).context)


def sample(sid: str, inp: dict, out: dict | None, modality: str = "audio") -> Sample:
    return Sample(id=sid, index=0, input=inp, output=out, extra={}, media=(), errors=(),
                  modality=modality, paradigm="comprehension")


# --------------------------------------------------------------------------- label sets


def test_labels_from_constant_options_when_references_are_option_texts() -> None:
    spec = load_registry()["audio_comp_accent_classification"]
    opts = ["british", "american"]
    samples = [sample("a", {"prompt": "Accent?", "options": opts}, {"text": "british"}),
               sample("b", {"prompt": "Accent?", "options": opts}, {"text": "american"})]
    found = gather_labels(spec, {"type": "audio comprehension"}, samples)
    assert (found.labels, found.source) == (("british", "american"), "options")


def test_labels_from_a_header_class_list_in_reference_spelling() -> None:
    spec = load_registry()["audio_comp_accent_classification"]
    header = {"type": "audio comprehension", "class_list": ["British", "American", "Indian"]}
    samples = [sample("a", {"prompt": "Accent?"}, {"text": "british"})]
    found = gather_labels(spec, header, samples)
    assert found.source == "header" and found.labels == ("british", "American", "Indian")


def test_header_code_table_is_decoded_and_references_stay_codes() -> None:
    ctx = context("audio_comp_intent_classification")
    assert ctx["labels_source"] == "code_table"
    assert ctx["label_codes"] == {"a": "activate", "b": "deactivate", "o": "lights", "p": "music", "l": "kitchen",
                                  "m": "none"}
    assert set(ctx["labels"]) == {"a o l", "b p m", "a p l"}
    text = prompt("audio_comp_intent_classification")
    assert "action: a = activate, b = deactivate" in text and "location: l = kitchen, m = none" in text
    assert "3 codes (action, object, location)" in text


def test_labels_the_prompt_lists_are_taken_and_not_repeated() -> None:
    assert prompt_listed_labels("Choose from: entailment, contradiction, or neutral. Provide only the category.") \
        == ["entailment", "contradiction", "neutral"]
    ctx = context("nlp_natural_language_inference")
    assert ctx["labels"] == ["entailment", "contradiction", "neutral"] and ctx["labels_source"] == "prompt"
    text = prompt("nlp_natural_language_inference")
    assert text.count("entailment") == 1  # the annotation's own instruction wins; nothing appended


def test_yes_no_codes_the_prompt_defines() -> None:
    assert prompt_yes_no_codes("Is there a bird singing? 1 = Yes, 0 = No") == {"yes": "1", "no": "0"}
    assert prompt_yes_no_codes("Is there a bird? Answer yes or no.") == {}
    ctx = context("audio_comp_bird_sound_detection")
    assert ctx["yes_no_codes"] == {"yes": "1", "no": "0"} and ctx["labels"] == ["1", "0"]
    assert prompt("audio_comp_bird_sound_detection").endswith("Answer with 1 (yes) or 0 (no) only.")


def test_labels_from_the_task_references_are_listed_in_the_prompt() -> None:
    ctx = context("audio_comp_accent_classification")
    assert ctx["labels"] == ["american", "british", "indian"] and ctx["labels_source"] == "references"
    assert '"american", "british", "indian"' in prompt("audio_comp_accent_classification")
    look_alike = context("nlp_temporal_event_reasoning")
    assert look_alike["labels"] == ["BEFORE", "IBEFORE", "INCLUDES", "IS_INCLUDED"]
    assert all(f'"{x}"' in prompt("nlp_temporal_event_reasoning") for x in look_alike["labels"])


def test_multi_label_task_is_marked_and_asks_for_every_label() -> None:
    ctx = context("audio_comp_note_qualities_analysis")
    assert ctx["multi_label"] is True and "percussive" in ctx["labels"]
    assert "every label that applies" in prompt("audio_comp_note_qualities_analysis")
    assert context("audio_comp_accent_classification")["multi_label"] is False


def test_open_questions_and_extraction_never_list_references() -> None:
    assert context("image_comp_art_image_visual_question_answering")["labels"] is None  # VQA answers are no classes
    assert context("nlp_temporal_reasoning")["labels"] is None
    # one sample alone (make_doc without the task's labels) never lists its own answer
    spec = load_registry()["audio_comp_accent_classification"]
    assert gather_labels(spec, {}, [sample("a", {"prompt": "Accent?"}, {"text": "british"})],
                         use_references=False).labels == ()


def test_temporal_relation_labels_are_defined_in_the_prompt() -> None:
    text = prompt("nlp_temporal_event_reasoning")
    assert 'IBEFORE = the first event ends exactly when the second begins' in text
    assert 'IS_INCLUDED = the first event happens within' in text
    from lmms_general.protocol.labels import label_meanings

    assert label_meanings(["Positive", "Negative"]) == {} and label_meanings(["BEFORE"]) == {}


def test_detection_labels_are_the_classes_the_metric_reads_never_field_names() -> None:
    spec = load_registry()["image_comp_plant_disease_detection"]
    refs = [[{"label": "blight", "bbox": [1, 2, 3, 4], "score": 1.0}],
            {"boxes": [{"class": "mildew", "box": [1, 2, 3, 4]}]},
            {"labels": ["x"], "scores": [0.5], "boxes": [[1, 2, 3, 4]]}]  # a shape the metric cannot read: no classes
    found = gather_labels(spec, {}, [sample(str(i), {"prompt": "Find the diseases."}, {"bbox": r}, "image")
                                     for i, r in enumerate(refs)])
    assert found.labels == ("blight", "mildew")


# --------------------------------------------------------------------------- placeholders and raw structures


@pytest.mark.parametrize("text", ["users' specifically-defined prompts for different models", "<prompt>", "TODO",
                                  "User-defined prompt", "placeholder"])
def test_placeholder_prompts_are_detected(text: str) -> None:
    assert is_placeholder_prompt(text)


@pytest.mark.parametrize("text", ["Detect the bird in the given image", "What is the prompt of this poster?",
                                  "Track the ball", ""])
def test_real_prompts_are_not_placeholders(text: str) -> None:
    assert not is_placeholder_prompt(text)


def test_raw_structures_are_detected() -> None:
    assert is_raw_structure('{"video_folder": "JPEGImages/v1"}') and is_raw_structure("c.mp4")
    assert is_raw_structure("clips/0001.npz") and not is_raw_structure("What is in c.mp4?")


def test_placeholder_task_gets_a_task_derived_prompt_naming_its_label() -> None:
    texts = [prompt("image_comp_fall_human_detection", i) for i in range(len(rows("image_comp_fall_human_detection")))]
    assert len(set(texts)) == 1  # the same for every sample of the task
    text = texts[0]
    assert "specifically-defined" not in text
    assert text.startswith("Task: Fall Human Detection (Safety Detection). You are given an image.")
    assert 'Detect every "Fall" instance' in text and '{"Fall": [[x_min, y_min, width, height], ...]}' in text


def test_raw_structure_and_file_name_prompts_are_replaced() -> None:
    vos = prompt("video_comp_animal_video_object_segmentation")
    assert "video_folder" not in vos and vos.startswith("Task: Animal Video Object Segmentation.")
    depth = prompt("video_comp_indoor_static_video_depth_estimation")
    assert not depth.startswith("c.mp4") and "depth" in depth and "polygons" not in depth


def test_detection_prompt_names_the_label_the_annotation_uses() -> None:
    text = prompt("image_comp_bird_detection")
    assert text.startswith("Detect the bird in the given image")  # the annotation's own instruction is kept
    assert '{"bird": [[x_min, y_min, width, height], ...]}' in text and "plain list of boxes" in text


# --------------------------------------------------------------------------- the specialists' inputs


def test_tracking_prompt_carries_the_first_frame_box() -> None:
    doc = doc_of(rows("video_comp_ball_tracking")[0])
    assert doc.context["first_frame_box"] == [4.0, 4.0, 4.0, 4.0] == [float(v) for v in doc.reference[0]]
    text = prompt("video_comp_ball_tracking")
    assert "In the first frame (frame 0) the target is at [x_min, y_min, width, height] = [4.0, 4.0, 4.0, 4.0]" in text
    assert "The video has 2 frames" in text


@pytest.mark.parametrize("key", ["video_comp_animal_video_object_segmentation",
                                 "video_comp_automobile_video_object_segmentation"])
def test_vos_prompt_carries_the_first_frame_mask(key: str) -> None:
    from lmms_general.metrics.arrays import load_array

    for row in rows(key):
        doc = doc_of(row)
        first = load_array(doc.reference["0"])
        polygons = doc.context["first_frame_polygons"]
        assert np.array_equal(rasterize(polygons, first.shape) != 0, first != 0)  # exactly the frame-0 mask
        assert json.dumps(polygons) in hooks.doc_to_text(row) and "Segment the same object" in hooks.doc_to_text(row)


def test_an_unreadable_specialist_input_is_named_per_sample(caplog: pytest.LogCaptureFixture) -> None:
    from lmms_general.protocol.given import specialist_inputs
    from lmms_general.registry import load_registry

    spec = load_registry()["video_comp_animal_video_object_segmentation"]
    broken = sample("s7", {}, None, "video")
    with caplog.at_level("WARNING", logger="lmms_general"):
        given = specialist_inputs(spec, "dense", broken, [], {"0": "/no/such/mask.png"})
    assert "specialist_input_error" in given and "first_frame_polygons" not in given
    assert any(f"{spec.task} sample s7: specialist input not given" in r.getMessage() for r in caplog.records)


def test_temporal_grounding_prompt_states_frame_count_and_rate() -> None:
    for key in ("video_comp_human_video_grounding", "video_comp_spatial_temporal_static_action_detection"):
        doc = doc_of(rows(key)[0])
        assert doc.context["frame_count"] == 4 and doc.context["fps"] == pytest.approx(4.0)
        text = prompt(key)
        assert "The video has 4 frames at 4 frames per second; frame indices run from 0 to 3." in text
        assert f'The target is described as: "{doc.sample["caption"]}".' in text


# --------------------------------------------------------------------------- prompts that ask


def test_fill_in_the_blank_prompt_says_to_fill_the_mask() -> None:
    text = prompt("nlp_temporal_reasoning")
    assert "<MASK>" in text and "Replace <MASK> with the missing word or phrase" in text


def test_multiple_choice_without_a_question_asks_one() -> None:
    doc = {"registry_key": "nlp_ethical_reasoning", "sample_id": "e1", "payload_json": json.dumps({
        "task_kind": "qa", "output_modality": "text", "media": [], "sample": {"id": "e1", "input": {
            "options": ["Return the wallet.", "Keep the wallet."]}}, "reference": "A", "task_dir": "",
        "context": {"task_type": "MultipleChoiceQA", "options": ["Return the wallet.", "Keep the wallet."]}})}
    text = hooks.doc_to_text(doc)
    assert text.startswith("Ethical Reasoning: which of the following options is correct?\nA. Return the wallet.")


def test_generation_prompts_say_what_to_generate_and_keep_the_annotation_text() -> None:
    tts = doc_of(rows("audio_gen_texttospeech")[0])
    assert build_prompt(tts) == ("Speak the following text aloud: output speech audio of exactly these words.\n"
                                 "Good morning, everyone.")
    assert generation_reference(tts)["prompt"] == "Good morning, everyone."  # the CLAP/WER reference text
    assert prompt("image_gen_text_to_image_insect_generation") == "Generate an image of: a ladybug on a green leaf"


def test_every_sample_tree_prompt_is_usable() -> None:
    from lmms_general import dataset
    from lmms_general.protocol.prompts import is_usable_prompt

    for task in dataset.index_root(SAMPLE_ROOT, use_cache=False).tasks:
        if task.registry_key:
            for row in rows(task.registry_key):
                text = hooks.doc_to_text(row)
                assert is_usable_prompt(text) and text.split("\n")[0].strip(), (task.registry_key, text)


# --------------------------------------------------------------------------- 3D for chat models


def test_rendered_views_are_deterministic_and_differ_per_view() -> None:
    rng = np.random.default_rng(0)
    cloud = rng.normal(size=(500, 3)) * [1.0, 0.5, 0.2]
    first = render_points(cloud, 0, 0)
    assert first.shape == (336, 336, 3) and first.dtype == np.uint8
    assert np.array_equal(first, render_points(cloud.copy(), 0, 0))
    assert (first != 255).any(axis=-1).sum() > 500  # the object is drawn
    assert not np.array_equal(first, render_points(cloud, 0, 90))
    views = render_views(cloud, count=4)
    assert len(views) == 4 and all(v.size == (336, 336) for v in views)
    assert [np.asarray(v).tobytes() for v in views] == [np.asarray(v).tobytes() for v in render_views(cloud, 4)]


def test_render_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    for value, count in (("", 0), ("0", 0), ("1", 4), ("true", 4), ("3", 3), ("9", 6)):
        monkeypatch.setenv(RENDER_ENV, value)
        assert render_view_count() == count
    monkeypatch.setenv(RENDER_ENV, "many")
    with pytest.raises(ValueError, match=RENDER_ENV):
        render_view_count()


def test_3d_input_reaches_chat_models_as_rendered_views(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    monkeypatch.setenv(RENDER_ENV, "1")
    row = rows("3d_comp_3d_furniture_classification")[0]
    visuals = hooks.doc_to_visual(row)
    assert len(visuals) == 4 and all(isinstance(v, Image.Image) for v in visuals)
    content = hooks.doc_to_messages(row)[0]["content"]
    assert [c["type"] for c in content] == ["image"] * 4 + ["text"]
    assert "4 rendered views" in content[-1]["text"]
    item = process_results(row, ["chair"])["score"]
    assert item["status"] == "ok"


def test_3d_input_without_rendering_is_reported_unsupported_for_chat_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(RENDER_ENV, raising=False)
    row = rows("3d_comp_3d_vehicle_classification")[1]
    assert isinstance(hooks.doc_to_visual(row)[0], np.ndarray)  # simple-mode models (our adapters) get the array
    content = hooks.doc_to_messages(row)[0]["content"]
    assert [c["type"] for c in content] == ["text"] and content[0]["text"].strip()  # never an empty prompt
    result = process_results(row, ["bus"])
    assert result["failed"] == 1 and result["score"]["status"] == "failed"
    assert UNSUPPORTED_MODALITY in result["score"]["error"] and "pointcloud" in result["score"]["error"]


def test_specialist_generators_are_conditioned_on_the_annotation_text() -> None:
    from model_adapters.requests import GenRequest

    row = rows("audio_gen_texttospeech")[1]
    req = GenRequest(0, hooks.doc_to_text(row), {}, dict(row), "t", "test", 1)
    assert req.prompt.startswith("Speak the following text aloud") and req.content == "The train leaves at nine."


def test_nlp_record_no_template_covers_gets_the_task_and_its_fields() -> None:
    doc = {"registry_key": "nlp_part_of_speech", "sample_id": "p1", "payload_json": json.dumps({
        "task_kind": "label_set", "output_modality": "text", "media": [], "reference": "DET NOUN VERB",
        "sample": {"id": "p1", "input": {"sentence": "The cat sat."}}, "task_dir": "", "context": {"task_type": "?"}})}
    text = hooks.doc_to_text(doc)
    assert text.startswith("Task: Part-of-Speech.") and "sentence: The cat sat." in text and "{" not in text


def test_closeset_label_sets_come_from_the_openset_copy_next_to_it() -> None:
    from lmms_general.hooks.docs import openset_sibling

    closeset = SAMPLE_ROOT.parent / "General-Bench-Closeset"
    assert openset_sibling(closeset) == SAMPLE_ROOT and openset_sibling(SAMPLE_ROOT) is None
    row = build_docs("audio_comp_accent_classification", closeset)[0]
    doc = doc_of(row)
    assert doc.reference is None and doc.context["labels"] == ["american", "british", "indian"]
    fall = doc_of(build_docs("image_comp_fall_human_detection", closeset)[0])
    assert fall.context["labels"] == ["Fall"] and '"Fall"' in build_prompt(fall)


def test_a_sample_with_its_own_candidates_is_not_given_the_whole_label_list() -> None:
    doc = {"registry_key": "image_comp_bird_species_recognition", "sample_id": "b1", "payload_json": json.dumps({
        "task_kind": "qa", "output_modality": "text", "media": [], "reference": "Crow", "task_dir": "",
        "sample": {"id": "b1", "input": {"prompt": "Which bird is this? The candidate choices are ['Crow', 'Owl']."}},
        "context": {"labels": ["Crow", "Owl", "Robin", "Wren"]}})}
    text = hooks.doc_to_text(doc)
    assert "Robin" not in text and text.endswith("Answer with the label only.")
