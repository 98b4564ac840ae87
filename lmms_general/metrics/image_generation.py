"""Image generation metrics: PSNR, MS-SSIM, FID, CLIP score (text/image/3D), CLIP image score.

Predictions are generated file paths (``media.parse_media``); references are the hooks' generation
reference dicts (prompt, source/target media paths, reference text). Missing or unreadable generated
files score as the worst value (PSNR 0 dB, MS-SSIM 0, CLIP 0) or, for FID, as a black image; they are
never dropped. ``clip_score`` is also the metric of the text/image-to-3D rows (3D outputs are rendered
from 4 views, :func:`media.render_points`) and of two video rows (see :func:`clip_score`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lmms_general.metrics import media
from lmms_general.metrics._common import mean, require_samples
from lmms_general.metrics.models import (
    backbone_embeddings,
    clip_image_embeddings,
    clip_text_embeddings,
    resolve_model,
)
from lmms_general.metrics.registry import AS_IS, LevelMap, MetricSpec, register
from lmms_general.metrics.synthetic import gen_generation

PSNR_CAP_DB = 100.0  # identical images: PSNR is infinite; capped so means stay finite


# ------------------------------------------------------------------------------------------------ I/O
def reference_media(ref: Any) -> list[str]:
    """The reference (target) media of a sample: ``target`` paths, else the reference itself if it is a path."""
    if isinstance(ref, Mapping):
        return [str(p) for p in media.as_list(ref.get("target")) if p]
    return [str(ref)] if isinstance(ref, str) else []


def source_media(ref: Any) -> list[str]:
    """The input media of a sample (``source`` paths)."""
    return [str(p) for p in media.as_list(ref.get("source"))] if isinstance(ref, Mapping) else []


def is_video(value: Any) -> bool:
    path = Path(str(value))
    return path.is_dir() or path.suffix.lower() in media.VIDEO_SUFFIXES


def is_3d(value: Any) -> bool:
    return Path(str(value)).suffix.lower() in media.POINT_SUFFIXES


def visual_frames(value: Any, max_frames: int = 16) -> list[np.ndarray]:
    """What an image model sees of a medium: the image, up to ``max_frames`` video frames, or 4 renders of a 3D file."""
    if is_3d(value):
        points, colours = media.load_points(value)
        return media.render_points(points, colours)
    if is_video(value):
        return list(media.load_video(value, max_frames=max_frames))
    return [media.load_image(value)]


def _target(ref: Any, metric_id: str) -> str:
    targets = reference_media(ref)
    if not targets:
        raise ValueError(f"{metric_id}: the sample has no reference media (target): {str(ref)[:200]}")
    return targets[0]


# ----------------------------------------------------------------------------------------------- PSNR
def psnr_pair(prediction: Any, reference: Any) -> float:
    """PSNR (dB, RGB, data range 255) of one image pair, or the mean over frames for videos (frames paired
    by index, the shorter length). The prediction is resized to the reference size when they differ."""
    import torch
    from torchmetrics.functional.image import peak_signal_noise_ratio

    ref_frames = _frames(reference)
    pred_frames = _frames(prediction, size=(ref_frames.shape[2], ref_frames.shape[1]))
    n = min(len(ref_frames), len(pred_frames))
    values = []
    for pred, ref in zip(pred_frames[:n], ref_frames[:n], strict=True):
        value = peak_signal_noise_ratio(
            torch.from_numpy(pred).double(), torch.from_numpy(ref).double(), data_range=255.0
        )
        values.append(min(float(value), PSNR_CAP_DB))
    return mean(values)


def _frames(value: Any, size: tuple[int, int] | None = None) -> np.ndarray:
    if is_video(value):
        return media.load_video(value, size=size)
    return media.load_image(value, size=size)[None]


def psnr(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Mean per-sample PSNR in dB (raw); a missing/unreadable output counts 0 dB."""
    require_samples("psnr", predictions)
    targets = [_target(r, "psnr") for r in references]
    return mean(media.per_sample("psnr", predictions, targets, psnr_pair, worst=0.0))


# -------------------------------------------------------------------------------------------- MS-SSIM
def ms_ssim_pair(prediction: Any, reference: Any) -> float:
    """MS-SSIM (torchmetrics, Gaussian 11x11, data range 255, standard 5 scale weights) of one image pair.

    Images of 160 px or less on a side (too small for 5 scales) use as many leading scales as fit.
    """
    import torch
    from torchmetrics.functional.image import multiscale_structural_similarity_index_measure as msssim

    ref = media.load_image(reference)
    pred = media.load_image(prediction, size=(ref.shape[1], ref.shape[0]))
    betas = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)
    side = min(ref.shape[:2])
    scales = 5
    while scales > 1 and side <= (11 - 1) * 2 ** (scales - 1):
        scales -= 1
    to_tensor = lambda a: torch.from_numpy(a).permute(2, 0, 1)[None].double()  # noqa: E731
    value = msssim(to_tensor(pred), to_tensor(ref), data_range=255.0, betas=betas[:scales], normalize="relu")
    return float(value)


def ms_ssim(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Mean per-sample MS-SSIM (raw, [0, 1] with ReLU-normalised scales); a missing output counts 0."""
    require_samples("ms_ssim", predictions)
    targets = [_target(r, "ms_ssim") for r in references]
    return mean(media.per_sample("ms_ssim", predictions, targets, ms_ssim_pair, worst=0.0))


# ------------------------------------------------------------------------------------------------ FID
def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets ``(N, D)`` (scipy ``sqrtm``)."""
    from scipy import linalg

    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"Fréchet distance needs at least 2 samples per set (got {len(a)} and {len(b)})")
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean, _ = linalg.sqrtm(cov_a @ cov_b, disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(len(cov_a)) * 1e-6
        covmean = linalg.sqrtm((cov_a + offset) @ (cov_b + offset))
    covmean = covmean.real
    value = float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * np.trace(covmean))
    return max(value, 0.0)


def reference_set(references: Sequence[Any], suffixes: Sequence[str]) -> list[Path]:
    """The task's real set: every reference target (folders expanded), deduplicated, in first-seen order;
    without any target, the media of that kind in the task folder that are not sample inputs."""
    seen: dict[str, Path] = {}
    for ref in references:
        for target in reference_media(ref):
            expanded = media.expand_media(target, suffixes)
            # a folder without such files is itself one item (a video given as a folder of frames)
            for path in expanded or [Path(target)]:
                seen.setdefault(str(path), path)
    if not seen:
        # FVD / FAD tasks have no per-sample targets: the real set is the task folder's files of that kind
        # (DATASET_FORMAT: "FVD tasks compare against a folder of real videos"), inputs excluded
        inputs = {str(Path(s)) for ref in references for s in source_media(ref)}
        folders = sorted({str(r["task_dir"]) for r in references if isinstance(r, Mapping) and r.get("task_dir")})
        for folder in folders:
            for path in sorted(Path(folder).rglob("*")):
                if path.is_file() and path.suffix.lower() in suffixes and str(path) not in inputs:
                    seen.setdefault(str(path), path)
    return list(seen.values())


def _load_or_blank(metric_id: str, values: Sequence[Any], loader: Any, blank: Any) -> list[Any]:
    """Load every generated medium; missing/unreadable ones become ``blank`` (worst case, never dropped)."""
    out, failed = [], 0
    for value in values:
        try:
            out.append(loader(value) if value is not None else blank)
            failed += value is None
        except media.MediaError:
            out.append(blank)
            failed += 1
    if failed:
        import logging

        logging.getLogger(__name__).warning(
            "%s: %d/%d outputs missing or unreadable, scored as blank", metric_id, failed, len(values)
        )
    return out


def image_features(
    images: Sequence[np.ndarray], feature: Any = "inception", model: str | None = None, image_size: int = 299
) -> np.ndarray:
    """Features for FID: ``"inception"`` (torchmetrics/torch-fidelity InceptionV3 pool3, 2048-d; weights must
    be in the torch hub cache), ``"clip"`` / ``"dino"`` (our CLIP / DINO models), or any ``torch.nn.Module``
    mapping ``uint8 (N, 3, H, W)`` to ``(N, D)`` (images resized to ``image_size``)."""
    if feature == "clip":
        return clip_image_embeddings(images, resolve_model("CLIP", model))
    if feature == "dino":
        return backbone_embeddings(images, resolve_model("DINO", model))
    import torch

    if feature == "inception":
        from lmms_general.metrics.models import ModelUnavailableError, resolve_file

        weights = resolve_file("INCEPTION", model)  # never torch-fidelity's own download
        try:
            from torchmetrics.image.fid import NoTrainInceptionV3

            module = NoTrainInceptionV3(
                name="inception-v3-compat", features_list=["2048"], feature_extractor_weights_path=weights
            )
        except Exception as exc:  # noqa: BLE001 - torch-fidelity missing or a bad weights file
            raise ModelUnavailableError(
                f"FID Inception features unavailable from {weights} ({type(exc).__name__}: {exc}); "
                "run `lmms-general weights fetch INCEPTION` or point LMMS_GENERAL_MODEL_INCEPTION at "
                "weights-inception-2015-12-05-6726825d.pth, or use feature='clip'/'dino'"
            ) from None
    elif isinstance(feature, torch.nn.Module):
        module = feature
    else:
        raise ValueError(f"unknown FID feature extractor {feature!r}")
    batch = np.stack([media.load_array_resized(i, (image_size, image_size)) for i in images])
    with torch.no_grad():
        tensor = torch.from_numpy(batch).permute(0, 3, 1, 2).contiguous()
        out = [module(tensor[i : i + 32]) for i in range(0, len(tensor), 32)]
    return torch.cat([o.reshape(o.shape[0], -1) for o in out]).double().cpu().numpy()


def motion_features(value: Any) -> np.ndarray:
    """Fixed statistics of a motion sequence ``(T, J, 3)`` or ``(T, D)`` (.npy): per-dimension mean and std
    of poses and of frame-to-frame velocities. A proxy for the learned T2M evaluator embedding."""
    path = media.media_path(value)
    try:
        seq = np.load(path, allow_pickle=False).astype(np.float64)
    except Exception as exc:  # noqa: BLE001
        raise media.MediaError(f"unreadable motion file {path}: {exc}") from None
    seq = seq.reshape(seq.shape[0], -1)
    vel = np.diff(seq, axis=0) if len(seq) > 1 else np.zeros_like(seq)
    return np.concatenate([seq.mean(0), seq.std(0), vel.mean(0), vel.std(0)])


def fid(
    predictions: Sequence[Any], references: Sequence[Any], feature: Any = "inception", model: str | None = None
) -> float:
    """FID (raw) between the generated set and the task's reference set (all reference targets pooled).

    Missing or unreadable outputs enter as black images. Motion (``.npy``) outputs use
    :func:`motion_features` statistics instead of image features.
    """
    require_samples("fid", predictions)
    first = next((p for p in predictions if p is not None), None)
    if first is not None and Path(str(first)).suffix.lower() == ".npy":
        real_paths = reference_set(references, (".npy",))
        real = np.stack([motion_features(p) for p in real_paths]) if real_paths else np.empty((0, 0))
        blank = np.zeros(real.shape[1]) if len(real) else None
        fake = np.stack(_load_or_blank("fid", predictions, motion_features, blank))
        return frechet_distance(fake, real)
    real_paths = reference_set(references, media.IMAGE_SUFFIXES)
    if not real_paths:
        raise ValueError("fid: the task has no reference images (targets)")
    real_images = [media.load_image(p) for p in real_paths]
    blank = np.zeros((299, 299, 3), np.uint8)
    fake_images = _load_or_blank("fid", predictions, media.load_image, blank)
    return frechet_distance(image_features(fake_images, feature, model), image_features(real_images, feature, model))


# ------------------------------------------------------------------------------------------ CLIP score
#: registry keys whose "CLIP score" is VBench background consistency (frame-to-frame CLIP similarity)
CLIP_CONSISTENCY_KEYS = frozenset({"video_gen_background_consistency_text_to_video_geneation"})


def clip_mode(ref: Mapping[str, Any]) -> str:
    """``consistency`` (VBench background consistency), ``image`` (image-to-3D: input image vs renders)
    or ``text`` (prompt vs generated image / frames / renders)."""
    key = str(ref.get("registry_key") or "")
    if key in CLIP_CONSISTENCY_KEYS:
        return "consistency"
    if "image_to_3d" in key or (key.startswith("3d_") and source_media(ref)):
        return "image"
    return "text"


def clip_reference(raw: Any, context: Mapping[str, Any]) -> dict[str, Any]:
    """Generation reference with its CLIP mode fixed from the task (see :func:`clip_mode`)."""
    ref = media.generation_reference(raw, context)
    ref["mode"] = clip_mode(ref)
    return ref


def consistency(embeddings: np.ndarray) -> float:
    """VBench consistency of unit frame embeddings: mean over frames 2..T of the average of the cosine to
    the first frame and to the previous frame (clipped at 0). One frame: 1."""
    if len(embeddings) < 2:
        return 1.0
    to_first = np.clip(embeddings[1:] @ embeddings[0], 0, None)
    to_prev = np.clip(np.sum(embeddings[1:] * embeddings[:-1], axis=1), 0, None)
    return float(np.mean((to_first + to_prev) / 2))


def clip_score_pair(prediction: Any, ref: Mapping[str, Any], model: str | None = None) -> float:
    """One sample's CLIP score ×100 (see :func:`clip_score`)."""
    path = resolve_model("CLIP", model)
    frames = visual_frames(prediction)
    frame_emb = clip_image_embeddings(frames, path)
    mode = ref.get("mode") or clip_mode(ref)
    if mode == "consistency":
        return 100.0 * consistency(frame_emb)
    if mode == "image":
        sources = [s for s in source_media(ref) if Path(s).suffix.lower() in media.IMAGE_SUFFIXES]
        if not sources:
            raise ValueError(f"clip_score: image-to-3D sample without an input image: {str(ref)[:200]}")
        src_emb = clip_image_embeddings([media.load_image(s) for s in sources], path)
        return 100.0 * float(np.clip(frame_emb @ src_emb.T, 0, None).mean())
    text_emb = clip_text_embeddings([media.reference_prompt(ref)], path)
    return 100.0 * float(np.clip(frame_emb @ text_emb[0], 0, None).mean())


def clip_score(predictions: Sequence[Any], references: Sequence[Any], model: str | None = None) -> float:
    """Mean CLIP score, 100·max(cos, 0) as torchmetrics ``CLIPScore``:

    * text rows (image, style-specific T2V, text-to-3D): prompt vs the image / each of 16 frames / each of
      4 renders of a 3D output, averaged;
    * image-to-3D rows: the input image vs the 4 renders (image–image);
    * Background-Consistency T2V: VBench background consistency of the frames' CLIP embeddings.
    """
    require_samples("clip_score", predictions)
    return mean(
        media.per_sample("clip_score", predictions, references, lambda p, r: clip_score_pair(p, r, model), worst=0.0)
    )


def clip_image_score(predictions: Sequence[Any], references: Sequence[Any], model: str | None = None) -> float:
    """Mean CLIP image–image similarity 100·max(cos, 0) between the generated image and the reference
    target image; without a target, the mean over the input (prompt) images."""
    require_samples("clip_image_score", predictions)
    path = resolve_model("CLIP", model)

    def one(prediction: Any, ref: Any) -> float:
        others = reference_media(ref) or [
            s for s in source_media(ref) if Path(s).suffix.lower() in media.IMAGE_SUFFIXES
        ]
        if not others:
            raise ValueError(f"clip_image_score: sample without reference or input images: {str(ref)[:200]}")
        gen = clip_image_embeddings(visual_frames(prediction), path)
        ref_emb = clip_image_embeddings([media.load_image(o) for o in others], path)
        return 100.0 * float(np.clip(gen @ ref_emb.T, 0, None).mean())

    return mean(media.per_sample("clip_image_score", predictions, references, one, worst=0.0))



register(
    MetricSpec(
        "psnr",
        psnr,
        "sample",
        (0.0, PSNR_CAP_DB),
        "raw dB",
        "torchmetrics peak_signal_noise_ratio (RGB, range 255)",
        description="PSNR of the output vs the reference image (videos: mean over paired frames); missing = 0 dB",
        **media.GENERATION_IO,
        aliases=("PSNR",),
        task_kind="generation",
        level_map=LevelMap.tanh(20.0),
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "ms_ssim",
        ms_ssim,
        "sample",
        (0.0, 1.0),
        "raw",
        "torchmetrics multiscale_structural_similarity_index_measure",
        description="MS-SSIM of the output vs the reference image; missing = 0",
        **media.GENERATION_IO,
        aliases=("MS-SSIM",),
        task_kind="generation",
        level_map=LevelMap.affine(-1.0, 1.0),
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "fid",
        fid,
        "corpus",
        (0.0, float("inf")),
        "raw",
        "torchmetrics InceptionV3 features + scipy Fréchet distance",
        default_model="InceptionV3 (torch-fidelity, torch hub cache); feature='clip'|'dino' alternatives",
        description="Fréchet distance between generated and reference feature sets; missing outputs enter as black",
        options={"feature": "inception"},
        **media.GENERATION_IO,
        aliases=("FID",),
        lower_is_better=True,
        task_kind="generation",
        level_map=LevelMap.sigmoid(25.0),
        synthetic=gen_generation,
        no_statistics="model-based: a Fréchet distance of Inception features pooled over the task (no "
        "per-sample sum); the bootstrap keeps the point score",
    )
)
register(
    MetricSpec(
        "clip_score",
        clip_score,
        "sample",
        (0.0, 100.0),
        "x100 (torchmetrics CLIPScore convention)",
        "transformers CLIP",
        default_model="openai/clip-vit-base-patch32",
        description="100*max(cos,0) prompt vs output (3D: 4 renders; image-to-3D: input image vs renders; "
        "background consistency: VBench frame consistency)",
        parse=media.parse_media,
        prepare_reference=clip_reference,
        aliases=("CLIP score", "CLIPScore"),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
register(
    MetricSpec(
        "clip_image_score",
        clip_image_score,
        "sample",
        (0.0, 100.0),
        "x100",
        "transformers CLIP",
        default_model="openai/clip-vit-base-patch32",
        description="100*max(cos,0) between CLIP embeddings of the output and the reference (or input) images",
        **media.GENERATION_IO,
        aliases=("CLIP img score",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
