"""``janus``: Janus / Janus-Pro through transformers' native ``JanusForConditionalGeneration``.

Understanding: chat-templated prompt with one ``<image_placeholder>`` per input image, ``generation_mode="text"``.
Generation (``text_to_image`` only; Janus has no editing / video / audio / 3D head): ``generation_mode="image"``
with classifier-free guidance, VQ tokens decoded by ``decode_image_tokens`` and post-processed to PIL images.
Model args: ``pretrained`` (default deepseek-community/Janus-Pro-1B), ``dtype``, ``guidance_scale``, ``do_sample``.
"""

from __future__ import annotations

from typing import Any

from model_adapters.base import GeneralistAdapter, as_bool
from model_adapters.hf_utils import apply_chat, decode_new_tokens, tensors_to_pil
from model_adapters.pipelines import torch_dtype
from model_adapters.requests import GenRequest


class Janus(GeneralistAdapter):
    """Janus / Janus-Pro (understanding + text-to-image)."""

    model_name = "janus"
    supported_kinds = frozenset({"text_to_image"})

    def __init__(
        self,
        pretrained: str = "deepseek-community/Janus-Pro-1B",
        dtype: str = "float32",
        guidance_scale: float = 5.0,
        do_sample: bool | str = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        from transformers import JanusForConditionalGeneration, JanusProcessor

        self.model = JanusForConditionalGeneration.from_pretrained(pretrained, dtype=torch_dtype(dtype)).to(self.device)
        self.model.eval()
        self.processor = JanusProcessor.from_pretrained(pretrained)
        self.guidance_scale, self.do_sample = float(guidance_scale), as_bool(do_sample)

    def understand(self, batch: list[GenRequest], instances: list[Any]) -> list[str]:
        texts = [apply_chat(self.processor, req.prompt, len(req.images)) for req in batch]
        images = [img for req in batch for img in req.images] or None
        inputs = self.processor(text=texts, images=images, generation_mode="text", padding=True, return_tensors="pt")
        inputs = inputs.to(self.device, self.model.dtype)
        out = self.model.generate(**inputs, generation_mode="text", do_sample=False, max_new_tokens=self.max_new_tokens)
        return decode_new_tokens(self.processor, out, inputs["input_ids"].shape[1])

    def generate(self, kind: str, batch: list[GenRequest]) -> list[str]:
        import torch

        texts = [apply_chat(self.processor, req.content, 0) for req in batch]
        inputs = self.processor(text=texts, generation_mode="image", padding=True, return_tensors="pt").to(self.device)
        torch.manual_seed(self.seed)
        tokens = self.model.generate(
            **inputs, generation_mode="image", do_sample=self.do_sample, guidance_scale=self.guidance_scale
        )
        pixels = self.model.decode_image_tokens(tokens)
        images = tensors_to_pil(self.processor.postprocess(list(pixels.float()))["pixel_values"])
        responses = []
        for req, image in zip(batch, images, strict=True):
            writer = self.writer(req)
            writer.image(image)
            responses.append(writer.response())
        return responses
