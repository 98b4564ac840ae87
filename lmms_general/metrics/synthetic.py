"""Deterministic synthetic samples for every registry row, written to a folder (row self-checks).

For each of the 699 rows, :func:`build_row` writes a few samples of the shape the row's metric consumes
(labels, options, numbers, boxes, masks as PNG / npy / npz files, tracks, texts, and for generation
metrics tiny PNG / WAV / MP4 / point-cloud files) and returns, per sample, the context dict, the raw
annotation reference, the reference prepared by ``get_metric(spec.metric_id).prepare_reference`` and
four predictions **in prediction form** (what ``compute`` consumes, i.e. after ``parse``):

* ``perfect``: the reference itself in prediction form (a copy of the target file for generation rows);
* ``empty``: ``None`` (no answer);
* ``unparsable``: ``parse`` applied to :data:`UNPARSABLE_TEXT` (a refusal);
* ``random``: a random label / number / boxes / noise map / noise image, audio or video / random point cloud.

Everything is seeded from the row key, so two builds give identical files and values. The metric's spec names
the generator (:attr:`~lmms_general.metrics.registry.MetricSpec.synthetic`: the shared ones are here, a metric may
bring its own) and the sample count; the generator reads the modality and paradigm (plus a few row-kind hints such
as Chinese text or multiple choice), never the SoTA value.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lmms_general.metrics import MetricSpec, get_metric
from lmms_general.registry import TaskSpec, load_registry

PREDICTION_KINDS: tuple[str, ...] = ("perfect", "empty", "unparsable", "random")
UNPARSABLE_TEXT = "I'm sorry, but I cannot answer that question."
N_SAMPLES = 4
N_LABEL_SAMPLES = 40  # label metrics: enough samples that a random guess scores near its chance level

WORDS = (
    "a man woman dog cat car red blue small large runs sits on in the street beach park table "
    "holding ball tree house river boat plays looks near under with two green white black bird"
).split()
ZH_CHARS = "一个男人在街上走路女孩狗猫红色的汽车停在路边天空很蓝我们今天去公园玩水果桌子"
LABELS = ("cat", "dog", "horse", "sheep", "cow", "bird", "truck", "airplane", "boat", "train", "chair", "table",
          "bottle", "clock", "lamp", "phone", "apple", "orange", "pizza", "kite", "skis", "tie", "vase", "bench")
CODE = (
    "def add(a, b):\n    return a + b\n",
    "def square(x):\n    result = x * x\n    return result\n",
    "def first(items):\n    for item in items:\n        return item\n    return None\n",
    "def count(text):\n    total = 0\n    for ch in text:\n        if ch == 'a':\n"
    "            total += 1\n    return total\n",
)
SIZE = 32  # image side (pixels)
N_FRAMES = 8


@dataclass(frozen=True)
class SyntheticSample:
    """One sample: context, raw annotation reference, prepared reference, predictions by kind."""

    context: dict[str, Any]
    raw_reference: Any
    reference: Any
    predictions: dict[str, Any]


@dataclass(frozen=True)
class RowCase:
    """The synthetic samples of one registry row."""

    spec: TaskSpec
    metric: MetricSpec
    folder: Path
    samples: list[SyntheticSample] = field(default_factory=list)

    @property
    def references(self) -> list[Any]:
        return [s.reference for s in self.samples]

    def predictions(self, kind: str) -> list[Any]:
        return [s.predictions[kind] for s in self.samples]

    def score(self, kind: str, **options: Any) -> float:
        """The row's metric on the predictions of ``kind`` (``perfect``, ``empty``, ``unparsable``, ``random``)."""
        return self.metric.score(self.predictions(kind), self.references, **options)


# ----------------------------------------------------------------------------------------------- files


def _seed(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)


def write_png(path: Path, array: np.ndarray) -> str:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(path)
    return str(path)


def write_npy(path: Path, array: np.ndarray) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, np.asarray(array))
    return str(path)


def write_npz(path: Path, **arrays: np.ndarray) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return str(path)


def write_wav(path: Path, wave: np.ndarray, rate: int = 16000) -> str:
    import soundfile

    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(path), np.asarray(wave, dtype=np.float32), rate)
    return str(path)


def write_mp4(path: Path, video: np.ndarray, fps: int = 8) -> str:
    """An H.264 (or MPEG-4 part 2 when libx264 is absent) MP4 of ``(T, H, W, 3)`` uint8 frames."""
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        try:
            stream = container.add_stream("libx264", rate=fps)
        except Exception:  # noqa: BLE001 - codec availability depends on the PyAV build
            stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = video.shape[2], video.shape[1], "yuv420p"
        stream.options = {"crf": "0"} if stream.codec_context.name == "libx264" else {}
        for frame in video:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")))
        container.mux(stream.encode())
    return str(path)


def write_ply(path: Path, points: np.ndarray) -> str:
    """An ASCII PLY point cloud."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"ply\nformat ascii 1.0\nelement vertex {len(points)}\nproperty float x\nproperty float y\n"
    header += "property float z\nend_header\n"
    path.write_text(header + "\n".join(" ".join(f"{v:.6f}" for v in p) for p in points) + "\n")
    return str(path)


def copy_file(source: str, target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return str(target)


# ------------------------------------------------------------------------------------ smooth content


def smooth_image(rng: np.random.Generator, size: int = SIZE) -> np.ndarray:
    """A natural-ish image: a colour gradient plus a bright disc at a random place."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    base = rng.uniform(40, 200, 3)
    image = base + 50 * np.stack([xx, yy, 1 - xx], -1)
    cy, cx, r = rng.uniform(0.3, 0.7, 2).tolist() + [rng.uniform(0.15, 0.3)]
    disc = (yy - cy) ** 2 + (xx - cx) ** 2 < r**2
    image[disc] = rng.uniform(0, 255, 3)
    return np.clip(image, 0, 255).astype(np.uint8)


def moving_video(rng: np.random.Generator, frames: int = N_FRAMES, size: int = SIZE) -> np.ndarray:
    """A square moving over a gradient background."""
    background = smooth_image(rng, size).astype(np.int32)
    colour = rng.uniform(0, 255, 3)
    side, x0, y0 = size // 4, int(rng.integers(0, size // 2)), int(rng.integers(0, size // 2))
    dx, dy = int(rng.integers(1, 3)), int(rng.integers(0, 2))
    video = np.repeat(background[None], frames, 0)
    for t in range(frames):
        x, y = min(x0 + dx * t, size - side), min(y0 + dy * t, size - side)
        video[t, y : y + side, x : x + side] = colour
    return video.astype(np.uint8)


def speech_like(rng: np.random.Generator, seconds: float = 1.0, rate: int = 16000) -> np.ndarray:
    """A voiced signal: a harmonic series with a gliding pitch and a syllable-rate envelope."""
    t = np.arange(int(seconds * rate)) / rate
    f0 = rng.uniform(100, 220) * (1 + 0.1 * np.sin(2 * np.pi * 1.5 * t))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    wave = sum(np.sin(k * phase) / k for k in range(1, 8))
    envelope = 0.5 * (1 + np.sin(2 * np.pi * rng.uniform(3, 5) * t))
    return (0.2 * wave * envelope).astype(np.float32)


def point_cloud(rng: np.random.Generator, n: int = 512) -> np.ndarray:
    """Points on an ellipsoid with random radii."""
    directions = rng.normal(size=(n, 3))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return directions * rng.uniform(0.5, 1.5, 3)


def sentence(rng: np.random.Generator, n: int = 8, chinese: bool = False) -> str:
    if chinese:
        return "".join(rng.choice(list(ZH_CHARS), n + 4))
    return " ".join(rng.choice(WORDS, n))


def noise_text(rng: np.random.Generator, n: int = 8) -> str:
    """Random text: pseudo-words of random letters (shares no word with any reference)."""
    letters = list("bcdfghjklmnpqrstvwxz")
    return " ".join("".join(rng.choice(letters, int(rng.integers(3, 8)))) for _ in range(n))


def box(rng: np.random.Generator, extent: float = 640.0) -> list[float]:
    x, y = rng.uniform(0, extent * 0.6, 2)
    w, h = rng.uniform(extent * 0.1, extent * 0.4, 2)
    return [round(float(v), 1) for v in (x, y, w, h)]


# ----------------------------------------------------------------------------------- generators
#: ``(spec, rng, folder, index) -> (context extras, raw reference, perfect prediction, random prediction)``
Generator = Callable[[TaskSpec, np.random.Generator, Path, int], tuple[dict[str, Any], Any, Any, Any]]


def _is_chinese(spec: TaskSpec) -> bool:
    name = spec.key.lower()
    return "chinese" in name or name.endswith(("_en_to_zh", "english_chinese_translation"))


def gen_choice(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    if spec.modality == "nlp":
        options = [sentence(rng, 3) for _ in range(4)]
        letter = "ABCD"[int(rng.integers(4))]
        return {"options": options, "task_type": "MultipleChoiceQA"}, letter, letter, "ABCD"[int(rng.integers(4))]
    label = str(rng.choice(LABELS))
    return {}, label, label, str(rng.choice(LABELS))


def gen_binary_label(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    label = ("yes", "no")[i % 2]
    return {}, label, label, ("yes", "no")[int(rng.integers(2))]


def gen_short_answer(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    answer = sentence(rng, 3)
    return {"question": "what is shown?"}, answer, answer, noise_text(rng, 3)


def gen_label_set(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    labels = sorted(set(rng.choice(LABELS, int(rng.integers(1, 4)))))
    guess = sorted(set(rng.choice(LABELS, int(rng.integers(1, 4)))))
    return {}, "<p>".join(labels), labels, guess


def gen_text(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    chinese = _is_chinese(spec)
    refs = [sentence(rng, 10, chinese), sentence(rng, 10, chinese)]
    return {}, refs, refs[0], noise_text(rng, 10)


def gen_code(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    code = CODE[i % len(CODE)]
    return {}, code, code, CODE[(i + 1 + int(rng.integers(len(CODE) - 1))) % len(CODE)]


def gen_boxes(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    label = str(rng.choice(LABELS[:3]))
    boxes = [box(rng) for _ in range(int(rng.integers(1, 3)))]
    if spec.metric_id == "dice" and i == 0:
        boxes[0] = [-4.0, -6.0, 30.0, 25.0]  # boxes that start outside the image (negative coordinates)
    perfect = [{"label": label, "bbox": list(b), "score": 1.0} for b in boxes]
    guess = [{"label": label, "bbox": box(rng), "score": 1.0} for _ in boxes]
    return {}, {label: boxes}, perfect, guess


def gen_anomaly(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    label = "yes" if i % 2 == 0 else "no"
    return {}, label, 1.0 if label == "yes" else 0.0, float(rng.random())


def gen_triplets(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    triplets = [[str(rng.choice(LABELS)), str(rng.choice(["on", "near", "under"])), str(rng.choice(LABELS))]
                for _ in range(2)]
    guess = [[str(rng.choice(LABELS)), str(rng.choice(["on", "near", "under"])), str(rng.choice(LABELS))]
             for _ in range(2)]
    return {}, triplets, triplets, guess


def _mask(rng: np.random.Generator, classes: int = 2) -> np.ndarray:
    labels = np.zeros((SIZE, SIZE), np.uint8)
    for c in range(1, classes):
        y, x = rng.integers(0, SIZE // 2, 2)
        h, w = rng.integers(SIZE // 4, SIZE // 2, 2)
        labels[y : y + h, x : x + w] = c
    return labels


def _dense_files(folder: Path, i: int, ref: np.ndarray, noise: np.ndarray, suffix: str, **npz_key: str):
    """Reference, perfect copy and random prediction files of one dense sample."""
    def write(path: Path, array: np.ndarray) -> str:
        if suffix == ".png":
            return write_png(path, array)
        if suffix == ".npz":
            return write_npz(path, **{npz_key.get("key", "arr_0"): array})
        return write_npy(path, array)

    ref_path = write(folder / "gt" / f"{i}{suffix}", ref)
    perfect = copy_file(ref_path, folder / "pred" / f"{i}{suffix}")
    guess = write(folder / "random" / f"{i}{suffix}", noise)
    return ref_path, perfect, guess


def gen_mask(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    classes = 5 if "semantic" in spec.key else 2
    ref = _mask(rng, classes)
    noise = rng.integers(0, classes, ref.shape).astype(np.uint8)
    ref_path, perfect, guess = _dense_files(folder, i, ref, noise, ".png")
    return {}, ref_path, perfect, guess


def gen_part_labels(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    points = point_cloud(rng, 256)
    ref = (points[:, 0] > 0).astype(np.int64) + 2 * (points[:, 2] > 0)
    ref_path, perfect, guess = _dense_files(folder, i, ref, rng.integers(0, 4, ref.shape), ".npy")
    return {}, ref_path, perfect, guess


def gen_saliency(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    ref = (_mask(rng) * 255).astype(np.uint8)
    ref_path, perfect, guess = _dense_files(folder, i, ref, rng.integers(0, 256, ref.shape), ".png")
    return {}, ref_path, perfect, guess


def gen_alpha(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    """An alpha matte at a realistic size (SAD is a sum over pixels: 512 x 512)."""
    side = 512
    yy, xx = np.mgrid[0:side, 0:side] / side
    cy, cx = rng.uniform(0.3, 0.7, 2)
    alpha = np.clip(1.5 - 4 * np.hypot(yy - cy, xx - cx), 0, 1) * 255
    ref_path, perfect, guess = _dense_files(folder, i, alpha.astype(np.uint8),
                                            rng.integers(0, 256, alpha.shape), ".png")
    return {}, ref_path, perfect, guess


def gen_count(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    count = int(rng.integers(5, 120))
    return {}, str(count), float(count), float(rng.integers(0, 150))


def gen_depth(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    """Metric depth in metres (indoor: 0.5-10 m)."""
    yy, _ = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    depth = 0.5 + 9.5 * yy + rng.uniform(0, 0.5, (SIZE, SIZE))
    ref_path, perfect, guess = _dense_files(folder, i, depth, rng.uniform(0.5, 10, depth.shape), ".npy")
    return {}, ref_path, perfect, guess


def gen_video_depth(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    """A depth clip ``(T, H, W)`` in metres stored under the npz key ``disparity`` (DepthCrafter's files);
    the perfect answer is a map like the reference (a copy), random is noise depth."""
    yy, _ = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    depth = np.stack([1.0 + 20.0 * yy + t * 0.1 + rng.uniform(0, 0.3, (SIZE, SIZE)) for t in range(4)])
    ref_path = write_npz(folder / "gt" / f"{i}.npz", disparity=depth)
    perfect = copy_file(ref_path, folder / "pred" / f"{i}.npz")
    guess = write_npz(folder / "random" / f"{i}.npz", disparity=rng.uniform(1.0, 21.0, depth.shape))
    return {}, ref_path, perfect, guess


def gen_flow(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    flow = np.broadcast_to(rng.uniform(-8, 8, 2), (SIZE, SIZE, 2)) + rng.normal(0, 0.5, (SIZE, SIZE, 2))
    ref_path, perfect, guess = _dense_files(folder, i, flow, rng.uniform(-20, 20, flow.shape), ".npy")
    return {}, ref_path, perfect, guess


def gen_normals(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    def unit(a: np.ndarray) -> np.ndarray:
        return a / np.linalg.norm(a, axis=-1, keepdims=True)

    normals = unit(np.array([0.0, 0.0, 1.0]) + rng.normal(0, 0.3, (SIZE, SIZE, 3)))
    ref_path, perfect, guess = _dense_files(folder, i, normals, unit(rng.normal(size=normals.shape)), ".npy")
    return {}, ref_path, perfect, guess


def gen_series(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    series = [round(float(v), 3) for v in 10 + np.cumsum(rng.normal(0, 1, 6))]
    return {}, series, list(series), [round(float(v), 3) for v in rng.uniform(0, 20, 6)]


def gen_rmse(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    if spec.modality == "3d":
        return gen_normals(spec, rng, folder, i)
    if spec.modality == "image":
        image = smooth_image(rng)
        ref_path, perfect, guess = _dense_files(folder, i, image, rng.integers(0, 256, image.shape), ".png")
        return {}, ref_path, perfect, guess
    return gen_series(spec, rng, folder, i)


def gen_trajectory(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    """Camera positions (N x 3, metres) of a drive: ~1 m steps forward with small turns."""
    steps = np.stack([np.ones(10), rng.normal(0, 0.05, 10), rng.normal(0, 0.02, 10)], 1)
    positions = np.cumsum(steps, 0).round(4).tolist()
    guess = np.cumsum(rng.normal(0, 1, (10, 3)), 0).round(4).tolist()
    return {}, positions, positions, guess


def gen_track(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    start = box(rng)
    boxes = [[start[0] + 2 * t, start[1] + t, start[2], start[3]] for t in range(N_FRAMES)]
    return {}, boxes, [list(b) for b in boxes], [box(rng) for _ in range(N_FRAMES)]


def gen_tube(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    start, first = box(rng), int(rng.integers(0, 4))
    tube = {str(first + t): [start[0] + t, start[1], start[2], start[3]] for t in range(5)}
    guess_first = int(rng.integers(0, 8))
    guess = {str(guess_first + t): box(rng) for t in range(5)}
    return {}, tube, {k: list(v) for k, v in tube.items()}, guess


def gen_scene(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    tracks = {f"t{k}": rng.uniform(-20, 20, 3) for k in range(3)}
    velocity = {k: rng.uniform(-1, 1, 3) for k in tracks}
    raw = {str(f): [{"track_id": k, "center": (c + f * velocity[k]).round(3).tolist(), "category": "car"}
                    for k, c in tracks.items()] for f in range(5)}
    perfect = {f: [{**b, "score": 1.0} for b in boxes] for f, boxes in raw.items()}
    guess = {str(f): [{"track_id": f"r{j}", "center": rng.uniform(-20, 20, 3).round(3).tolist(), "category": "car",
                       "score": 1.0} for j in range(3)] for f in range(5)}
    return {}, raw, perfect, guess


def gen_panoptic(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    semantic = _mask(rng, 4).astype(np.int64)
    instance = (semantic > 0).astype(np.int64) * (1 + (np.arange(SIZE)[None, :] > SIZE // 2))
    ref = np.stack([semantic, instance], -1)
    noise = np.stack([rng.integers(0, 4, semantic.shape), rng.integers(0, 3, semantic.shape)], -1)
    ref_path, perfect, guess = _dense_files(folder, i, ref, noise, ".npy")
    return {}, ref_path, perfect, guess


# ---------------------------------------------------------------------------------- generation rows


def _medium(spec: TaskSpec, rng: np.random.Generator, folder: Path, name: str, noise: bool = False) -> str:
    """One medium of the row's output kind (image, video, audio, point cloud / motion)."""
    modality = spec.modality
    if modality == "video":
        video = rng.integers(0, 256, (N_FRAMES, SIZE, SIZE, 3), dtype=np.uint8) if noise else moving_video(rng)
        return write_mp4(folder / f"{name}.mp4", video)
    if modality == "audio":
        wave = rng.uniform(-0.5, 0.5, 16000).astype(np.float32) if noise else speech_like(rng)
        return write_wav(folder / f"{name}.wav", wave)
    if modality == "3d":
        if spec.metric_id == "fid":  # text-to-motion: (T, joints, 3) joint positions
            motion = rng.normal(size=(16, 22, 3)) if noise else np.cumsum(rng.normal(0, 0.05, (16, 22, 3)), 0)
            return write_npy(folder / f"{name}.npy", motion)
        cloud = rng.uniform(-1.5, 1.5, (512, 3)) if noise else point_cloud(rng)
        return write_ply(folder / f"{name}.ply", cloud)
    image = rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8) if noise else smooth_image(rng)
    return write_png(folder / f"{name}.png", image)


def gen_generation(spec: TaskSpec, rng: np.random.Generator, folder: Path, i: int):
    """Generation reference dict (target, source, texts); perfect = a copy of the target; random = noise."""
    target = _medium(spec, rng, folder / "target", f"{i}")
    source_spec = spec if spec.modality in ("audio", "video") else TaskSpec(**{**spec.__dict__, "modality": "image"})
    source = _medium(source_spec, rng, folder / "source", f"{i}")
    caption = sentence(rng, 8, _is_chinese(spec))
    label = str(rng.choice(LABELS))
    raw = {
        "target": [target],
        "source": [source],
        "text": caption,
        "prompt": caption,
        "input": {"prompt": caption, "source_prompt": sentence(rng, 5), "target_prompt": caption, "object": label,
                  "emotion": str(rng.choice(["neu", "hap", "ang", "sad"]))},
    }
    suffix = Path(target).suffix
    perfect = copy_file(target, folder / "generated" / f"{i}{suffix}")
    guess = _medium(spec, rng, folder / "random", f"{i}", noise=True)
    return {}, raw, perfect, guess


def generator_for(spec: TaskSpec) -> Generator:
    """The generator of a row: the one its metric's spec names (:attr:`MetricSpec.synthetic`)."""
    generator = get_metric(spec.metric_id, spec.task).synthetic
    if generator is None:
        raise ValueError(f"{spec.key}: metric {spec.metric_id!r} declares no synthetic case generator")
    return generator


# ----------------------------------------------------------------------------------------------- build


def build_row(spec: TaskSpec, root: Path, n: int | None = None) -> RowCase:
    """Write the synthetic samples of one row under ``root / spec.key`` and return them."""
    metric = get_metric(spec.metric_id, spec.task)
    folder = Path(root) / spec.key
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(_seed(spec.key))
    generate = generator_for(spec)
    count = n or metric.synthetic_samples or N_SAMPLES
    samples = []
    for i in range(count):
        extra, raw, perfect, guess = generate(spec, rng, folder, i)
        context = {"task": spec.task, "registry_key": spec.key, "task_dir": str(folder), "sample_id": str(i),
                   "modality": spec.modality, "paradigm": spec.paradigm, **extra}
        reference = metric.prepare_reference(raw, context)
        predictions = {"perfect": perfect, "empty": None, "unparsable": metric.parse(UNPARSABLE_TEXT, context),
                       "random": guess}
        samples.append(SyntheticSample(context, raw, reference, predictions))
    return RowCase(spec, metric, folder, samples)


def build_rows(root: Path, keys: Iterable[str] | None = None) -> dict[str, RowCase]:
    """Synthetic samples for every registry row (or the given keys), in registry order."""
    registry = load_registry()
    wanted = list(keys) if keys is not None else list(registry)
    return {key: build_row(registry[key], root) for key in wanted}


def describe(case: RowCase) -> str:
    """One line naming a row's metric and its first sample (for failure messages)."""
    sample = case.samples[0]
    return f"{case.spec.key} [{case.spec.metric_id}] ref={json.dumps(sample.raw_reference, default=str)[:120]}"
