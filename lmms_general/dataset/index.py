"""Indexing a General-Bench root: every task folder, its annotation file, sample count and errors.

A run's index reads only the annotation files; ``check_samples`` (``validate``) also builds every sample.

``index_root`` is cached twice: per process (by root path) and on disk under
``$LMMS_GENERAL_CACHE/index/``. The disk cache is trusted only when it matches: its schema version,
then per task a fingerprint of the annotation file (size, mtime_ns, inode and a hash of all its bytes, so a
same-size edit anywhere that keeps the mtime is caught; archives: :func:`~lmms_general.dataset.archives.
archive_digest`, their member list with CRCs) and the
mtimes of the task folder and its media folders. A cache of the wrong shape (any JSON that is not what
this module writes) is ignored and rebuilt, never trusted or crashed on. A warm re-index only lists
folders and fingerprints the annotation files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lmms_general.atomic_json import write_json_atomic
from lmms_general.dataset.annotations import (
    AnnotationError,
    choose_annotation,
    find_annotation,
    is_annotation_candidate,
    read_annotation_plain,
    scan_annotation,
)
from lmms_general.dataset.archive_listing import ArchiveMediaResolver, list_archive, read_member
from lmms_general.dataset.archives import archive_digest, content_root, unpack, unpack_dir
from lmms_general.dataset.errors import DatasetError, NotGeneralBenchTreeError
from lmms_general.dataset.layout import MEDIA_DIRS, TASK_ARCHIVES, TaskLocation, cache_root, task_locations
from lmms_general.dataset.matching import Matcher, default_matcher
from lmms_general.dataset.media import MediaResolver
from lmms_general.dataset.models import TaskFolder
from lmms_general.dataset.root import resolve_root
from lmms_general.dataset.samples import build_samples

logger = logging.getLogger(__name__)
_CACHE_VERSION = 3
_LOCK = threading.RLock()
_PROCESS_CACHE: dict[str, RootIndex] = {}


@dataclass(frozen=True)
class RootIndex:
    """All task folders of one root and the registry rows no folder matched."""

    root: Path
    tasks: list[TaskFolder]
    unmatched_registry_keys: list[str]
    _by_key: dict[str, TaskFolder] = field(default_factory=dict, repr=False, compare=False)

    def by_key(self, registry_key: str) -> TaskFolder | None:
        """The task folder matched to ``registry_key``, or None."""
        return self._by_key.get(registry_key)


def task_archive(loc: TaskLocation) -> Path | None:
    """The archive a task lives in: its ``<Task>.zip``, or ``open.tar.gz`` / ``close.tar.gz`` in a folder
    without an ``annotation.json``; None for a plain task folder."""
    if loc.is_zip:
        return loc.source
    for name in TASK_ARCHIVES:
        archive = loc.source / name
        if archive.is_file() and not (loc.source / "annotation.json").exists():
            return archive
    return None


def open_location(loc: TaskLocation) -> tuple[Path, list[str]]:
    """The folder holding a task's files, unpacking its archive (if any) into the cache first."""
    try:
        archive = task_archive(loc)
        if archive is not None:
            return content_root(unpack(archive)), []
    except (DatasetError, OSError, ValueError, EOFError) as exc:  # zipfile/tarfile errors subclass these
        return loc.source, [f"{loc.source}: cannot unpack task archive: {exc}"]
    except Exception as exc:  # noqa: BLE001 - BadZipFile / TarError: report, keep indexing
        return loc.source, [f"{loc.source}: cannot unpack task archive ({type(exc).__name__}: {exc})"]
    return loc.source, []


def parse_task(
    folder: Path,
    annotation: Path,
    loc: TaskLocation,
    *,
    verify_media: bool = False,
    resolver: MediaResolver | None = None,
):
    """Read and build one task's samples: (header, samples, media_missing). Raises AnnotationError.

    ``resolver`` defaults to one over ``folder`` on disk (none for NLP tasks, which have no media).
    """
    header, data, plain = read_annotation_plain(annotation)
    if resolver is None:
        resolver = task_resolver(folder, annotation, loc)
    samples, missing = build_samples(
        data,
        annotation_file=annotation,
        resolver=resolver,
        task_type=str(header.get("type", "") or ""),
        modality=loc.modality,
        paradigm=loc.paradigm,
        verify_media=verify_media,
        plain_records=plain,
    )
    return header, samples, missing


def task_resolver(folder: Path, annotation: Path, loc: TaskLocation) -> MediaResolver | None:
    """The media resolver of a task's samples on disk (None for NLP tasks, which have no media)."""
    return None if loc.modality == "nlp" else MediaResolver(folder, annotation.parent)


def content_fingerprint(path: Path) -> list[Any]:
    """``[size, mtime_ns, inode, blake2b(all bytes)]`` of a file (raises OSError): an edit anywhere in an
    annotation is noticed even when size and mtime are kept."""
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        st = os.fstat(handle.fileno())
        while block := handle.read(1 << 20):
            digest.update(block)
    return [st.st_size, st.st_mtime_ns, st.st_ino, digest.hexdigest()]


def _signature(folder: Path, annotation: Path | None) -> list[Any]:
    sig: list[Any] = []
    for path in (folder, annotation, *(folder / d for d in MEDIA_DIRS)):
        if path is None:
            sig.append(None)
            continue
        try:
            sig.append(content_fingerprint(path) if path is annotation else [0, path.stat().st_mtime_ns])
        except OSError:
            sig.append(None)
    return sig


#: every field a cached task summary must have, with its type(s)
_ENTRY_FIELDS: dict[str, Any] = {
    "sig": list, "folder": str, "annotation_file": (str, type(None)), "task_name": (str, type(None)),
    "samples": int, "media_missing": int, "errors": list,
}


def _valid_entry(entry: Any) -> bool:
    """Whether a cached task summary has the shape this module writes (anything else is rebuilt)."""
    if not isinstance(entry, dict):
        return False
    for name, kind in _ENTRY_FIELDS.items():
        value = entry.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            return False
    return entry["samples"] >= 0 and entry["media_missing"] >= 0 and all(isinstance(e, str) for e in entry["errors"])


def _empty_summary(sig: list[Any], folder: Path, errors: list[str]) -> dict[str, Any]:
    return {"sig": sig, "folder": str(folder), "annotation_file": None, "task_name": None, "samples": 0,
            "media_missing": 0, "errors": errors}


def _read_task(
    folder: Path, annotation: Path, loc: TaskLocation, check: bool, resolver: MediaResolver | None = None
) -> tuple[dict[str, Any], int, int, list[str]]:
    """``(header, samples, media_missing, sample errors)`` of one annotation file. Unchecked, only the file is
    read (its records are the samples: none is ever dropped); checked, every sample is built. Raises
    AnnotationError."""
    if not check:
        header, count = scan_annotation(annotation)  # one record held at a time
        return header, count, 0, []
    header, samples, missing = parse_task(folder, annotation, loc, resolver=resolver)
    return header, len(samples), missing, [e for sample in samples for e in sample.errors]


def _fill_summary(summary: dict[str, Any], header: dict[str, Any], samples: int, missing: int,
                  errors: list[str]) -> None:
    task = header.get("task")
    summary["task_name"] = str(task) if task is not None else None
    summary["samples"] = samples
    summary["media_missing"] = missing
    summary["errors"].extend(errors)


def _annotation_copy(archive: Path, member: tuple[str, ...]) -> Path:
    """Where an archived annotation is copied for indexing (the archive itself is not unpacked)."""
    return cache_root() / "archive-annotations" / unpack_dir(archive).name / Path(*member)


def _summarise_archive(loc: TaskLocation, archive: Path, cached: dict[str, Any], check: bool) -> dict[str, Any]:
    """Index an archived task from its listing and its annotation member alone (nothing is unpacked)."""
    try:
        target = unpack_dir(archive)
        sig: list[Any] = ["archive", str(target), archive_digest(archive)]
    except OSError as exc:
        return _empty_summary([], loc.source, [f"{archive}: cannot read task archive ({exc.strerror or exc})"])
    entry = cached.get(str(loc.source))
    if _valid_entry(entry) and entry["sig"] == sig:
        return entry
    try:
        listing = list_archive(archive)
    except (DatasetError, OSError, ValueError, EOFError) as exc:  # zipfile/tarfile errors subclass these
        return _empty_summary(sig, loc.source, [f"{loc.source}: cannot unpack task archive: {exc}"])
    except Exception as exc:  # noqa: BLE001 - BadZipFile / TarError: report, keep indexing
        return _empty_summary(
            sig, loc.source, [f"{loc.source}: cannot unpack task archive ({type(exc).__name__}: {exc})"]
        )
    inside = listing.content_root()
    folder = target.joinpath(*inside)
    summary = _empty_summary(sig, folder, [])
    errors: list[str] = summary["errors"]
    top = [n for n, is_dir in listing.children(inside).items() if not is_dir and is_annotation_candidate(n)]
    nested = [n for n, is_dir in listing.children((*inside, "json")).items()
              if not is_dir and is_annotation_candidate(n)]
    chosen, notes = choose_annotation(top, nested, loc.name)
    inside_shown = f"{archive}!/{'/'.join(inside)}" if inside else str(archive)
    errors.extend(f"{inside_shown}: {n}" for n in notes)
    if chosen is None:
        errors.append(f"{inside_shown}: no annotation file (annotation.json, json/annotation*.json or *.json)")
        return summary
    member = (*inside, *chosen.split("/"))
    annotation = folder.joinpath(*chosen.split("/"))
    summary["annotation_file"] = str(annotation)
    shown = f"{archive}!/{'/'.join(member)}"
    copy = _annotation_copy(archive, member)
    try:
        if not copy.is_file():
            data = read_member(archive, member, listing)
            copy.parent.mkdir(parents=True, exist_ok=True)
            partial = copy.with_name(f"{copy.name}.partial-{os.getpid()}")
            partial.write_bytes(data)
            os.replace(partial, copy)
        resolver = None
        if check and loc.modality != "nlp":
            resolver = ArchiveMediaResolver(folder, listing, inside, annotation.parent)
        header, samples, missing, sample_errors = _read_task(folder, copy, loc, check, resolver)
    except AnnotationError as exc:
        errors.append(str(exc).replace(str(copy), shown))
        return summary
    except Exception as exc:  # noqa: BLE001 - BadZipFile, TarError, OSError, limits: report, keep indexing
        errors.append(f"{shown}: cannot read the annotation from the archive ({type(exc).__name__}: {exc})")
        return summary
    _fill_summary(summary, header, samples, missing, sample_errors)
    summary["errors"] = [e.replace(str(copy), shown) for e in errors]
    return summary


def _summarise(loc: TaskLocation, cached: dict[str, Any], check: bool) -> dict[str, Any]:
    archive = task_archive(loc)
    if archive is not None:
        return _summarise_archive(loc, archive, cached, check)
    folder, errors = open_location(loc)
    annotation, notes = find_annotation(folder, loc.name)
    errors.extend(f"{folder}: {n}" for n in notes)
    sig = _signature(folder, annotation)
    entry = cached.get(str(loc.source))
    if _valid_entry(entry) and entry["sig"] == sig and entry["folder"] == str(folder):
        return entry
    summary = _empty_summary(sig, folder, errors)
    if annotation is None:
        errors.append(f"{folder}: no annotation file (annotation.json, json/annotation*.json or *.json)")
        return summary
    summary["annotation_file"] = str(annotation)
    try:
        header, samples, missing, sample_errors = _read_task(folder, annotation, loc, check)
    except AnnotationError as exc:
        errors.append(str(exc))
        return summary
    _fill_summary(summary, header, samples, missing, sample_errors)
    return summary


def _cache_file(root: Path, check: bool) -> Path:
    digest = hashlib.sha1(str(root).encode("utf-8")).hexdigest()[:20]
    return cache_root() / "index" / f"{digest}{'-checked' if check else ''}.json"


def _read_cache(path: Path, root: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(doc, dict) or doc.get("version") != _CACHE_VERSION or doc.get("root") != str(root):
        return {}
    tasks = doc.get("tasks")
    return tasks if isinstance(tasks, dict) else {}


def _write_cache(path: Path, root: Path, tasks: dict[str, Any]) -> None:
    try:
        write_json_atomic(path, {"version": _CACHE_VERSION, "root": str(root), "tasks": tasks})
    except OSError as exc:  # a read-only cache only costs speed
        logger.debug("index cache not written (%s)", exc)


def build_index(
    root: Path, *, use_cache: bool = True, matcher: Matcher | None = None, check_samples: bool = False
) -> RootIndex:
    """Index ``root`` (no process cache); see :func:`index_root`. Raises NotGeneralBenchTreeError when it has no
    modality folder."""
    locations = task_locations(root)
    if not locations and not _has_modality(root):
        raise NotGeneralBenchTreeError(
            f"{root} is not a General-Bench tree: no image/, video/, audio/, 3D/ or nlp/ folder in it"
        )
    matcher = matcher or default_matcher()
    cache_path = _cache_file(root, check_samples)
    cached = _read_cache(cache_path, root) if use_cache else {}
    from tqdm.auto import tqdm  # a first index of a full tree reads ~700 annotation files: show it

    progress = tqdm(locations, desc=f"indexing {root.name}", unit="task", leave=False,
                    disable=None if len(locations) >= 20 else True)
    summaries = {str(loc.source): _summarise(loc, cached, check_samples) for loc in progress}
    if summaries != cached:  # a warm index with nothing changed does not rewrite the cache
        _write_cache(cache_path, root, summaries)

    tasks: list[TaskFolder] = []
    owner: dict[str, TaskFolder] = {}
    for loc in locations:
        s = summaries[str(loc.source)]
        errors = list(s["errors"])
        key = matcher.match(loc.modality, loc.paradigm, loc.name, s["task_name"])
        if key is not None and key in owner:
            errors.append(f"{loc.source}: also matches registry row {key}, already taken by {owner[key].source}")
            key = None
        folder = TaskFolder(
            modality=loc.modality,
            paradigm=loc.paradigm,
            folder=Path(s["folder"]),
            annotation_file=Path(s["annotation_file"]) if s["annotation_file"] else None,
            task_name=s["task_name"],
            registry_key=key,
            samples=s["samples"],
            media_missing=s["media_missing"],
            errors=tuple(errors),
            source=loc.source,
            name=loc.name,
            checked=check_samples,
        )
        if key is not None:
            owner[key] = folder
        tasks.append(folder)
    unmatched = [k for k in matcher.registry if k not in owner]
    return RootIndex(root, tasks, unmatched, owner)


def _has_modality(root: Path) -> bool:
    from lmms_general.dataset.layout import modality_folders

    return bool(modality_folders(root))


def index_root(root: str | os.PathLike[str], *, use_cache: bool = True, check_samples: bool = False) -> RootIndex:
    """Index a General-Bench root (thread-safe; cached per process and on disk unless ``use_cache`` is False).

    By default only the annotation files are read (task names for matching, sample counts, file-level errors):
    what a run needs, since each task builds and checks its own samples when it is loaded. ``check_samples``
    builds every sample as well (media resolved, records checked), listing every sample's problems and the
    missing media per task, as ``lmms-general validate`` does.

    Raises:
        DatasetNotFoundError: ``root`` does not exist.
        NotGeneralBenchTreeError: ``root`` has no modality folder.
    """

    path = resolve_root(root)
    key = f"{path}|checked" if check_samples else str(path)
    with _LOCK:
        if use_cache and key in _PROCESS_CACHE:
            return _PROCESS_CACHE[key]
        index = build_index(path, use_cache=use_cache, check_samples=check_samples)
        _PROCESS_CACHE[key] = index
        return index


def clear_process_cache() -> None:
    """Forget every per-process index (the next ``index_root`` re-reads the disk cache)."""
    with _LOCK:
        _PROCESS_CACHE.clear()
