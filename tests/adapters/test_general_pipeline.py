"""general_pipeline end to end on tiny random models: every generation kind writes real files + JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from model_adapters.general_pipeline import GeneralPipeline
from model_adapters.media_output import is_failure, parse_response

MESH_KEY = "3d_gen_text_to_3d_living_and_arts_mesh_generation"
PC_KEY = "3d_gen_living_and_arts_image_to_3d_point_cloud_generation"


@pytest.fixture()
def pipeline_model(tmp_path, tiny_sd, tiny_animatediff, tiny_vits, tiny_dpt) -> GeneralPipeline:
    return GeneralPipeline(
        comp_model="dummy",
        comp_model_args="response=a red square",
        t2i=str(tiny_sd),
        edit=str(tiny_sd),
        t2v=str(tiny_animatediff),
        tts=str(tiny_vits),
        t2a=str(tiny_vits),
        pc=str(tiny_dpt),
        steps=2,
        height=32,
        width=32,
        num_frames=4,
        pc_points=100,
        output_dir=str(tmp_path / "out"),
        batch_size=2,
    )


def test_all_generation_kinds_write_files(pipeline_model, fake_task, tmp_path) -> None:
    red = Image.new("RGB", (32, 32), "red")
    fake_task.add("a red cat", sample_id="t2i_a", generation_kind="text_to_image")
    fake_task.add("a blue dog", sample_id="t2i_b", generation_kind="text_to_image")
    fake_task.add("<image> make it blue", [red], sample_id="edit", generation_kind="image_edit")
    fake_task.add("a bird flying", sample_id="t2v", generation_kind="text_to_video")
    fake_task.add("hello world", sample_id="tts", generation_kind="text_to_speech")
    fake_task.add("rain on a roof", sample_id="t2a", generation_kind="text_to_audio")
    fake_task.add("<image> describe it aloud", [red], sample_id="i2s", generation_kind="image_to_speech")
    fake_task.add("a chair", sample_id="mesh", generation_kind="text_to_3d", registry_key=MESH_KEY)
    fake_task.add("<image>", [red], sample_id="pc", generation_kind="image_to_3d", registry_key=PC_KEY)
    fake_task.add("What colour? Answer:", [red], sample_id="qa")
    out = fake_task.run(pipeline_model)

    assert len(out) == 10 and not any(is_failure(o) for o in out), out
    parsed = [parse_response(o) for o in out[:9]]
    folder = (tmp_path / "out" / fake_task.name).resolve()
    (first,) = parsed[0]["images"]  # <sample_id>_<16-hex request key>_<k> (model_adapters/resume.py)
    assert Path(first).parent == folder and re.fullmatch(r"t2i_a_[0-9a-f]{16}_0\.png", Path(first).name)
    for i in (0, 1, 2):
        assert Image.open(parsed[i]["images"][0]).size == (32, 32)
    from model_adapters.video_io import frame_count

    assert frame_count(parsed[3]["videos"][0]) == 4
    for i in (4, 5, 6):
        wave, rate = sf.read(parsed[i]["audios"][0])
        assert rate == 16000 and wave.size > 0 and np.abs(wave).max() > 0
    assert parsed[6]["text"] == "a red square"  # image_to_speech speaks the comp model's answer
    obj = Path(parsed[7]["meshes"][0]).read_text()
    assert obj.count("\nf ") > 0 and parsed[7]["pointclouds"] == []
    ply = Path(parsed[8]["pointclouds"][0]).read_text()
    assert "element vertex" in ply and int(ply.split("element vertex ")[1].split()[0]) <= 100
    assert out[9] == "a red square"  # comprehension delegated to the lmms-eval dummy model


def test_failures_are_counted_not_raised(tmp_path, tiny_sd, fake_task) -> None:
    model = GeneralPipeline(t2i=str(tiny_sd), steps=1, height=32, width=32, output_dir=str(tmp_path))
    fake_task.add("a cat", sample_id="ok", generation_kind="text_to_image")
    fake_task.add("a song", sample_id="nope", generation_kind="text_to_audio")
    fake_task.add("x", sample_id="broken", generation_kind="text_to_image", load_error="missing file a.png")
    fake_task.add("<image> edit", [], sample_id="noimg", generation_kind="text_to_image")
    fake_task.add("question", sample_id="qa")
    out = fake_task.run(model)
    assert parse_response(out[0])["images"] and parse_response(out[3])["images"]
    assert is_failure(out[1]) and "cannot do text_to_audio" in out[1]
    assert is_failure(out[2]) and "missing file a.png" in out[2]
    assert is_failure(out[4]) and "comp_model" in out[4]
    assert len(model.failures) == 3


def test_bad_sample_in_batch_does_not_sink_others(tmp_path, tiny_sd, fake_task) -> None:
    model = GeneralPipeline(edit=str(tiny_sd), steps=2, output_dir=str(tmp_path), batch_size=4, strength=0.9)
    fake_task.add("<image> blue", [Image.new("RGB", (32, 32), "red")], sample_id="a", generation_kind="image_edit")
    fake_task.add("<image> blue", [], sample_id="b", generation_kind="image_edit")
    out = fake_task.run(model)
    assert parse_response(out[0])["images"] and is_failure(out[1]) and "needs an input image" in out[1]


def test_unknown_model_args_are_rejected() -> None:
    with pytest.raises(TypeError, match="unknown model_args"):
        GeneralPipeline(t2i_model="x")


def test_response_json_is_the_contract(pipeline_model, fake_task) -> None:
    fake_task.add("a cat", sample_id="x", generation_kind="text_to_image")
    payload = json.loads(fake_task.run(pipeline_model)[0])
    assert set(payload) == {"text", "images", "videos", "audios", "meshes", "pointclouds"}
