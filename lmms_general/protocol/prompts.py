"""Prompt text for every General-Bench task kind, built deterministically from one doc.

NLP samples follow the official ``type`` dispatch (DATASET_FORMAT.md §5); media tasks use the annotation's
``question`` / ``prompt`` fields plus the goal and answer sentences of the task kind's
:class:`~lmms_general.protocol.formats.AnswerFormat` (this module never branches on a task-kind name).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from lmms_general.protocol.doc import THREE_D_INPUTS, Doc
from lmms_general.protocol.formats import answer_format, option_letter
from lmms_general.text_memo import remembered_for_short_texts


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


def _nlp_prompt(task_type: str, sample: Mapping[str, Any], task_name: str = "this task") -> str:  # noqa: C901 - one branch per official type
    inp = sample.get("input")
    inp_map: Mapping[str, Any] = inp if isinstance(inp, Mapping) else {}
    t = task_type.strip()
    if t == "MultipleChoiceQA":
        question = _field(inp_map, "question") or f"{task_name}: which of the following options is correct?"
        parts = [_field(inp_map, "text", "context"), question]
        options = inp_map.get("options") if isinstance(inp_map.get("options"), list) else []
        return "\n".join(p for p in parts if p) + f"\n{lettered(options)}\nAnswer with the option letter only."
    if t == "OpenQA":
        context = _field(inp_map, "context")
        table = inp_map.get("table")
        lines = [f"Context: {context}" if context else "", f"Table: {json.dumps(table)}" if table else ""]
        question = _field(inp_map, "question")
        lines.append(f"Question: {question}\n{_fill_mask_instruction(question) or 'Answer concisely.'}")
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
        question, prompt = _field(inp, "question"), _field(inp, "prompt", "text", "caption", "prompt_en", "instruction")
        if question and prompt and question != prompt:
            return f"{question}\n{prompt}"
        if question or prompt:
            return question or prompt
        return json.dumps({k: v for k, v in inp.items() if isinstance(v, (str, int, float))}, ensure_ascii=False)
    return ""


# --------------------------------------------------------------------------- what a prompt must not be

#: placeholder prompts seen in real annotation files (compared case-folded, punctuation stripped)
KNOWN_PLACEHOLDERS = (
    "users specifically defined prompts for different models",
    "user specifically defined prompts for different models",
    "users defined prompts",
    "user defined prompt",
    "your prompt here",
    "prompt",
    "prompts",
    "placeholder",
    "text",
    "question",
    "todo",
    "tbd",
    "n a",
    "none",
    "null",
)
_PLACEHOLDER_WORDS = re.compile(r"\b(user[s]?'?[- ]?(specifically[- ])?defined prompts?|prompt goes here|"
                                r"insert (your )?prompt|your prompt here|lorem ipsum)\b", re.I)
_FILE_NAME = re.compile(r"^[\w./\\ -]+\.(jpe?g|png|bmp|gif|webp|tiff?|mp4|avi|mov|mkv|webm|wav|mp3|flac|ogg|npy|npz|"
                        r"ply|obj|off|pcd|glb|json|txt|flo)$", re.I)
_MASK_TOKEN = re.compile(r"<mask>|\[mask\]|<blank>|\[blank\]|_{3,}", re.I)
#: an annotation sentence that already says how to answer (its instruction wins over ours for free-text answers)
_OWN_FORMAT = re.compile(
    r"\b(answer with|respond with|reply with|output only|only output|provide only|give only|only (the|one|a single)|"
    r"as output|in the format|selecting one|select one|choose one|choose from|one word|single word|yes or no|"
    r"true or false)\b",
    re.I,
)


_OWN_CHOICES = re.compile(r"\b(candidate (choices|answers|labels)|choices are|options are|options:|choose from|"
                          r"select from|one of the following|the given choices)\b", re.I)


_NON_WORD = re.compile(r"[^\w]+")


@remembered_for_short_texts(maxsize=8192)
def _fold(text: str) -> str:
    """Case-folded words."""
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def is_placeholder_prompt(text: Any) -> bool:
    """Whether an annotation prompt is a known placeholder (fall-human-detection's "users' specifically-defined
    prompts for different models", "<prompt>", "TODO" ...) rather than an instruction a model can follow."""
    if not isinstance(text, str):
        return False
    folded = _fold(text)
    return bool(folded) and (folded in KNOWN_PLACEHOLDERS or bool(_PLACEHOLDER_WORDS.search(text)))


def is_raw_structure(text: Any) -> bool:
    """Whether a prompt text is a raw data structure (a JSON object / list) or a bare file name."""
    if not isinstance(text, str) or not text.strip():
        return False
    stripped = text.strip()
    if stripped[0] in "{[":
        try:
            return isinstance(json.loads(stripped), (dict, list))
        except ValueError:
            return False
    return bool(_FILE_NAME.match(stripped))


def is_usable_prompt(text: Any) -> bool:
    """A prompt text a model can act on: not empty, not a placeholder, not a raw structure."""
    return isinstance(text, str) and _usable_text(text)


@remembered_for_short_texts(maxsize=2048)
def _usable_text(text: str) -> bool:
    return bool(text.strip()) and not is_placeholder_prompt(text) and not is_raw_structure(text)


def _fill_mask_instruction(text: str) -> str:
    """"Replace <MASK> ..." when the text has a blank to fill and does not say so itself; else ""."""
    return _mask_text(text or "")


@remembered_for_short_texts(maxsize=4096)
def _says(text: str, pattern: re.Pattern[str]) -> bool:
    """Whether ``pattern`` occurs in ``text``."""
    return bool(pattern.search(text))


@remembered_for_short_texts(maxsize=4096)
def _mask_text(text: str) -> str:
    match = _MASK_TOKEN.search(text)
    if not match or re.search(r"\b(fill|replace|complete)\b", text, re.I):
        return ""
    token = match.group(0)
    return f"Replace {token} with the missing word or phrase; answer with that word or phrase only."


# --------------------------------------------------------------------------- task-derived instructions

_INPUT_WORDS = {
    "image": "an image", "frames": "the frames of a video", "video": "a video", "audio": "an audio clip",
    "pointcloud": "a 3D point cloud", "mesh": "a 3D mesh", "depth": "a depth map", "file": "a file",
}


def describe_inputs(doc: Doc) -> str:
    """The model's inputs in words ("an image", "the frames of a video (12 frames)", "text")."""
    kinds = list(dict.fromkeys(m.kind for m in doc.inputs if m.path))
    if not kinds:
        return "text"
    words = [_INPUT_WORDS.get(k, f"a {k} file") for k in kinds]
    count = doc.context.get("frame_count")
    if count and kinds[0] in {"frames", "video"}:
        words[0] += f" ({count} frames)"
    return " and ".join(words)


def task_instruction(doc: Doc) -> str:
    """The task-derived instruction for a sample whose annotation prompt is missing, empty, a placeholder or a raw
    structure: task name, skill, inputs and what to output, the same for every sample of the task."""
    name = doc.spec.display_name
    skill = doc.skill
    head = f"Task: {name}" + (f" ({skill})" if skill and skill.lower() != name.lower() else "") + "."
    goal = answer_format(doc.task_kind).goal(name, doc.context, doc.registry_key.startswith("video_"))
    return f"{head} You are given {describe_inputs(doc)}. {goal}"


def _specialist_lines(doc: Doc) -> list[str]:
    """The facts the task's specialists are given (:mod:`lmms_general.protocol.given`), as prompt lines."""
    ctx = doc.context
    lines = []
    expression = ctx.get("expression")
    if expression:
        lines.append(f'The target is described as: "{expression}".')
    count, fps = ctx.get("frame_count"), ctx.get("fps")
    if count and answer_format(doc.task_kind).states_frame_count:
        rate = f" at {float(fps):g} frames per second" if fps else ""
        lines.append(f"The video has {count} frames{rate}; frame indices run from 0 to {int(count) - 1}.")
    box = ctx.get("first_frame_box")
    if box:
        lines.append(f"In the first frame (frame 0) the target is at [x_min, y_min, width, height] = "
                     f"{json.dumps([float(v) for v in box])} (pixels).")
    polygons = ctx.get("first_frame_polygons")
    if polygons:
        lines.append("In the first frame (frame 0) the target object's mask is these polygons (pixel-corner "
                     f"coordinates [x1, y1, x2, y2, ...]): {json.dumps(polygons)}. Segment the same object in "
                     "every frame.")
    return lines


def labels_listed(text: str, labels: Any) -> bool:
    """Whether the text already names every label (whole words, case-folded)."""
    if not labels:
        return True
    folded = f" {_fold(text)} "
    return all(f" {_fold(str(label))} " in folded for label in labels)


def _with_format(doc: Doc, text: str, own_text: str) -> str:
    """``text`` + the answer-format sentence of the task kind; free-text formats defer to the annotation's own."""
    context = dict(doc.context)
    # a sample that offers its own candidates ("The candidate choices are [...]") is not given the task's whole list
    context["labels_listed"] = labels_listed(text, context.get("labels")) or _says(own_text, _OWN_CHOICES)
    fmt = answer_format(doc.task_kind)
    instruction = fmt.instruction(context)
    if fmt.defers_to_own_format and _says(own_text, _OWN_FORMAT) and context["labels_listed"]:
        return text
    return f"{text}\n{instruction}" if instruction else text


# --------------------------------------------------------------------------- generation

_GENERATION_LEAD = {
    "text_to_image": "Generate an image of: {content}",
    "image_edit": "Edit the input image as follows and output the edited image: {content}",
    "audio_to_image": "Generate an image that matches the input audio. {content}",
    "text_to_video": "Generate a video of: {content}",
    "image_to_video": "Generate a video that starts from the input image: {content}",
    "video_edit": "Edit the input video as follows and output the edited video: {content}",
    "text_to_audio": "Generate the sound (audio) of: {content}",
    "text_to_speech": "Speak the following text aloud: output speech audio of exactly these words.\n{content}",
    "audio_edit": "Edit the input audio as follows and output the edited audio: {content}",
    "video_to_audio": "Generate the audio track for the input video. {content}",
    "image_to_speech": "Describe the input image in speech: output spoken audio. {content}",
    "text_to_3d": "Generate a 3D {shape} of: {content}",
    "image_to_3d": "Generate a 3D {shape} of the object in the input image. {content}",
    "pointcloud_to_3d": "Generate a 3D {shape} from the input 3D data. {content}",
}


def generation_text(doc: Doc) -> str:
    """The annotation's own text of a generation sample (what a specialist generator is conditioned on: the caption,
    the edit instruction, the sentence to speak) as written, without our task instruction (the CLIP / CLAP score
    reference and what specialist pipelines are conditioned on)."""
    inp = doc.sample.get("input")
    if inp is None:
        inp = {"prompt": doc.sample.get("caption", "")}
    return _generic_text(inp).strip()


def _generation_prompt(doc: Doc) -> str:
    from lmms_general.protocol.kinds import three_d_output

    content = generation_text(doc)
    if not is_usable_prompt(content):
        content = f"({doc.spec.display_name}: no description given)"
    lead = _GENERATION_LEAD.get(doc.generation_kind)
    if lead is None:
        return content
    return lead.format(content=content, shape=three_d_output(doc.spec).replace("pointcloud", "point cloud")).strip()


# --------------------------------------------------------------------------- the prompt


def _three_d_note(doc: Doc) -> str:
    if not any(m.kind in THREE_D_INPUTS and m.role == "input" and m.path for m in doc.media):
        return ""
    from lmms_general.protocol.render3d import render_views_enabled, view_names

    if render_views_enabled():
        return (f"The 3D input is shown as {len(view_names())} rendered views of the same object "
                f"({', '.join(view_names())}), points coloured by height.")
    return f"The input is {describe_inputs(doc)}."


def _media_prompt(doc: Doc) -> str:
    sample, context = doc.sample, doc.context
    inp = sample.get("input")
    if inp is None:  # video grounding / action detection records keep the query at top level
        inp = {"prompt": sample.get("caption", "")}
    own = _generic_text(inp).strip()
    expression = context.get("expression")
    if not is_usable_prompt(own) or (expression and own == expression):
        text = task_instruction(doc)
    else:
        text = own
    parts = [text, *_specialist_lines(doc)]
    note = _three_d_note(doc)
    if note:
        parts.append(note)
    text = "\n".join(parts)
    mask_hint = _fill_mask_instruction(text)
    if mask_hint:
        text += "\n" + mask_hint
    options = context.get("options")
    if options and answer_format(doc.task_kind).letters_options:
        text += f"\n{lettered(options)}"
    return _with_format(doc, text, own if is_usable_prompt(own) else "")


def _fields_text(inp: Any) -> str:
    """A record's text fields as ``name: value`` lines (for a record no prompt template covers)."""
    if isinstance(inp, str):
        return inp.strip()
    if not isinstance(inp, Mapping):
        return ""
    return "\n".join(f"{key}: {value}" for key, value in inp.items()
                     if isinstance(value, (str, int, float)) and str(value).strip()
                     and not is_placeholder_prompt(value))


def build_prompt(doc: Doc) -> str:
    """The instruction for one doc (without lmms-eval's pre/post prompt): the task text (or a task-derived
    instruction where the annotation's is missing, a placeholder or a raw structure), the specialist inputs, lettered
    options or the task's label set, and the answer-format sentence of the task kind's :class:`AnswerFormat`."""
    if doc.output_modality != "text":
        return _generation_prompt(doc)
    if doc.registry_key.startswith("nlp_"):
        text = _nlp_prompt(str(doc.context.get("task_type", "")), doc.sample, doc.spec.display_name)
        if not is_usable_prompt(text.strip()):  # an unknown record shape: say the task, then the record's fields
            text = "\n".join(x for x in (task_instruction(doc), _fields_text(doc.sample.get("input"))) if x)
        if doc.context.get("labels") and not doc.context.get("options") \
                and answer_format(doc.task_kind).answers_with_labels:
            return _with_format(doc, text, text).strip()
        return text
    return _media_prompt(doc).strip()
