"""Loading the networks that model-based metrics need, and computing their embeddings.

A network is named by a default Hugging Face hub id, overridable per metric call (option ``model``) or
by environment variable ``LMMS_GENERAL_MODEL_<NAME>`` (e.g. ``LMMS_GENERAL_MODEL_CLIP=/models/clip``).
Priority: explicit option > environment variable > default. Nothing is downloaded when the hub is
offline (``HF_HUB_OFFLINE=1``): a missing model raises :class:`ModelUnavailableError` naming the model,
the variable to set and the metric. Loaded models are cached per (name, path) for the process.

Defaults and the metrics that load them: :data:`lmms_general.metrics.model_table.MODEL_TABLE` (``lmms-general
weights list`` prints it). Offline (``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE`` set, or no network found by one
short probe per process, :mod:`lmms_general.offline`) models load from the local cache only, and a model
that failed once fails at once for the rest of the process.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from lmms_general.metrics.model_table import MODEL_TABLE
from lmms_general.offline import (
    ModelUnavailableError,
    cached_url_file,
    fetch_hint,
    network_available,
    raise_if_known_unavailable,
    unavailable,
)

__all__ = ["DEFAULT_MODELS", "ModelUnavailableError", "resolve_model", "resolve_file", "device"]

DEFAULT_MODELS: dict[str, str] = {name: str(s.repo_id) for name, s in MODEL_TABLE.items() if s.kind == "hub"}


def resolve_model(name: str, override: str | None = None) -> str:
    """Hub id or local path for network ``name``: option > ``LMMS_GENERAL_MODEL_<NAME>`` > default."""
    if override:
        return str(override)
    env = os.environ.get(f"LMMS_GENERAL_MODEL_{name}")
    if env:
        return env
    if name not in DEFAULT_MODELS:
        raise ModelUnavailableError(f"no model configured for {name}: set LMMS_GENERAL_MODEL_{name}")
    return DEFAULT_MODELS[name]


def resolve_file(name: str, override: str | None = None) -> str:
    """Local path of URL-sourced weights ``name`` (INCEPTION, R3D_18, MUSIQ, AESTHETIC_HEAD): option >
    ``LMMS_GENERAL_MODEL_<NAME>`` > the torch hub cache, downloaded there only when the network is reachable."""
    path = override or os.environ.get(f"LMMS_GENERAL_MODEL_{name}")
    if path:
        if not os.path.isfile(path):
            raise ModelUnavailableError(f"{name} weights file {path!r} does not exist; {fetch_hint(name)}")
        return str(path)
    source = MODEL_TABLE[name]
    return str(cached_url_file(name, str(source.url), source.subdir, source.hash_prefix))


def device() -> str:
    """``cuda`` when a GPU is visible, else ``cpu`` (``LMMS_GENERAL_METRIC_DEVICE`` overrides)."""
    forced = os.environ.get("LMMS_GENERAL_METRIC_DEVICE")
    if forced:
        return forced
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _load(loader: Any, name: str, path: str, **kwargs: Any) -> Any:
    """``loader.from_pretrained(path)``; from the local cache only when offline; failures are remembered."""
    raise_if_known_unavailable(name, path)
    if not os.path.isdir(path):
        from lmms_general.metrics.weights_manifest import hub_cache_dir

        kwargs.setdefault("cache_dir", str(hub_cache_dir()))  # where `lmms-general weights` fetches and looks
        if not network_available():
            kwargs["local_files_only"] = True
    try:
        return loader.from_pretrained(path, **kwargs)
    except Exception as exc:  # noqa: BLE001 - hub/IO errors come in many types
        if kwargs.get("local_files_only") and isinstance(exc, OSError):
            from lmms_general.metrics.weights_manifest import hub_cache_dir

            raise unavailable(name, path, f"not in {hub_cache_dir()} and offline") from None
        first_line = (str(exc).strip().splitlines() or [""])[0][:200]
        raise unavailable(name, path, f"{type(exc).__name__}: {first_line}") from None


def _require_cached(name: str, path: str) -> None:
    """Offline, a hub id whose ``config.json`` is not in the cache cannot load: raise (and remember) that before
    importing transformers (seconds of CPU and hundreds of MiB for a model that is not there)."""
    raise_if_known_unavailable(name, path)
    if os.path.isdir(path) or network_available():
        return
    from huggingface_hub import try_to_load_from_cache

    from lmms_general.metrics.weights_manifest import hub_cache_dir

    if not isinstance(try_to_load_from_cache(path, "config.json", cache_dir=str(hub_cache_dir())), str):
        raise unavailable(name, path, f"not in {hub_cache_dir()} and offline")


def _model_and_processor(model_class: str, processor_class: str, name: str, path: str) -> tuple[Any, Any]:
    """``transformers.<model_class>`` (eval, on :func:`device`) and ``transformers.<processor_class>`` from ``path``."""
    _require_cached(name, path)
    import transformers

    model = _load(getattr(transformers, model_class), name, path).eval().to(device())
    return model, _load(getattr(transformers, processor_class), name, path)


@lru_cache(maxsize=8)
def load_clip(path: str) -> tuple[Any, Any]:
    """CLIP model (eval, on :func:`device`) and its processor."""
    return _model_and_processor("CLIPModel", "CLIPProcessor", "CLIP", path)


@lru_cache(maxsize=4)
def load_vision_backbone(path: str) -> tuple[Any, Any]:
    """A self-supervised vision backbone (DINO ViT, DINOv2, ...) and its image processor."""
    return _model_and_processor("AutoModel", "AutoImageProcessor", "DINO", path)


@lru_cache(maxsize=4)
def load_clap(path: str) -> tuple[Any, Any]:
    """CLAP model and processor (audio at the processor's sampling rate, 48 kHz for LAION CLAP)."""
    return _model_and_processor("ClapModel", "ClapProcessor", "CLAP", path)


@lru_cache(maxsize=2)
def load_whisper(path: str) -> tuple[Any, Any]:
    """Whisper model and processor for transcription."""
    return _model_and_processor("WhisperForConditionalGeneration", "WhisperProcessor", "WHISPER", path)


@lru_cache(maxsize=2)
def load_audio_classifier(path: str) -> tuple[Any, Any]:
    """An audio classification model (``AutoModelForAudioClassification``) and its feature extractor."""
    return _model_and_processor("AutoModelForAudioClassification", "AutoFeatureExtractor", "EMOTION", path)


@lru_cache(maxsize=2)
def load_detector(path: str) -> tuple[Any, Any]:
    """An open-vocabulary detector (OWL-ViT / OWLv2) and its processor."""
    return _model_and_processor("AutoModelForZeroShotObjectDetection", "AutoProcessor", "DETECTOR", path)


# ------------------------------------------------------------------------------------------ embeddings
def _unit(tensor: Any) -> np.ndarray:
    array = tensor.detach().float().cpu().numpy()
    return array / np.clip(np.linalg.norm(array, axis=-1, keepdims=True), 1e-12, None)


def _batched(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def clip_image_embeddings(images: Sequence[np.ndarray], path: str, batch_size: int = 32) -> np.ndarray:
    """L2-normalised CLIP image embeddings ``(N, D)`` of ``uint8 (H, W, 3)`` images."""
    import torch

    model, processor = load_clip(path)
    out = []
    for batch in _batched(list(images), batch_size):
        inputs = processor(images=list(batch), return_tensors="pt").to(device())
        with torch.no_grad():
            out.append(_unit(_features(model.get_image_features(**inputs))))
    return np.concatenate(out)


def clip_text_embeddings(texts: Sequence[str], path: str, batch_size: int = 64) -> np.ndarray:
    """L2-normalised CLIP text embeddings ``(N, D)`` (texts truncated to the model's context)."""
    import torch

    model, processor = load_clip(path)
    out = []
    for batch in _batched(list(texts), batch_size):
        inputs = processor(
            text=list(batch),
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=model.config.text_config.max_position_embeddings,
        ).to(device())
        with torch.no_grad():
            out.append(_unit(_features(model.get_text_features(**inputs))))
    return np.concatenate(out)


def backbone_embeddings(images: Sequence[np.ndarray], path: str, batch_size: int = 32) -> np.ndarray:
    """L2-normalised CLS embeddings ``(N, D)`` of a vision backbone (DINO / DINOv2)."""
    import torch

    model, processor = load_vision_backbone(path)
    out = []
    for batch in _batched(list(images), batch_size):
        inputs = processor(images=list(batch), return_tensors="pt").to(device())
        with torch.no_grad():
            out.append(_unit(model(**inputs).last_hidden_state[:, 0]))
    return np.concatenate(out)


def clap_audio_embeddings(waves: Sequence[np.ndarray], path: str, batch_size: int = 16) -> np.ndarray:
    """L2-normalised CLAP audio embeddings ``(N, D)``; waves must be at :func:`clap_sample_rate`."""
    import torch

    model, processor = load_clap(path)
    rate = clap_sample_rate(path)
    out = []
    for batch in _batched(list(waves), batch_size):
        inputs = processor(audio=list(batch), sampling_rate=rate, return_tensors="pt").to(device())
        with torch.no_grad():
            out.append(_unit(_features(model.get_audio_features(**inputs))))
    return np.concatenate(out)


def clap_text_embeddings(texts: Sequence[str], path: str, batch_size: int = 64) -> np.ndarray:
    """L2-normalised CLAP text embeddings ``(N, D)``."""
    import torch

    model, processor = load_clap(path)
    out = []
    for batch in _batched(list(texts), batch_size):
        inputs = processor(text=list(batch), return_tensors="pt", padding=True, truncation=True).to(device())
        with torch.no_grad():
            out.append(_unit(_features(model.get_text_features(**inputs))))
    return np.concatenate(out)


def clap_sample_rate(path: str) -> int:
    """Sampling rate the CLAP processor expects (48 kHz for LAION CLAP)."""
    return int(load_clap(path)[1].feature_extractor.sampling_rate)


def _features(output: Any) -> Any:
    """transformers 5 returns model outputs from ``get_*_features``; older versions return tensors."""
    if hasattr(output, "pooler_output") and not hasattr(output, "shape"):
        return output.pooler_output
    return output
