"""Image generation metrics vs independent references (numpy formulas, scipy sqrtm, torchmetrics FID)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from lmms_general.metrics import get_metric, media
from lmms_general.metrics.image_generation import frechet_distance, psnr_pair
from tests.metrics._media_files import random_image, write_corrupt, write_image


def _ref(target: str | list[str] | None = None, **extra) -> dict:
    return {
        "prompt": "p",
        "source": [],
        "target": [target] if isinstance(target, str) else (target or []),
        "text": None,
        **extra,
    }


def _numpy_psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * math.log10(255.0**2 / mse)


def test_psnr_matches_numpy_formula_and_counts_failures(tmp_path) -> None:
    ref_a, ref_b = random_image(0), random_image(1)
    noisy = np.clip(ref_a.astype(int) + np.random.default_rng(2).integers(-20, 21, ref_a.shape), 0, 255)
    pred = write_image(tmp_path / "pred.png", noisy)
    a, b = write_image(tmp_path / "a.png", ref_a), write_image(tmp_path / "b.png", ref_b)
    expected = _numpy_psnr(noisy, ref_a)
    assert psnr_pair(pred, a) == pytest.approx(expected, rel=1e-6)
    spec = get_metric("psnr")
    corrupt = write_corrupt(tmp_path / "bad.png")
    # identical -> capped 100 dB; missing (None), missing file, corrupt file -> 0 dB, all in the mean
    score = spec.score(
        [pred, b, None, str(tmp_path / "nope.png"), corrupt], [_ref(a), _ref(b), _ref(a), _ref(a), _ref(a)]
    )
    assert score == pytest.approx((expected + 100.0) / 5, rel=1e-6)


def test_psnr_resizes_prediction_and_needs_a_target(tmp_path) -> None:
    ref = write_image(tmp_path / "r.png", np.full((32, 32, 3), 100, np.uint8))
    pred = write_image(tmp_path / "p.png", np.full((16, 16, 3), 110, np.uint8))
    assert get_metric("psnr").score([pred], [_ref(ref)]) == pytest.approx(10 * math.log10(255**2 / 100))
    with pytest.raises(ValueError, match="no reference media"):
        get_metric("psnr").score([pred], [_ref()])


def test_psnr_video_frames(tmp_path) -> None:
    from tests.metrics._media_files import write_frames

    video = np.stack([random_image(i, (24, 24)) for i in range(3)])
    noisy = np.clip(video.astype(int) + 5, 0, 255)
    expected = np.mean([_numpy_psnr(n, v) for n, v in zip(noisy, video, strict=True)])
    got = get_metric("psnr").score(
        [write_frames(tmp_path / "pred", noisy)], [_ref(write_frames(tmp_path / "ref", video))]
    )
    assert got == pytest.approx(expected)


def test_ms_ssim_uses_fewer_scales_on_small_images(tmp_path) -> None:
    """Noisy / identical / missing images against torchmetrics: tests/metrics/metric_cases.py."""
    small = write_image(tmp_path / "s.png", random_image(4, (40, 40)))
    assert get_metric("ms_ssim").score([small], [_ref(small)]) == pytest.approx(1.0)


def test_frechet_distance_matches_direct_sqrtm() -> None:
    from scipy import linalg

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(50, 4)), rng.normal(1.0, 2.0, size=(60, 4))
    mu1, mu2, s1, s2 = a.mean(0), b.mean(0), np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    direct = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * linalg.sqrtm(s1 @ s2).real)
    assert frechet_distance(a, b) == pytest.approx(direct, rel=1e-9)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)
    with pytest.raises(ValueError, match="at least 2"):
        frechet_distance(a[:1], b)


class _TinyFeatures(torch.nn.Module):
    """Deterministic 6-d features: per-channel means and stds of a uint8 image batch."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.double() / 255
        return torch.cat([x.mean(dim=(2, 3)), x.std(dim=(2, 3))], dim=1)


def test_fid_matches_torchmetrics_with_custom_feature(tmp_path) -> None:
    from torchmetrics.image.fid import FrechetInceptionDistance

    real = [random_image(i, (40, 40)) for i in range(8)]
    fake = [np.clip(random_image(100 + i, (40, 40)) // 2 + 60, 0, 255).astype(np.uint8) for i in range(8)]
    refs = [_ref(write_image(tmp_path / f"r{i}.png", r)) for i, r in enumerate(real)]
    preds = [write_image(tmp_path / f"f{i}.png", f) for i, f in enumerate(fake)]
    module = _TinyFeatures()
    from lmms_general.metrics.image_generation import fid, image_features

    ours = fid(preds, refs, feature=module)
    tm = FrechetInceptionDistance(feature=module, normalize=False)
    tm.update(
        torch.from_numpy(np.stack([media.load_array_resized(r, (299, 299)) for r in real])).permute(0, 3, 1, 2),
        real=True,
    )
    tm.update(
        torch.from_numpy(np.stack([media.load_array_resized(f, (299, 299)) for f in fake])).permute(0, 3, 1, 2),
        real=False,
    )
    assert ours == pytest.approx(float(tm.compute()), rel=1e-4)
    assert image_features(real, module).shape == (8, 6)
    assert fid([p for p in [r["target"][0] for r in refs]], refs, feature=module) == pytest.approx(0.0, abs=1e-6)
    # a missing output enters as a black image: the distance grows, nothing is dropped
    assert fid(preds[:-1] + [None], refs, feature=module) != pytest.approx(ours)


def test_fid_motion_statistics(tmp_path) -> None:
    rng = np.random.default_rng(0)
    refs, preds = [], []
    for i in range(4):
        np.save(tmp_path / f"r{i}.npy", rng.normal(size=(20, 5, 3)))
        np.save(tmp_path / f"p{i}.npy", rng.normal(0.5, 1.0, size=(20, 5, 3)))
        refs.append(_ref(str(tmp_path / f"r{i}.npy")))
        preds.append(str(tmp_path / f"p{i}.npy"))
    value = get_metric("fid").score(preds, refs)
    assert value > 0
    assert get_metric("fid").score([r["target"][0] for r in refs], refs) == pytest.approx(0.0, abs=1e-6)


def test_parse_media_and_reference(tmp_path) -> None:
    spec = get_metric("clip_score")
    assert spec.parse("", {}) is None
    assert spec.parse('["/a/x.png", "/a/y.png"]', {}) == "/a/x.png"
    assert spec.parse("out/x.png", {"task_dir": "/data/t"}) == "/data/t/out/x.png"
    ref = spec.prepare_reference(
        {"prompt": "p", "source": ["/i.png"], "target": []},
        {"registry_key": "3d_gen_living_and_arts_image_to_3d_mesh_generation"},
    )
    assert ref["mode"] == "image"
    ref = spec.prepare_reference(
        {"prompt": "p", "source": [], "target": []},
        {"registry_key": "video_gen_background_consistency_text_to_video_geneation"},
    )
    assert ref["mode"] == "consistency"


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory):
    from tests.metrics._tiny_models import build_clip

    return str(build_clip(tmp_path_factory.mktemp("openai_tiny_clip")))  # torchmetrics loads paths containing "openai"


@pytest.mark.slow
def test_clip_score_tiny_model_matches_clip_forward(tmp_path, tiny_clip) -> None:
    """Reference: CLIPModel's full forward, logits_per_image / logit_scale = cosine (torchmetrics' own
    clip_score does not run with transformers 5); torchmetrics convention 100*max(cos, 0)."""
    from transformers import CLIPModel, CLIPProcessor

    images = [random_image(i, (32, 32)) for i in range(3)]
    prompts = ["a photo of a cat", "a red car on the street", "birds singing in the forest"]
    preds = [write_image(tmp_path / f"{i}.png", im) for i, im in enumerate(images)]
    refs = [_ref(None, input={"prompt": p}) for p in prompts]
    ours = get_metric("clip_score").score(preds, refs, model=tiny_clip)
    model, processor = CLIPModel.from_pretrained(tiny_clip).eval(), CLIPProcessor.from_pretrained(tiny_clip)
    with torch.no_grad():
        out = model(**processor(text=prompts, images=images, return_tensors="pt", padding=True))
    cosine = (out.logits_per_image / model.logit_scale.exp()).diagonal().detach().numpy()
    assert ours == pytest.approx(float(np.mean(100 * np.clip(cosine, 0, None))), abs=1e-3)
    assert get_metric("clip_score").score(preds + [None], refs + [refs[0]], model=tiny_clip) == pytest.approx(
        ours * 3 / 4, abs=1e-3
    )


@pytest.mark.slow
def test_clip_image_score_and_3d_renders(tmp_path, tiny_clip) -> None:
    img = write_image(tmp_path / "a.png", random_image(0, (32, 32)))
    assert get_metric("clip_image_score").score([img], [_ref(img)], model=tiny_clip) == pytest.approx(100.0, abs=1e-3)
    np.save(tmp_path / "cloud.npy", np.random.default_rng(0).normal(size=(500, 3)))
    image_ref = {"prompt": "p", "source": [img], "target": [], "mode": "image"}
    text_ref = {"prompt": "a photo of a cat", "source": [], "target": [], "mode": "text"}
    for ref in (image_ref, text_ref):
        value = get_metric("clip_score").score([str(tmp_path / "cloud.npy")], [ref], model=tiny_clip)
        assert 0.0 <= value <= 100.0
    frames = tmp_path / "frames"
    from tests.metrics._media_files import write_frames

    write_frames(frames, np.stack([random_image(1, (32, 32))] * 3))
    cons = get_metric("clip_score").score([str(frames)], [{"mode": "consistency", "target": []}], model=tiny_clip)
    assert cons == pytest.approx(100.0, abs=1e-3)  # identical frames: perfectly consistent


@pytest.mark.slow
def test_fid_default_inception_loads_weights_from_the_configured_file(tmp_path, monkeypatch) -> None:
    """The default feature path (torch-fidelity InceptionV3) with a local weights file, vs torchmetrics' FID."""
    from torchmetrics.image.fid import FrechetInceptionDistance, NoTrainInceptionV3

    from tests.metrics._tiny_models import build_inception

    weights = build_inception(tmp_path / "inception.pth")
    monkeypatch.setenv("LMMS_GENERAL_MODEL_INCEPTION", str(weights))
    real = [random_image(i, (48, 48)) for i in range(4)]
    fake = [random_image(50 + i, (48, 48)) for i in range(4)]
    refs = [_ref(write_image(tmp_path / f"r{i}.png", r)) for i, r in enumerate(real)]
    preds = [write_image(tmp_path / f"f{i}.png", f) for i, f in enumerate(fake)]
    ours = get_metric("fid").score(preds, refs)
    extractor = NoTrainInceptionV3("inception-v3-compat", ["2048"], feature_extractor_weights_path=str(weights))
    tm = FrechetInceptionDistance(feature=extractor, normalize=False)
    for images, is_real in ((real, True), (fake, False)):
        batch = np.stack([media.load_array_resized(i, (299, 299)) for i in images])
        tm.update(torch.from_numpy(batch).permute(0, 3, 1, 2), real=is_real)
    assert ours == pytest.approx(float(tm.compute()), rel=1e-3)
    monkeypatch.setenv("LMMS_GENERAL_MODEL_INCEPTION", str(tmp_path / "missing.pth"))
    with pytest.raises(Exception, match="LMMS_GENERAL_MODEL_INCEPTION"):
        get_metric("fid").score(preds, refs)
