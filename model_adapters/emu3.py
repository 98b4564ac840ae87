"""``emu3``: Emu3 through transformers' native ``Emu3ForConditionalGeneration`` (understanding + text-to-image).

Understanding: ``<image>`` placeholders in the prompt, greedy text generation. Generation: the processor's
``return_for_image_generation=True`` prompt (``image_area`` sets the token grid), decoding constrained to the visual
vocabulary row by row (end-of-line after each row, then end-of-frame / end-of-image / eos), classifier-free
guidance against ``negative_prompt``, tokens decoded by ``decode_image_tokens``. Model args: ``pretrained``
(default BAAI/Emu3-Gen-hf), ``dtype``, ``image_area``, ``guidance_scale``, ``negative_prompt``, ``do_sample``.
"""

from __future__ import annotations

from typing import Any

from model_adapters.base import GeneralistAdapter, as_bool
from model_adapters.hf_utils import decode_new_tokens, tensors_to_pil
from model_adapters.pipelines import torch_dtype
from model_adapters.requests import GenRequest


class Emu3(GeneralistAdapter):
    """Emu3 (understanding + text-to-image)."""

    model_name = "emu3"
    supported_kinds = frozenset({"text_to_image"})

    def __init__(
        self,
        pretrained: str = "BAAI/Emu3-Gen-hf",
        dtype: str = "float32",
        image_area: int = 518400,
        guidance_scale: float = 3.0,
        negative_prompt: str = "lowres, bad anatomy, worst quality",
        do_sample: bool | str = True,
        top_k: int = 2048,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        from transformers import Emu3ForConditionalGeneration, Emu3Processor

        self.model = Emu3ForConditionalGeneration.from_pretrained(pretrained, dtype=torch_dtype(dtype)).to(self.device)
        self.model.eval()
        self.processor = Emu3Processor.from_pretrained(pretrained)
        self.processor.tokenizer.padding_side = "left"
        self.image_area, self.guidance_scale = int(image_area), float(guidance_scale)
        self.negative_prompt, self.do_sample, self.top_k = negative_prompt, as_bool(do_sample), int(top_k)

    def understand(self, batch: list[GenRequest], instances: list[Any]) -> list[str]:
        texts = [self.processor.image_token * len(req.images) + req.prompt for req in batch]
        images = [img for req in batch for img in req.images] or None
        inputs = self.processor(images=images, text=texts, padding=True, return_tensors="pt")
        inputs = inputs.to(self.device, self.model.dtype)
        out = self.model.generate(**inputs, do_sample=False, max_new_tokens=self.max_new_tokens)
        return decode_new_tokens(self.processor, out, inputs["input_ids"].shape[1])

    def _allowed_tokens(self, height: int, width: int):
        """prefix_allowed_tokens_fn: visual tokens, an end-of-line per row, then eof / eoi / eos / pad."""
        tok = self.processor.tokenizer
        visual = self.model.vocabulary_mapping.image_tokens
        wrapper = tok.convert_tokens_to_ids(self.processor.fake_token_around_image)
        eol = self.model.vocabulary_mapping.eol_token_id
        tail = [
            tok.convert_tokens_to_ids(self.processor.eof_token),
            tok.convert_tokens_to_ids(self.processor.image_end_token),
            tok.eos_token_id,
        ]

        def allowed(batch_id: int, input_ids: Any) -> list[int]:
            start = int((input_ids == wrapper).nonzero()[0, 0])
            offset = input_ids.shape[0] - start
            grid = (width + 1) * height
            if offset <= grid:
                return [eol] if offset % (width + 1) == 0 else visual
            return [tail[offset - grid - 1]] if offset - grid - 1 < len(tail) else [tok.pad_token_id]

        return allowed

    def generate(self, kind: str, batch: list[GenRequest]) -> list[str]:
        import torch

        prompts = [req.content for req in batch]
        inputs = self.processor(
            text=prompts,
            padding=True,
            return_tensors="pt",
            return_for_image_generation=True,
            image_area=self.image_area,
        )
        height, width = (int(v) for v in inputs.pop("image_sizes")[0])
        negative = self.processor(text=[self.negative_prompt] * len(batch), padding=True, return_tensors="pt")
        torch.manual_seed(self.seed)
        out = self.model.generate(
            **inputs.to(self.device),
            max_new_tokens=(width + 1) * height + 3,
            prefix_allowed_tokens_fn=self._allowed_tokens(height, width),
            do_sample=self.do_sample,
            top_k=self.top_k,
            guidance_scale=self.guidance_scale,
            negative_prompt_ids=negative["input_ids"].to(self.device),
            negative_prompt_attention_mask=negative["attention_mask"].to(self.device),
        )
        tokens = out[:, inputs["input_ids"].shape[1] :]
        pixels = self.model.decode_image_tokens(image_tokens=tokens, height=height, width=width)
        images = tensors_to_pil(self.processor.postprocess(list(pixels.float()))["pixel_values"])
        responses = []
        for req, image in zip(batch, images, strict=True):
            writer = self.writer(req)
            writer.image(image)
            responses.append(writer.response())
        return responses
