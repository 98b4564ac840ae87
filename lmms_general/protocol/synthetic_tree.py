"""A General-Bench tree of synthetic samples for every registry row, to lint what a model receives on all 699 rows.

Each row gets a task folder ``<modality>/<paradigm>/<key>/annotation.json`` (NLP: ``nlp/<key>``) whose header
``task`` is the row's name (so the ordinary index matches it) and whose records hold the samples of
:func:`lmms_general.metrics.synthetic.build_row`: the reference as ``output.answer`` (generation rows: the target
file), the question / options the row's generator gives as ``input`` (no instruction: the annotation's own prompt
is absent, the worst case the task-derived prompt must cover; NLP records also hold a sentence of text to work on,
as every NLP record does) and, for comprehension rows of a media modality, one small input file of that modality.
``lmms-general prompts --lint --root TREE`` then lints exactly what the lmms-eval hooks send for every row.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from lmms_general.registry import TaskSpec, load_registry

N_SAMPLES = 4
#: modality -> (input field name, file name) of the one input medium of a comprehension row
_INPUT_FILE: dict[str, tuple[str, str]] = {
    "image": ("image_file", "inputs/input.png"),
    "video": ("video_file", "inputs/input.mp4"),
    "audio": ("audio_file", "inputs/input.wav"),
    "3d": ("pointcloud_file", "inputs/input.ply"),
}
_OUTPUT_KEY = {"image": "image_file", "video": "video_file", "audio": "audio_file", "3d": "pointcloud_file"}


def task_folder(root: Path, spec: TaskSpec) -> Path:
    """Where a row's synthetic task folder goes under ``root``."""
    if spec.modality == "nlp":
        return root / "nlp" / spec.key
    return root / spec.modality / spec.paradigm / spec.key


def _relative(value: Any, folder: Path) -> Any:
    """``value`` with every absolute path inside ``folder`` made relative to it (as annotations write them)."""
    if isinstance(value, str) and os.path.isabs(value) and value.startswith(str(folder) + os.sep):
        return os.path.relpath(value, folder)
    if isinstance(value, dict):
        return {k: _relative(v, folder) for k, v in value.items()}
    if isinstance(value, list):
        return [_relative(v, folder) for v in value]
    return value


def _write_input(spec: TaskSpec, folder: Path) -> tuple[str, str] | None:
    """One input medium of the row's modality (comprehension rows of a media modality), or None."""
    from lmms_general.metrics import synthetic as syn

    if spec.paradigm != "comprehension" or spec.modality not in _INPUT_FILE:
        return None
    field, name = _INPUT_FILE[spec.modality]
    rng = np.random.default_rng(0)
    path = folder / name
    if spec.modality == "image":
        syn.write_png(path, syn.smooth_image(rng))
    elif spec.modality == "video":
        syn.write_mp4(path, syn.moving_video(rng))
    elif spec.modality == "audio":
        syn.write_wav(path, syn.speech_like(rng))
    else:
        syn.write_ply(path, syn.point_cloud(rng))
    return field, name


def _record(spec: TaskSpec, i: int, sample: Any, folder: Path, medium: tuple[str, str] | None) -> dict[str, Any]:
    from lmms_general.metrics.synthetic import sentence

    context = sample.context
    raw = _relative(sample.raw_reference, folder)
    if spec.paradigm == "generation":
        prompt = raw.get("prompt") if isinstance(raw, dict) else None
        targets = raw.get("target") if isinstance(raw, dict) else None
        output = {_OUTPUT_KEY.get(spec.modality, "file"): targets[0]} if targets else {}
        return {"id": f"s{i}", "input": {"prompt": prompt} if prompt else {}, "output": output}
    inp: dict[str, Any] = {k: context[k] for k in ("question", "options") if context.get(k)}
    if spec.modality == "nlp":  # an NLP record always holds the text the task works on
        inp.setdefault("text", sentence(np.random.default_rng(i), 12))
    if medium is not None:
        inp[medium[0]] = medium[1]
    return {"id": f"s{i}", "input": inp, "output": {"answer": raw}}


def write_row(root: Path, spec: TaskSpec, n: int = N_SAMPLES) -> Path:
    """Write one row's synthetic task folder under ``root``; returns the folder."""
    from lmms_general.metrics.synthetic import build_row

    folder = task_folder(root, spec)
    case = build_row(spec, folder.parent, n=n)  # writes its files under folder.parent / spec.key == folder
    medium = _write_input(spec, folder)
    task_type = next((s.context["task_type"] for s in case.samples if s.context.get("task_type")), "")
    header = {"task": spec.display_name, "type": task_type, "version": "synthetic",
              "data": [_record(spec, i, s, folder, medium) for i, s in enumerate(case.samples)]}
    (folder / "annotation.json").write_text(json.dumps(header, ensure_ascii=False, default=str), encoding="utf-8")
    return folder


def write_synthetic_tree(root: Path, keys: Iterable[str] | None = None, n: int = N_SAMPLES) -> Path:
    """Write the synthetic tree of every registry row (or ``keys``) under ``root``; returns ``root``."""
    registry = load_registry()
    for key in keys if keys is not None else registry:
        write_row(Path(root), registry[key], n)
    return Path(root)
