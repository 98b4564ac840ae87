"""lmms-eval's ``vllm`` wrapper + our task hooks against raw ``vllm.LLM.generate`` on the same prompts (one GPU).

Usage (the ``.venv-vllm`` interpreter, on a GPU): PYTHONPATH=. GENERAL_BENCH_ROOT=... \
    .venv-vllm/bin/python benchmarks/vllm_throughput.py --model DIR --out vllm.json
One engine serves both sides. (1) ``lmms_eval.evaluator.simple_evaluate`` runs the wrapper on our NLP and
image-comprehension tasks (task building, prompts, image encoding, the engine, our process_results and
aggregations); the conversations and sampling parameters the wrapper hands ``LLM.chat`` are recorded. (2) The
same conversations, chat-templated and with their images decoded beforehand, go through ``LLM.generate`` in one
call. Prints one JSON line: samples, seconds of each side and the throughput ratios (raw time / lmms-eval time)
for the request path (``generate_until``) and end to end.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import time
from pathlib import Path
from typing import Any

TASKS = "general_bench_nlp,general_bench_image_comp"
#: engine settings beside the wrapper's defaults: eager mode starts in seconds (no graph capture), both sides share it
ENGINE_ARGS: dict[str, Any] = {"gpu_memory_utilization": 0.4, "enforce_eager": True, "max_model_len": 4096,
                               "limit_mm_per_prompt": {"image": 8}}


def generate_input(conversation: list[dict[str, Any]], tokenizer: Any) -> dict[str, Any]:
    """An OpenAI-style conversation (text + ``image_url`` data URLs) as an ``LLM.generate`` prompt dict."""
    from PIL import Image

    images, messages = [], []
    for message in conversation:
        content = message["content"]
        parts = [{"type": "text", "text": content}] if isinstance(content, str) else []
        for part in content if isinstance(content, list) else []:
            if part["type"] == "image_url":
                data = base64.b64decode(part["image_url"]["url"].split(",", 1)[1])
                images.append(Image.open(io.BytesIO(data)).convert("RGB"))
                parts.append({"type": "image"})
            elif part["type"] == "text":
                parts.append({"type": "text", "text": part["text"]})
        messages.append({"role": message["role"], "content": parts})
    prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return {"prompt": prompt, "multi_modal_data": {"image": images}} if images else {"prompt": prompt}


def check_inputs(model: str) -> str:
    """CPU: vLLM reads the checkpoint with ``ENGINE_ARGS`` and supports its architecture, and a conversation with
    one image becomes a prompt with one image slot and one decoded image (what ``measure`` hands ``LLM.generate``)."""
    from PIL import Image
    from transformers import AutoProcessor
    from vllm import ModelRegistry
    from vllm.engine.arg_utils import EngineArgs

    config = EngineArgs(model=model, seed=1, **ENGINE_ARGS).create_model_config()
    unsupported = [arch for arch in config.architectures if arch not in ModelRegistry.get_supported_archs()]
    if unsupported:
        raise SystemExit(f"{model}: vLLM does not support {unsupported}")
    processor = AutoProcessor.from_pretrained(model)
    png = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(png, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    conversation = [{"role": "user", "content": [{"type": "text", "text": "What is shown?"},
                                                 {"type": "image_url", "image_url": {"url": url}}]}]
    built = generate_input(conversation, processor.tokenizer)
    slots = built["prompt"].count("<|image_pad|>")
    if slots != 1 or len(built["multi_modal_data"]["image"]) != 1:
        raise SystemExit(f"{model}: {slots} image slots in {built['prompt']!r}")
    return f"{config.architectures[0]}, head size {config.get_head_size()}, max_model_len {config.max_model_len}: ok"


def measure(model: str, tasks: list[str], batch_size: int, max_new_tokens: int) -> dict[str, Any]:
    from lmms_eval import evaluator
    from lmms_eval.models.simple.vllm import VLLM
    from vllm import SamplingParams

    from lmms_general.lmms_integration import task_manager

    lm = VLLM(model=model, batch_size=batch_size, max_new_tokens=max_new_tokens, disable_log_stats=True, **ENGINE_ARGS)
    engine = lm.client
    recorded: list[tuple[list[Any], Any, list[str]]] = []  # (conversations, sampling params, responses) per call
    chat = engine.chat

    def recording_chat(messages: list[Any], sampling_params: Any, **kwargs: Any) -> list[Any]:
        out = chat(messages=messages, sampling_params=sampling_params, **kwargs)
        recorded.append((messages, sampling_params, [o.outputs[0].text for o in out]))
        return out

    engine.chat = recording_chat
    request_seconds: list[float] = []
    generate_until = lm.generate_until

    def timed_generate_until(requests: list[Any]) -> list[str]:
        start = time.perf_counter()
        out = generate_until(requests)
        request_seconds.append(time.perf_counter() - start)
        return out

    lm.generate_until = timed_generate_until
    engine.generate(["warm up"], SamplingParams(max_tokens=max_new_tokens, temperature=0))  # load kernels first
    start = time.perf_counter()
    results = evaluator.simple_evaluate(model=lm, tasks=tasks, task_manager=task_manager(), log_samples=True)
    end_to_end = time.perf_counter() - start

    tokenizer = engine.get_tokenizer()
    conversations = [conv for convs, _, _ in recorded for conv in convs]
    params = [one for convs, p, _ in recorded for one in (p if isinstance(p, list) else [p] * len(convs))]
    wrapped = [text for _, _, texts in recorded for text in texts]
    inputs = [generate_input(conv, tokenizer) for conv in conversations]
    start = time.perf_counter()
    raw = engine.generate(inputs, params)
    raw_seconds = time.perf_counter() - start

    same = sum(a == b.outputs[0].text for a, b in zip(wrapped, raw, strict=True))
    groups = set(results.get("group_subtasks") or {})
    leaves = [t for t in results["results"] if t.startswith("general_bench_") and t not in groups]
    return {
        "samples": len(inputs),
        "with_images": sum("multi_modal_data" in i for i in inputs),
        "tasks": len(leaves),
        "scored": sum(results["results"][t].get("score,none") is not None for t in leaves),
        "lmms_eval_request_s": round(sum(request_seconds), 3),
        "lmms_eval_end_to_end_s": round(end_to_end, 3),
        "raw_generate_s": round(raw_seconds, 3),
        "ratio_request_path": round(raw_seconds / sum(request_seconds), 3),
        "ratio_end_to_end": round(raw_seconds / end_to_end, 3),
        "same_responses": same,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a Qwen2-VL checkpoint folder (benchmarks/gpu_prepare.py)")
    parser.add_argument("--tasks", default=TASKS)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--max-new-tokens", type=int, default=16,
                        help="the wrapper's floor: tasks asking for more tokens get more (default %(default)s)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--check-inputs", action="store_true", help="CPU: load the checkpoint, build one prompt")
    args = parser.parse_args()
    if args.check_inputs:
        print(check_inputs(args.model))
        return
    if args.out is None:
        parser.error("--out is required to measure")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figures = measure(args.model, args.tasks.split(","), args.batch_size, args.max_new_tokens)
    args.out.write_text(json.dumps(figures, indent=1))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
