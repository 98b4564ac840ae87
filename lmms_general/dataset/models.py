"""Plain records the loader returns: task folders, samples, media references."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: media kinds a :class:`MediaRef` can have
MEDIA_KINDS = ("image", "video", "frames", "audio", "pointcloud", "mesh", "depth", "file")


@dataclass(frozen=True)
class MediaRef:
    """One media path named by a sample.

    Attributes:
        kind: ``image``, ``video``, ``frames`` (a frame folder, or one frame of an ordered frame list),
            ``audio``, ``pointcloud``, ``mesh``, ``depth`` or ``file``.
        path: absolute resolved path inside the task folder, or None when it could not be resolved.
        raw: the path exactly as written in the annotation.
        role: ``input`` when found in the sample's input side, ``output`` when in its ``output``
            (a target or reference file).
        field: dotted location in the sample (``input.image_file``, ``input.video_file_list[0]``).
    """

    kind: str
    path: Path | None
    raw: str
    role: str = "input"
    field: str = ""


@dataclass(frozen=True)
class Sample:
    """One record of an annotation file's ``data`` list.

    Attributes:
        id: the sample id as a string (fallback ``original_video_id``, else ``sample<index>``).
        index: position in ``data``.
        input: ``input`` as written (dict, str or None).
        output: ``output`` as written; None when absent (Closeset).
        extra: every other top-level key of the record, verbatim (``dialog``, ``trajectory``, ...).
        media: resolved media references, in the order they appear in the record.
        errors: problems with this sample (missing media, duplicate id, ...); empty when fine.
        task_type: the annotation header's ``type`` (NLP dispatch key), "" when absent.
        modality: the task's modality (``image``, ``video``, ``audio``, ``3d``, ``nlp``).
        paradigm: ``comprehension`` or ``generation``.
    """

    id: str
    index: int
    input: Any
    output: Any | None
    extra: dict[str, Any]
    media: tuple[MediaRef, ...]
    errors: tuple[str, ...]
    task_type: str = ""
    modality: str = ""
    paradigm: str = ""


@dataclass(frozen=True)
class TaskFolder:
    """One task folder found under a General-Bench root (see :func:`lmms_general.dataset.index_root`).

    Attributes:
        modality / paradigm: from the folder's position in the tree (NLP is comprehension).
        folder: the folder the task's files live in (an unpacked cache folder for archived tasks).
        annotation_file: the chosen annotation file, None when none was found.
        task_name: the annotation header's ``task`` value, None when unreadable.
        registry_key: the matched registry row, None when no row matches.
        samples: number of samples (the annotation's records: none is ever dropped).
        media_missing: number of media references that did not resolve (0 unless ``checked``).
        errors: task-level problems (archive, annotation file); with ``checked`` also every sample's problems.
        source: where the task lives in the tree (the folder, or the ``.zip`` it came from).
        name: the task's folder name in the tree (zip stem for archived tasks).
        checked: whether every sample was built (media resolved, records checked), as ``validate`` does;
            a run's index only reads the annotation files, and each task checks its samples when loaded.
    """

    modality: str
    paradigm: str
    folder: Path
    annotation_file: Path | None
    task_name: str | None
    registry_key: str | None
    samples: int
    media_missing: int
    errors: tuple[str, ...]
    source: Path | None = None
    name: str = ""
    checked: bool = False


@dataclass
class TaskData:
    """A task's parsed annotation file: header (without ``data``), samples and errors.

    ``samples`` holds every sample, or only the first ones when the task was loaded with a ``limit``; then
    ``every_sample`` is all of them, built again on each iteration (for task-wide facts such as the label set)."""

    folder: TaskFolder
    header: dict[str, Any]
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    every_sample: Collection[Sample] | None = None
