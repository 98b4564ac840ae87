"""What a General-Bench task asks the model for: its task kind (the answer protocol) and generation kind.

The task kind names the :class:`~lmms_general.protocol.formats.AnswerFormat` that owns the task's answer
instruction, parser and reference renderer. It follows from the row's metric (each metric's spec declares the kind
it expects: :attr:`~lmms_general.metrics.registry.MetricSpec.task_kind`), with per-row overrides where the metric
alone misleads (anomaly AP rows answer a score, not boxes).
"""

from __future__ import annotations

from collections.abc import Iterable

from lmms_general.registry import TaskSpec


def _overrides() -> dict[str, str]:
    """Rows whose answer differs from their metric's usual one (derived from the table, not hand-listed keys)."""
    from lmms_general.registry import load_registry

    out: dict[str, str] = {}
    for spec in load_registry().values():
        name = spec.display_name.lower()
        if spec.paradigm != "comprehension":
            continue
        if spec.metric_id == "ap" and "anomaly" in name:
            out[spec.key] = "anomaly"  # MVTec-style image-level anomaly AP: the answer is a score
        elif spec.metric_id == "rmse" and spec.modality == "3d":
            out[spec.key] = "dense"  # 3D normal estimation: a normal map, not one number
    return out


_KIND_OVERRIDES: dict[str, str] | None = None


def task_kind(spec: TaskSpec) -> str:
    """The answer protocol of a row: ``generation`` for generation rows, else the task kind its metric's spec
    declares (``qa``, ``label_set``, ``open_answer``, ``text``, ``detection``, ``triplets``, ``dense``,
    ``point_labels``, ``panoptic``, ``tube``, ``number``, ``trajectory``, ``tracking``, ``tracking_3d``) or a row
    override (``anomaly``, ``dense`` for 3D normals)."""
    global _KIND_OVERRIDES
    if _KIND_OVERRIDES is None:
        _KIND_OVERRIDES = _overrides()
    if spec.key in _KIND_OVERRIDES:
        return _KIND_OVERRIDES[spec.key]
    if spec.paradigm == "generation":
        return "generation"
    from lmms_general.metrics.registry import get_metric  # the registered spec (not a test's stand-in scorer)

    return get_metric(spec.metric_id, spec.task).task_kind


def output_modality(spec: TaskSpec) -> str:
    """What the model must produce: ``text`` for comprehension, the task's modality for generation."""
    return spec.output_modality


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


def fixed_generation_kind(spec: TaskSpec) -> str | None:
    """The generation kind every sample of the task has whatever its media (``""`` for comprehension tasks,
    see :func:`generation_kind`); None when it depends on each sample's media kinds."""
    return "" if spec.paradigm != "generation" else None


def three_d_output(spec: TaskSpec) -> str:
    """``mesh`` or ``pointcloud``: what a 3D generation task expects back."""
    return "mesh" if "mesh" in spec.display_name.lower() else "pointcloud"
