"""The generated-media convention: deterministic file names, JSON build/parse, failure strings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from model_adapters.media_output import (
    MediaWriter,
    build_response,
    default_output_dir,
    failure,
    is_failure,
    parse_response,
    safe_id,
)


def test_writer_names_files_deterministically(tmp_path: Path) -> None:
    writer = MediaWriter(tmp_path, "general_bench_t2i", "sample/1")
    first = writer.image(Image.new("RGB", (8, 8), "red"))
    second = writer.audio(np.sin(np.linspace(0, 20, 800)), 8000)
    stem = safe_id("sample/1")  # an unsafe id: readable prefix + hash of the id (never clashes with "sample_1")
    assert stem.startswith("sample_1_") and stem != safe_id("sample_1") == "sample_1"
    assert first == str(tmp_path.resolve() / "general_bench_t2i" / f"{stem}_0.png")
    assert second.endswith(f"{stem}_1.wav")
    wave, rate = sf.read(second)
    assert rate == 8000 and wave.shape == (800,)
    payload = json.loads(writer.response("done"))
    assert payload == {
        "text": "done",
        "images": [first],
        "videos": [],
        "audios": [second],
        "meshes": [],
        "pointclouds": [],
    }


def test_pointcloud_mesh_and_video_files(tmp_path: Path) -> None:
    writer = MediaWriter(tmp_path, "t", "s")
    ply = Path(writer.pointcloud(np.zeros((5, 3)), np.full((5, 3), 255)))
    obj = Path(writer.mesh(np.eye(3), [[0, 1, 2]]))
    mp4 = Path(writer.video([np.full((16, 16, 3), v, np.uint8) for v in (0, 128, 255)], fps=4))
    assert "element vertex 5" in ply.read_text() and ply.read_text().count("\n") == 15
    assert obj.read_text().splitlines()[-1] == "f 1 2 3"
    from model_adapters.video_io import frame_count

    assert frame_count(str(mp4)) == 3


def test_parse_and_failure_round_trip(tmp_path: Path) -> None:
    response = build_response("hi", images=[tmp_path / "a.png"])
    assert parse_response(response)["images"] == [str((tmp_path / "a.png").resolve())]
    assert parse_response("plain answer") is None
    bad = failure("model cannot do text_to_3d")
    assert is_failure(bad) and parse_response(bad) is None
    with pytest.raises(KeyError):
        build_response("x", gifs=["a.gif"])
    assert default_output_dir("my model") == "general_bench_outputs/my_model"
