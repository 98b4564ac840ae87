"""Safe, once-only unpacking of task archives (``<Task>.zip``, ``open.tar.gz``) into the cache.

Every entry is checked before anything is written: absolute names, ``..`` components, links and
device files are refused with :class:`UnsafeArchiveError`. Extraction goes to a temporary folder
that is renamed into place, so a crash never leaves a half-unpacked task behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from lmms_general.dataset.errors import UnsafeArchiveError
from lmms_general.dataset.layout import MEDIA_DIRS, cache_root

_DONE = ".lmms_general_unpacked"


def _check_name(name: str, archive: Path) -> None:
    clean = name.replace("\\", "/")
    parts = PurePosixPath(clean).parts
    if clean.startswith("/") or (len(clean) > 1 and clean[1] == ":") or ".." in parts:
        raise UnsafeArchiveError(f"{archive}: entry {name!r} would escape the target folder")


def _check_zip(zf: zipfile.ZipFile, archive: Path) -> list[zipfile.ZipInfo]:
    members = zf.infolist()
    for info in members:
        _check_name(info.filename, archive)
        mode = info.external_attr >> 16
        if mode and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise UnsafeArchiveError(f"{archive}: entry {info.filename!r} is a link or special file (refused)")
    return members


def _check_tar(tf: tarfile.TarFile, archive: Path) -> list[tarfile.TarInfo]:
    members = tf.getmembers()
    for info in members:
        _check_name(info.name, archive)
        if not (info.isfile() or info.isdir()):
            raise UnsafeArchiveError(f"{archive}: entry {info.name!r} is a link or special file (refused)")
    return members


def _extract(archive: Path, dest: Path) -> None:
    name = archive.name.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            for info in _check_zip(zf, archive):
                zf.extract(info, dest)
    elif name.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(archive, "r:*") as tf:
            members = _check_tar(tf, archive)
            if hasattr(tarfile, "data_filter"):
                tf.extractall(dest, members=members, filter="data")
            else:  # pragma: no cover - Python < 3.11.4
                tf.extractall(dest, members=members)
    else:
        raise UnsafeArchiveError(f"{archive}: not a .zip or .tar.gz archive")


def unpack_dir(archive: Path) -> Path:
    """The cache folder an archive unpacks to (keyed by its path, size and mtime)."""
    st = archive.stat()
    digest = hashlib.sha1(str(archive.resolve()).encode("utf-8")).hexdigest()[:16]
    return cache_root() / "unpacked" / f"{digest}-{st.st_size}-{st.st_mtime_ns}"


def unpack(archive: Path) -> Path:
    """Unpack ``archive`` once into the cache and return the folder; later calls reuse it.

    Raises:
        UnsafeArchiveError: an entry is absolute, contains ``..``, or is a link / device.
        zipfile.BadZipFile, tarfile.TarError, OSError: the archive is unreadable.
    """
    target = unpack_dir(archive)
    if (target / _DONE).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=target.parent))
    try:
        _extract(archive, tmp)
        (tmp / _DONE).write_text(str(archive), encoding="utf-8")
        if target.exists():  # a stale, incomplete folder from an interrupted run
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / _DONE).exists():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def content_root(folder: Path) -> Path:
    """Descend through a lone wrapping folder (an archive packed with a top-level directory)."""
    current = folder
    for _ in range(3):
        entries = [e for e in current.iterdir() if e.name != _DONE and not e.name.startswith(".")]
        lone = entries[0] if len(entries) == 1 else None
        if lone is not None and lone.is_dir() and lone.name.lower() not in MEDIA_DIRS + ("json",):
            current = entries[0]
        else:
            break
    return current
