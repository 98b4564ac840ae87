"""emu2 and next_gpt adapters against local stand-ins (their real code lives outside pip; see docs/ADAPTERS.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from PIL import Image

from model_adapters import emu2
from model_adapters.media_output import is_failure, parse_response

STAND_INS = Path(__file__).resolve().parents[1] / "fixtures" / "stand_ins"


@pytest.fixture()
def emu2_model(monkeypatch, tmp_path):
    sys.path.insert(0, str(STAND_INS))
    import emu2_stand_in

    monkeypatch.setattr(emu2, "load_chat", emu2_stand_in.load_chat)
    monkeypatch.setattr(emu2, "load_gen", emu2_stand_in.load_gen)
    return emu2.Emu2(output_dir=str(tmp_path), dtype="float32")


def test_emu2_routes_understand_generate_edit(emu2_model, fake_task) -> None:
    red = Image.new("RGB", (10, 10), "red")
    fake_task.add("describe", [red, red], sample_id="qa")
    fake_task.add("a cat", sample_id="t2i", generation_kind="text_to_image")
    fake_task.add("make it blue", [red], sample_id="edit", generation_kind="image_edit")
    fake_task.add("a clip", sample_id="t2v", generation_kind="text_to_video")
    out = fake_task.run(emu2_model)
    assert out[0].startswith("tok") and out[0].endswith("tok2")  # two [<IMG_PLH>] placeholders were sent
    t2i, edit = Image.open(parse_response(out[1])["images"][0]), Image.open(parse_response(out[2])["images"][0])
    assert t2i.size == edit.size == (24, 24)
    assert np.asarray(edit)[..., 0].mean() > np.asarray(edit)[..., 2].mean()  # the red source was used
    assert is_failure(out[3]) and "emu2 cannot do text_to_video" in out[3]


def test_next_gpt_writes_every_modality(tmp_path, fake_task) -> None:
    from model_adapters.next_gpt import NextGPT

    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    torch.save({"proj.weight": torch.eye(2)}, ckpt / "pytorch_model.pt")
    model = NextGPT(
        repo_path=str(STAND_INS / "nextgpt_repo"),
        ckpt_path=str(ckpt),
        dtype="float32",
        num_frames=3,
        output_dir=str(tmp_path / "out"),
    )
    assert torch.equal(model.model.proj.weight, torch.eye(2))  # delta checkpoint loaded
    audio = {"array": np.zeros(800, np.float32), "sampling_rate": 8000}
    fake_task.add("a dog", sample_id="img", generation_kind="text_to_image")
    fake_task.add("a dog running", sample_id="vid", generation_kind="text_to_video")
    fake_task.add("louder", [audio], sample_id="aud", generation_kind="audio_edit")
    fake_task.add("what is it?", [Image.new("RGB", (8, 8))], sample_id="qa")
    fake_task.add("a mesh", sample_id="3d", generation_kind="text_to_3d")
    out = fake_task.run(model)
    assert Image.open(parse_response(out[0])["images"][0]).size == (16, 16)
    from model_adapters.video_io import frame_count

    assert frame_count(parse_response(out[1])["videos"][0]) == 3
    wave, rate = sf.read(parse_response(out[2])["audios"][0])
    assert rate == 16000 and wave.shape == (1600,)
    staged = [i["audio_paths"] for i in model.model.seen_inputs if i["audio_paths"]]
    assert len(staged) == 1 and staged[0][0].endswith(".wav")  # the input audio was staged as a file
    assert out[3] == "answer to: what is it?"
    assert is_failure(out[4])
