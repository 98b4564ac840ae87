"""One object per task kind: everything that differs between task kinds lives on its :class:`AnswerFormat`.

Each subclass owns, for one task kind (:func:`lmms_general.protocol.kinds.task_kind`): the goal sentence of a
task-derived prompt (:meth:`~AnswerFormat.goal`), the answer instruction (:meth:`~AnswerFormat.instruction`), the
parser of a model's answer, the renderer of a reference as a correct answer (:meth:`~AnswerFormat.render`, the
oracle) and of a wrong answer in the same format (:meth:`~AnswerFormat.render_wrong`, the corrupted oracle),
``max_new_tokens`` (read by :mod:`lmms_general.codegen`), the facts its specialists are given
(:meth:`~AnswerFormat.specialist_inputs`) and the routing flags the prompt builder and the label gathering read.
No other module branches on a task-kind name (``tests/protocol/test_task_kind_home.py`` checks). Parsers
unwrap the format's envelope (``{"boxes": ...}``, ``{"polygons": ...}``, ``{"images": [...]}``) and hand the rest to
the row metric's own ``parse`` (``lmms_general.metrics``), so one parser per metric family serves every route
(lmms-eval hooks, ``lmms-general score``, re-scoring from sample logs). Renderers take the *prepared* reference
(what the metric consumes) and must round-trip: ``metric.score([parse(render(r))], [r])`` is the metric's perfect
value (``tests/protocol/test_round_trip.py`` checks every row).

Adding a task kind: subclass :class:`AnswerFormat` here (a ``name``, ``max_new_tokens``, ``render`` and
``render_wrong``; the other methods where the base's free-text behaviour does not fit) and list it in
:data:`FORMATS`; the metric that answers in it names the kind (docs/ARCHITECTURE.md, "How to add a task kind").
"""

from __future__ import annotations

import functools
import json
import math
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lmms_general.metrics.parsing import extract_json
from lmms_general.metrics.polygons import POLYGON_KEY, is_polygon_answer, mask_to_polygons
from lmms_general.metrics.registry import MetricSpec
from lmms_general.protocol import media_response
from lmms_general.registry import TaskSpec
from lmms_general.text_memo import Keyed, ValuesKeys

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def option_letter(index: int) -> str:
    """``A``..``Z``, then ``AA``, ``AB``, ... (MCQs may have more than 26 options)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = LETTERS[rest] + letters
    return letters


def format_number(value: float) -> str:
    """A number as a model would write it: ``42`` for integral values, else the shortest exact repr."""
    if math.isfinite(value) and float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


#: the wrong answer of a free-text kind
NO_ANSWER = "no answer available"


def _number(reference: Any) -> float:
    """A numeric reference as a float (0.0 for any other shape)."""
    return float(reference) if isinstance(reference, (int, float)) else 0.0


def _copy_into(path: str, output_dir: Path | None, stem: str) -> str:
    """``path`` copied into ``output_dir`` (the run's output folder) when one is given; else ``path``."""
    if output_dir is None:
        return str(path)
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"{stem}{Path(path).suffix}"
    shutil.copyfile(path, target)
    return str(target.resolve())


class AnswerFormat:
    """Base: free text, parsed by the metric as it is. A subclass sets ``name`` and ``max_new_tokens`` and defines
    :meth:`render_wrong`; the flags below are off unless the kind needs them."""

    name = "text"
    #: the ``max_new_tokens`` of the kind's task YAMLs (generation adapters ignore it)
    max_new_tokens: int
    #: the annotation's own answer sentence ("answer with one word", "yes or no") replaces the instruction
    defers_to_own_format = False
    #: the answer is a label of the task's label set / an option letter (label tasks, lettered options)
    answers_with_labels = False
    #: the answer is labelled boxes: the task's label set is the labels its references' boxes carry
    labels_in_boxes = False
    #: the answer is per video frame: the prompt states the frame count (and rate) when the doc knows it
    states_frame_count = False
    #: the answer is an option letter: a media prompt lists the sample's options lettered ``A.``, ``B.``, ...
    letters_options = False

    def goal(self, task_name: str, context: Mapping[str, Any], video: bool) -> str:
        """What the task asks, in plain words (the prompt of a sample whose annotation gives none)."""
        return f"Perform {task_name} on the input."

    def instruction(self, context: Mapping[str, Any]) -> str:
        """The answer-format sentence appended to the prompt ("" when the task's own text says it)."""
        return ""

    def specialist_inputs(self, spec: TaskSpec, sample: Any, media: Sequence[Mapping[str, Any]],
                          reference: Any) -> dict[str, Any]:
        """The facts the kind's specialists are given besides the media (``Doc.context`` keys; see
        :mod:`lmms_general.protocol.given`); none for most kinds."""
        return {}

    def unwrap(self, raw: str) -> str:
        """The part of a response the metric parser reads (the format's envelope removed)."""
        return raw

    def parse(self, raw: str, context: Mapping[str, Any], metric: MetricSpec) -> Any:
        """The prediction the metric consumes, or None when the answer holds none."""
        if not isinstance(raw, str) or not raw.strip():
            return None
        return metric.parse(self.unwrap(raw), context)

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        """A correct answer for ``reference`` in this format."""
        answers = reference if isinstance(reference, list) else [reference]
        return str(answers[0]) if answers else ""

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        """A wrong answer in exactly this format (the corrupted oracle, invariant tests): a different option, a
        far-off number, boxes far outside the image, an inverted mask, noise media."""
        raise NotImplementedError(f"no wrong-answer renderer for task kind {self.name!r}")


class ChoiceOrShortAnswer(AnswerFormat):
    """Multiple choice (an option letter) or a short free-text answer / label."""

    name = "qa"
    max_new_tokens = 64
    defers_to_own_format = True
    answers_with_labels = True
    letters_options = True

    def goal(self, task_name: str, context: Mapping[str, Any], video: bool) -> str:
        return _label_goal(task_name, context)

    def instruction(self, context: Mapping[str, Any]) -> str:
        if context.get("options"):
            return "Answer with the option letter only."
        return label_instruction(context) or "Answer with a short phrase only."

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        from lmms_general.metrics.classification import LABEL_SET

        if isinstance(reference, Mapping) and LABEL_SET in reference:  # a multi-label reference: all its labels
            return ", ".join(str(label) for label in reference[LABEL_SET])
        answers = [str(a) for a in (reference if isinstance(reference, list) else [reference]) if a is not None]
        if not answers:
            return ""
        options = context.get("options")
        first = answers[0].strip()
        if options and first not in LETTERS:
            texts = [str(o).strip().lower() for o in options]
            if first.lower() in texts:
                return option_letter(texts.index(first.lower()))
        return first

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        """Another option letter; else a label of the task's label set the reference lacks."""
        options = context.get("options")
        if options:
            right = self.render(reference, context)
            others = [x for x in (option_letter(i) for i in range(len(options))) if x != right]
            return others[0] if others else "Z"
        return _wrong_label(reference, context) or "none of the above"


class LabelSet(AnswerFormat):
    """One or several labels (NLP classification / extraction, micro-F1)."""

    name = "label_set"
    max_new_tokens = 64
    defers_to_own_format = True
    answers_with_labels = True

    def goal(self, task_name: str, context: Mapping[str, Any], video: bool) -> str:
        return _label_goal(task_name, context)

    def instruction(self, context: Mapping[str, Any]) -> str:
        return label_instruction(context)

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        from lmms_general.metrics.classification import is_multi_label

        labels = [str(x) for x in (reference or [])]
        return (", " if is_multi_label(context) else "<p>").join(labels)

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return _wrong_label(reference, context) or NO_ANSWER


class OpenAnswer(AnswerFormat):
    """A free answer judged against the reference (GPT-Score rows)."""

    name = "open_answer"
    max_new_tokens = 256
    defers_to_own_format = True

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        if isinstance(reference, Mapping):
            return str(reference.get("answer", "")).split(" / ")[0]
        return super().render(reference, context)

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return NO_ANSWER


class FreeText(AnswerFormat):
    """Captions, summaries, translations, code: the text itself."""

    name = "text"
    max_new_tokens = 256
    defers_to_own_format = True

    def goal(self, task_name: str, context: Mapping[str, Any], video: bool) -> str:
        return f"Perform {task_name} on the input and write the result as text."

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return NO_ANSWER


class Number(AnswerFormat):
    """One number (counting, forecasting)."""

    name = "number"
    max_new_tokens = 16
    defers_to_own_format = True

    def goal(self, task_name: str, context: Mapping[str, Any], video: bool) -> str:
        return f"Perform {task_name} on the input and give the resulting number."

    def instruction(self, context: Mapping[str, Any]) -> str:
        return "Answer with a single number only."

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        if isinstance(reference, (int, float)):
            return format_number(float(reference))
        return _json(reference)

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return format_number(_number(reference) * 3 + 1000)


class Trajectory(AnswerFormat):
    """A camera trajectory (3D odometry): one position per frame."""

    name = "trajectory"
    max_new_tokens = 1024

    def instruction(self, context: Mapping[str, Any]) -> str:
        return "Answer with JSON only: [[x, y, z], ...], the camera position at each frame, in metres."

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        from lmms_general.metrics.arrays import load_array

        return _json(np.asarray(load_array(reference), dtype=float).tolist())

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        rendered = extract_json(self.render(reference, context, output_dir))
        return _json((np.asarray(rendered) + 1000).tolist())


class Boxes(AnswerFormat):
    """Labelled 2-D boxes ``{"<label>": [[x_min, y_min, width, height], ...]}``."""

    name = "detection"
    max_new_tokens = 256
    labels_in_boxes = True

    def goal(self, task_name: str, context: Mapping[str, Any], video: bool) -> str:
        labels = context.get("labels") or []
        target = " or ".join(f'"{x}"' for x in labels) if labels else "target object"
        return f"Detect every {target} instance in the image and give its bounding box."

    def instruction(self, context: Mapping[str, Any]) -> str:
        labels = [str(x) for x in context.get("labels") or []]
        box_format = f"(box format {context.get('bbox_format') or '(x_min, y_min, width, height)'})"
        if len(labels) == 1:
            return (f'Answer with JSON only: {{{_json(labels[0])}: [[x_min, y_min, width, height], ...]}}, one box per '
                    f'"{labels[0]}" instance, in pixel coordinates {box_format}; use "{labels[0]}" as the label '
                    "(a plain list of boxes is also accepted).")
        named = f" Use these labels as keys: {_quoted(labels)}." if labels else ""
        return ('Answer with JSON only: {"<label>": [[x_min, y_min, width, height], ...]} in pixel coordinates '
                f"{box_format}.{named}")

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        by_label: dict[str, list[list[float]]] = {}
        unlabelled: list[list[float]] = []
        for box in reference or []:
            target = unlabelled if box.get("label") is None else by_label.setdefault(str(box["label"]), [])
            target.append([float(v) for v in box["bbox"]])
        if unlabelled and not by_label:
            return _json(unlabelled)
        if unlabelled:
            by_label.setdefault("object", []).extend(unlabelled)
        return _json(by_label)

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return _json(_shift_boxes(extract_json(self.render(reference, context, output_dir))))


class AnomalyScore(AnswerFormat):
    """Image-level anomaly detection: a score in [0, 1]."""

    name = "anomaly"
    max_new_tokens = 16

    def instruction(self, context: Mapping[str, Any]) -> str:
        return ("Answer with a single anomaly score between 0 and 1 only "
                "(1 = the object is defective or anomalous, 0 = it is normal).")

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return format_number(float(reference))

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return format_number(1.0 - _number(reference))


class Triplets(AnswerFormat):
    """Relation triplets ``[[subject, predicate, object], ...]``."""

    name = "triplets"
    max_new_tokens = 512

    def instruction(self, context: Mapping[str, Any]) -> str:
        return 'Answer with JSON only: [["subject", "predicate", "object"], ...], most confident first.'

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return _json([list(t) for t in reference or []])

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return _json([["nothing", "unrelated to", "nothing"]])


class Track(AnswerFormat):
    """Single-object tracking: one box per frame ``{"boxes": [[x, y, w, h] or null, ...]}``."""

    name = "tracking"
    max_new_tokens = 512
    states_frame_count = True

    def goal(self, task_name: str, context: Mapping[str, Any], video: bool) -> str:
        return "Track the target object through every frame of the video."

    def specialist_inputs(self, spec: TaskSpec, sample: Any, media: Sequence[Mapping[str, Any]],
                          reference: Any) -> dict[str, Any]:
        from lmms_general.protocol.given import tracking_inputs

        return tracking_inputs(media, reference)

    def instruction(self, context: Mapping[str, Any]) -> str:
        return ('Answer with JSON only: {"boxes": [[x_min, y_min, width, height], ...]}, one box per frame in frame '
                "order (null for a frame where the target is not visible), in pixel coordinates.")

    def unwrap(self, raw: str) -> str:
        from lmms_general.metrics.parsing import declares_xyxy, xyxy_to_xywh

        value = extract_json(raw)
        if isinstance(value, Mapping) and isinstance(value.get("boxes"), (list, Mapping)):
            boxes = value["boxes"]
            if isinstance(boxes, list) and declares_xyxy(raw):  # "(x1, y1, x2, y2)" boxes said so: made [x, y, w, h]
                frames = [b if isinstance(b, list) and len(b) == 4 and all(isinstance(v, (int, float)) for v in b)
                          else None for b in boxes]
                boxes = xyxy_to_xywh(frames) or boxes
            return _json(boxes)
        return raw

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return _json({"boxes": list(reference or [])})

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return _json(_shift_boxes(extract_json(self.render(reference, context, output_dir))))


class Tube(AnswerFormat):
    """Spatio-temporal grounding: ``{"<frame index>": [x, y, w, h], ...}`` for the frames showing the target."""

    name = "tube"
    max_new_tokens = 512
    states_frame_count = True

    def goal(self, task_name: str, context: Mapping[str, Any], video: bool) -> str:
        return "Find the described target in the video: the frames in which it appears and its box in each of them."

    def specialist_inputs(self, spec: TaskSpec, sample: Any, media: Sequence[Mapping[str, Any]],
                          reference: Any) -> dict[str, Any]:
        from lmms_general.protocol.given import tube_inputs

        return tube_inputs(sample, media)

    def instruction(self, context: Mapping[str, Any]) -> str:
        return ('Answer with JSON only: {"<frame index>": [x_min, y_min, width, height], ...} for every frame in '
                "which the target appears (frame indices start at 0), in pixel coordinates.")

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return _json(dict(reference or {}))

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return _json(_shift_boxes(extract_json(self.render(reference, context, output_dir))))


class Tracks3D(AnswerFormat):
    """3-D multi-object tracking: ``{"<frame>": [{"track_id", "center": [x, y, z], "category", "score"}, ...]}``."""

    name = "tracking_3d"
    max_new_tokens = 1024

    def instruction(self, context: Mapping[str, Any]) -> str:
        return ('Answer with JSON only: {"<frame>": [{"track_id": "<id>", "center": [x, y, z], "category": "<class>", '
                '"score": <confidence>}, ...], ...} with one entry per frame.')

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        scene = {frame: [{**box, "score": 1.0} for box in boxes] for frame, boxes in (reference or {}).items()}
        return _json(scene)

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        scene = {f: [{**b, "center": [c + 1000.0 for c in b["center"]], "score": 1.0} for b in boxes]
                 for f, boxes in (reference or {}).items()}
        return _json(scene)


class DenseMap(AnswerFormat):
    """Per-pixel outputs: masks (``{"polygons": ...}``), or any map written as a file (``{"images": [path]}``);
    videos answer per frame: ``{"frames": {"<frame>": <answer for that frame>}}``."""

    name = "dense"
    max_new_tokens = 1024
    states_frame_count = True

    def goal(self, task_name: str, context: Mapping[str, Any], video: bool) -> str:
        where = "in every frame of the video" if video else "in the image"
        lowered = task_name.lower()
        if "depth" in lowered:
            return f"Estimate the depth of every pixel {where}."
        if "flow" in lowered:
            return "Estimate the optical flow (per-pixel motion) between consecutive frames."
        if "matting" in lowered or "matte" in lowered:
            return f"Estimate the alpha matte of the foreground {where}."
        if "normal" in lowered:
            return f"Estimate the surface normal of every pixel {where}."
        return f"Segment the target region {where}."

    def specialist_inputs(self, spec: TaskSpec, sample: Any, media: Sequence[Mapping[str, Any]],
                          reference: Any) -> dict[str, Any]:
        from lmms_general.protocol.given import video_mask_inputs

        return video_mask_inputs(spec, sample, media, reference)

    def instruction(self, context: Mapping[str, Any]) -> str:
        target = dense_target(str(context.get("task_name") or ""))
        video = str(context.get("registry_key") or "").startswith("video_")
        if target != "mask":
            per_frame = (" For a video, write all frames in one .npy array (frames x height x width), or answer "
                         '{"frames": {"<frame index>": {"images": ["/path/frame.npy"]}, ...}} (frame indices start '
                         "at 0).") if video else ""
            return (f'Answer with JSON only: {{"images": ["/absolute/path/of/the/map.npy"]}} naming a file you wrote '
                    f"that holds the predicted {target} (.npy array or .png image, one value per pixel, the input's "
                    f"height and width).{per_frame}")
        per_frame = (' For a video, answer {"frames": {"<frame index>": <one of the two forms>, ...}} with every '
                     "frame (frame indices start at 0).") if video else ""
        return (
            f'Answer with JSON only: {{"{POLYGON_KEY}": [[x1, y1, x2, y2, ...], ...]}} outlining the target region '
            "(pixel-corner coordinates; a pixel belongs to the region when its centre is inside a polygon), or, if "
            'you can write files, {"images": ["/absolute/path/of/the/mask.png"]} holding the predicted mask '
            f"(.png/.npy, non-zero inside).{per_frame}"
        )

    def unwrap_value(self, value: Any) -> Any:
        """A decoded answer value -> what the metric's dense loaders read (path, polygons dict, frame dict)."""
        if isinstance(value, Mapping):
            if isinstance(value.get("frames"), Mapping):
                return {str(k): self.unwrap_value(v) for k, v in value["frames"].items()}
            if is_polygon_answer(value):
                return {POLYGON_KEY: value[POLYGON_KEY]}
            for key in ("images", "maps", "files"):
                paths = value.get(key)
                if isinstance(paths, list) and paths and isinstance(paths[0], str):
                    return paths[0]
        return value

    def parse(self, raw: str, context: Mapping[str, Any], metric: MetricSpec) -> Any:
        if not isinstance(raw, str) or not raw.strip():
            return None
        value = extract_json(raw)
        if isinstance(value, Mapping):
            unwrapped = self.unwrap_value(value)
            if isinstance(unwrapped, str):
                return metric.parse(unwrapped, context)
            if unwrapped is not value or "counts" in value:
                return unwrapped
        return metric.parse(raw, context)

    def _render_value(self, value: Any, output_dir: Path | None, stem: str) -> Any:
        from lmms_general.metrics.arrays import load_array

        if isinstance(value, Mapping) and "counts" not in value and "mask" not in value:
            return {"frames": {str(k): self._render_value(v, output_dir, f"{stem}_{k}") for k, v in value.items()}}
        array = load_array(value)
        if array is not None and _is_binary_mask(array):
            return {POLYGON_KEY: mask_to_polygons(array)}
        if isinstance(value, str):
            return {"images": [_copy_into(value, output_dir, stem)]}
        if output_dir is None:
            raise ValueError("a non-binary in-memory map needs an output folder to be written to")
        output_dir.mkdir(parents=True, exist_ok=True)
        target = output_dir / f"{stem}.npy"
        np.save(target, np.asarray(array))
        return {"images": [str(target.resolve())]}

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        rendered = self._render_value(reference, output_dir, _stem(context))
        if "frames" in rendered:
            rendered = {"frames": {k: v for k, v in rendered["frames"].items()}}
        return _json(rendered)

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return _json(_wrong_dense(reference, output_dir, _stem(context)))


def _label_goal(task_name: str, context: Mapping[str, Any]) -> str:
    """The goal of a label task ("Which scene class does the input show?") or of a short-answer one."""
    if not context.get("labels"):
        return f"Perform {task_name} on the input and give the answer."
    return f"Which {task_name.lower().replace('classification', 'class').replace('recognition', '').strip()} " \
           "does the input show?"


def _quoted(labels: Sequence[str]) -> str:
    return ", ".join(f'"{x}"' for x in labels)


def label_instruction(context: Mapping[str, Any]) -> str:
    """The answer sentence of a label task from its label set (``labels``, ``label_codes`` / ``code_groups``,
    ``yes_no_codes``, ``multi_label``); the labels are listed unless ``labels_listed`` says the prompt has them.
    "" when the task has no label set."""
    groups = context.get("code_groups") or {}
    yes_no = context.get("yes_no_codes") or {}
    if yes_no:
        return f"Answer with {yes_no.get('yes')} (yes) or {yes_no.get('no')} (no) only."
    if groups:
        named = [g for g in groups if g]
        tables = "; ".join(
            (f"{group}: " if group else "") + ", ".join(f"{code} = {meaning}" for code, meaning in table.items())
            for group, table in groups.items()
        )
        order = f" ({', '.join(named)})" if named else ""
        count = f"{len(groups)} codes" if len(groups) > 1 else "the code"
        return (f"Codes: {tables}. Answer with {count}{order} only, separated by spaces, e.g. "
                f"\"{' '.join(next(iter(t)) for t in groups.values())}\".")
    if not context.get("labels"):
        return ""
    return _task_label_sentence(Keyed(_LABEL_SENTENCE_KEYS(context), context))


#: what the label sentence reads: a task's docs share one label list, so its key is made once per task
#: (:class:`~lmms_general.text_memo.ValuesKeys`), not by hashing every label again per doc (~15 µs for 200 labels)
_LABEL_SENTENCE_KEYS = ValuesKeys(("labels", "labels_listed", "multi_label"))


@functools.lru_cache(maxsize=64)
def _task_label_sentence(keyed: Keyed) -> str:
    context = keyed.take()
    return _label_sentence(tuple(str(x) for x in context["labels"]), bool(context.get("labels_listed")),
                           bool(context.get("multi_label")))


def _label_sentence(labels: tuple[str, ...], labels_listed: bool, multi_label: bool) -> str:
    """:func:`label_instruction` for a plain label set (the same sentence for every sample of a task: built once per
    task, :func:`_task_label_sentence`)."""
    from lmms_general.protocol.labels import label_meanings

    listed = "" if labels_listed else f": {_quoted(labels)}"
    meanings = label_meanings(labels)
    glossary = (" Meanings: " + "; ".join(f"{label} = {text}" for label, text in meanings.items()) + ".") \
        if meanings else ""
    if multi_label:
        return f"Answer with every label that applies, separated by commas, chosen from the labels{listed}.{glossary}"
    if listed:
        return f"Answer with exactly one of these labels{listed}.{glossary} Write the label only."
    return f"Answer with the label only.{glossary}"


_MASK_WORDS = ("segment", "mask", "vos", "salient", "camouflag", "shadow", "lesion", "tumor", "polyp", "matching")


def dense_target(task_name: str) -> str:
    """What a dense task predicts: ``mask`` (segmentation, answered as polygons or a mask file) or the map it names
    (``depth map``, ``optical flow``, ``alpha matte``, ``surface normal map``)."""
    name = task_name.lower()
    if "depth" in name:
        return "depth map"
    if "flow" in name:
        return "optical flow (two channels: horizontal and vertical motion in pixels)"
    if "matting" in name or "matte" in name:
        return "alpha matte"
    if "normal" in name:
        return "surface normal map"
    if any(w in name for w in _MASK_WORDS):
        return "mask"
    return "mask"


def _is_binary_mask(array: np.ndarray) -> bool:
    """Two values at most, one of them 0 (a mask; mattes and depth have more levels)."""
    values = np.unique(array)
    return values.size <= 2 and (values.size == 0 or values[0] == 0) and array.ndim in (2, 3)


def _stem(context: Mapping[str, Any]) -> str:
    from lmms_general.protocol.media_files import safe_id, safe_name

    return f"{safe_name(context.get('registry_key', 'task'))}_{safe_id(context.get('sample_id', 'sample'))}"


class PointLabels(AnswerFormat):
    """3-D part segmentation: one part label per input point."""

    name = "point_labels"
    max_new_tokens = 1024

    def instruction(self, context: Mapping[str, Any]) -> str:
        return "Answer with JSON only: a list with one integer part label per input point, in input order."

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        from lmms_general.metrics.arrays import load_array

        return _json(np.asarray(load_array(reference)).astype(int).ravel().tolist())

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return _json([int(v) + 1 for v in extract_json(self.render(reference, context))])


class Panoptic(AnswerFormat):
    """Panoptic segmentation: ``{"segments": [{"category_id", "id", "mask": <COCO RLE>}]}`` or a map file."""

    name = "panoptic"
    max_new_tokens = 1024

    def instruction(self, context: Mapping[str, Any]) -> str:
        return ('Answer with JSON only: {"segments": [{"category_id": <class id>, "id": <instance id>, "mask": '
                '{"size": [height, width], "counts": "<COCO RLE>"}}, ...]}, or {"images": ["/path/panoptic.png"]} '
                "with a panoptic id map.")

    def parse(self, raw: str, context: Mapping[str, Any], metric: MetricSpec) -> Any:
        value = extract_json(raw) if isinstance(raw, str) else None
        if isinstance(value, Mapping) and isinstance(value.get("images"), list) and value["images"]:
            return metric.parse(str(value["images"][0]), context)
        return super().parse(raw, context, metric)

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        if isinstance(reference, str):
            return _json({"images": [_copy_into(reference, output_dir, _stem(context))]})
        return _json(reference)

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return _json({"segments": []})


class GeneratedMedia(AnswerFormat):
    """Generation tasks: the media-response convention (:mod:`lmms_general.protocol.media_response`)."""

    name = "generation"
    max_new_tokens = 64

    def parse(self, raw: str, context: Mapping[str, Any], metric: MetricSpec) -> Any:
        modality = str(context.get("output_modality") or "image")
        paths = media_response.media_paths(raw, modality)
        if not paths:
            return None
        return metric.parse(paths[0] if len(paths) == 1 else _json(paths), context)

    def render(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        from lmms_general.protocol.references import reference_output_media

        modality = str(context.get("output_modality") or "image")
        sources = reference_output_media(reference, modality, int(context.get("index") or 0))
        if not sources and modality == "video":
            still = _still_video(reference, output_dir, _stem(context))
            if still:
                return media_response.build_response("", videos=[still])
        if not sources:
            return media_response.failure("the annotation names no reference output to copy")
        copies = [_copy_into(p, output_dir, f"{_stem(context)}_{k}") for k, p in enumerate(sources[:1])]
        key = media_response.MODALITY_KEYS[modality][0]
        if modality == "3d" and Path(copies[0]).suffix.lower() in {".obj", ".off", ".glb", ".stl"}:
            key = "meshes"
        return media_response.build_response("", **{key: copies})

    def render_wrong(self, reference: Any, context: Mapping[str, Any], output_dir: Path | None = None) -> str:
        return _noise_media(context, output_dir)


def _still_video(reference: Any, output_dir: Path | None, stem: str, n_frames: int = 16) -> str | None:
    """An image-to-video sample without a target video: the source image held still (the reference-derived answer:
    perfectly consistent with its input). None when there is no source image or no output folder."""
    from lmms_general.media_kinds import IMAGE_SUFFIXES

    images = [p for p in (reference or {}).get("source") or [] if Path(str(p)).suffix.lower() in IMAGE_SUFFIXES]
    if not images or output_dir is None:
        return None
    from PIL import Image

    from lmms_general.protocol.media_files import MediaWriter

    with Image.open(images[0]) as image:
        frame = image.convert("RGB")
    writer = MediaWriter(output_dir.parent, output_dir.name, stem)
    return writer.video([frame] * n_frames)


FORMATS: dict[str, AnswerFormat] = {
    fmt.name: fmt
    for fmt in (
        ChoiceOrShortAnswer(), LabelSet(), OpenAnswer(), FreeText(), Number(), Trajectory(), Boxes(),
        AnomalyScore(), Triplets(), Track(), Tube(), Tracks3D(), DenseMap(), PointLabels(), Panoptic(),
        GeneratedMedia(),
    )
}


def answer_format(kind: str) -> AnswerFormat:
    """The format of a task kind (see :func:`lmms_general.protocol.kinds.task_kind`)."""
    try:
        return FORMATS[kind]
    except KeyError:
        raise KeyError(f"no answer format for task kind {kind!r}; known: {sorted(FORMATS)}") from None


def render_all(values: Sequence[Any], kind: str, context: Mapping[str, Any]) -> list[str]:
    """Render several references of one kind (test helper)."""
    fmt = answer_format(kind)
    return [fmt.render(v, context) for v in values]


# --------------------------------------------------------------------------- wrong answers in the same format


def _shift_boxes(boxes: Any, by: float = 10000.0) -> Any:
    if isinstance(boxes, Mapping):
        return {k: _shift_boxes(v, by) for k, v in boxes.items()}
    if isinstance(boxes, list):
        if len(boxes) == 4 and all(isinstance(v, (int, float)) for v in boxes):
            return [boxes[0] + by, boxes[1] + by, boxes[2], boxes[3]]
        return [_shift_boxes(b, by) for b in boxes]
    return boxes


def _wrong_label(reference: Any, context: Mapping[str, Any]) -> str | None:
    """A label of the task's label set (``labels`` / ``label_codes``, else the choices the question offers) that the
    reference does not hold: a wrong answer
    the label parser still reads. None without a label set or when every label is in the reference."""
    from lmms_general.metrics.classification import LABEL_SET, context_choices, context_codes, context_labels
    from lmms_general.metrics.label_reading import fold

    labels = context_labels(context) or list(context_codes(context) or {}) or context_choices(context) or []
    if isinstance(reference, Mapping):
        reference = reference.get(LABEL_SET) or []
    values = reference if isinstance(reference, list) else [reference]
    held = {fold(part) for value in values for part in str(value).split("<p>")}
    return next((label for label in labels if fold(label) not in held), None)


def _wrong_dense(reference: Any, output_dir: Path | None, stem: str) -> Any:
    from lmms_general.metrics.arrays import load_array

    if isinstance(reference, Mapping) and "counts" not in reference and "mask" not in reference:
        return {"frames": {str(k): _wrong_dense(v, output_dir, f"{stem}_{k}") for k, v in reference.items()}}
    array = np.asarray(load_array(reference))
    if _is_binary_mask(array):
        return {POLYGON_KEY: mask_to_polygons(array == 0)}
    if output_dir is None:
        raise ValueError("a wrong dense map needs an output folder to be written to")
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"{stem}_wrong.npy"
    np.save(target, np.asarray(array, dtype=np.float32)[::-1].copy() * 3.0 + 7.0)
    return {"images": [str(target.resolve())]}


def _noise_media(context: Mapping[str, Any], output_dir: Path | None) -> str:
    """Seeded noise of the output modality (image, video, audio, point cloud) written under ``output_dir``."""
    if output_dir is None:
        raise ValueError("noise media need an output folder")
    from lmms_general.protocol.media_files import MediaWriter

    rng = np.random.default_rng(abs(hash(_stem(context))) % (2**32))
    writer = MediaWriter(output_dir.parent, output_dir.name, f"{_stem(context)}_noise")
    modality = str(context.get("output_modality") or "image")
    if modality == "image":
        writer.image(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8))
    elif modality == "video":
        writer.video([rng.integers(0, 256, (64, 64, 3), dtype=np.uint8) for _ in range(8)])
    elif modality == "audio":
        writer.audio(rng.uniform(-0.5, 0.5, 16000).astype(np.float32), 16000)
    else:
        writer.pointcloud(rng.normal(size=(256, 3)))
    return writer.response()
