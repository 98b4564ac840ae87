"""Annotation files: which file is a task's annotation (§10 rule 3), reading it, header normalisation."""

from __future__ import annotations

import json
import logging
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from lmms_general.dataset import json_stream, jsonsafe
from lmms_general.dataset.errors import DatasetError
from lmms_general.dataset.limits import MAX_ANNOTATION_BYTES, LimitExceededError

logger = logging.getLogger(__name__)

_VERSION = re.compile(r"_v(\d+)$", re.IGNORECASE)
_IGNORED = {"prediction.json"}
_T = TypeVar("_T")
#: header keys normalised to lists of strings
_LIST_KEYS = ("domain", "general_capability", "capability")


class AnnotationError(DatasetError):
    """An annotation file cannot be read (bad JSON, no ``data`` list)."""


def header_skill(holder: Any) -> str:
    """The skill cluster a header (or a sample item / doc context carrying it) names (``"skill": "Object
    Detection"``), stripped; "" when it names none, the value is not a string, or ``holder`` is not a dict.
    The one reading of the skill field: docs, sample logs and submissions all use it."""
    skill = holder.get("skill") if isinstance(holder, dict) else None
    return skill.strip() if isinstance(skill, str) else ""


def norm_name(text: str) -> str:
    """Lower-case alphanumerics only: ``Causal-Reasoning``, ``causal_reasoning`` and ``CausalReasoning`` agree."""
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", str(text)).lower())


def is_annotation_candidate(name: str) -> bool:
    """Whether a file name may be an annotation: ``*.json``, not hidden, not ``prediction.json``."""
    return name.lower().endswith(".json") and not name.startswith(".") and name.lower() not in _IGNORED


def _json_files(folder: Path) -> list[str]:
    """Candidate ``*.json`` file names of a folder. Raises OSError when the folder exists but cannot be listed."""
    try:
        entries = list(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(p.name for p in entries if is_annotation_candidate(p.name) and p.is_file())


def _version(stem: str) -> int:
    match = _VERSION.search(stem)
    return int(match.group(1)) if match else 1


def _stem(name: str) -> str:
    return name.rsplit("/", 1)[-1][: -len(".json")]


def choose_annotation(top: list[str], nested: list[str], task_name: str) -> tuple[str | None, list[str]]:
    """Pick the annotation among candidate names: ``top`` in the task folder, ``nested`` in its ``json/``.

    Returns the chosen path relative to the task folder (``annotation.json`` or ``json/x.json``) or None,
    and notes about ambiguity. The same rule serves folders on disk and archives not yet unpacked.
    Priority: ``annotation.json``; ``json/annotation*.json`` (highest ``_vN``); ``<task>.json``; the one
    candidate (a stem equal to the task name after normalisation wins when there are several).
    """
    top, nested = sorted(top), sorted(nested)
    by_lower = {name.lower(): name for name in top}
    if "annotation.json" in by_lower:
        return by_lower["annotation.json"], []
    versions = [name for name in nested if name.lower().startswith("annotation")]
    if versions:
        return "json/" + max(versions, key=lambda n: (_version(_stem(n)), n)), []
    own = by_lower.get(f"{task_name.lower()}.json")
    if own is not None:
        return own, []
    candidates = top + ["json/" + name for name in nested]
    if not candidates:
        return None, []
    if len(candidates) == 1:
        return candidates[0], []
    named = [c for c in candidates if norm_name(_stem(c)) == norm_name(task_name)]
    if len(named) == 1:
        return named[0], []
    return candidates[0], [f"several annotation candidates ({', '.join(candidates)}); using {candidates[0]}"]


def find_annotation(folder: Path, task_name: str) -> tuple[Path | None, list[str]]:
    """Pick the annotation file of a task folder; returns (file or None, notes about ambiguity).

    See :func:`choose_annotation` for the rule. An unreadable folder gives (None, [why]).
    """
    try:
        top = _json_files(folder)
        nested = _json_files(folder / "json")
    except OSError as exc:
        return None, [f"cannot list the task folder ({type(exc).__name__}: {exc.strerror or exc})"]
    chosen, notes = choose_annotation(top, nested, task_name)
    return (None if chosen is None else folder.joinpath(*chosen.split("/"))), notes


def _check_file(path: Path) -> None:
    """A regular file within ``$LMMS_GENERAL_MAX_ANNOTATION_BYTES``. Raises AnnotationError (or OSError)."""
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        raise AnnotationError(f"{path}: not a regular file")
    MAX_ANNOTATION_BYTES.check(st.st_size, str(path))


def _guarded(path: Path, read: Callable[[], _T]) -> _T:
    """``read()`` with every reading failure turned into the one AnnotationError text naming ``path``."""
    try:
        return read()
    except LimitExceededError as exc:
        raise AnnotationError(str(exc)) from exc
    except json.JSONDecodeError as exc:
        raise AnnotationError(f"{path}: malformed JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    except (OSError, ValueError, RecursionError, MemoryError) as exc:  # UnicodeDecodeError is a ValueError
        raise AnnotationError(f"{path}: cannot read annotation file ({type(exc).__name__}: {exc})") from exc


def _whole_file(path: Path) -> tuple[dict[str, Any], list[Any]]:
    """The annotation parsed in one piece (the text and all objects at once): the reader of files the streaming
    walk hands back (:class:`~lmms_general.dataset.json_stream.NeedsWholeFile`), which names every error exactly."""

    def parse() -> tuple[Any, bool]:
        _check_file(path)
        with path.open("rb") as fh:
            return jsonsafe.loads(fh.read())  # no name for the bytes: freed before the parse

    doc, surrogates = _guarded(path, parse)
    if isinstance(doc, jsonsafe.DuplicateKeyDict) and doc.duplicates:
        keys = ", ".join(repr(k) for k in doc.duplicates)
        raise AnnotationError(f"{path}: duplicate top-level key {keys} (the earlier value would be silently lost)")
    if isinstance(doc, list):  # a bare sample list (no header)
        return {}, doc
    if not isinstance(doc, dict):
        raise AnnotationError(f"{path}: top level is {type(doc).__name__}, expected an object with a 'data' list")
    header = _clean_header(path, {k: v for k, v in doc.items() if k != "data"}, surrogates)
    data = doc.get("data")
    if not isinstance(data, list):
        raise AnnotationError(f"{path}: no 'data' list (found {type(data).__name__})")
    return normalise_header(header), data


def _clean_header(path: Path, header: dict[str, Any], surrogates: bool) -> dict[str, Any]:
    header, problems = jsonsafe.clean(header, "header", surrogates=surrogates)
    for problem in problems:
        logger.warning("%s: %s", path, problem)
    return header


def _finish(path: Path, top: json_stream.TopLevel) -> dict[str, Any]:
    """The normalised header of a completed streaming walk."""
    return {} if top.bare_list else normalise_header(_clean_header(path, top.header, top.surrogates))


def read_annotation(path: Path) -> tuple[dict[str, Any], list[Any]]:
    """Read an annotation file: (normalised header without ``data``, the raw ``data`` list).

    Records are read one at a time (:mod:`lmms_general.dataset.json_stream`: the file's text is never held
    whole); a file that walk cannot read exactly is read in one piece, which names the error. Integers over Python's
    digit limit and records nested too deeply for the parser do not fail the file (see
    :mod:`lmms_general.dataset.jsonsafe`); the records are repaired per sample by
    :func:`lmms_general.dataset.samples.build_samples`. Header values are repaired the same way (a warning is logged).

    Raises:
        AnnotationError: unreadable file, not a regular file, larger than ``$LMMS_GENERAL_MAX_ANNOTATION_BYTES``,
            malformed JSON, not an object, a top-level key named twice, or ``data`` not a list.
    """
    header, data, _plain = read_annotation_plain(path)
    return header, data


def read_annotation_plain(path: Path) -> tuple[dict[str, Any], list[Any], bool]:
    """:func:`read_annotation` and whether every record is known to be plain JSON that
    :func:`~lmms_general.dataset.jsonsafe.clean` returns unchanged (:class:`~lmms_general.dataset.json_stream.TopLevel`
    ``plain``; False for a file read in one piece)."""
    top = json_stream.TopLevel()

    def walk() -> list[Any]:
        _check_file(path)
        return list(json_stream.records(path, top))

    try:
        data = _guarded(path, walk)
    except json_stream.NeedsWholeFile:
        return (*_whole_file(path), False)
    return _finish(path, top), data, top.plain_count == len(data)


def scan_annotation(path: Path) -> tuple[dict[str, Any], int]:
    """(normalised header, number of records) of an annotation file, holding one record at a time: what the index
    needs. Raises AnnotationError as :func:`read_annotation` does (the same texts)."""
    top = json_stream.TopLevel()

    def walk() -> int:
        _check_file(path)
        return sum(1 for _ in json_stream.records(path, top))

    try:
        count = _guarded(path, walk)
    except json_stream.NeedsWholeFile:
        header, data = _whole_file(path)
        return header, len(data)
    return _finish(path, top), count


def iter_records(path: Path, top: json_stream.TopLevel | None = None) -> Iterator[Any]:
    """The records of an annotation file one at a time, equal to :func:`read_annotation`'s list (a file the walk
    hands back is read whole from where it stopped). Raises AnnotationError as :func:`read_annotation` does, when
    the iteration reaches the problem; call :func:`scan_annotation` first to refuse a bad file before building.
    ``top``, when given, is the walk's :class:`~lmms_general.dataset.json_stream.TopLevel`: its ``plain`` says
    whether the record just yielded is known to be plain JSON (never for records of a file read whole)."""
    done = 0
    top = json_stream.TopLevel() if top is None else top
    try:
        _guarded(path, lambda: _check_file(path))
        walk = json_stream.records(path, top)
        while True:
            record = _guarded(path, lambda: next(walk, _END))
            if record is _END:
                return
            yield record
            done += 1
    except json_stream.NeedsWholeFile:
        top.plain = False
        yield from _whole_file(path)[1][done:]


_END = object()


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def normalise_header(header: dict[str, Any]) -> dict[str, Any]:
    """Keep every key; ``domain``/``general_capability``/``capability`` become lists of strings.

    ``general_capability`` is filled from ``capability`` when only the latter is present. ``type`` is
    left as written (it is the NLP scorer's dispatch key).
    """
    out = dict(header)
    for key in _LIST_KEYS:
        if key in out:
            out[key] = _as_list(out[key])
    if "general_capability" not in out and "capability" in out:
        out["general_capability"] = list(out["capability"])
    return out
