"""Finding the root and loading one registry task's samples."""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from lmms_general.dataset.annotations import AnnotationError, find_annotation, iter_records, scan_annotation
from lmms_general.dataset.archives import unreadable_members
from lmms_general.dataset.errors import (
    HUB_REPOS,
    ROOT_ENV,
    TaskNotFoundError,
)
from lmms_general.dataset.index import index_root, open_location, parse_task, task_archive, task_resolver
from lmms_general.dataset.json_stream import TopLevel
from lmms_general.dataset.layout import HUB_MODALITY_DIRS, TaskLocation
from lmms_general.dataset.models import MediaRef, Sample, TaskData, TaskFolder
from lmms_general.dataset.root import resolve_root
from lmms_general.dataset.samples import flag_missing_references, has_reference, iter_samples
from lmms_general.registry import load_registry

DOWNLOAD_ENV = "GENERAL_BENCH_DOWNLOAD"
REVISION_ENV = "GENERAL_BENCH_REVISION"


def _download_enabled(download: bool | None) -> bool:
    if download is not None:
        return download
    return os.environ.get(DOWNLOAD_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def is_closeset(root: Path) -> bool:
    """Whether ``root`` looks like a Closeset folder (by name)."""
    return "closeset" in root.name.lower() or "close-set" in root.name.lower()


def _not_found(root: Path, key: str) -> TaskNotFoundError:
    spec = load_registry()[key]
    repo = HUB_REPOS[1] if is_closeset(root) else HUB_REPOS[0]
    top = HUB_MODALITY_DIRS[spec.modality]
    where = top if spec.modality == "nlp" else f"{top}/{spec.paradigm}"
    return TaskNotFoundError(
        f"task {key} ({spec.display_name!r}) has no task folder under {root} ({ROOT_ENV}); download its folder "
        f"from https://huggingface.co/datasets/{repo}/tree/main/{where} or set {DOWNLOAD_ENV}=1 to fetch it"
    )


def load_task(
    root: str | os.PathLike[str] | None,
    registry_key: str,
    *,
    verify_media: bool = False,
    download: bool | None = None,
    limit: int | None = None,
) -> TaskData:
    """All samples of one registry task under ``root`` (default ``$GENERAL_BENCH_ROOT``).

    Samples with problems are kept with their ``errors``; task-level problems (unreadable annotation,
    unsafe archive) leave ``samples`` empty and are listed in ``errors``. Media paths are always resolved
    and checked to be regular files (a stat); ``verify_media=True`` also opens image, audio and ``.npy``
    headers to catch corrupt files (off by default: a task load in lmms-eval would decode every image
    twice, and a corrupt file is reported per sample when it is read; ``validate --deep`` decodes all).
    ``download`` (default ``$GENERAL_BENCH_DOWNLOAD``) fetches a missing task from the Hugging Face hub first.
    ``limit`` builds only the first ``limit`` samples (``TaskData.every_sample`` streams all of them), each equal
    to the same sample of a full load; the whole annotation is still read (a bad file fails as before).

    Raises:
        TaskNotFoundError: unknown key, or no folder for it under ``root`` (and download off or fruitless).
        DatasetNotFoundError: no root.
    """

    if registry_key not in load_registry():
        raise TaskNotFoundError(f"{registry_key!r} is not a General-Bench registry key")
    path = resolve_root(root)
    folder = index_root(path).by_key(registry_key)
    if folder is None and _download_enabled(download):
        from lmms_general.dataset.hub import download_tasks

        download_tasks([registry_key], path, closeset=is_closeset(path), revision=os.environ.get(REVISION_ENV))
        folder = index_root(path, use_cache=False).by_key(registry_key)
    if folder is None:
        raise _not_found(path, registry_key)
    return read_task(folder, verify_media=verify_media, limit=limit)


def _uses(ref: MediaRef, member: Path) -> bool:
    """Whether a media reference is the unpacked ``member`` or a folder holding it (by its raw path when the
    file, left out of the unpack, did not resolve)."""
    if ref.path is not None:
        return member == ref.path or ref.path in member.parents
    raw = ref.raw.replace("\\", "/").strip("/")
    return bool(raw) and member.as_posix().endswith("/" + raw.removeprefix("./"))


def fail_unreadable_media(samples: list[Sample], unreadable: dict[Path, str]) -> tuple[list[Sample], list[str]]:
    """Samples whose media file or folder holds an archive member that failed its CRC check get that error
    (so they fail, never the task); returns them and the errors of members no sample uses."""
    if not unreadable:
        return samples, []
    used: set[Path] = set()
    out: list[Sample] = []
    for sample in samples:
        hits = [(bad, msg) for ref in sample.media for bad, msg in unreadable.items() if _uses(ref, bad)]
        if hits:
            used.update(bad for bad, _ in hits)
            sample = dataclasses.replace(
                sample, errors=(*sample.errors, *(f"sample {sample.id!r}: {msg}" for _, msg in hits)))
        out.append(sample)
    causes = {unreadable[bad].rpartition(" (")[2] for bad in used}  # one member under two spellings: named once
    return out, [msg for bad, msg in unreadable.items() if bad not in used and msg.rpartition(" (")[2] not in causes]


class SampleStream(Collection[Sample]):
    """Every sample of a task, built again on each iteration from its annotation read one record at a time
    (without the task-wide missing-reference errors): task-wide passes over a task loaded with a ``limit``."""

    def __init__(self, annotation: Path, header: dict[str, Any], loc: TaskLocation, resolver: Any,
                 verify_media: bool, count: int) -> None:
        self.annotation, self.header, self.loc = annotation, header, loc
        self.resolver, self.verify_media, self.count = resolver, verify_media, count

    def __iter__(self) -> Iterator[Sample]:
        top = TopLevel()
        for sample, _missing in iter_samples(
            iter_records(self.annotation, top), annotation_file=self.annotation, resolver=self.resolver,
            task_type=str(self.header.get("type", "") or ""), modality=self.loc.modality,
            paradigm=self.loc.paradigm, verify_media=self.verify_media, plain=lambda: top.plain,
        ):
            yield sample

    def __len__(self) -> int:
        return self.count

    def __contains__(self, item: object) -> bool:
        return any(sample == item for sample in self)


def _first_samples(content: Path, annotation: Path, loc: TaskLocation, limit: int, verify_media: bool
                   ) -> tuple[dict[str, Any], list[Sample], SampleStream]:
    """(header, the first ``limit`` samples, all samples as a stream). The whole file is checked first (a bad
    annotation fails as a full read does), holding one record at a time. Raises AnnotationError."""
    header, count = scan_annotation(annotation)
    stream = SampleStream(annotation, header, loc, task_resolver(content, annotation, loc), verify_media, count)
    head = list(itertools.islice(stream, max(limit, 0)))
    task_has_references = any(map(has_reference, head)) or any(map(has_reference, stream))
    return header, flag_missing_references(head, str(annotation), task_has_references), stream


def read_task(folder: TaskFolder, *, verify_media: bool = True, limit: int | None = None) -> TaskData:
    """Parse the annotation file of an indexed task folder into a :class:`TaskData` (``limit``: see
    :func:`load_task`)."""

    loc = TaskLocation(
        folder.modality,
        folder.paradigm,
        folder.name or folder.folder.name,
        folder.source or folder.folder,
        is_zip=bool(folder.source and folder.source.is_file()),
    )
    content, errors = open_location(loc)
    archive = task_archive(loc)
    shown = content if archive is None else f"{archive} (unpacked to {content})"
    annotation, notes = find_annotation(content, loc.name)
    errors.extend(f"{shown}: {n}" for n in notes)
    if annotation is None:
        errors.append(f"{shown}: no annotation file (annotation.json, json/annotation*.json or *.json)")
        return TaskData(folder, {}, [], errors)
    stream: SampleStream | None = None
    try:
        if limit is None:
            header, samples, _missing = parse_task(content, annotation, loc, verify_media=verify_media)
        else:
            header, samples, stream = _first_samples(content, annotation, loc, limit, verify_media)
    except AnnotationError as exc:
        return TaskData(folder, {}, [], [*errors, str(exc)])
    samples, unused = fail_unreadable_media(samples, unreadable_members(content))
    errors.extend(unused)
    for sample in samples:
        errors.extend(sample.errors)
    # an archived task is indexed without unpacking: now that it is unpacked, name where its files are
    folder = dataclasses.replace(folder, folder=content, annotation_file=annotation)
    return TaskData(folder, header, samples, errors, every_sample=stream)
