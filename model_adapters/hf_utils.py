"""Helpers shared by the transformers-native adapters (Janus, Emu3): prompts, decoding, image conversion."""

from __future__ import annotations

from typing import Any


def apply_chat(processor: Any, prompt: str, n_images: int) -> str:
    """One user turn with ``n_images`` image slots, rendered by the processor's chat template when it has one."""
    if getattr(processor, "chat_template", None):
        content = [{"type": "image"} for _ in range(n_images)] + [{"type": "text", "text": prompt}]
        return processor.apply_chat_template([{"role": "user", "content": content}], add_generation_prompt=True)
    return processor.image_token * n_images + prompt


def decode_new_tokens(processor: Any, sequences: Any, prompt_len: int) -> list[str]:
    """Decode only the generated continuation of each sequence."""
    return [t.strip() for t in processor.batch_decode(sequences[:, prompt_len:], skip_special_tokens=True)]


def tensors_to_pil(images: Any) -> list[Any]:
    """PIL images from uint8 CHW tensors / HWC arrays (what image processors' ``postprocess`` return)."""
    import numpy as np
    from PIL import Image

    out = []
    for image in images:
        if isinstance(image, Image.Image):
            out.append(image)
            continue
        array = image.detach().cpu().numpy() if hasattr(image, "detach") else np.asarray(image)
        if array.ndim == 3 and array.shape[0] in (1, 3) and array.shape[-1] not in (1, 3):
            array = array.transpose(1, 2, 0)
        if array.dtype != np.uint8:
            array = np.clip(array, 0, 255).astype(np.uint8)
        out.append(Image.fromarray(array.squeeze()) if array.shape[-1] == 1 else Image.fromarray(array))
    return out
