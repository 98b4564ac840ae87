"""Prompt text for every General-Bench task kind, built deterministically from one doc.

NLP samples follow the official ``type`` dispatch (DATASET_FORMAT.md §5); media tasks use the annotation's
``question`` / ``prompt`` fields plus an output-format instruction chosen by the task kind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from lmms_general.protocol.doc import Doc
from lmms_general.protocol.formats import answer_format, option_letter


def lettered(options: Any) -> str:
    """``A. first\nB. second`` (``AA.`` after ``Z.``); a mapping keeps its own labels, any other value shows as is."""
    if isinstance(options, Mapping):
        return "\n".join(f"{key}. {opt}" for key, opt in options.items())
    if not isinstance(options, Sequence) or isinstance(options, str):
        return str(options)
    return "\n".join(f"{option_letter(i)}. {opt}" for i, opt in enumerate(options))


def _items(value: Any) -> list[Any]:
    """A list for joining: lists as they are, a lone value as a one-item list, None/empty as []."""
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _field(mapping: Any, *names: str) -> str:
    if not isinstance(mapping, Mapping):
        return ""
    for name in names:
        value = mapping.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _fill_template(template: str, inp: Mapping[str, Any]) -> str:
    text = template
    for key, value in inp.items():
        if key != "prompt" and isinstance(value, (str, int, float)):
            text = text.replace(f"<<<{key}>>>", str(value))
    return text


def _nlp_prompt(task_type: str, sample: Mapping[str, Any]) -> str:  # noqa: C901 - one branch per official type
    inp = sample.get("input")
    inp_map: Mapping[str, Any] = inp if isinstance(inp, Mapping) else {}
    t = task_type.strip()
    if t == "MultipleChoiceQA":
        parts = [_field(inp_map, "text", "context"), _field(inp_map, "question")]
        options = inp_map.get("options") if isinstance(inp_map.get("options"), list) else []
        return "\n".join(p for p in parts if p) + f"\n{lettered(options)}\nAnswer with the option letter only."
    if t == "OpenQA":
        context = _field(inp_map, "context")
        table = inp_map.get("table")
        lines = [f"Context: {context}" if context else "", f"Table: {json.dumps(table)}" if table else ""]
        lines.append(f"Question: {_field(inp_map, 'question')}\nAnswer concisely.")
        return "\n".join(x for x in lines if x)
    if t == "Summarization":
        docs = _items(sample.get("document_list")) or [sample.get("document", "")]
        return "Summarize the following text.\n\n" + "\n\n".join(map(str, docs))
    if t == "Translation":
        text = inp if isinstance(inp, str) else _field(inp_map, "text")
        return f"Translate the following text from {sample.get('in', 'the source language')} to {sample.get('out', 'the target language')}. Output only the translation.\n\n{text}"  # noqa: E501
    if t == "Dialogue":
        turns = _items(sample.get("dialog"))
        return "Continue the dialogue with the next response only.\n" + "\n".join(map(str, turns))
    if t == "Code Generation":
        ctx = sample.get("context") or []
        return f"Write {sample.get('language', 'python')} code for this goal: {sample.get('goal', '')}\nContext: {json.dumps(ctx, ensure_ascii=False)}"  # noqa: E501
    if t == "Code Repair":
        return f"{_field(inp_map, 'prompt')}\n{_field(inp_map, 'sourceCode')}\nOutput only the repaired code."
    if t == "Code Defect Detection":
        return f"Does this function contain a defect? Answer 1 for yes or 0 for no.\n{sample.get('func', '')}"
    if t == "Text to SQL":
        return f"{_field(inp_map, 'context')}\nQuestion: {_field(inp_map, 'question')}\nAnswer with one SQL query only."
    if t == "Code Explanation":
        return f"Explain what this code does in one sentence.\n{sample.get('code', '')}"
    if t == "Proof":
        return f"Prove the following statement step by step, then state the conclusion.\n{sample.get('statement', '')}"
    if t == "Mathematical Word Problem Solving":
        problem = sample.get("problem") if isinstance(sample.get("problem"), Mapping) else {}
        constraints = "\n".join(map(str, _items(problem.get("constraints"))))
        return f"{problem.get('text', '')}\n{constraints}\nGive only the final answer."
    if t == "Paraphrase Generation":
        return f"Paraphrase this sentence: {_field(inp_map, 'originalSentence')}"
    if t == "Grammar Correction":
        return f"Correct the grammar ({_field(inp_map, 'Error Type')}): {_field(inp_map, 'Ungrammatical Statement')}"
    if t == "Text Style Transfer":
        return f"Rewrite the text in the style '{_field(inp_map, 'style')}': {_field(inp_map, 'text')}"
    if t == "Table-to-Text Generation":
        return f"Describe this table in text.\n{json.dumps(inp_map.get('table'), ensure_ascii=False)}"
    if t == "Time Series":
        return f"Predict the next value of this series: {inp_map.get('data')}\nAnswer with a single number only."
    if t == "Story Generation":
        return _field(inp_map, "prompt")
    template = _field(inp_map, "prompt")
    if template:
        return _fill_template(template, inp_map)
    return _generic_text(inp)


def _generic_text(inp: Any) -> str:
    if isinstance(inp, str):
        return inp
    if isinstance(inp, Mapping):
        parts = [_field(inp, "question"), _field(inp, "prompt", "text", "caption", "prompt_en", "instruction")]
        parts = list(dict.fromkeys(p for p in parts if p))
        if parts:
            return "\n".join(parts)
        return json.dumps({k: v for k, v in inp.items() if isinstance(v, (str, int, float))}, ensure_ascii=False)
    return ""


def build_prompt(doc: Doc) -> str:
    """The instruction for one doc (without lmms-eval's pre/post prompt): the task text, lettered options for
    multiple choice, and the answer-format sentence of the task kind's :class:`AnswerFormat`."""
    sample, context = doc.sample, doc.context
    if doc.registry_key.startswith("nlp_"):
        return _nlp_prompt(str(context.get("task_type", "")), sample)
    inp = sample.get("input")
    if inp is None:  # video grounding / action detection records keep the query at top level
        inp = {"prompt": sample.get("caption", "")}
    text = _generic_text(inp)
    options = context.get("options")
    if options and doc.task_kind == "qa":
        text += f"\n{lettered(options)}"
    instruction = answer_format(doc.task_kind).instruction(context)
    if instruction:
        text += "\n" + instruction
    return text.strip()


#: phrases of the dataset's known placeholder prompts (lower-cased); minimal fallback until the prompts helper's
#: version lands (promptcmd's lint imports this name)
_PLACEHOLDER_PHRASES: tuple[str, ...] = (
    "specifically-defined prompt",
    "specifically defined prompt",
    "user-defined prompt",
    "your prompt here",
    "<prompt>",
)


def is_placeholder_prompt(text: str) -> bool:
    """Whether an annotation prompt is a known placeholder (e.g. "users' specifically-defined prompts for
    different models") rather than an instruction."""
    folded = " ".join(str(text).lower().replace("\u2019", "'").split())
    return any(phrase in folded for phrase in _PLACEHOLDER_PHRASES)
