"""Fuzzing annotation files: strategies that mutate real sample records, and the end-to-end check.

One check writes one annotation file into a one-task tree copied from the bundled sample data, then
runs what a user runs on it: ``validate`` (index + report), the docs hook, the prompt hook, the
scoring hook and the aggregation. It returns the uncaught exceptions (none expected) and the counts
that must agree: records in the file, samples counted by ``validate``, docs built, items scored +
items failed.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import traceback
import zipfile
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

SAMPLE = Path(__file__).resolve().parents[2] / "lmms_general" / "sample_data" / "General-Bench-Openset"


@dataclass(frozen=True)
class FuzzTask:
    """A registry task of the sample tree, its folder and annotation file (one naming convention each)."""

    key: str
    folder: str
    annotation: str
    kind: str


TASKS: tuple[FuzzTask, ...] = (
    FuzzTask("nlp_causal_reasoning", "nlp/Causal-Reasoning", "annotation.json", "mcq"),
    FuzzTask("image_comp_car_brands_recognition", "image/comprehension/car_brands_recognition",
             "json/annotation.json", "classification"),
    FuzzTask("audio_comp_accent_classification", "audio/comprehension/AccentClassification",
             "accent_classification.json", "classification"),
    FuzzTask("nlp_temporal_reasoning", "nlp/Temporal-Reasoning", "annotation.json", "text"),
    FuzzTask("image_comp_fall_human_detection", "image/comprehension/fall-human-detection",
             "json/annotation_v2.json", "boxes"),
    FuzzTask("image_comp_bird_detection", "image/comprehension/BirdDetection", "bird_detection.json", "boxes"),
    FuzzTask("video_comp_ball_tracking", "video/comprehension/BallTrack", "BallTrack.json", "boxes"),
    FuzzTask("video_comp_animal_video_object_segmentation", "video/comprehension/AnimalVOS", "annotation.json",
             "masks"),
    FuzzTask("nlp_time_series", "nlp/Time-Series", "annotation.json", "numbers"),
    FuzzTask("video_comp_indoor_static_video_depth_estimation", "video/comprehension/StaticVDE", "annotation.json",
             "numbers"),
    FuzzTask("3d_gen_text_to_3d_living_and_arts_mesh_generation", "3D/generation/text_2_3d_mesh_gen",
             "annotation.json", "generation"),
)

#: tokens replaced in the written JSON text by values ``json.dumps`` cannot produce
HUGE_INT = "__FUZZ_HUGE_INT__"
DEEP = "__FUZZ_DEEP__"
_RAW = {f'"{HUGE_INT}"': "9" * 4400, f'"{DEEP}"': "[" * 1200 + "]" * 1200}

SPECIAL_STRINGS = [
    "\ud800", "a\udfffb", "images/\ud83d.png", "/abs/x\x00.png", "images\\0.png", "a\nb.png", "x" * 500 + ".png",
    "../../../../etc/passwd.png", "/etc/hostname", "", " ", "A", "[GENERATION_FAILED]", "Infinity", "0.5",
    '{"bird": [[1, 2, 3, 4]]}', "frames/none", "C:\\x.png", "\u202e.png", HUGE_INT, DEEP,
]


def _json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=12), st.sampled_from(SPECIAL_STRINGS),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
        max_leaves=8,
    )


def _mutate(draw: Any, record: Any) -> Any:
    choice = draw(st.integers(0, 11))
    rec = json.loads(json.dumps(record)) if isinstance(record, dict) else {}
    if choice == 0:
        return rec
    if choice == 1:
        rec.pop("output", None)
    elif choice == 2:
        rec["output"] = draw(st.sampled_from([{}, {"answer": None}, None, [], ""]))
    elif choice == 3:
        return draw(st.sampled_from([{}, None, 7, "text", [], [1, 2], DEEP]))
    elif choice == 4:
        rec["id"] = draw(st.one_of(st.sampled_from([None, {}, [], HUGE_INT, "\ud800", "dup"]), st.text(max_size=5)))
    elif choice == 5:
        inp = rec.get("input") if isinstance(rec.get("input"), dict) else {}
        n = draw(st.integers(0, 40))
        inp["options"] = draw(st.sampled_from([[f"opt{i}" for i in range(n)], {"A": "x"}, 3, "A/B", None]))
        rec["input"] = inp
    elif choice == 6:
        where = draw(st.sampled_from(["input", "output", None]))
        target = rec.get(where) if where else rec
        if not isinstance(target, dict):
            target = {}
            rec[where or "extra"] = target
        target[draw(st.sampled_from(["image_file", "video_folder", "audio_file", "answer", "text", "question",
                                     "mask_file", "prompt", "bbox"]))] = draw(_json_values())
    elif choice == 7:
        rec["input"] = draw(_json_values())
    elif choice == 8:
        rec["output"] = draw(_json_values())
    elif choice == 9:
        rec[draw(st.text(max_size=8))] = draw(_json_values())
    elif choice == 10:
        rec["input"] = {"image_file": draw(st.sampled_from(SPECIAL_STRINGS))}
    else:
        for k in list(rec):
            if draw(st.booleans()):
                rec[k] = draw(_json_values())
    return rec


@st.composite
def annotation_files(draw: Any, task: FuzzTask) -> tuple[Any, int | None]:
    """(JSON document, number of records or None when the file has no readable ``data`` list)."""
    base = base_records(task)
    n = draw(st.integers(0, 6))
    records = [_mutate(draw, base[draw(st.integers(0, len(base) - 1))]) for _ in range(n)]
    header = json.loads(json.dumps(base_header(task)))
    shape = draw(st.integers(0, 9))
    if shape == 0:
        return records, n  # a bare list
    if shape == 1:
        header["type"] = draw(_json_values())
    if shape == 2:
        header[draw(st.sampled_from(["domain", "capability", "task", "others"]))] = draw(_json_values())
    if shape == 3 and draw(st.booleans()):
        return {**header, "data": draw(st.sampled_from([{}, None, "x", 3]))}, None
    return {**header, "data": records}, n


_BASE: dict[str, tuple[dict[str, Any], list[Any]]] = {}


def _load_base(task: FuzzTask) -> tuple[dict[str, Any], list[Any]]:
    if task.key not in _BASE:
        folder = SAMPLE / task.folder
        if folder.is_dir():
            doc = json.loads((folder / task.annotation).read_text(encoding="utf-8"))
        else:  # archived in the sample tree
            with zipfile.ZipFile(folder.with_suffix(".zip")) as zf:
                doc = json.loads(zf.read(task.annotation))
        data = doc.pop("data") if isinstance(doc, dict) else doc
        _BASE[task.key] = (doc if isinstance(doc, dict) else {}, data)
    return _BASE[task.key]


def base_header(task: FuzzTask) -> dict[str, Any]:
    return _load_base(task)[0]


def base_records(task: FuzzTask) -> list[Any]:
    return _load_base(task)[1]


def make_tree(task: FuzzTask, root: Path) -> Path:
    """A one-task General-Bench tree under ``root`` (media copied from the sample data); returns the root."""
    dest = root / task.folder
    if not dest.exists():
        source = SAMPLE / task.folder
        if source.is_dir():
            shutil.copytree(source, dest)
        else:
            dest.mkdir(parents=True)
            with zipfile.ZipFile(source.with_suffix(".zip")) as zf:
                zf.extractall(dest)
    return root


def write_annotation(task: FuzzTask, root: Path, doc: Any) -> Path:
    """Write ``doc`` as the task's annotation file (special tokens become huge ints / deep nesting)."""
    text = json.dumps(doc)
    for token, raw in _RAW.items():
        text = text.replace(token, raw)
    path = root / task.folder / task.annotation
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Outcome:
    """What one fuzzed file did: uncaught exceptions (stage + traceback) and the counts along the way."""

    crashes: list[str] = field(default_factory=list)
    records: int | None = None
    counted: int | None = None
    docs: int | None = None
    scored: int = 0
    failed: int = 0


def _stage(outcome: Outcome, name: str, fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except Exception:  # noqa: BLE001 - the fuzz counts every uncaught exception
        outcome.crashes.append(f"{name}: {traceback.format_exc(limit=-3)}")
        return None


def check(task: FuzzTask, root: Path, records: int | None, answers: list[str]) -> Outcome:
    """Run validate, docs, prompts, scoring and aggregation on the task in ``root``."""

    from lmms_general.commands import validate
    from lmms_general.dataset import clear_process_cache, index_root
    from lmms_general.hooks import aggregate_score, doc_to_text, process_results
    from lmms_general.hooks.docs import build_docs

    outcome = Outcome(records=records)
    clear_process_cache()
    args = argparse.Namespace(root=root, json=None, no_cache=True, errors=3, deep=False)
    with redirect_stdout(io.StringIO()):
        rc = _stage(outcome, "validate", validate.run, args)
    if rc not in (0, None):
        outcome.crashes.append(f"validate: exit code {rc}")
    index = _stage(outcome, "index", index_root, root)
    folder = index.by_key(task.key) if index is not None else None
    outcome.counted = folder.samples if folder is not None else None
    docs = _stage(outcome, "build_docs", build_docs, task.key, root)
    if docs is None:
        return outcome
    outcome.docs = len(docs)
    if docs:  # exactly what process_docs hands lmms-eval: the rows as an Arrow-backed datasets.Dataset
        from lmms_general.hooks.docs import docs_to_dataset

        _stage(outcome, "arrow", docs_to_dataset, docs)
    items = []
    for i, doc in enumerate(docs):
        if _stage(outcome, "doc_to_text", doc_to_text, doc, {"pre_prompt": "", "post_prompt": ""}) is None:
            continue
        result = _stage(outcome, "process_results", process_results, doc, [answers[i % len(answers)]])
        if result is None:
            continue
        items.append(result["score"])
        if result["failed"]:
            outcome.failed += 1
        else:
            outcome.scored += 1
    if items:
        score = _stage(outcome, "aggregate_score", aggregate_score, items)
        if score is not None and not isinstance(score, (int, float, str)):
            outcome.crashes.append(f"aggregate_score: returned {type(score).__name__}")
    return outcome


answers = st.lists(
    st.one_of(st.text(max_size=20), st.sampled_from(["A", "B", "[GENERATION_FAILED]", '{"bird": [[0, 0, 5, 5]]}',
                                                     "3.5", "", "\ud800", "9" * 5000])),
    min_size=1, max_size=3,
)
