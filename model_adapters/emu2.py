"""``emu2``: BAAI Emu2-Chat (understanding) and Emu2-Gen (generation / editing), loaded as their model cards describe.

* Emu2-Chat: ``AutoModelForCausalLM.from_pretrained(chat, trust_remote_code=True)`` + its tokenizer; prompts carry one
  ``[<IMG_PLH>]`` per image; ``model.build_input_ids(text=, tokenizer=, image=)`` then ``model.generate(...)``.
* Emu2-Gen: ``DiffusionPipeline.from_pretrained(gen, custom_pipeline="pipeline_emu2_gen")``; the pipeline takes a
  prompt string (text-to-image) or an interleaved list ``[image, "instruction"]`` (editing / subject-driven) and
  returns an output whose ``.image`` is a PIL image.

Model args: ``chat`` (default BAAI/Emu2-Chat), ``gen`` (default BAAI/Emu2-Gen), ``dtype`` (bfloat16), ``variant``.
Both are loaded on first use. Only exercised offline through stand-ins (tests/fixtures/stand_ins/emu2_stand_in.py).
"""

from __future__ import annotations

from typing import Any

from model_adapters.base import GeneralistAdapter, optional
from model_adapters.pipelines import torch_dtype
from model_adapters.requests import GenRequest

IMAGE_PLACEHOLDER = "[<IMG_PLH>]"


def load_chat(path: str, dtype: str, device: str) -> tuple[Any, Any]:
    """(model, tokenizer) of Emu2-Chat through its published remote code."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=True)
    model = AutoModelForCausalLM.from_pretrained(
        path, dtype=torch_dtype(dtype), low_cpu_mem_usage=True, trust_remote_code=True
    )
    return model.to(device).eval(), tokenizer


def load_gen(path: str, dtype: str, device: str, variant: str | None) -> Any:
    """The Emu2-Gen diffusers custom pipeline (``pipeline_emu2_gen.py`` is remote code: recent diffusers refuse to
    run it, even from a local folder, without ``trust_remote_code=True``)."""
    from diffusers import DiffusionPipeline

    pipe = DiffusionPipeline.from_pretrained(
        path,
        custom_pipeline="pipeline_emu2_gen",
        dtype=torch_dtype(dtype),
        use_safetensors=True,
        variant=variant,
        trust_remote_code=True,
    )
    return pipe.to(device)


class Emu2(GeneralistAdapter):
    """Emu2-Chat + Emu2-Gen (understanding, text-to-image, image editing)."""

    model_name = "emu2"
    supported_kinds = frozenset({"text_to_image", "image_edit"})

    def __init__(
        self,
        chat: str = "BAAI/Emu2-Chat",
        gen: str = "BAAI/Emu2-Gen",
        dtype: str = "bfloat16",
        variant: str | None = "bf16",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.chat_path, self.gen_path, self.dtype, self.variant = chat, gen, dtype, optional(variant)
        self._chat: tuple[Any, Any] | None = None
        self._gen: Any = None

    def understand(self, batch: list[GenRequest], instances: list[Any]) -> list[str]:
        if self._chat is None:
            self._chat = load_chat(self.chat_path, self.dtype, self.device)
        model, tokenizer = self._chat
        answers = []
        for req in batch:  # Emu2-Chat batches only prompts with equal image counts; keep it per request
            query = IMAGE_PLACEHOLDER * len(req.images) + req.prompt
            inputs = model.build_input_ids(text=[query], tokenizer=tokenizer, image=req.images or None)
            image = inputs.get("image")
            output = model.generate(
                input_ids=inputs["input_ids"],
                attention_mask=inputs["attention_mask"],
                image=None if image is None else image.to(torch_dtype(self.dtype)),
                max_new_tokens=self.max_new_tokens,
                length_penalty=-1,
            )
            answers.append(tokenizer.batch_decode(output, skip_special_tokens=True)[0].strip())
        return answers

    def generate(self, kind: str, batch: list[GenRequest]) -> list[str]:
        if self._gen is None:
            self._gen = load_gen(self.gen_path, self.dtype, self.device, self.variant)
        responses = []
        for req in batch:
            if kind == "image_edit":
                if not req.images:
                    raise ValueError("image_edit needs an input image but doc_to_visual returned none")
                prompt: Any = [*req.images, req.content]
            else:
                prompt = req.content
            output = self._gen(prompt)
            image = getattr(output, "image", None) or output.images[0]
            writer = self.writer(req)
            writer.image(image)
            responses.append(writer.response())
        return responses
