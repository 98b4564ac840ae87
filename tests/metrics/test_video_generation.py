"""Video generation metrics: pixel statistics vs numpy, seams for model scorers, tiny CLIP/DINO models."""

from __future__ import annotations

import numpy as np
import pytest

from lmms_general.metrics import get_metric, media
from lmms_general.metrics.video_generation import motion_smoothness_video, temporal_flickering_video
from tests.metrics._media_files import random_image, write_corrupt, write_frames


def _video(seed: int, frames: int = 4, size: int = 32) -> np.ndarray:
    return np.stack([random_image(seed + i, (size, size)) for i in range(frames)])


def test_temporal_flickering_numpy_and_failures(tmp_path) -> None:
    video = _video(0)
    expected = 100 * (255 - np.mean([np.abs(video[i + 1].astype(float) - video[i]).mean() for i in range(3)])) / 255
    assert temporal_flickering_video(video) == pytest.approx(expected)
    static = write_frames(tmp_path / "static", np.stack([video[0]] * 3))
    corrupt = write_corrupt(tmp_path / "bad.mp4")
    # moving / static / missing against numpy: tests/metrics/metric_cases.py; a corrupt file scores 0
    assert get_metric("temporal_flickering").score([static, corrupt], [{}] * 2) == pytest.approx(50.0)


def test_mp4_roundtrip(tmp_path) -> None:
    import av

    path = tmp_path / "v.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=8)
        stream.width = stream.height = 32
        stream.pix_fmt = "yuv420p"
        for frame in np.stack([np.full((32, 32, 3), 128, np.uint8)] * 5):
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    video = media.load_video(path, max_frames=3)
    assert video.shape == (3, 32, 32, 3) and abs(float(video.mean()) - 128) < 3


def test_motion_smoothness() -> None:
    ramp = np.stack([np.full((8, 8, 3), 10 * i, np.uint8) for i in range(5)])
    assert motion_smoothness_video(ramp) == pytest.approx(1.0)  # linear in time: perfectly interpolable
    jitter = np.stack([np.full((8, 8, 3), 0 if i % 2 == 0 else 255, np.uint8) for i in range(5)])
    assert motion_smoothness_video(jitter) == pytest.approx(0.0)
    # dynamic degree (optical_flow_score) of a moving / still blob: tests/metrics/metric_cases.py


def test_success_rate_needs_two_prompts_and_object_names() -> None:
    from lmms_general.metrics.video_generation import object_names

    assert object_names({"auxiliary_info": {"object": "a dog and a cat"}}) == ["a dog", "a cat"]
    assert object_names({"input": {"object": "car"}}) == ["car"]
    with pytest.raises(ValueError, match="2 distinct prompts"):
        get_metric("success_rate").score(["/x"], [{"input": {"prompt": "a"}}])


def test_fvd_with_custom_feature_module(tmp_path) -> None:
    import torch

    class MeanStd(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.cat([x.mean(dim=(2, 3, 4)), x.std(dim=(2, 3, 4))], dim=1)

    refs = [{"target": [write_frames(tmp_path / f"r{i}", _video(10 * i, 3, 16))]} for i in range(4)]
    preds = [write_frames(tmp_path / f"p{i}", _video(100 + 10 * i, 3, 16) // 3) for i in range(4)]
    spec = get_metric("fvd")
    assert spec.score([r["target"][0] for r in refs], refs, feature=MeanStd()) == pytest.approx(0.0, abs=1e-8)
    assert spec.score(preds, refs, feature=MeanStd()) > 0.01


def _write_mp4(path, video: np.ndarray) -> str:
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=8)
        stream.width, stream.height = video.shape[2], video.shape[1]
        stream.pix_fmt = "yuv420p"
        for frame in video:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return str(path)


def test_fvd_real_set_is_the_task_folder_when_samples_have_no_targets(tmp_path) -> None:
    import torch

    class MeanStd(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.cat([x.mean(dim=(2, 3, 4)), x.std(dim=(2, 3, 4))], dim=1)

    task = tmp_path / "AthleticsT2V"
    real = [_write_mp4(task / "videos" / f"real_{i}.mp4", _video(10 * i, 4, 32)) for i in range(3)]
    source = _write_mp4(task / "inputs" / "cond.mp4", _video(99, 4, 32))  # an input, never part of the real set
    refs = [{"prompt": f"p{i}", "source": [source], "target": [], "task_dir": str(task)} for i in range(3)]
    from lmms_general.metrics.image_generation import reference_set

    assert [str(p) for p in reference_set(refs, media.VIDEO_SUFFIXES)] == real
    spec = get_metric("fvd")
    assert spec.score(real, refs, feature=MeanStd()) == pytest.approx(0.0, abs=1e-6)
    assert spec.score([None, None, None], refs, feature=MeanStd()) > 0.01


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    from tests.metrics._tiny_models import build_clip, build_dino

    root = tmp_path_factory.mktemp("tiny")
    return str(build_clip(root / "clip")), str(build_dino(root / "dino"))


@pytest.mark.slow
def test_clip_and_dino_video_metrics_tiny(tmp_path, tiny_models) -> None:
    clip, dino = tiny_models
    static = write_frames(tmp_path / "static", np.stack([random_image(0, (32, 32))] * 4))
    moving = write_frames(tmp_path / "moving", _video(1))
    assert get_metric("dino_score").score([static], [{}], model=dino) == pytest.approx(100.0, abs=1e-3)
    assert 0 <= get_metric("dino_score").score([moving, None], [{}, {}], model=dino) <= 50.0
    ref = {"input": {"prompt": "a cat", "source_prompt": "a photo of a cat", "target_prompt": "a photo of a dog"}}
    fa = get_metric("frame_accuracy").score([moving], [ref], model=clip)
    assert fa in {0.0, 25.0, 50.0, 75.0, 100.0}
    style = media.generation_reference({"source": [str(tmp_path / "static" / "0000.png")], "target": []}, {})
    assert get_metric("clip_style").score([static], [style], model=clip) == pytest.approx(100.0, abs=1e-3)
    comp = get_metric("i2v_composite").score([static], [ref], clip_model=clip, dino_model=dino)
    assert 50.0 <= comp <= 75.0  # consistency 1, smoothness 1, dynamic 0, CLIP cosine in [0, 1]
    sr = get_metric("success_rate").score(
        [static, moving], [{"input": {"prompt": "a cat"}}, {"input": {"prompt": "a dog"}}], model=clip
    )
    assert 0.0 <= sr <= 100.0
