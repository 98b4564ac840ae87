"""Reading a task archive without unpacking it: its file tree, its content root and one member's bytes.

The index uses this to count samples and check media of ``<Task>.zip`` / ``open.tar.gz`` tasks, so that
indexing a tree unpacks nothing; only loading a task (:func:`lmms_general.dataset.load_task`) unpacks its
own archive. Listing applies the same safety checks and limits as unpacking (escaping names, links and
devices, entry count, unpacked size, compression ratio), so an archive the index accepts unpacks too.
"""

from __future__ import annotations

import os
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lmms_general.dataset.annotations import is_annotation_candidate
from lmms_general.dataset.archives import entry_parts, lone_wrapper, tar_members, zip_members
from lmms_general.dataset.errors import UnsafeArchiveError
from lmms_general.dataset.limits import MAX_ANNOTATION_BYTES
from lmms_general.dataset.media import MediaResolver

Parts = tuple[str, ...]
#: annotation candidates kept in memory while listing a tar: at most this many bytes in all ...
_KEEP_JSON_BYTES = 64 << 20
#: ... and only at annotation depth (three wrapping folders, then ``json/<file>``)
_JSON_DEPTH = 5


@dataclass(frozen=True)
class ArchiveListing:
    """The regular files (with sizes) and folders of an archive, as path components."""

    archive: Path
    files: dict[Parts, int]
    folders: frozenset[Parts]
    #: bytes of small ``*.json`` members read while listing a tar (gzip cannot seek back cheaply)
    json_bytes: dict[Parts, bytes] = field(default_factory=dict, repr=False, compare=False)
    _children: dict[Parts, dict[str, bool]] = field(default_factory=dict, repr=False, compare=False)

    def children(self, folder: Parts) -> dict[str, bool]:
        """``name -> is a folder`` of the entries directly inside ``folder`` (empty when it is not one)."""
        if not self._children:
            tree: dict[Parts, dict[str, bool]] = {(): {}}
            for parts in self.folders:
                for depth in range(len(parts)):
                    tree.setdefault(parts[:depth], {})[parts[depth]] = True
                tree.setdefault(parts, {})
            for parts in self.files:
                for depth in range(len(parts) - 1):
                    tree.setdefault(parts[:depth], {})[parts[depth]] = True
                    tree.setdefault(parts[: depth + 1], {})
                tree.setdefault(parts[:-1], {}).setdefault(parts[-1], False)
            self._children.update(tree)
        return self._children.get(folder, {})

    def content_root(self) -> Parts:
        """The folder the task's files sit in once unpacked (lone wrapping folders skipped, as on disk)."""
        current: Parts = ()
        for _ in range(3):
            inner = lone_wrapper(list(self.children(current).items()))
            if inner is None:
                break
            current = (*current, inner)
        return current


def list_archive(archive: Path) -> ArchiveListing:
    """List ``archive`` (``.zip``, ``.tar.gz``, ``.tgz``, ``.tar``) with the unpacking checks applied.

    Raises:
        UnsafeArchiveError: an escaping name, a link or special file, or an unknown archive type.
        LimitExceededError: too many entries, too large unpacked, or too high a compression ratio.
        zipfile.BadZipFile, tarfile.TarError, OSError, EOFError: the archive is unreadable.
    """
    files: dict[Parts, int] = {}
    folders: set[Parts] = set()
    json_bytes: dict[Parts, bytes] = {}
    name = archive.name.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            for info, parts in zip_members(zf, archive):
                if not parts:
                    continue
                if info.filename.endswith(("/", "\\")):
                    folders.add(parts)
                else:
                    files[parts] = info.file_size
    elif name.endswith((".tar.gz", ".tgz", ".tar")):
        budget = _KEEP_JSON_BYTES
        with tarfile.open(archive, "r:*") as tf:
            for member in tar_members(tf, archive):
                parts = tuple(p for p in member.name.split("/") if p not in ("", "."))
                if not parts:
                    continue
                if member.isdir():
                    folders.add(parts)
                    continue
                files[parts] = member.size
                if is_annotation_candidate(parts[-1]) and len(parts) <= _JSON_DEPTH and member.size <= budget:
                    handle = tf.extractfile(member)  # the stream is here now: no second decompression pass
                    if handle is not None:
                        json_bytes[parts] = handle.read()
                        budget -= member.size
    else:
        raise UnsafeArchiveError(f"{archive}: not a .zip or .tar.gz archive")
    return ArchiveListing(archive, files, frozenset(folders), json_bytes)


def read_member(archive: Path, parts: Parts, listing: ArchiveListing | None = None) -> bytes:
    """The bytes of one regular file of ``archive`` (bounded by ``$LMMS_GENERAL_MAX_ANNOTATION_BYTES``);
    taken from ``listing`` when it kept them.

    Raises:
        KeyError: no such file; LimitExceededError: the file is over the annotation size limit;
        zipfile.BadZipFile, tarfile.TarError, OSError: the archive is unreadable.
    """
    where = f"{archive}!/{'/'.join(parts)}"
    if listing is not None and parts in listing.json_bytes:
        MAX_ANNOTATION_BYTES.check(len(listing.json_bytes[parts]), where)
        return listing.json_bytes[parts]
    if archive.name.lower().endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if entry_parts(info.filename, archive) == parts:
                    MAX_ANNOTATION_BYTES.check(info.file_size, where)
                    return zf.read(info)
    else:
        with tarfile.open(archive, "r:*") as tf:
            for member in tf:
                if member.isfile() and entry_parts(member.name, archive) == parts:
                    MAX_ANNOTATION_BYTES.check(member.size, where)
                    handle = tf.extractfile(member)
                    if handle is None:  # pragma: no cover - isfile() members always have data
                        break
                    return handle.read()
    raise KeyError(f"{where}: no such file in the archive")


class ArchiveMediaResolver(MediaResolver):
    """Resolves media strings against an archive's listing, as if it were unpacked at ``task_dir``.

    Paths resolve to where the files will be once the archive is unpacked; the archive holds no links or
    special files (listing refuses them), so every resolved file is a regular file.
    """

    def __init__(self, task_dir: Path, listing: ArchiveListing, inside: Parts, annotation_dir: Path | None = None):
        self._listing = listing
        self._inside_parts = inside
        super().__init__(task_dir, annotation_dir)

    def _scan(self, folder: str) -> dict[str, tuple[bool, bool, bool]]:
        rel = tuple(p for p in folder[len(self._root) :].split(os.sep) if p)
        children = self._listing.children((*self._inside_parts, *rel))
        return {name: (is_dir, False, not is_dir) for name, is_dir in children.items()}

    def _check_regular(self, path: Path) -> None:
        return None
