"""Judged metrics: GPT-Score and user preference rate, both automatic stand-ins (``proxy=True``).

* ``gpt_score`` — an LLM judge decides whether a free-text answer is correct given the reference
  answer; the score is the % judged correct. The judge is an OpenAI-compatible chat endpoint
  (``LMMS_GENERAL_JUDGE_BASE_URL``, ``LMMS_GENERAL_JUDGE_MODEL``, ``LMMS_GENERAL_JUDGE_API_KEY``) or,
  without a base URL, a local Hugging Face causal LM at ``LMMS_GENERAL_JUDGE_MODEL``. Any callable
  ``judge(question, answer, reference) -> float in [0, 1]`` can replace it (option ``judge``). An empty
  answer scores 0 without a judge call; a judge reply without a verdict scores 0 and is counted.
* ``user_preference_rate`` — pairwise preference of the generated video over the reference video (the
  annotation's target output, else the source video), judged automatically: by default the video
  whose frames are closer (CLIP) to the prompt wins (tie: 0.5). % of samples won. Option ``judge``:
  ``judge(generated_frames, other_frames, prompt) -> probability the generated video is preferred``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from lmms_general.metrics import media
from lmms_general.metrics._common import answer_list, mean, require_samples
from lmms_general.metrics.image_generation import reference_media, source_media
from lmms_general.metrics.models import (
    ModelUnavailableError,
    clip_image_embeddings,
    clip_text_embeddings,
    resolve_model,
)
from lmms_general.metrics.registry import AS_IS, MetricSpec, register
from lmms_general.metrics.synthetic import gen_generation, gen_short_answer

Judge = Callable[[str, str, str], float]

JUDGE_PROMPT = (
    "You are grading an answer to a question about an audio clip.\n"
    "Question: {question}\nReference answer: {reference}\nModel answer: {answer}\n"
    "Is the model answer correct and consistent with the reference answer? "
    "Reply with exactly one word: YES or NO."
)
_VERDICT = re.compile(
    r"(?i)(?:\bnot\s+(?:correct|right|consistent|accurate|true)\b|n't\s+(?:correct|right|consistent|accurate)\b"
    r"|\b(?:incorrect|inconsistent|inaccurate|wrong|false|no|nope)\b|\b0\b)"
    r"|\b(yes|correct|right|consistent|accurate|true|1)\b"
)


def verdict(reply: str) -> float | None:
    """1.0 / 0.0 from a judge reply: its first verdict word, negations first ("NO", "No, ...", "Not correct.",
    "isn't correct", "incorrect", "wrong", "0" -> 0.0; "YES", "Correct.", "1" -> 1.0); None when there is none."""
    text = re.sub(r"<think>.*?</think>", " ", reply or "", flags=re.DOTALL | re.IGNORECASE)
    match = _VERDICT.search(text)
    if not match:
        return None
    return 1.0 if match.group(1) else 0.0


def chat_judge(complete: Callable[[str], str]) -> Judge:
    """A judge from any ``prompt -> reply`` function (the seam used by the endpoint and local judges)."""

    def judge(question: str, answer: str, reference: str) -> float:
        reply = complete(JUDGE_PROMPT.format(question=question or "(not given)", reference=reference, answer=answer))
        value = verdict(reply)
        if value is None:
            raise ValueError(f"judge reply without a verdict: {reply[:200]!r}")
        return value

    return judge


def default_judge() -> Judge:
    """The configured judge: OpenAI-compatible endpoint, else a local HF model; clear error otherwise."""
    base_url = os.environ.get("LMMS_GENERAL_JUDGE_BASE_URL")
    model = os.environ.get("LMMS_GENERAL_JUDGE_MODEL")
    if base_url and model:
        from openai import OpenAI

        client = OpenAI(base_url=base_url, api_key=os.environ.get("LMMS_GENERAL_JUDGE_API_KEY", "EMPTY"))

        def complete(prompt: str) -> str:
            response = client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": prompt}], temperature=0, max_tokens=8
            )
            return response.choices[0].message.content or ""

        return chat_judge(complete)
    if model:
        return chat_judge(local_completer(model))
    raise ModelUnavailableError(
        "gpt_score needs a judge: set LMMS_GENERAL_JUDGE_BASE_URL + LMMS_GENERAL_JUDGE_MODEL (+ _API_KEY) for an "
        "OpenAI-compatible endpoint, or LMMS_GENERAL_JUDGE_MODEL alone for a local Hugging Face causal LM"
    )


def local_completer(path: str, max_new_tokens: int = 8) -> Callable[[str], str]:
    """Greedy completion with a local Hugging Face causal LM (chat template when it has one)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForCausalLM.from_pretrained(path).eval()
    except Exception as exc:  # noqa: BLE001
        raise ModelUnavailableError(f"cannot load judge model {path!r}: {type(exc).__name__}: {exc}") from None

    def complete(prompt: str) -> str:
        if tokenizer.chat_template:
            text = tokenizer.apply_chat_template(
                [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
            )
        else:
            text = prompt
        inputs = tokenizer(text, return_tensors="pt")
        with torch.no_grad():
            out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
        return tokenizer.decode(out[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)

    return complete


def judged_reference(raw: Any, context: Mapping[str, Any]) -> dict[str, Any]:
    """``{"answer": acceptable answers joined by " / ", "question": the question when the context has it}``."""
    answers = answer_list(raw)
    return {"answer": " / ".join(answers), "question": str((context or {}).get("question") or "")}


def gpt_score(predictions: Sequence[Any], references: Sequence[Any], judge: Judge | None = None) -> float:
    """% answers an LLM judge accepts as correct (proxy for GPT-Score)."""
    require_samples("gpt_score", predictions)
    judge = judge or default_judge()
    scores, failures = [], 0
    for prediction, ref in zip(predictions, references, strict=True):
        ref = ref if isinstance(ref, Mapping) else {"answer": " / ".join(answer_list(ref)), "question": ""}
        if not prediction or not str(prediction).strip():
            scores.append(0.0)
            continue
        try:
            scores.append(float(np.clip(judge(ref.get("question", ""), str(prediction), ref["answer"]), 0, 1)))
        except ValueError as exc:
            scores.append(0.0)
            failures += 1
            logging.getLogger(__name__).debug("gpt_score: %s", exc)
    if failures:
        logging.getLogger(__name__).warning(
            "gpt_score: %d/%d judge replies without a verdict (scored 0)", failures, len(scores)
        )
    return 100.0 * mean(scores)


# ------------------------------------------------------------------------------------ user preference
def clip_preference(model: str | None = None) -> Callable[[np.ndarray, np.ndarray, str], float]:
    """Default pairwise judge: the video whose frames are closer (CLIP) to the prompt wins; tie 0.5."""
    path = resolve_model("CLIP", model)

    def prefer(generated: np.ndarray, other: np.ndarray, prompt: str) -> float:
        text = clip_text_embeddings([prompt], path)[0]
        a = float((clip_image_embeddings(list(generated), path) @ text).mean())
        b = float((clip_image_embeddings(list(other), path) @ text).mean())
        return 0.5 if np.isclose(a, b, atol=1e-6) else float(a > b)

    return prefer


def user_preference_rate(
    predictions: Sequence[Any],
    references: Sequence[Any],
    model: str | None = None,
    judge: Callable[[np.ndarray, np.ndarray, str], float] | None = None,
) -> float:
    """% of samples where the automatic judge prefers the generated video to the reference one; missing = 0."""
    require_samples("user_preference_rate", predictions)
    prefer = judge or clip_preference(model)

    def one(prediction: Any, ref: Any) -> float:
        others = reference_media(ref) or source_media(ref)
        if not others:
            raise ValueError(f"user_preference_rate: sample without a reference video: {str(ref)[:200]}")
        other = media.load_video(others[0], max_frames=16)
        return float(
            np.clip(prefer(media.load_video(prediction, max_frames=16), other, media.reference_prompt(ref)), 0, 1)
        )

    return 100.0 * mean(media.per_sample("user_preference_rate", predictions, references, one, worst=0.0))


register(
    MetricSpec(
        "gpt_score",
        gpt_score,
        "sample",
        (0.0, 100.0),
        "x100",
        "LLM judge (OpenAI-compatible endpoint or local HF LM)",
        default_model="$LMMS_GENERAL_JUDGE_MODEL (no default)",
        proxy=True,
        prepare_reference=judged_reference,
        description="% free-text answers an LLM judge accepts given the reference answer",
        aliases=("GPT-Score",),
        task_kind="open_answer",
        level_map=AS_IS,
        synthetic=gen_short_answer,
    )
)
register(
    MetricSpec(
        "user_preference_rate",
        user_preference_rate,
        "sample",
        (0.0, 100.0),
        "x100",
        "CLIP pairwise judge",
        default_model="openai/clip-vit-base-patch32",
        proxy=True,
        **media.GENERATION_IO,
        description="% samples where an automatic judge prefers the output to the reference video",
        aliases=("User preference rates",),
        task_kind="generation",
        level_map=AS_IS,
        synthetic=gen_generation,
    )
)
