"""What a General-Bench task asks the model for: task kind (prompt/parse family) and generation kind."""

from __future__ import annotations

from collections.abc import Iterable

from lmms_general.registry import TaskSpec

#: canonical metric id -> task kind (prompt style and answer parsing family)
_KIND_BY_METRIC: dict[str, str] = {
    **dict.fromkeys(["accuracy", "macro_accuracy", "em_at_1", "f1", "micro_f1", "gpt_score"], "qa"),
    **dict.fromkeys(["bleu_1", "bleu_4", "rouge_1", "rouge_l", "cider", "anls", "codebleu"], "text"),
    **dict.fromkeys(["ap", "ap10", "ap50", "ap75", "map", "map50", "recall_at_50"], "detection"),
    **dict.fromkeys(
        ["miou", "instance_miou", "m_viou", "dice", "pq", "s_measure", "sad", "f_score"], "segmentation"
    ),
    **dict.fromkeys(["mae", "mse", "rms", "rmse", "abs_rel", "epe", "rte"], "regression"),
    **dict.fromkeys(["auc", "amota"], "tracking"),
}

#: per-task kind overrides where the metric alone misleads
_KIND_OVERRIDES: dict[str, str] = {}


def task_kind(spec: TaskSpec) -> str:
    """``qa``, ``text``, ``detection``, ``segmentation``, ``regression``, ``tracking`` or ``generation``."""
    if spec.key in _KIND_OVERRIDES:
        return _KIND_OVERRIDES[spec.key]
    if spec.paradigm == "generation":
        return "generation"
    return _KIND_BY_METRIC.get(spec.metric_id, "qa")


def output_modality(spec: TaskSpec) -> str:
    """What the model must produce: ``text`` for comprehension, the task's modality for generation."""
    return spec.modality if spec.paradigm == "generation" else "text"


def generation_kind(spec: TaskSpec, input_kinds: Iterable[str]) -> str:
    """Generation kind of one sample from the task's modality and the media kinds it provides.

    Returns "" for comprehension tasks. Image and video inputs make an edit / image-to-X task, audio
    inputs an audio edit, and so on; text-only samples are text-to-X.
    """
    if spec.paradigm != "generation":
        return ""
    kinds = set(input_kinds)
    has_image = "image" in kinds
    has_video = bool(kinds & {"video", "frames"})
    name = spec.display_name.lower()
    if spec.modality == "image":
        if "audio" in kinds:
            return "audio_to_image"
        return "image_edit" if has_image else "text_to_image"
    if spec.modality == "video":
        if has_video:
            return "video_edit"
        return "image_to_video" if has_image else "text_to_video"
    if spec.modality == "audio":
        if has_video:
            return "video_to_audio"
        if has_image:
            return "image_to_speech"
        if "audio" in kinds:
            return "audio_edit"
        speech = spec.metric_id in {"wer", "mcd", "mos"} or "speech" in name or "talk" in name
        return "text_to_speech" if speech else "text_to_audio"
    if spec.modality == "3d":
        if kinds & {"pointcloud", "mesh", "depth"}:
            return "pointcloud_to_3d"
        return "image_to_3d" if has_image else "text_to_3d"
    return ""


def three_d_output(spec: TaskSpec) -> str:
    """``mesh`` or ``pointcloud``: what a 3D generation task expects back."""
    return "mesh" if "mesh" in spec.display_name.lower() else "pointcloud"
