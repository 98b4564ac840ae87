"""Small wrappers over diffusers / transformers pipelines used by the adapters (lazy imports, signature-aware calls)."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

_DTYPES = {
    "float32": "float32",
    "fp32": "float32",
    "float16": "float16",
    "fp16": "float16",
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
}


def torch_dtype(name: str) -> Any:
    """``torch.float32`` / ``float16`` / ``bfloat16`` from a model-arg string."""
    import torch

    try:
        return getattr(torch, _DTYPES[str(name).lower()])
    except KeyError as exc:
        raise ValueError(f"unknown dtype {name!r}; expected one of {sorted(_DTYPES)}") from exc


def load_diffusion(path: str, device: str, dtype: str = "float32", needs_image: bool = False) -> Any:
    """Load any diffusers pipeline; with ``needs_image`` a text-to-image checkpoint is turned into image-to-image."""
    from diffusers import AutoPipelineForImage2Image, DiffusionPipeline

    pipe = DiffusionPipeline.from_pretrained(path, dtype=torch_dtype(dtype))
    if needs_image and "image" not in inspect.signature(pipe.__call__).parameters:
        pipe = AutoPipelineForImage2Image.from_pipe(pipe)
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)


def call_diffusion(pipe: Any, **kwargs: Any) -> Any:
    """Call a diffusers pipeline with the keyword arguments it accepts (``None`` values dropped)."""
    params = inspect.signature(pipe.__call__).parameters
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    return pipe(**{k: v for k, v in kwargs.items() if v is not None and (accepts_any or k in params)})


def output_images(result: Any) -> list[Any]:
    """PIL images from a diffusers image output."""
    return list(result.images)


def output_videos(result: Any) -> list[list[Any]]:
    """One frame list per prompt from a diffusers video output (lists of PIL images or a 5-D array/tensor)."""
    frames = result.frames
    if hasattr(frames, "detach"):
        frames = frames.detach().cpu().float().numpy()
    if isinstance(frames, np.ndarray):
        if frames.dtype != np.uint8:
            frames = (np.clip(frames, 0.0, 1.0) * 255).round().astype(np.uint8)
        if frames.ndim == 4:
            frames = frames[None]
        return [list(video) for video in frames]
    return [list(video) for video in frames]


def load_audio_pipeline(task: str, path: str, device: str) -> Any:
    """A transformers ``text-to-speech`` / ``text-to-audio`` pipeline."""
    from transformers import pipeline

    return pipeline(task, model=path, device=device)


def synthesize(pipe: Any, texts: list[str], **forward: Any) -> list[tuple[np.ndarray, int]]:
    """(waveform, sampling rate) per text from a transformers text-to-audio pipeline."""
    kwargs = {"forward_params": forward} if forward else {}
    outputs = pipe(texts, **kwargs)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    return [(np.asarray(o["audio"], dtype=np.float32), int(o["sampling_rate"])) for o in outputs]


def first_frame(video_path: str) -> Any:
    """The first frame of a video file as a PIL image (decord when installed, else PyAV)."""
    from model_adapters.video_io import first_frame as read_first

    return read_first(video_path)
