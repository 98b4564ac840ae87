"""``next_gpt``: NExT-GPT (any-to-any) from a user-supplied checkout of github.com/NExT-GPT/NExT-GPT.

Follows the repository's inference API (``code/``): ``config.load_config(args)`` with
``{"model": "nextgpt", "nextgpt_ckpt_path": ckpt_path, "stage": 3}``,
``model.anyToImageVideoAudio.NextGPTModel(**args)``,
delta weights ``<ckpt_path>/pytorch_model.pt`` loaded with ``strict=False``, then ``model.generate(inputs)`` where
``inputs`` holds the prompt, input media *paths* and decoding settings. The output is a list of text pieces and
``{"img": [...]}`` / ``{"vid": [...]}`` / ``{"aud": [...]}`` dicts, which are written with the media convention.

Model args: ``repo_path`` (the checkout), ``ckpt_path`` (the stage-3 delta folder), ``dtype`` (float16 on GPU),
``num_inference_steps`` (50), ``guidance_scale`` (7.5), ``num_frames`` (24), ``audio_length_in_s`` (9).
Only exercised offline through a stand-in checkout (tests/fixtures/stand_ins/nextgpt_repo).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from model_adapters.base import GeneralistAdapter
from model_adapters.pipelines import torch_dtype
from model_adapters.requests import GenRequest

_OUTPUT_KEY = {"img": "image", "vid": "video", "aud": "audio"}


def load_nextgpt(repo_path: str, ckpt_path: str, device: str, dtype: str) -> Any:
    """Build NExT-GPT from the checkout's ``code/`` folder and load the delta checkpoint."""
    import torch

    code = Path(repo_path).resolve() / "code"
    if not (code / "model" / "anyToImageVideoAudio.py").is_file():
        raise FileNotFoundError(f"{code} is not a NExT-GPT checkout (model/anyToImageVideoAudio.py missing)")
    sys.path.insert(0, str(code))
    from config import load_config  # type: ignore[import-not-found]
    from model.anyToImageVideoAudio import NextGPTModel  # type: ignore[import-not-found]

    args: dict[str, Any] = {"model": "nextgpt", "nextgpt_ckpt_path": ckpt_path, "stage": 3}
    args.update(load_config(args))
    model = NextGPTModel(**args)
    delta = torch.load(str(Path(ckpt_path) / "pytorch_model.pt"), map_location="cpu")
    model.load_state_dict(delta, strict=False)
    return model.eval().to(device=device, dtype=torch_dtype(dtype))


class NextGPT(GeneralistAdapter):
    """NExT-GPT: text/image/video/audio in, text/image/video/audio out."""

    model_name = "next_gpt"
    supported_kinds = frozenset(
        {
            "text_to_image",
            "image_edit",
            "audio_to_image",
            "text_to_video",
            "image_to_video",
            "video_edit",
            "text_to_audio",
            "text_to_speech",
            "audio_edit",
            "video_to_audio",
            "image_to_speech",
        }
    )

    def __init__(
        self,
        repo_path: str,
        ckpt_path: str,
        dtype: str = "float16",
        num_inference_steps: int = 50,
        guidance_scale: float = 7.5,
        num_frames: int = 24,
        audio_length_in_s: float = 9.0,
        fps: int = 8,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.model = load_nextgpt(repo_path, ckpt_path, self.device, dtype)
        self.steps, self.guidance, self.num_frames = int(num_inference_steps), float(guidance_scale), int(num_frames)
        self.audio_length_in_s, self.fps = float(audio_length_in_s), int(fps)

    def _inputs(self, req: GenRequest, target: str) -> dict[str, Any]:
        import torch

        staging = self.writer(req)
        staging.task = f"{req.task}/_inputs"  # input media staged as files: NExT-GPT reads paths
        images = [staging.image(img) for img in req.images]
        audios = [staging.audio(a["array"], a["sampling_rate"]) for a in req.audios]
        settings = {"num_inference_steps": self.steps, "guidance_scale": self.guidance}
        return {
            "prompt": req.prompt,
            "image_paths": images,
            "audio_paths": audios,
            "video_paths": list(req.videos),
            "thermal_paths": [],
            "top_p": 0.01,
            "temperature": 0.1,
            "max_tgt_len": self.max_new_tokens,
            "modality_embeds": [],
            "filter_value": -float("inf"),
            "min_word_tokens": 10,
            "gen_scale_factor": 4.0,
            "stops_id": [[835]],
            "load_sd": True,
            "generator": torch.Generator(device="cpu").manual_seed(self.seed),
            "max_num_imgs": int(target == "image"),
            "max_num_vids": int(target == "video"),
            "max_num_auds": int(target == "audio"),
            **{f"{k}_for_{m}": v for k, v in settings.items() for m in ("img", "vid", "aud")},
            "num_frames": self.num_frames,
            "audio_length_in_s": self.audio_length_in_s,
        }

    def _run(self, req: GenRequest, target: str) -> tuple[str, dict[str, list[Any]]]:
        media: dict[str, list[Any]] = {"image": [], "video": [], "audio": []}
        text = []
        for piece in self.model.generate(self._inputs(req, target)):
            if isinstance(piece, str):
                text.append(piece)
            else:
                for key, items in piece.items():
                    media[_OUTPUT_KEY[key]].extend(items)
        return "".join(text).strip(), media

    def understand(self, batch: list[GenRequest], instances: list[Any]) -> list[str]:
        return [self._run(req, "text")[0] for req in batch]

    def generate(self, kind: str, batch: list[GenRequest]) -> list[str]:
        from model_adapters.requests import KIND_OUTPUT

        target = KIND_OUTPUT[kind]
        responses = []
        for req in batch:
            text, media = self._run(req, target)
            if not media[target]:
                raise RuntimeError(f"NExT-GPT returned no {target} (text: {text[:80]!r})")
            writer = self.writer(req)
            for image in media["image"]:
                writer.image(image)
            for frames in media["video"]:
                writer.video(frames, fps=self.fps)
            for wave in media["audio"]:
                writer.audio(wave, 16000)  # NExT-GPT's AudioLDM decoder runs at 16 kHz
            responses.append(writer.response(text))
        return responses
