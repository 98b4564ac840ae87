"""Turn lmms-eval ``generate_until`` Instances into typed generation requests (doc columns + input media)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from lmms_general.media_kinds import AUDIO_SUFFIXES, THREE_D_SUFFIXES, VIDEO_SUFFIXES

#: generation kinds whose output is each modality (docs/ARCHITECTURE.md, lmms_general.protocol.kinds)
KIND_OUTPUT: dict[str, str] = {
    "text_to_image": "image",
    "image_edit": "image",
    "audio_to_image": "image",
    "text_to_video": "video",
    "image_to_video": "video",
    "video_edit": "video",
    "text_to_audio": "audio",
    "text_to_speech": "audio",
    "audio_edit": "audio",
    "video_to_audio": "audio",
    "image_to_speech": "audio",
    "text_to_3d": "3d",
    "image_to_3d": "3d",
    "pointcloud_to_3d": "3d",
}
# one suffix table (lmms_general.media_kinds): a ``.gif`` is an image, read with the other images
_VIDEO_EXT = VIDEO_SUFFIXES
_AUDIO_EXT = AUDIO_SUFFIXES
_POINT_EXT = THREE_D_SUFFIXES


@dataclass
class GenRequest:
    """One request: prompt, doc columns, and the input media returned by the task's ``doc_to_visual``."""

    position: int
    context: str
    gen_kwargs: dict[str, Any]
    doc: dict[str, Any]
    task: str
    split: str
    doc_id: int
    images: list[Any] = field(default_factory=list)
    videos: list[str] = field(default_factory=list)
    audios: list[dict[str, Any]] = field(default_factory=list)
    pointclouds: list[Any] = field(default_factory=list)
    visuals: list[Any] = field(default_factory=list)

    @property
    def sample_id(self) -> str:
        return str(doc_value(self.doc, "sample_id") or self.doc_id)

    @property
    def kind(self) -> str:
        """The generation kind, or "" for a comprehension (text answer) request."""
        kind = str(doc_value(self.doc, "generation_kind") or "")
        if kind:
            return kind
        modality = str(doc_value(self.doc, "output_modality") or "text")
        return {"image": "text_to_image", "video": "text_to_video", "audio": "text_to_audio", "3d": "text_to_3d"}.get(
            modality, ""
        )

    @property
    def load_error(self) -> str:
        """Why the sample's inputs could not be loaded ("" when fine)."""
        return str(doc_value(self.doc, "load_error") or "")

    @property
    def prompt(self) -> str:
        """The context without lmms-eval image placeholders."""
        return self.context.replace("<image>", "").strip()

    @property
    def content(self) -> str:
        """What a specialist generator is conditioned on: the annotation's own text (caption, edit instruction,
        sentence to speak) without the task instruction the prompt leads with; the prompt where the doc has none."""
        from lmms_general.protocol.doc import doc_of, is_general_bench_row
        from lmms_general.protocol.prompts import generation_text

        if not is_general_bench_row(self.doc):
            return self.prompt

        data = doc_of(self.doc)
        text = generation_text(data) if data.output_modality != "text" else ""
        return text or self.prompt

    @property
    def wants_mesh(self) -> bool:
        """True when a 3D task expects a mesh rather than a point cloud (from the task registry)."""
        return _wants_mesh(str(self.doc.get("registry_key") or ""))


@functools.cache
def _wants_mesh(registry_key: str) -> bool:
    if not registry_key:
        return False
    from lmms_general.protocol.kinds import three_d_output
    from lmms_general.registry import task_spec

    try:
        spec = task_spec(registry_key)
    except KeyError:
        return False
    return three_d_output(spec) == "mesh"


def split_visuals(visuals: Any) -> tuple[list[Any], list[str], list[dict[str, Any]], list[Any]]:
    """Sort ``doc_to_visual`` output into (images, video paths, audio dicts, point-cloud arrays)."""
    from PIL import Image

    images: list[Any] = []
    videos: list[str] = []
    audios: list[dict[str, Any]] = []
    clouds: list[Any] = []
    items = visuals if isinstance(visuals, (list, tuple)) else ([] if visuals is None else [visuals])
    for item in items:
        if isinstance(item, (list, tuple)):
            sub = split_visuals(item)
            for acc, new in zip((images, videos, audios, clouds), sub, strict=True):
                acc.extend(new)
        elif isinstance(item, Image.Image):
            images.append(item)
        elif isinstance(item, dict) and "array" in item and "sampling_rate" in item:
            audios.append(item)
        elif isinstance(item, dict) and item.get("type") == "video":
            videos.append(str(item.get("video") or item.get("path")))
        elif isinstance(item, str) and item.lower().endswith(_VIDEO_EXT):
            videos.append(item)
        elif isinstance(item, str) and item.lower().endswith(_AUDIO_EXT):
            audios.append(_load_audio(item))
        elif hasattr(item, "shape") and len(getattr(item, "shape", ())) == 2:
            clouds.append(item)
        elif isinstance(item, str) and item.lower().endswith(_POINT_EXT):
            clouds.append(item)  # a point-cloud / mesh file the adapter reads itself (the hooks pass its path)
        elif isinstance(item, str):
            images.append(Image.open(item).convert("RGB"))
        else:
            raise TypeError(f"unsupported visual input of type {type(item).__name__}")
    return images, videos, audios, clouds


def _load_audio(path: str) -> dict[str, Any]:
    import soundfile as sf

    array, rate = sf.read(path, dtype="float32", always_2d=False)
    return {"array": array, "sampling_rate": int(rate), "path": path}


def parse_request(position: int, instance: Any, task_dict: dict[str, Any]) -> GenRequest:
    """Build a :class:`GenRequest` from a simple-style Instance.

    ``instance.args`` is ``(ctx, gen_kwargs, doc_to_visual, doc_id, task, split)``.
    """
    context, gen_kwargs, doc_to_visual, doc_id, task, split = instance.args[:6]
    try:
        doc = task_dict[task][split][doc_id]
    except (KeyError, IndexError, TypeError):
        doc = {}
    doc = dict(doc)
    req = GenRequest(position, str(context or ""), dict(gen_kwargs or {}), doc, str(task), str(split), doc_id)
    if doc_to_visual is not None:
        visuals = doc_to_visual(doc)
        req.visuals = list(visuals) if isinstance(visuals, (list, tuple)) else ([] if visuals is None else [visuals])
        req.images, req.videos, req.audios, req.pointclouds = split_visuals(req.visuals)
    return req


def doc_value(doc: dict[str, Any], name: str) -> Any:
    """A General-Bench doc value (a row column, else from the row's typed doc); None for other tasks' docs."""
    if name in doc:
        return doc[name]
    from lmms_general.protocol.doc import doc_of, is_general_bench_row

    if not is_general_bench_row(doc):
        return None

    value = getattr(doc_of(doc), name, None)
    if name == "media" and value is not None:
        return [{"kind": m.kind, "path": str(m.path) if m.path else None, "raw": m.raw, "role": m.role}
                for m in value]
    return value


def media_paths(doc: dict[str, Any], kind: str) -> list[str]:
    """Absolute paths of one media kind listed in the doc's media entries."""
    entries = doc_value(doc, "media") or []
    return [str(e["path"]) for e in entries if isinstance(e, dict) and e.get("kind") == kind and e.get("path")]
