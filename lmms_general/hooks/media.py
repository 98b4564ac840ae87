"""Turn a doc's input media into what lmms-eval model wrappers accept.

Images -> ``PIL.Image`` (RGB); video files -> path strings; frames (a folder of frame images, or a sample's list
of frame files) -> up to ``MAX_FRAMES`` PIL frames sampled uniformly over the whole clip; audio ->
``{"array", "sampling_rate"}``; point clouds / depth -> ``numpy`` arrays, or, with ``LMMS_GENERAL_RENDER_3D`` set
(:mod:`lmms_general.protocol.render3d`), point clouds and meshes -> a few fixed rendered views as ``PIL.Image``.
Only regular files are opened. A file
that cannot be read is recorded (thread-safe) under (task, sample) so ``process_results`` scores the sample as
failed instead of silently evaluating it without its input.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lmms_general.media_kinds import IMAGE_SUFFIXES
from lmms_general.protocol.doc import Doc, MediaRef, doc_of

MAX_FRAMES = 8
_IMAGE_SUFFIXES = frozenset(IMAGE_SUFFIXES)

_FAILURES: dict[tuple[str, str], str] = {}
_LOCK = threading.Lock()


def record_failure(key: str, sample_id: str, message: str) -> None:
    with _LOCK:
        _FAILURES[(key, sample_id)] = message


def media_failure(key: str, sample_id: str, *, consume: bool = False) -> str | None:
    """The media error recorded for a sample in this process, if any. ``consume``: also forget it (the sample's
    result is being recorded, so a later run in the same process starts clean)."""
    if not _FAILURES:  # the usual case, without the lock (scoring threads would queue on it)
        return None
    with _LOCK:
        return _FAILURES.pop((key, sample_id), None) if consume else _FAILURES.get((key, sample_id))


def input_media(doc: Mapping[str, Any] | Doc) -> list[MediaRef]:
    """The doc's media entries that are model inputs (never targets/references)."""
    return doc_of(doc).inputs


def _regular_file(path: Path) -> Path:
    """``path`` when it is a regular file; raises otherwise (a FIFO or device must never be opened)."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise ValueError(f"{path} is not a regular file")
    return path


def _image(path: Path, checked: bool = False) -> Any:
    """An RGB image; ``checked``: the caller has already made sure ``path`` is a regular file."""
    from PIL import Image

    with Image.open(path if checked else _regular_file(path)) as img:
        return img.convert("RGB")


def uniform_indices(count: int, limit: int = MAX_FRAMES) -> list[int]:
    """``limit`` indices spread evenly over ``range(count)``, first and last included (all when fewer)."""
    if count <= limit:
        return list(range(count))
    return [int(round(i)) for i in np.linspace(0, count - 1, limit)]


def _frames(files: Sequence[Path]) -> list[Any]:
    if not files:
        raise ValueError("no image frames")
    return [_image(files[i]) for i in uniform_indices(len(files))]


def _frame_files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise ValueError(f"no image frames in {folder}")
    return files


def _audio(path: Path) -> dict[str, Any]:
    import soundfile as sf

    array, rate = sf.read(str(path), dtype="float32", always_2d=False)
    if getattr(array, "ndim", 1) > 1:
        array = array.mean(axis=1)
    return {"array": array, "sampling_rate": int(rate)}


def _array(path: Path) -> Any:
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as data:
            return data[data.files[0]]
    if path.suffix == ".npy":
        return np.load(path, allow_pickle=False)
    return str(path)  # .ply/.obj/.off: adapters read the file themselves


#: 3D input kinds that have no chat-message type (rendered to views when LMMS_GENERAL_RENDER_3D is set)
THREE_D_KINDS = frozenset({"pointcloud", "mesh"})
#: input kinds a chat message has no type for (other kinds travel as image / video / audio content)
NON_VISUAL_KINDS = frozenset({"pointcloud", "mesh", "depth"})
UNSUPPORTED_MODALITY = "input modality not supported by this model"


def load_one(kind: str, path: Path, checked: bool = False) -> list[Any]:
    """Load one media entry as a list of model inputs (one ``stat``: a folder of frames, else a regular file;
    ``checked``: the loader found ``path`` to be a regular file or a folder when it built the doc, so a file that is
    not a frame folder is opened without a ``stat``)."""
    if checked and kind != "frames":
        mode = stat.S_IFREG
    else:
        mode = os.stat(path).st_mode
    if stat.S_ISDIR(mode):
        return _frames(_frame_files(path))
    if not stat.S_ISREG(mode):
        raise ValueError(f"{path} is not a regular file")
    if kind in {"image", "frames"}:
        return [_image(path, checked=True)]
    if kind == "audio":
        return [_audio(path)]
    if kind in {"pointcloud", "mesh", "depth"}:
        return [_array(path)]
    return [str(path)]  # video and other files: the model wrapper opens them


def _as_path(path: Any) -> Path:
    """A Doc's media path as a ``Path`` (it is one already: no re-parse)."""
    return path if isinstance(path, Path) else Path(path)


def _groups(entries: Sequence[MediaRef]) -> list[tuple[str, list[MediaRef]]]:
    """Entries in annotation order, with a sample's frame files (``video_file_list``) gathered into one clip."""
    groups: list[tuple[str, list[MediaRef]]] = []
    frames: list[MediaRef] = []
    for entry in entries:
        if entry.kind == "frames" and entry.path and _as_path(entry.path).suffix.lower() in _IMAGE_SUFFIXES:
            if not frames:
                groups.append(("frames", frames))
            frames.append(entry)
        else:
            groups.append((entry.kind, [entry]))
    return groups


def load_inputs(doc: Mapping[str, Any] | Doc) -> list[tuple[str, list[Any]]]:
    """(kind, loaded values) per readable input (a frame list counts as one clip); unreadable files are recorded.
    With 3D rendering on, a point cloud / mesh comes back as ``("image", [views])``."""
    data = doc_of(doc)
    groups = _groups([e for e in data.media if e.path and e.role == "input"])
    checked = data.__dict__.get("_media_checked", False)  # paths the loader found, each a regular file or folder
    render = False
    if any(kind in THREE_D_KINDS for kind, _entries in groups):
        from lmms_general.protocol.render3d import render_views_enabled

        render = render_views_enabled()  # env read for 3D inputs only
    loaded: list[tuple[str, list[Any]]] = []
    for kind, entries in groups:
        try:
            first = _as_path(entries[0].path)
            if render and kind in THREE_D_KINDS and not first.is_dir():
                from lmms_general.protocol.render3d import render_views

                loaded.append(("image", render_views(str(_regular_file(first)))))
            elif kind == "frames" and len(entries) > 1:
                loaded.append((kind, _frames([_as_path(e.path) for e in entries])))
            else:
                loaded.append((kind, load_one(kind, first, checked)))
        except Exception as exc:  # noqa: BLE001 - any decoder error means this sample cannot be evaluated
            where = entries[0].path if len(entries) == 1 else f"{len(entries)} frame files from {entries[0].path}"
            record_failure(data.registry_key, data.sample_id,
                           f"cannot read {kind} {where} (sample {data.sample_id}): {type(exc).__name__}: {exc}")
    return loaded


def doc_to_visual(doc: Mapping[str, Any]) -> list[Any]:
    """All input media of a doc, flattened in annotation order."""
    return [value for _kind, values in load_inputs(doc) for value in values]


def unsupported_inputs(doc: Mapping[str, Any] | Doc, supported: frozenset[str]) -> list[str]:
    """Input kinds of a doc that a model reading only ``supported`` kinds never receives (3D inputs count as
    supported when rendering is on: they arrive as images)."""
    from lmms_general.protocol.render3d import render_views_enabled

    data = doc_of(doc)
    kinds = {e.kind for e in data.inputs if e.path} & NON_VISUAL_KINDS
    if render_views_enabled():
        kinds -= THREE_D_KINDS
    return sorted(kinds - supported)


def record_unsupported(doc: Mapping[str, Any] | Doc, kinds: list[str]) -> None:
    """Record the per-sample status "input modality not supported by this model" (scored as failed: General-Level
    counts it as unsupported, never as a prompt answered without its input)."""
    data = doc_of(doc)
    hint = " (set LMMS_GENERAL_RENDER_3D=1 to send 3D inputs as rendered views)" if set(kinds) & THREE_D_KINDS else ""
    record_failure(data.registry_key, data.sample_id,
                   f"{UNSUPPORTED_MODALITY}: {', '.join(kinds)} input of sample {data.sample_id}{hint}")
