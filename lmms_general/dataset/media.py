"""Media references: finding path strings in a sample and resolving them inside the task folder.

Resolution follows DATASET_FORMAT.md §10 rule 6: ``\\`` becomes ``/``, then ``<task>/<path>``,
``<task>/<media_dir>/<path>`` and ``<task>/<media_dir>/<basename>`` are tried in turn. A path never
resolves outside the task folder: ``..`` components and absolute paths outside it are refused, and
symlinks are followed only when their target stays inside. Directory listings are cached per
resolver, so resolving many samples costs one ``scandir`` per folder instead of a ``stat`` per try.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lmms_general import media_kinds
from lmms_general.dataset.layout import MEDIA_DIRS
from lmms_general.dataset.models import MediaRef

#: suffix -> media kind, from the one suffix table (lmms_general.media_kinds)
KIND_BY_EXT = media_kinds.KIND_BY_EXT
#: keys whose string values are paths even without a media extension (folders, mostly)
PATH_KEYS = frozenset({"video_folder", "gt_dir", "image_folder", "frames_folder", "frame_folder"})
_PATH_SUFFIXES = ("_file", "_path", "_folder")
_FRAME_LIST_KEYS = frozenset({"video_file_list", "frame_list", "frames"})
#: a record's own keys (not searched for media as other top-level keys are; its other keys are the sample's extras)
ENVELOPE = ("id", "input", "output")


#: longest media path string accepted (longer strings under a path key are reported, not resolved)
MAX_PATH_CHARS = 400


#: pathlib's own joining of a listed name, as ``Path.iterdir`` builds its entries (Python 3.10-3.12)
_MAKE_CHILD = getattr(Path, "_make_child_relpath", None)


def _child(folder: Path, name: str) -> Path:
    """``folder / name`` for a ``name`` from the folder's listing (no separator, not ``.`` or ``..``), without
    parsing ``name`` again (a third of the cost of ``/``); ``/`` itself where pathlib has no such helper."""
    return _MAKE_CHILD(folder, name) if _MAKE_CHILD is not None else folder / name


class BadMediaPathError(ValueError):
    """A media string cannot name a usable file (newline, NUL byte, too long, not a regular file)."""


class MediaEscapeError(BadMediaPathError):
    """A media path points outside the task folder."""


@functools.lru_cache(maxsize=4096)
def _path_key(key: str) -> bool:
    """Whether every non-empty string under ``key`` is a path (:data:`PATH_KEYS`, ``*_file``/``*_path``/``*_folder``);
    remembered per key (a task names a handful of keys thousands of times)."""
    key = key.lower()
    return key in PATH_KEYS or key.endswith(_PATH_SUFFIXES)


def _media_text(value: str) -> bool:
    """Whether a string under any key is a path by its media extension."""
    dot = value.rfind(".")
    if dot <= 0 or value[dot:].lower() not in KIND_BY_EXT:
        return False
    # a media extension alone: free text ending in ".png" is not a path; a spaceless token is
    return (len(value) <= MAX_PATH_CHARS and "\n" not in value) or not any(c in value for c in " \t")


def _is_media(key: str, value: str) -> bool:
    # a path key's value is reported by the resolver when unusable (newline, too long, NUL)
    return bool(value) and (_path_key(key) or _media_text(value))


def find_media(record: Any, role: str, prefix: str) -> list[tuple[str, str, str, str]]:
    """``(field, raw, role, parent_key)`` for every path-like string in ``record``, in order."""
    out: list[tuple[str, str, str, str]] = []
    if isinstance(record, (str, dict, list)):
        _collect(record, (prefix,), prefix, role, out)
    return out


def record_media(record: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """:func:`find_media` of a whole record, in order: its ``input`` (role ``input``), every other top-level key but
    ``id`` (role ``input``, the key as prefix), its ``output`` (role ``output``)."""
    out: list[tuple[str, str, str, str]] = []
    _top(record.get("input"), "input", out)
    for key, value in record.items():
        if key not in ENVELOPE and isinstance(value, (str, dict, list)):
            _collect(value, (key,), key, "input", out)
    _top(record.get("output"), "output", out)
    return out


def _top(value: Any, name: str, out: list[tuple[str, str, str, str]]) -> None:
    """``_collect(value, (name,), name, name, out)`` with an object's own strings checked here (one call less)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, str):
                if v and (_path_key(k) or (v.rfind(".") > 0 and _media_text(v))):  # _is_media, inline
                    out.append((f"{name}[{k}]" if isinstance(k, int) else f"{name}.{k}", v, name, k))  # _field
            elif isinstance(v, (dict, list)):
                _collect(v, (name, k), str(k), name, out)
    elif isinstance(value, (str, list)):
        _collect(value, (name,), name, name, out)


def _collect(value: Any, where: tuple[Any, ...], key: str, role: str, out: list[tuple[str, str, str, str]]) -> None:
    if isinstance(value, str):
        if _is_media(key, value):
            out.append((_field(where), value, role, key))
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, str):
                if v and (_path_key(k) or (v.rfind(".") > 0 and _media_text(v))):  # _is_media, inline
                    out.append((_field((*where, k)), v, role, k))
            elif isinstance(v, (dict, list)):
                _collect(v, (*where, k), str(k), role, out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, (str, dict, list)):
                _collect(v, (*where, i), key, role, out)


def _field(path: tuple[Any, ...]) -> str:
    out = str(path[0])
    for part in path[1:]:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


class MediaResolver:
    """Resolves media strings of one task folder (thread-compatible, not thread-safe)."""

    def __init__(self, task_dir: Path, annotation_dir: Path | None = None) -> None:
        self.root = Path(os.path.realpath(task_dir))
        self._root = str(self.root)
        self._listings: dict[str, dict[str, tuple[bool, bool, bool]]] = {}
        self._memo: dict[str, tuple[Path | None, bool]] = {}
        self._folders: dict[tuple[str, ...], tuple[str, Path, dict[str, tuple[bool, bool, bool]]] | None] = {}
        self._media_dirs = [d for d in MEDIA_DIRS if self._entry(self._root, d) is not None]
        rel: tuple[str, ...] = ()
        if annotation_dir is not None:
            try:
                rel = Path(os.path.realpath(annotation_dir)).relative_to(self.root).parts
            except ValueError:
                rel = ()
        self._annotation_prefix = rel

    def _scan(self, folder: str) -> dict[str, tuple[bool, bool, bool]]:
        """``name -> (is a folder, is a symlink, is a regular file itself)`` of one folder (empty when it cannot be
        listed). The types come from the listing (``d_type``): no ``stat`` per file on common file systems."""
        listing: dict[str, tuple[bool, bool, bool]] = {}
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    try:
                        link = entry.is_symlink()
                        listing[entry.name] = (entry.is_dir(), link, not link and entry.is_file(follow_symlinks=False))
                    except OSError:
                        continue
        except OSError:
            pass
        return listing

    def _check_regular(self, path: Path) -> None:
        """Raise :class:`BadMediaPathError` unless ``path`` is a regular file."""
        _require_regular(path)

    def _listed(self, folder: str) -> dict[str, tuple[bool, bool, bool]]:
        listing = self._listings.get(folder)
        if listing is None:
            listing = self._listings[folder] = self._scan(folder)
        return listing

    def _entry(self, folder: str, name: str) -> tuple[bool, bool, bool] | None:
        return self._listed(folder).get(name)

    def _inside(self, real: str) -> bool:
        return real == self._root or real.startswith(self._root + os.sep)

    def _folder(self, parts: tuple[str, ...]) -> tuple[str, Path | None, dict[str, tuple[bool, bool, bool]]] | None:
        """``(path, its Path, its listing)`` of the folder ``parts`` lead to (None when a part is missing or not a
        folder). A walk through no symlink depends on the cached listings alone and is remembered (many samples share a
        folder: one walk and one ``Path`` each); one through a symlink is walked again each time (its Path is None
        then)."""
        hit = self._folders.get(parts)
        if hit is not None or parts in self._folders:
            return hit
        current = self._root
        linked = False
        for part in parts:
            info = self._entry(current, part)
            if info is None:
                break
            is_dir, is_link, _regular = info
            nxt = current + os.sep + part
            if is_link:
                linked = True
                real = os.path.realpath(nxt)
                if not self._inside(real):
                    raise MediaEscapeError(f"{nxt} is a symlink to {real}, outside the task folder {self.root}")
                if not os.path.exists(real):
                    return None
                nxt, is_dir = real, os.path.isdir(real)
            if not is_dir:
                break
            current = nxt
        else:
            if linked:
                return current, None, self._listed(current)
            found = self._folders[parts] = current, Path(current), self._listed(current)
            return found
        if not linked:
            self._folders[parts] = None
        return None

    def _lookup(self, parts: tuple[str, ...]) -> tuple[Path, bool, bool] | None:
        """``(path, is a folder, known to be a regular file from the listing)`` of one candidate, None when it does
        not exist."""
        folder = self._folders.get(parts[:-1]) or self._folder(parts[:-1])  # a remembered folder, else the walk
        if folder is None:
            return None
        current, folder_path, listing = folder
        name = parts[-1]
        info = listing.get(name)
        if info is None:
            return None
        is_dir, is_link, regular = info
        if is_link:
            nxt = current + os.sep + name
            real = os.path.realpath(nxt)
            if not self._inside(real):
                raise MediaEscapeError(f"{nxt} is a symlink to {real}, outside the task folder {self.root}")
            if not os.path.exists(real):
                return None
            return Path(real), os.path.isdir(real), regular
        if folder_path is None:
            return Path(current + os.sep + name), is_dir, regular
        return _child(folder_path, name), is_dir, regular

    def _parts(self, raw: str) -> tuple[str, ...]:
        if "\0" in raw:
            raise BadMediaPathError(f"path {raw[:80]!r} contains a NUL byte")
        if "\n" in raw or "\r" in raw:
            raise BadMediaPathError(f"path {raw[:80]!r} contains a line break")
        if len(raw) > MAX_PATH_CHARS:
            raise BadMediaPathError(f"path of {len(raw)} characters (over {MAX_PATH_CHARS}): {raw[:80]!r}...")
        text = raw.strip().replace("\\", "/")
        if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
            real = os.path.realpath(text)
            if not self._inside(real):
                raise MediaEscapeError(f"absolute path {raw!r} is outside the task folder {self.root}")
            return tuple(p for p in real[len(self._root) :].split(os.sep) if p)
        parts = text.split("/")
        if "" in parts or "." in parts:
            parts = [p for p in parts if p not in ("", ".")]
        if ".." in parts:
            raise MediaEscapeError(f"path {raw!r} contains '..' (media must stay inside the task folder)")
        return tuple(parts)

    def _other_tries(self, parts: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        """The candidates after ``parts`` itself, in order: under the annotation's folder, under each media folder,
        the base name under each media folder."""
        if self._annotation_prefix:
            yield self._annotation_prefix + parts
        for d in self._media_dirs:
            yield (d, *parts)
        if len(parts) > 1:
            for d in self._media_dirs:
                yield d, parts[-1]

    def resolve_entry(self, raw: str) -> tuple[Path | None, bool]:
        """``(absolute path or None, is a folder)``; see :meth:`resolve`."""
        hit = self._memo.get(raw)
        if hit is not None:
            return hit
        parts = self._parts(raw)
        result: tuple[Path | None, bool] = (None, False)
        regular = False
        if parts:
            found = self._lookup(parts)
            if found is None:
                for candidate in self._other_tries(parts):
                    found = self._lookup(candidate)
                    if found is not None:
                        break
            if found is not None:
                result, regular = (found[0], found[1]), found[2]
        if result[0] is not None and not result[1] and not regular:  # a symlink or an odd listing: stat it
            self._check_regular(result[0])
        self._memo[raw] = result
        return result

    def resolve(self, raw: str) -> Path | None:
        """Absolute path of ``raw`` inside the task folder, or None when no candidate exists.

        Raises:
            MediaEscapeError: ``raw`` (or a symlink on the way) points outside the task folder.
        """
        return self.resolve_entry(raw)[0]


def _require_regular(path: Path) -> None:
    """Raise :class:`BadMediaPathError` unless ``path`` is a regular file (a FIFO would block readers)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise BadMediaPathError(f"{path}: cannot stat ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(mode):
        raise BadMediaPathError(f"{path} is not a regular file (FIFO, socket or device); it is never opened")


def media_kind(raw: str, is_dir: bool, key: str) -> str:
    """Kind of a media reference from its extension, its key and (if resolved) whether it is a folder."""
    key_kind = _key_kind(key)
    if is_dir or key_kind == "list":
        return "frames"
    dot = raw.rfind(".")
    kind = KIND_BY_EXT.get(raw[dot:].lower()) if dot > 0 else None
    if kind:
        return kind
    return "frames" if key_kind == "path" else "file"


@functools.lru_cache(maxsize=4096)
def _key_kind(key: str) -> str:
    """``list`` for a frame-list key, ``path`` for a :data:`PATH_KEYS` key, else "" (remembered per key)."""
    key = key.lower()
    return "list" if key in _FRAME_LIST_KEYS else "path" if key in PATH_KEYS else ""


def is_regular_file(path: Path) -> bool:
    """True for a regular file (symlinks followed); FIFOs, sockets, devices and folders are False."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def verify_media(ref: MediaRef) -> str | None:
    """Open the file's header (image, audio, ``.npy``); returns an error text when it is corrupt."""
    if ref.path is None or not is_regular_file(ref.path):
        return None
    try:
        if (
            ref.kind in ("image", "frames")
            and ref.path.suffix.lower() in KIND_BY_EXT
            and KIND_BY_EXT[ref.path.suffix.lower()] == "image"
        ):
            from PIL import Image

            with Image.open(ref.path) as img:
                img.verify()
        elif ref.kind == "audio":
            import soundfile

            soundfile.info(str(ref.path))
        elif ref.path.suffix.lower() == ".npy":
            import numpy as np

            np.load(ref.path, mmap_mode="r", allow_pickle=False)
    except Exception as exc:  # noqa: BLE001 - any decoder failure means a corrupt file
        return f"corrupt {ref.kind} file {ref.path.name} ({type(exc).__name__}: {exc})"
    return None


def media_ref(resolver: MediaResolver, field: str, raw: str, role: str, key: str) -> tuple[MediaRef, str | None]:
    """Resolve one media string; returns the reference and an error text (None when it resolved)."""
    try:
        path, is_dir = resolver.resolve_entry(raw)
    except BadMediaPathError as exc:
        shown = raw if len(raw) <= 120 else raw[:120] + "..."
        ref = MediaRef(media_kind(raw, False, key), None, raw, role, field)
        return ref, f"refused media {shown!r} ({field}): {exc}"
    ref = MediaRef(media_kind(raw, is_dir, key), path, raw, role, field)
    if path is None:
        return ref, f"missing media {raw!r} ({field}) under {resolver.root}"
    return ref, None
