"""Video generation metrics: FVD, VBench-style dimensions, MUSIQ, Fram-Acc, CLIP-Style, success rates.

Predictions are generated video paths (file or frame folder); references are generation reference dicts.
A missing or unreadable video scores as the worst value (0; FVD: an all-black clip). All bounded scores
are on the 0–100 scale of the reference table. Definitions (documented in docs/METRICS.md):

* ``dino_score`` — VBench subject consistency: DINO CLS embeddings of 16 uniformly sampled frames,
  mean over frames of (cos to first frame + cos to previous frame) / 2, ×100.
* ``temporal_flickering`` — VBench: (255 − mean |frame_t − frame_{t−1}|) / 255 ×100 (the "L1 distance" row).
* ``optical_flow_score`` — VBench dynamic degree: % of videos whose Farneback optical flow (OpenCV; VBench
  uses RAFT) has top-5 % magnitude above 6·min(H, W)/256 in at least round(4·pairs/16) frame pairs.
* ``i2v_composite`` — the four VBench I2V dimensions of the official kit, **averaged** (the kit sums them,
  0–4; the SoTA 59–68 is a 0–100 mean): subject consistency (DINO), text–video consistency (CLIP cosine of
  the prompt and frames, standing in for ViCLIP), motion smoothness (1 − mean |odd frame − linear
  interpolation of its neighbours| / 255, standing in for the AMT-S interpolator), dynamic degree (0/1).
* ``frame_accuracy`` — % of output frames whose CLIP similarity to ``target_prompt`` exceeds that to
  ``source_prompt``, mean over videos.
* ``clip_style`` — 100·max(cos, 0) between CLIP embeddings of the frames and of the style reference
  image(s); without a style image, of the style prompt.
* ``success_rate_single_object`` / ``success_rate_multi_object`` — VBench object_class / multiple_objects
  with an OWL-ViT open-vocabulary detector instead of GRiT: % of frames in which every named object is
  detected (score ≥ 0.1), mean over videos.
* ``success_rate`` — VBench's color / spatial / camera / material / action checks need task-specific
  models (GRiT, UMT, ViCLIP); as a proxy a video succeeds on a frame when CLIP ranks its own prompt first
  among all distinct prompts of the task; % of frames, mean over videos.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lmms_general.metrics import media
from lmms_general.metrics._common import mean, require_samples
from lmms_general.metrics.image_generation import (
    consistency,
    frechet_distance,
    reference_media,
    reference_set,
    source_media,
)
from lmms_general.metrics.models import (
    ModelUnavailableError,
    backbone_embeddings,
    clip_image_embeddings,
    clip_text_embeddings,
    device,
    load_detector,
    resolve_file,
    resolve_model,
)
from lmms_general.metrics.registry import AS_IS, LevelMap, MetricSpec, register
from lmms_general.metrics.synthetic import gen_generation

N_FRAMES = 16


def frames(value: Any, max_frames: int | None = N_FRAMES) -> np.ndarray:
    """``uint8 (T, H, W, 3)`` frames of a generated video (uniformly sampled)."""
    return media.load_video(value, max_frames=max_frames)


# ------------------------------------------------------------------------------------- pixel statistics
def temporal_flickering_video(video: np.ndarray) -> float:
    """(255 − mean absolute difference of consecutive frames) / 255 ×100; one frame: 100."""
    if len(video) < 2:
        return 100.0
    diff = np.abs(np.diff(video.astype(np.float64), axis=0)).mean()
    return 100.0 * (255.0 - diff) / 255.0


def motion_smoothness_video(video: np.ndarray) -> float:
    """1 − mean |odd frame − mean of its neighbours| / 255, in [0, 1] (linear interpolation for AMT-S)."""
    v = video.astype(np.float64)
    if len(v) < 3:
        return 1.0
    middle = v[1:-1:2]
    interp = (v[0:-2:2] + v[2::2]) / 2
    n = min(len(middle), len(interp))
    return float(1.0 - np.abs(middle[:n] - interp[:n]).mean() / 255.0)


def dynamic_video(video: np.ndarray, threshold: float = 6.0) -> float:
    """VBench dynamic degree of one video (0/1) with OpenCV Farneback flow."""
    import cv2

    if len(video) < 2:
        return 0.0
    gray = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in video]
    scale = min(video.shape[1:3]) / 256.0
    count = 0
    for a, b in zip(gray[:-1], gray[1:], strict=True):
        flow = cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 3, 15, 3, 5, 1.2, 0)
        magnitude = np.linalg.norm(flow, axis=-1).ravel()
        top = np.sort(magnitude)[-max(1, int(0.05 * magnitude.size)) :]
        count += float(top.mean()) > threshold * scale
    needed = max(1, round(4 * (len(video) - 1) / 16.0))
    return float(count >= needed)


def temporal_flickering(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Mean VBench temporal-flickering score (0–100, higher is smoother)."""
    require_samples("temporal_flickering", predictions)
    return mean(
        media.per_sample(
            "temporal_flickering",
            predictions,
            references,
            lambda p, r: temporal_flickering_video(frames(p, None)),
            worst=0.0,
        )
    )


def optical_flow_score(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """% of dynamic videos (VBench dynamic degree, Farneback flow)."""
    require_samples("optical_flow_score", predictions)
    return 100.0 * mean(
        media.per_sample(
            "optical_flow_score", predictions, references, lambda p, r: dynamic_video(frames(p)), worst=0.0
        )
    )


# ---------------------------------------------------------------------------------------- model-based
def dino_consistency(video: np.ndarray, model: str | None = None) -> float:
    """VBench subject consistency in [0, 1] from DINO frame embeddings."""
    return consistency(backbone_embeddings(list(video), resolve_model("DINO", model)))


def dino_score(predictions: Sequence[Any], references: Sequence[Any], model: str | None = None) -> float:
    """Mean VBench subject consistency ×100 (DINO)."""
    require_samples("dino_score", predictions)
    return 100.0 * mean(
        media.per_sample(
            "dino_score", predictions, references, lambda p, r: dino_consistency(frames(p), model), worst=0.0
        )
    )


def text_video_similarity(video: np.ndarray, text: str, model: str | None = None) -> float:
    """Mean over frames of max(cos, 0) between CLIP frame and text embeddings, in [0, 1]."""
    path = resolve_model("CLIP", model)
    return float(
        np.clip(clip_image_embeddings(list(video), path) @ clip_text_embeddings([text], path)[0], 0, None).mean()
    )


def i2v_composite_video(
    video: np.ndarray, prompt: str, clip_model: str | None = None, dino_model: str | None = None
) -> float:
    """Mean of the four I2V dimensions in [0, 1] (see the module docstring)."""
    return mean(
        [
            dino_consistency(video, dino_model),
            text_video_similarity(video, prompt, clip_model),
            motion_smoothness_video(video),
            dynamic_video(video),
        ]
    )


def i2v_composite(
    predictions: Sequence[Any], references: Sequence[Any], clip_model: str | None = None, dino_model: str | None = None
) -> float:
    """Mean over videos of the averaged four I2V dimensions, ×100."""
    require_samples("i2v_composite", predictions)
    return 100.0 * mean(
        media.per_sample(
            "i2v_composite",
            predictions,
            references,
            lambda p, r: i2v_composite_video(frames(p), media.reference_prompt(r), clip_model, dino_model),
            worst=0.0,
        )
    )


def fvd_features(videos: Sequence[np.ndarray], feature: Any = "r3d_18", size: int = 112) -> np.ndarray:
    """Clip features for FVD: ``"r3d_18"`` (torchvision Kinetics-400 R3D-18 without its classifier, 512-d, as
    the official kit; weights must be in the torch hub cache), ``"clip"`` (mean CLIP frame embedding), or a
    ``torch.nn.Module`` taking ``float (N, 3, T, H, W)`` in [0, 1] and returning ``(N, D)``."""
    if feature == "clip":
        path = resolve_model("CLIP")
        return np.stack([clip_image_embeddings(list(v), path).mean(axis=0) for v in videos])
    import torch

    if feature == "r3d_18":
        from torchvision.models.video import r3d_18

        weights = resolve_file("R3D_18")  # the torch hub cache or the override; never torchvision's download
        try:
            module = r3d_18(weights=None)
            module.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
        except Exception as exc:  # noqa: BLE001 - a bad local file
            raise ModelUnavailableError(
                f"FVD r3d_18 Kinetics-400 weights unreadable at {weights} ({type(exc).__name__}: {exc}); "
                "run `lmms-general weights fetch R3D_18` or point LMMS_GENERAL_MODEL_R3D_18 at r3d_18-b3b3357e.pth, "
                "or use feature='clip'"
            ) from None
        module.fc = torch.nn.Identity()
        module = module.eval().to(device())
        mean_, std_ = torch.tensor([0.43216, 0.394666, 0.37645]), torch.tensor([0.22803, 0.22145, 0.216989])
    elif isinstance(feature, torch.nn.Module):
        module, mean_, std_ = feature, torch.zeros(3), torch.ones(3)
    else:
        raise ValueError(f"unknown FVD feature extractor {feature!r}")
    out = []
    with torch.no_grad():
        for video in videos:
            clip = np.stack([media.load_array_resized(f, (size, size)) for f in video])
            tensor = torch.from_numpy(clip).float().div(255).permute(3, 0, 1, 2)
            tensor = (tensor - mean_[:, None, None, None]) / std_[:, None, None, None]
            dev = next(module.parameters(), torch.empty(0)).device
            out.append(module(tensor[None].to(dev)).reshape(1, -1).double().cpu())
    return torch.cat(out).numpy()


def fvd(predictions: Sequence[Any], references: Sequence[Any], feature: Any = "r3d_18") -> float:
    """Fréchet video distance (raw) between generated clips and the task's reference videos (16 frames each).
    Missing outputs enter as all-black 16-frame clips."""
    require_samples("fvd", predictions)
    real_paths = reference_set(references, media.VIDEO_SUFFIXES)
    if not real_paths:
        raise ValueError("fvd: the task has no reference videos (targets)")
    real = [frames(p) for p in real_paths]
    blank = np.zeros((N_FRAMES, 112, 112, 3), np.uint8)
    fake = []
    for prediction in predictions:
        try:
            fake.append(frames(prediction) if prediction is not None else blank)
        except media.MediaError:
            fake.append(blank)
    return frechet_distance(fvd_features(fake, feature), fvd_features(real, feature))


def _pyiqa_musiq() -> Callable[[np.ndarray], list[float]]:
    try:
        import pyiqa
        import torch
    except ImportError as exc:
        raise ModelUnavailableError(f"musiq needs pyiqa (pip install 'pyiqa>=0.1.13,<0.2'): {exc}") from None
    weights = resolve_file("MUSIQ")  # pyiqa's own cache (torch hub checkpoints/pyiqa); offline: never fetched
    try:
        metric = pyiqa.create_metric("musiq", device=device(), pretrained_model_path=weights)
    except Exception as exc:  # noqa: BLE001 - a bad weights file
        raise ModelUnavailableError(f"pyiqa musiq weights unusable ({type(exc).__name__}: {exc})") from None

    def score(video: np.ndarray) -> list[float]:
        tensor = torch.from_numpy(video).float().div(255).permute(0, 3, 1, 2)
        with torch.no_grad():
            return [float(metric(tensor[i : i + 1].to(device()))) for i in range(len(tensor))]

    return score


def musiq(
    predictions: Sequence[Any], references: Sequence[Any], scorer: Callable[[np.ndarray], list[float]] | None = None
) -> float:
    """Mean MUSIQ (pyiqa ``musiq``, ~0–100) over 16 frames per video, mean over videos; missing = 0.
    ``scorer`` (frames -> per-frame scores) replaces pyiqa (tests, other IQA backends)."""
    require_samples("musiq", predictions)
    scorer = scorer or _pyiqa_musiq()
    return mean(media.per_sample("musiq", predictions, references, lambda p, r: mean(scorer(frames(p))), worst=0.0))


def aesthetic_head(path: str | None = None) -> Any:
    """The LAION aesthetic linear head (``sa_0_4_vit_l_14_linear.pth``: weight (1, D), bias (1,))."""
    import torch

    path = resolve_file("AESTHETIC_HEAD", path)
    state = torch.load(path, map_location="cpu", weights_only=True)
    weight = state.get("weight", state.get("linear.weight"))
    bias = state.get("bias", state.get("linear.bias"))
    return weight.double().numpy(), bias.double().numpy()


def aesthetic_score(
    predictions: Sequence[Any], references: Sequence[Any], model: str | None = None, head: str | None = None
) -> float:
    """VBench aesthetic quality ×100: LAION linear head (0–10) on unit CLIP ViT-L/14 frame embeddings,
    /10, mean over frames and videos; missing = 0."""
    require_samples("aesthetic_score", predictions)
    weight, bias = aesthetic_head(head)
    path = resolve_model("AESTHETIC_CLIP", model)

    def one(prediction: Any, ref: Any) -> float:
        emb = clip_image_embeddings(list(frames(prediction)), path)
        return float(np.clip((emb @ weight.T + bias).ravel() / 10.0, 0, 1).mean())

    return 100.0 * mean(media.per_sample("aesthetic_score", predictions, references, one, worst=0.0))


def frame_accuracy(predictions: Sequence[Any], references: Sequence[Any], model: str | None = None) -> float:
    """Fram-Acc: % of frames closer (CLIP) to the target prompt than to the source prompt, mean over videos."""
    require_samples("frame_accuracy", predictions)
    path = resolve_model("CLIP", model)

    def one(prediction: Any, ref: Any) -> float:
        source = media.reference_input(ref, "source_prompt")
        target = media.reference_input(ref, "target_prompt")
        if not source or not target:
            raise ValueError(f"frame_accuracy: reference without source_prompt/target_prompt: {str(ref)[:200]}")
        emb = clip_image_embeddings(list(frames(prediction, None)), path)
        text = clip_text_embeddings([str(target), str(source)], path)
        sims = emb @ text.T
        return float(np.mean(sims[:, 0] > sims[:, 1]))

    return 100.0 * mean(media.per_sample("frame_accuracy", predictions, references, one, worst=0.0))


def clip_style(predictions: Sequence[Any], references: Sequence[Any], model: str | None = None) -> float:
    """100·max(cos, 0) between CLIP frame embeddings and the style reference images (else the style prompt)."""
    require_samples("clip_style", predictions)
    path = resolve_model("CLIP", model)

    def one(prediction: Any, ref: Any) -> float:
        emb = clip_image_embeddings(list(frames(prediction)), path)
        styles = [s for s in source_media(ref) + reference_media(ref) if Path(s).suffix.lower() in media.IMAGE_SUFFIXES]
        if styles:
            other = clip_image_embeddings([media.load_image(s) for s in styles], path)
        else:
            other = clip_text_embeddings([media.reference_prompt(ref)], path)
        return float(np.clip(emb @ other.T, 0, None).mean())

    return 100.0 * mean(media.per_sample("clip_style", predictions, references, one, worst=0.0))


# --------------------------------------------------------------------------------------- success rates
def object_names(ref: Mapping[str, Any]) -> list[str]:
    """Objects a video must show: VBench ``auxiliary_info.object`` ("a dog and a cat" -> 2), else ``objects``."""
    value = media.reference_input(ref, "object", "objects", "object_class")
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, str):
        value = [part for chunk in value.split(",") for part in chunk.split(" and ")]
    names = [str(v).strip() for v in media.as_list(value) if str(v).strip()]
    if not names:
        raise ValueError(f"object success rate: reference names no object (auxiliary_info.object): {str(ref)[:200]}")
    return names


def detect_objects(video: np.ndarray, names: Sequence[str], model: str | None = None, threshold: float = 0.1) -> float:
    """Fraction of frames in which every name is detected by the open-vocabulary detector."""
    import torch

    detector, processor = load_detector(resolve_model("DETECTOR", model))
    queries = [f"a photo of {n}" for n in names]
    hits = []
    for frame in video:
        inputs = processor(text=[queries], images=frame, return_tensors="pt").to(device())
        with torch.no_grad():
            logits = detector(**inputs).logits[0]  # (boxes, queries)
        best = torch.sigmoid(logits).max(dim=0).values
        hits.append(bool((best >= threshold).all()))
    return float(np.mean(hits))


def _object_rate(
    metric_id: str, predictions: Sequence[Any], references: Sequence[Any], model: str | None, threshold: float
) -> float:
    require_samples(metric_id, predictions)
    return 100.0 * mean(
        media.per_sample(
            metric_id,
            predictions,
            references,
            lambda p, r: detect_objects(frames(p, 8), object_names(r), model, threshold),
            worst=0.0,
        )
    )


def success_rate_single_object(
    predictions: Sequence[Any], references: Sequence[Any], model: str | None = None, threshold: float = 0.1
) -> float:
    """VBench object_class with OWL-ViT: % frames showing the named object, mean over videos."""
    return _object_rate("success_rate_single_object", predictions, references, model, threshold)


def success_rate_multi_object(
    predictions: Sequence[Any], references: Sequence[Any], model: str | None = None, threshold: float = 0.1
) -> float:
    """VBench multiple_objects with OWL-ViT: % frames showing all named objects, mean over videos."""
    return _object_rate("success_rate_multi_object", predictions, references, model, threshold)


def success_rate(predictions: Sequence[Any], references: Sequence[Any], model: str | None = None) -> float:
    """% frames on which CLIP ranks the video's own prompt first among the task's distinct prompts."""
    require_samples("success_rate", predictions)
    prompts = [media.reference_prompt(r) for r in references]
    distinct = sorted(set(prompts))
    if len(distinct) < 2:
        raise ValueError("success_rate: the CLIP ranking proxy needs at least 2 distinct prompts in the task")
    path = resolve_model("CLIP", model)
    text = clip_text_embeddings(distinct, path)

    def one(prediction: Any, prompt: str) -> float:
        sims = clip_image_embeddings(list(frames(prediction, 8)), path) @ text.T
        return float(np.mean(sims.argmax(axis=1) == distinct.index(prompt)))

    return 100.0 * mean(media.per_sample("success_rate", predictions, prompts, one, worst=0.0))


_CLIP = "openai/clip-vit-base-patch32"

register(
    MetricSpec(
        "fvd",
        fvd,
        "corpus",
        (0.0, float("inf")),
        "raw",
        "torchvision r3d_18 features + scipy Fréchet",
        default_model="torchvision r3d_18 KINETICS400_V1 (torch hub cache)",
        options={"feature": "r3d_18"},
        description="Fréchet distance of R3D-18 clip features, generated vs reference videos",
        **media.GENERATION_IO,
        aliases=("FVD",),
        lower_is_better=True,
        task_kind="generation",
        level_map=LevelMap.sigmoid(100.0),
        synthetic=gen_generation,
        no_statistics="model-based: a Fréchet distance of R3D-18 features pooled over the task (no "
        "per-sample sum); the bootstrap keeps the point score",
    )
)
register(
    MetricSpec(
        "temporal_flickering",
        temporal_flickering,
        "sample",
        (0.0, 100.0),
        "x100",
        "numpy (VBench)",
        description="(255 - mean |frame diff|) / 255 x100",
        **media.GENERATION_IO,
        aliases=("L1 distance",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "optical_flow_score",
        optical_flow_score,
        "sample",
        (0.0, 100.0),
        "x100",
        "OpenCV Farneback flow (VBench dynamic degree)",
        proxy=True,
        description="% videos judged dynamic by optical-flow magnitude",
        **media.GENERATION_IO,
        aliases=("Optical Flow Score",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "dino_score",
        dino_score,
        "sample",
        (0.0, 100.0),
        "x100",
        "transformers DINO (VBench)",
        default_model="facebook/dino-vitb16",
        description="VBench subject consistency x100",
        **media.GENERATION_IO,
        aliases=("DINOScore",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "i2v_composite",
        i2v_composite,
        "sample",
        (0.0, 100.0),
        "x100 (mean of 4 dims)",
        "DINO + CLIP (ViCLIP stand-in) + linear-interpolation smoothness + Farneback flow",
        default_model=f"facebook/dino-vitb16 + {_CLIP}",
        proxy=True,
        description="mean of subject consistency, text-video CLIP, motion smoothness, dynamic degree",
        **media.GENERATION_IO,
        aliases=("DINO+ViCLIP+Optical flow+Motion Smooth",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "musiq",
        musiq,
        "sample",
        (0.0, 100.0),
        "raw (~0-100)",
        "pyiqa musiq",
        default_model="pyiqa musiq (KonIQ)",
        description="mean MUSIQ over frames and videos",
        **media.GENERATION_IO,
        aliases=("MUSIQ", "MUSIQ score"),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "aesthetic_score",
        aesthetic_score,
        "sample",
        (0.0, 100.0),
        "x100",
        "CLIP ViT-L/14 + LAION head",
        default_model="openai/clip-vit-large-patch14 + sa_0_4_vit_l_14_linear.pth",
        description="VBench aesthetic quality x100",
        **media.GENERATION_IO,
        aliases=("Aesthetic score",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "frame_accuracy",
        frame_accuracy,
        "sample",
        (0.0, 100.0),
        "x100",
        "transformers CLIP",
        default_model=_CLIP,
        description="% frames closer to target than source prompt",
        **media.GENERATION_IO,
        aliases=("Fram-Acc",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "clip_style",
        clip_style,
        "sample",
        (0.0, 100.0),
        "x100",
        "transformers CLIP",
        default_model=_CLIP,
        description="CLIP similarity of frames to the style reference",
        **media.GENERATION_IO,
        aliases=("CLIP-Style",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "success_rate_single_object",
        success_rate_single_object,
        "sample",
        (0.0, 100.0),
        "x100",
        "transformers OWL-ViT (GRiT stand-in)",
        default_model="google/owlvit-base-patch32",
        proxy=True,
        description="% frames with the named object detected",
        **media.GENERATION_IO,
        aliases=("Single-Object Successful Rate",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "success_rate_multi_object",
        success_rate_multi_object,
        "sample",
        (0.0, 100.0),
        "x100",
        "transformers OWL-ViT (GRiT stand-in)",
        default_model="google/owlvit-base-patch32",
        proxy=True,
        description="% frames with all named objects detected",
        **media.GENERATION_IO,
        aliases=("Multi-Object Successful Rate",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "success_rate",
        success_rate,
        "sample",
        (0.0, 100.0),
        "x100",
        "transformers CLIP prompt ranking",
        default_model=_CLIP,
        proxy=True,
        description="% frames where CLIP ranks the own prompt first among the task's prompts",
        **media.GENERATION_IO,
        aliases=("Successful rate",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
