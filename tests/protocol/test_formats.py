"""Answer-format building blocks: exact polygons, option letters, the media-response convention, frame sampling."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lmms_general.metrics.polygons import mask_to_polygons, rasterize, valid_polygons
from lmms_general.protocol import media_response
from lmms_general.protocol.formats import answer_format, format_number, option_letter


@pytest.mark.parametrize("seed", range(8))
def test_mask_polygons_rasterise_back_exactly(seed: int) -> None:
    rng = np.random.default_rng(seed)
    mask = rng.random((23, 31)) < 0.35  # ragged shapes, holes, single pixels
    mask[5:15, 4:20] = True
    mask[8:11, 8:12] = False  # a hole
    polygons = mask_to_polygons(mask)
    assert np.array_equal(rasterize(polygons, mask.shape), mask)
    assert mask_to_polygons(np.zeros((4, 4))) == []


def test_model_polygons_cover_pixel_centres_inside() -> None:
    # a triangle a model might write: pixels whose centre is inside or on the outline are in the mask
    mask = rasterize([[0, 0, 8, 0, 0, 8]], (8, 8))
    assert mask[0, 0] and mask[0, 7] and not mask[7, 7] and mask.sum() == 36  # 28 inside + 8 centres on the edge
    assert valid_polygons({"polygons": [[0, 0, 1], [0, 0, 1, 0, 1, float("nan")], "x", [0, 0, 2, 0, 2, 2]]}) == [
        [0.0, 0.0, 2.0, 0.0, 2.0, 2.0]
    ]


def test_option_letters_go_past_z() -> None:
    assert [option_letter(i) for i in (0, 25, 26, 27, 51, 52)] == ["A", "Z", "AA", "AB", "AZ", "BA"]


def test_numbers_render_as_models_write_them() -> None:
    assert format_number(42.0) == "42" and format_number(-3.5) == "-3.5" and format_number(0.1) == "0.1"


def test_media_response_round_trip(tmp_path: Path) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(b"x")
    text = media_response.build_response("done", images=[image])
    assert media_response.media_paths(text, "image") == [str(image.resolve())]
    assert media_response.media_paths(text, "video") == []
    assert media_response.media_paths("[GENERATION_FAILED] oom", "image") == []
    assert media_response.is_failure("[ERROR] timeout") and not media_response.is_failure("fine")
    assert media_response.media_paths(json.dumps({"pointclouds": ["/p.ply"], "meshes": ["/m.obj"]}), "3d") == [
        "/p.ply", "/m.obj"]
    assert media_response.media_paths("line one\nline two", "image") == []  # prose is not a path
    with pytest.raises(KeyError):
        media_response.build_response(gifs=["x"])


def test_tracking_format_reads_the_boxes_envelope() -> None:
    from lmms_general.metrics import get_metric

    fmt, metric = answer_format("tracking"), get_metric("auc")
    raw = 'Here you go:\n```json\n{"boxes": [[1, 2, 3, 4], null, [2, 2, 3, 4]]}\n```'
    assert fmt.parse(raw, {}, metric) == [[1.0, 2.0, 3.0, 4.0], None, [2.0, 2.0, 3.0, 4.0]]
    assert fmt.parse("I cannot track this.", {}, metric) is None


def test_dense_format_reads_polygons_files_and_frames(tmp_path: Path) -> None:
    from lmms_general.metrics import get_metric

    fmt, metric = answer_format("dense"), get_metric("miou")
    assert fmt.parse('{"polygons": [[0, 0, 4, 0, 4, 4]]}', {}, metric) == {"polygons": [[0, 0, 4, 0, 4, 4]]}
    mask = tmp_path / "m.png"
    mask.write_bytes(b"")
    assert fmt.parse(json.dumps({"images": [str(mask)]}), {}, metric) == str(mask)
    framed = fmt.parse('{"frames": {"0": {"polygons": [[0, 0, 1, 0, 1, 1]]}, "1": {"images": ["/x.png"]}}}', {}, metric)
    assert framed == {"0": {"polygons": [[0, 0, 1, 0, 1, 1]]}, "1": "/x.png"}


def test_frame_lists_load_as_one_uniformly_sampled_clip(tmp_path: Path) -> None:
    from PIL import Image

    from lmms_general.hooks.media import MAX_FRAMES, load_inputs, uniform_indices
    from lmms_general.protocol.doc import Doc, MediaRef

    files = []
    for i in range(20):
        path = tmp_path / f"{i:03d}.png"
        Image.new("RGB", (4, 4), (i * 10, 0, 0)).save(path)
        files.append(path)
    media = tuple(MediaRef("frames", str(p), p.name, "input") for p in files)
    doc = Doc("video_comp_agriculture_video_question_answering", "s1", 0, "text", "text", "", media, "", {}, {},
              None, str(tmp_path))
    [(kind, frames)] = load_inputs(doc)
    assert kind == "frames" and len(frames) == MAX_FRAMES
    reds = [f.getpixel((0, 0))[0] for f in frames]
    assert reds[0] == 0 and reds[-1] == 190  # first and last frame of the clip, not the first eight
    assert uniform_indices(20, 8) == [0, 3, 5, 8, 11, 14, 16, 19]


def test_label_sentence_follows_the_label_set_it_is_given() -> None:
    """The sentence of the last label list is reused only for that same list with the same flags: another task's
    list (even one equal in length), the listed / multi-label flags and a tuple each give their own sentence."""
    from lmms_general.protocol.formats import label_instruction

    cars, birds = ["Audi", "BMW"], ["finch", "robin"]
    first = label_instruction({"labels": cars})
    assert first == 'Answer with exactly one of these labels: "Audi", "BMW". Write the label only.'
    assert label_instruction({"labels": cars}) == first
    assert label_instruction({"labels": birds}) == 'Answer with exactly one of these labels: "finch", "robin". ' \
                                                   "Write the label only."
    assert label_instruction({"labels": birds, "labels_listed": True}) == "Answer with the label only."
    assert label_instruction({"labels": birds, "multi_label": True}).startswith("Answer with every label that applies")
    assert label_instruction({"labels": ("finch",)}) == 'Answer with exactly one of these labels: "finch". ' \
                                                        "Write the label only."
    assert label_instruction({"labels": []}) == "" and label_instruction({"labels": None}) == ""
    assert label_instruction({"labels": cars}) == first
