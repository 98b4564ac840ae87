"""``general_pipeline``: a composite generalist (the paper's pipeline agent) built from configurable components.

* comprehension -> any lmms-eval model (``comp_model``, ``comp_model_args`` with ``;`` for ``,``)
* ``t2i`` / ``edit`` / ``t2v`` / ``i2v`` -> diffusers pipelines (hub id or local folder)
* ``tts`` / ``t2a`` -> transformers ``text-to-speech`` / ``text-to-audio`` pipelines
* ``pc`` -> a transformers ``depth-estimation`` model lifted to a point cloud / mesh (:mod:`depth_lifting`)

Cross-modal kinds chain components: ``image_to_speech`` speaks the comp model's answer about the image,
``video_to_audio`` / ``audio_edit`` / ``audio_to_image`` describe the input with the comp model and feed the
description to ``t2a`` / ``t2i``; ``video_edit`` animates the input's first frame with ``i2v``; ``text_to_3d``
renders an image with ``t2i`` and lifts it. Components are loaded on first use.
"""

from __future__ import annotations

from typing import Any

from model_adapters import depth_lifting, pipelines
from model_adapters.base import GeneralistAdapter, optional
from model_adapters.delegate import ask, load_lmms_model
from model_adapters.requests import GenRequest

_DESCRIBE = {
    "video_to_audio": "Describe in one sentence the sounds that belong to this video.",
    "audio_edit": "Describe this audio clip in one sentence.",
    "audio_to_image": "Describe in one sentence a picture that matches this audio.",
}


class GeneralPipeline(GeneralistAdapter):
    """Composite generalist: an lmms-eval text model plus diffusers / transformers generators."""

    model_name = "general_pipeline"

    def __init__(
        self,
        comp_model: str | None = None,
        comp_model_args: str = "",
        t2i: str | None = None,
        edit: str | None = None,
        t2v: str | None = None,
        i2v: str | None = None,
        tts: str | None = None,
        t2a: str | None = None,
        pc: str | None = None,
        pc_depth_kind: str = "disparity",
        pc_points: int = 4096,
        steps: int = 25,
        guidance_scale: float | None = None,
        strength: float | None = None,
        height: int | None = None,
        width: int | None = None,
        num_frames: int = 16,
        fps: int = 8,
        dtype: str = "float32",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.comp_model, self.comp_model_args = optional(comp_model), str(optional(comp_model_args) or "")
        self.paths = {
            k: optional(v) for k, v in dict(t2i=t2i, edit=edit, t2v=t2v, i2v=i2v, tts=tts, t2a=t2a, pc=pc).items()
        }
        self.pc_depth_kind, self.pc_points = pc_depth_kind, int(pc_points)
        self.steps, self.num_frames, self.fps, self.dtype = int(steps), int(num_frames), int(fps), dtype
        self.guidance_scale = None if optional(guidance_scale) is None else float(guidance_scale)
        self.strength = None if optional(strength) is None else float(strength)
        self.height = None if optional(height) is None else int(height)
        self.width = None if optional(width) is None else int(width)
        self._loaded: dict[str, Any] = {}
        self.supported_kinds = frozenset(self._kinds())

    def _kinds(self) -> set[str]:
        has, comp = (lambda k: self.paths[k] is not None), self.comp_model is not None
        table = {
            "text_to_image": has("t2i"),
            "audio_to_image": has("t2i") and comp,
            "image_edit": has("edit"),
            "text_to_video": has("t2v"),
            "image_to_video": has("i2v"),
            "video_edit": has("i2v"),
            "text_to_speech": has("tts"),
            "image_to_speech": has("tts") and comp,
            "text_to_audio": has("t2a"),
            "video_to_audio": has("t2a") and comp,
            "audio_edit": has("t2a") and comp,
            "image_to_3d": has("pc"),
            "text_to_3d": has("pc") and has("t2i"),
        }
        return {kind for kind, ok in table.items() if ok}

    def component(self, name: str) -> Any:
        """The loaded component ``name`` (``comp``, ``t2i``, ``edit``, ``t2v``, ``i2v``, ``tts``, ``t2a``, ``pc``)."""
        if name not in self._loaded:
            if name == "comp":
                model = load_lmms_model(self.comp_model, self.comp_model_args, self.device)
            elif name in ("tts", "t2a"):
                task = "text-to-speech" if name == "tts" else "text-to-audio"
                model = pipelines.load_audio_pipeline(task, self.paths[name], self.device)
            elif name == "pc":
                from transformers import pipeline

                model = pipeline("depth-estimation", model=self.paths["pc"], device=self.device)
            else:
                model = pipelines.load_diffusion(self.paths[name], self.device, self.dtype, needs_image=name == "edit")
            self._loaded[name] = model
        return self._loaded[name]

    # -- comprehension ---------------------------------------------------------------------------------
    def understand(self, batch: list[GenRequest], instances: list[Any]) -> list[str]:
        if self.comp_model is None:
            raise RuntimeError("no comp_model configured for comprehension tasks (model_args comp_model=...)")
        comp = self.component("comp")
        comp.task_dict = self.task_dict
        return comp.generate_until(instances)

    def _describe(self, kind: str, batch: list[GenRequest]) -> list[str]:
        prompts = [req.content if kind == "image_to_speech" else _DESCRIBE[kind] for req in batch]
        return ask(self.component("comp"), prompts, [req.visuals for req in batch], self.max_new_tokens)

    # -- generation ------------------------------------------------------------------------------------
    def generate(self, kind: str, batch: list[GenRequest]) -> list[str]:
        if kind in ("text_to_image", "audio_to_image", "image_edit"):
            return self._images(kind, batch)
        if kind in ("text_to_video", "image_to_video", "video_edit"):
            return self._videos(kind, batch)
        if kind in ("text_to_speech", "image_to_speech", "text_to_audio", "video_to_audio", "audio_edit"):
            return self._audios(kind, batch)
        return self._three_d(kind, batch)

    def _diffuse(self, name: str, prompts: list[str], images: list[Any] | None = None) -> Any:
        return pipelines.call_diffusion(
            self.component(name),
            prompt=prompts,
            image=images,
            num_inference_steps=self.steps,
            guidance_scale=self.guidance_scale,
            strength=self.strength,
            height=self.height,
            width=self.width,
            num_frames=self.num_frames if name in ("t2v", "i2v") else None,
            generator=self.generator(),
        )

    def _render(self, prompts: list[str]) -> list[Any]:
        return pipelines.output_images(self._diffuse("t2i", prompts))

    def _images(self, kind: str, batch: list[GenRequest]) -> list[str]:
        prompts = [req.content for req in batch]
        if kind == "audio_to_image":
            prompts = [f"{p} {d}".strip() for p, d in zip(prompts, self._describe(kind, batch), strict=True)]
        if kind == "image_edit":
            sources = [_one(req.images, req, "an input image") for req in batch]
            images = pipelines.output_images(self._diffuse("edit", prompts, sources))
        else:
            images = self._render(prompts)
        return [self._save(req, images=[img]) for req, img in zip(batch, images, strict=True)]

    def _videos(self, kind: str, batch: list[GenRequest]) -> list[str]:
        prompts = [req.content for req in batch]
        if kind == "text_to_video":
            result = self._diffuse("t2v", prompts)
        else:
            starts = [
                _one(req.images, req, "an input image")
                if kind == "image_to_video"
                else pipelines.first_frame(_one(req.videos, req, "an input video"))
                for req in batch
            ]
            result = self._diffuse("i2v", prompts, starts if len(starts) > 1 else starts[0])
        return [
            self._save(req, videos=[frames]) for req, frames in zip(batch, pipelines.output_videos(result), strict=True)
        ]

    def _audios(self, kind: str, batch: list[GenRequest]) -> list[str]:
        texts = [req.content for req in batch]
        if kind in ("image_to_speech", "video_to_audio", "audio_edit"):
            described = self._describe(kind, batch)
            texts = (
                described
                if kind == "image_to_speech"
                else [f"{t} {d}".strip() for t, d in zip(texts, described, strict=True)]
            )
        name = "tts" if kind in ("text_to_speech", "image_to_speech") else "t2a"
        waves = pipelines.synthesize(self.component(name), texts)
        return [self._save(req, audios=[wave], text=text) for req, wave, text in zip(batch, waves, texts, strict=True)]

    def _three_d(self, kind: str, batch: list[GenRequest]) -> list[str]:
        if kind == "text_to_3d":
            images = self._render([req.content for req in batch])
        else:
            images = [_one(req.images, req, "an input image") for req in batch]
        depths = depth_lifting.estimate_depth(self.component("pc"), images)
        out = []
        for req, image, raw in zip(batch, images, depths, strict=True):
            depth = depth_lifting.normalise_depth(raw, self.pc_depth_kind)
            writer = self.writer(req)
            if req.wants_mesh:
                writer.mesh(*depth_lifting.to_mesh(depth))
            else:
                writer.pointcloud(*depth_lifting.to_pointcloud(image, depth, self.pc_points))
            out.append(writer.response())
        return out

    def _save(
        self, req: GenRequest, images: list[Any] = (), videos: list[Any] = (), audios: list[Any] = (), text: str = ""
    ) -> str:
        writer = self.writer(req)
        for image in images:
            writer.image(image)
        for frames in videos:
            writer.video(frames, fps=self.fps)
        for wave, rate in audios:
            writer.audio(wave, rate)
        return writer.response(text)


def _one(items: list[Any], req: GenRequest, what: str) -> Any:
    if not items:
        raise ValueError(f"{req.kind} needs {what} but doc_to_visual returned none")
    return items[0]
