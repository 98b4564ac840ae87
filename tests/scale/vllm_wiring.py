"""lmms-eval's ``vllm`` and ``vllm_chat`` wrappers over our tasks, with the engine replaced by a recorder (CPU).

Run with the ``.venv-vllm`` interpreter (``make setup-vllm``): ``python tests/scale/vllm_wiring.py OUT.json``.
It imports vLLM and both wrappers, swaps ``vllm.LLM`` (which needs a GPU to start) for ``RecordingLLM`` inside the
wrapper modules, and runs ``lmms_eval.evaluator.simple_evaluate`` on the sample tree's NLP and image-comprehension
groups: our TaskManager hook, process_docs, doc_to_text / doc_to_visual / doc_to_messages, the wrappers' message and
``vllm.SamplingParams`` construction, and our process_results and aggregations. The recorder answers every request
with the same short text; what is checked is what reached the engine and that every task was scored. The recorded
conversations are also turned into benchmarks/vllm_throughput.py's raw ``LLM.generate`` prompts (tiny Qwen2-VL
tokenizer built here) and their image slots counted.
"""

from __future__ import annotations

import base64
import io
import json
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

TASKS = ["general_bench_nlp", "general_bench_image_comp"]
LIMIT = 2
#: a model arg no larger than any task's max_new_tokens, so the tasks' caps reach the engine (the wrappers take the max)
MAX_NEW_TOKENS = 1
REPLY = "A"


class RecordingLLM:
    """Takes ``vllm.LLM``'s place: records each ``chat`` call and answers ``REPLY`` to every conversation."""

    instances: list[RecordingLLM] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.calls: list[tuple[list[Any], Any]] = []
        RecordingLLM.instances.append(self)

    def chat(self, messages: list[Any], sampling_params: Any, chat_template: str | None = None, **_: Any) -> list:
        self.calls.append((messages, sampling_params))
        return [SimpleNamespace(outputs=[SimpleNamespace(text=REPLY)]) for _ in messages]

    def get_metrics(self) -> list:
        return []


def _image_sizes(conversation: list[dict[str, Any]]) -> list[list[int]]:
    """Decode every ``image_url`` data URL of an OpenAI-style conversation; returns the images' sizes."""
    from PIL import Image

    sizes = []
    for message in conversation:
        content = message.get("content")
        for part in content if isinstance(content, list) else []:
            if part.get("type") == "image_url":
                url = part["image_url"]["url"]
                assert url.startswith("data:image/"), url[:40]
                with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as image:
                    sizes.append(list(image.size))
    return sizes


def _text_of(conversation: list[dict[str, Any]]) -> str:
    parts = []
    for message in conversation:
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        for part in content if isinstance(content, list) else []:
            if part.get("type") == "text":
                parts.append(part["text"])
    return "\n".join(parts)


def raw_prompt_slots(conversations: list[list[dict[str, Any]]], model_dir: Path) -> list[list[int]]:
    """benchmarks/vllm_throughput.py's raw ``LLM.generate`` inputs for the recorded conversations, built with a tiny
    Qwen2-VL tokenizer: [image slots in the prompt, decoded images] per conversation."""
    root = Path(__file__).resolve().parents[2]
    sys.path[:0] = [str(root / "benchmarks"), str(root / "tests" / "fixtures")]
    import tiny_qwen2vl
    from transformers import AutoTokenizer
    from vllm_throughput import generate_input

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_qwen2vl.build(model_dir)))
    built = [generate_input(conversation, tokenizer) for conversation in conversations]
    return [[b["prompt"].count("<|image_pad|>"), len(b.get("multi_modal_data", {}).get("image", []))] for b in built]


def run_wrapper(name: str, out_dir: str) -> dict[str, Any]:
    """``simple_evaluate`` with lmms-eval's ``name`` wrapper on the recorder; what reached it and the scores."""
    import vllm
    from lmms_eval import evaluator
    from lmms_eval.models.chat import vllm as chat_vllm
    from lmms_eval.models.simple import vllm as simple_vllm

    from lmms_general.lmms_integration import task_manager

    simple_vllm.LLM = chat_vllm.LLM = RecordingLLM
    wrapper = {"vllm": simple_vllm.VLLM, "vllm_chat": chat_vllm.VLLM}[name]
    lm = wrapper(model="tiny", batch_size=4, max_new_tokens=MAX_NEW_TOKENS, disable_log_stats=True)
    engine = RecordingLLM.instances[-1]
    out = evaluator.simple_evaluate(model=lm, tasks=TASKS, task_manager=task_manager(), limit=LIMIT,
                                    log_samples=True)
    requests, conversations_seen = [], []
    for conversations, params in engine.calls:
        conversations_seen += conversations
        params = params if isinstance(params, list) else [params] * len(conversations)
        for conversation, param in zip(conversations, params, strict=True):
            assert isinstance(param, vllm.SamplingParams), type(param)
            requests.append({"text": _text_of(conversation), "images": _image_sizes(conversation),
                             "max_tokens": param.max_tokens, "temperature": param.temperature})
    groups = set(out.get("group_subtasks") or {})
    leaves = {t: r for t, r in out["results"].items() if t.startswith("general_bench_") and t not in groups}
    return {
        "engine_kwargs": {k: str(v) for k, v in engine.kwargs.items()},
        "requests": requests,
        "scores": {t: r.get("score,none") for t, r in leaves.items()},
        "failed": {t: r.get("failed,none") for t, r in leaves.items()},
        "effective": {t: out["n-samples"][t]["effective"] for t in leaves},
        "configured_max_new_tokens": {t: out["configs"][t]["generation_kwargs"]["max_new_tokens"] for t in leaves},
        "responses": {t: [s["filtered_resps"] for s in rows] for t, rows in out.get("samples", {}).items()},
        "raw_prompt_slots": raw_prompt_slots(conversations_seen, Path(out_dir) / f"tiny_qwen2vl_{name}"),
    }


def main(out_path: str) -> None:
    from importlib.metadata import version

    import vllm

    report = {"vllm": vllm.__version__, "lmms_eval": version("lmms_eval"),
              "wrappers": {name: run_wrapper(name, str(Path(out_path).parent)) for name in ("vllm", "vllm_chat")}}
    Path(out_path).write_text(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
