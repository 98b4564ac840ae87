"""Safe, once-only unpacking of task archives (``<Task>.zip``, ``open.tar.gz``) into the cache.

Every entry is checked before anything is written: absolute names, ``..`` components, links and
device files are refused with :class:`UnsafeArchiveError`; ``\\`` in entry names (zips made on
Windows) separates folders. The entry count, the unpacked size and the compression ratio are bounded
(:mod:`lmms_general.dataset.limits`). Extraction goes to a ``.partial-*`` folder that is renamed into
place while a per-archive file lock is held, so concurrent processes unpack an archive once and never
see a half-unpacked or vanishing folder; partial folders left by a killed run are removed on the next
unpack. Entries that would not unpack to one tree (a file named twice, a file and a folder of one name, a
name too long for a file system) are refused when the archive is listed or unpacked. A zip member that fails
its CRC-32 check is left out and recorded beside the unpack marker (:func:`unreadable_members`), so it fails
the samples that use it, never the task. The cache folder is keyed by :func:`archive_digest` (the member list
with CRCs), so an archive replaced with the same size and mtime is unpacked again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from filelock import FileLock, Timeout

from lmms_general.dataset.errors import UnsafeArchiveError
from lmms_general.dataset.layout import MEDIA_DIRS, cache_root
from lmms_general.dataset.limits import (
    MAX_ARCHIVE_ENTRIES,
    MAX_COMPRESSION_RATIO,
    MAX_UNPACKED_BYTES,
    RATIO_FLOOR_BYTES,
    LimitExceededError,
)

_DONE = ".lmms_general_unpacked"
#: members of the archive that failed their CRC check (JSON: member -> error), beside the unpack marker
_UNREADABLE = ".lmms_general_unreadable.json"
#: the words every error about such a member carries
UNREADABLE_MEMBER = "unreadable archive member"
PARTIAL = ".partial-"
_CHUNK = 1 << 20


def entry_parts(name: str, archive: Path) -> tuple[str, ...]:
    """The path components of an archive entry (``/`` or ``\\`` separated); raises on escapes."""
    clean = name.replace("\\", "/")
    parts = PurePosixPath(clean).parts
    if clean.startswith("/") or (len(clean) > 1 and clean[1] == ":") or ".." in parts or "\0" in clean:
        raise UnsafeArchiveError(f"{archive}: entry {name!r} would escape the target folder")
    return tuple(p for p in clean.split("/") if p not in ("", "."))


def _check_totals(entries: int, unpacked: int, archive: Path) -> None:
    MAX_ARCHIVE_ENTRIES.check(entries, str(archive))
    MAX_UNPACKED_BYTES.check(unpacked, str(archive))
    if unpacked > RATIO_FLOOR_BYTES:
        ratio = unpacked // max(archive.stat().st_size, 1)
        MAX_COMPRESSION_RATIO.check(ratio, f"{archive} (unpacks to {unpacked:,} bytes)")


#: longest entry name component (bytes, as UTF-8) a file system takes, and longest whole entry path
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4000


def check_entry_tree(entries: list[tuple[tuple[str, ...], bool, str]], archive: Path) -> None:
    """Entries ``(parts, is_folder, name as written)`` that would unpack to one tree: no file named twice (two
    ``annotation.json`` entries: the index would read one, the unpack keep the other), no file and folder of the
    same name (in either order), no name a file system refuses as too long.

    Raises:
        UnsafeArchiveError: naming the archive and the entry.
    """
    files: dict[tuple[str, ...], str] = {}
    folders: set[tuple[str, ...]] = set()
    for parts, is_folder, name in entries:
        if not parts:
            continue
        if any(len(p.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for p in parts) or \
                len("/".join(parts).encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
            raise UnsafeArchiveError(f"{archive}: entry {name[:120]!r}... has a name too long to unpack "
                                     f"(over {MAX_NAME_BYTES} bytes per name or {MAX_PATH_BYTES} per path)")
        if is_folder:
            if parts in files:
                raise UnsafeArchiveError(f"{archive}: entry {name!r} is a folder and a file of the same name")
            folders.add(parts)
            continue
        if parts in files:
            raise UnsafeArchiveError(f"{archive}: entry {name!r} appears twice (which copy is meant is ambiguous)")
        if parts in folders:
            raise UnsafeArchiveError(f"{archive}: entry {name!r} is a file and a folder of the same name")
        files[parts] = name
    for parts in list(files) + list(folders):
        for depth in range(1, len(parts)):
            if parts[:depth] in files:
                raise UnsafeArchiveError(f"{archive}: entry {files[parts[:depth]]!r} is a file, but other entries "
                                         f"sit inside it as a folder ({'/'.join(parts)!r})")


def zip_members(zf: zipfile.ZipFile, archive: Path) -> list[tuple[zipfile.ZipInfo, tuple[str, ...]]]:
    members = zf.infolist()
    _check_totals(len(members), sum(i.file_size for i in members), archive)
    out = []
    for info in members:
        parts = entry_parts(info.filename, archive)
        mode = info.external_attr >> 16
        if mode and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise UnsafeArchiveError(f"{archive}: entry {info.filename!r} is a link or special file (refused)")
        out.append((info, parts))
    check_entry_tree([(parts, info.filename.endswith(("/", "\\")), info.filename) for info, parts in out], archive)
    return out


#: archives unpacking to fewer bytes get no progress bar (they take well under a second)
PROGRESS_MIN_BYTES = 64 << 20


def progress_bar(total: int, archive: Path) -> Any:
    """A byte progress bar for unpacking ``archive`` (tqdm; off when not a terminal or the archive is small)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=f"unpacking {archive.name}",
                leave=False, disable=None if total >= PROGRESS_MIN_BYTES else True)


def _extract_zip(archive: Path, dest: Path) -> dict[str, str]:
    """Unpack a zip into ``dest``; returns the members that could not be read (``a/b.jpg`` -> the error).

    A member whose data fails its CRC-32 check or does not inflate is left out (no partial file) and
    reported, so one corrupt frame fails the samples that use it, never the task.
    """
    budget = MAX_UNPACKED_BYTES.value() or float("inf")
    written = 0
    unreadable: dict[str, str] = {}
    with zipfile.ZipFile(archive) as zf:
        members = zip_members(zf, archive)
        with progress_bar(sum(i.file_size for i, _ in members), archive) as bar:
            for info, parts in members:
                if not parts:
                    continue
                path = dest.joinpath(*parts)
                if info.filename.endswith(("/", "\\")):
                    path.mkdir(parents=True, exist_ok=True)
                    continue
                path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    with zf.open(info) as src, path.open("wb") as dst:
                        while chunk := src.read(_CHUNK):
                            written += len(chunk)
                            if written > budget:  # zipfile enforces declared sizes; this guards the total anyway
                                MAX_UNPACKED_BYTES.check(written, str(archive))
                            dst.write(chunk)
                            bar.update(len(chunk))
                except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
                    path.unlink(missing_ok=True)
                    unreadable["/".join(parts)] = f"{type(exc).__name__}: {exc}"
                    local = _local_header_name(archive, info)
                    if local and local != "/".join(parts):  # a damaged name: the other spelling may be the sample's
                        unreadable[local] = unreadable["/".join(parts)]
    return unreadable


def _local_header_name(archive: Path, info: zipfile.ZipInfo) -> str | None:
    """The member's name as its local header spells it (the central directory's copy may be the damaged one)."""
    try:
        with archive.open("rb") as handle:
            handle.seek(info.header_offset)
            header = handle.read(30)
            if len(header) < 30 or header[:4] != b"PK\x03\x04":
                return None
            name = handle.read(int.from_bytes(header[26:28], "little"))
        return "/".join(entry_parts(name.decode("utf-8", "replace"), archive)) or None
    except (OSError, UnsafeArchiveError):
        return None


def unreadable_members(folder: Path) -> dict[Path, str]:
    """Files of an unpacked archive (``folder`` is its cache folder or inside it) that could not be read:
    absolute path the member would have -> ``<archive>!/<member>: unreadable archive member (error)``."""
    for candidate in (folder, *folder.parents):
        if candidate.parent.name == "unpacked":
            try:
                doc = json.loads((candidate / _UNREADABLE).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return {}
            archive = archive_of(candidate)
            return {candidate.joinpath(*member.split("/")): f"{archive}!/{member}: {UNREADABLE_MEMBER} ({err})"
                    for member, err in doc.items()} if isinstance(doc, dict) else {}
    return {}


def tar_members(tf: tarfile.TarFile, archive: Path) -> list[tarfile.TarInfo]:
    members = tf.getmembers()
    _check_totals(len(members), sum(m.size for m in members if m.isfile()), archive)
    for info in members:
        parts = entry_parts(info.name, archive)
        if not (info.isfile() or info.isdir()):
            raise UnsafeArchiveError(f"{archive}: entry {info.name!r} is a link or special file (refused)")
        info.name = "/".join(parts) or "."
    check_entry_tree([(tuple(p for p in m.name.split("/") if p not in ("", ".")), m.isdir(), m.name)
                      for m in members], archive)
    return members


def _extract(archive: Path, dest: Path) -> dict[str, str]:
    name = archive.name.lower()
    if name.endswith(".zip"):
        return _extract_zip(archive, dest)
    elif name.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(archive, "r:*") as tf:
            members = tar_members(tf, archive)
            with progress_bar(sum(m.size for m in members if m.isfile()), archive) as bar:
                for member in members:  # one by one for the bar; no modes or times (a 0o500 folder would
                    # refuse its own files before extractall's deferred fix-up, and the cache needs neither)
                    if hasattr(tarfile, "data_filter"):
                        tf.extract(member, dest, set_attrs=False, filter="data")
                    else:  # pragma: no cover - Python < 3.11.4
                        tf.extract(member, dest, set_attrs=False)
                    bar.update(member.size if member.isfile() else 0)
        return {}
    raise UnsafeArchiveError(f"{archive}: not a .zip or .tar.gz archive")


_EDGE = 64 * 1024
_DIGESTS: dict[tuple[Any, ...], str] = {}


def _file_digest(path: Path, whole: bool) -> str:
    """blake2b of the whole file, or of its first and last 64 KiB."""
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        if whole:
            while block := handle.read(_CHUNK):
                digest.update(block)
        else:
            digest.update(handle.read(_EDGE))
            handle.seek(max(0, os.fstat(handle.fileno()).st_size - _EDGE))
            digest.update(handle.read(_EDGE))
    return digest.hexdigest()


def archive_digest(archive: Path) -> str:
    """A content key of an archive that notices a replaced archive even with equal size and mtime.

    A zip: its central directory (every member's name, CRC-32, sizes, offset and method); a gzip'd tar: its
    first 64 KiB and its trailer (CRC-32 and size of all the uncompressed bytes); a plain tar: all its bytes; an
    unreadable zip: its first and last 64 KiB. Memoised per process by path, size, mtime, ctime and inode (a
    replacement changes the ctime, which no tool can set back).
    """
    st = archive.stat()
    memo = (str(archive), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    if memo in _DIGESTS:
        return _DIGESTS[memo]
    name = archive.name.lower()
    if name.endswith(".zip"):
        try:
            with zipfile.ZipFile(archive) as zf:
                listing = [(i.filename, i.CRC, i.compress_size, i.file_size, i.header_offset, i.compress_type)
                           for i in zf.infolist()]
            value = hashlib.blake2b(json.dumps(listing).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            value = _file_digest(archive, whole=False)
    else:
        value = _file_digest(archive, whole=not name.endswith((".gz", ".tgz")))
    _DIGESTS[memo] = value
    return value


def unpack_dir(archive: Path) -> Path:
    """The cache folder an archive unpacks to (keyed by its path, size, mtime and :func:`archive_digest`)."""
    st = archive.stat()
    digest = hashlib.sha1(str(archive.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return cache_root() / "unpacked" / f"{digest}-{st.st_size}-{st.st_mtime_ns}-{archive_digest(archive)[:16]}"


def _lock(target: Path, timeout: float = -1) -> FileLock:
    return FileLock(str(target) + ".lock", timeout=timeout)


def clean_stale_partials(parent: Path, own: str | None = None) -> list[Path]:
    """Remove ``.partial-*`` folders nobody is writing (their archive's lock is free); returns them.

    ``own`` names a target whose lock the caller already holds: its partial folders go unconditionally.
    """
    removed: list[Path] = []
    try:
        partials = [p for p in parent.iterdir() if p.name.startswith(PARTIAL) and p.is_dir()]
    except OSError:
        return removed
    for folder in partials:
        owner = folder.name[len(PARTIAL) :].rpartition(".")[0]
        if not owner:
            continue
        if owner == own:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
            continue
        try:
            with _lock(parent / owner, timeout=0):
                if folder.exists():
                    shutil.rmtree(folder, ignore_errors=True)
                    removed.append(folder)
        except Timeout:  # another process is unpacking that archive right now
            continue
    return removed


def unpack(archive: Path) -> Path:
    """Unpack ``archive`` once into the cache and return the folder; later calls (any process) reuse it.

    Raises:
        UnsafeArchiveError: an entry is absolute, contains ``..``, or is a link / device.
        LimitExceededError: too many entries, too large unpacked, or too high a compression ratio.
        zipfile.BadZipFile, tarfile.TarError, OSError: the archive is unreadable.
    """
    target = unpack_dir(archive)
    if (target / _DONE).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock(target):
        if (target / _DONE).exists():  # another process finished while we waited
            return target
        clean_stale_partials(target.parent, own=target.name)
        tmp = Path(tempfile.mkdtemp(prefix=f"{PARTIAL}{target.name}.", dir=target.parent))
        try:
            unreadable = _extract(archive, tmp)
            if unreadable:
                (tmp / _UNREADABLE).write_text(json.dumps(unreadable, ensure_ascii=False), encoding="utf-8")
            (tmp / _DONE).write_text(str(archive), encoding="utf-8", errors="backslashreplace")
            if target.exists():  # an incomplete folder of an older version of this code
                shutil.rmtree(target)
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return target


def archive_of(folder: Path) -> Path | None:
    """The archive an unpacked cache folder (or a folder inside it) came from, from its unpack marker; None
    for any other folder or when the marker cannot be read."""
    for candidate in (folder, *folder.parents):
        if candidate.parent.name == "unpacked":
            try:
                text = (candidate / _DONE).read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                return None
            return Path(text) if text else None
    return None


def lone_wrapper(entries: list[tuple[str, bool]]) -> str | None:
    """The folder to descend into when a folder holds only one wrapping folder, else None.

    ``entries`` are ``(name, is_folder)``; hidden names and the unpack marker are ignored, and a lone
    media or ``json`` folder is content, not a wrapper. Shared by unpacked folders and archive listings.
    """
    visible = [(n, d) for n, d in entries if n != _DONE and not n.startswith(".")]
    if len(visible) == 1 and visible[0][1] and visible[0][0].lower() not in MEDIA_DIRS + ("json",):
        return visible[0][0]
    return None


def content_root(folder: Path) -> Path:
    """Descend through a lone wrapping folder (an archive packed with a top-level directory)."""
    current = folder
    for _ in range(3):
        inner = lone_wrapper([(e.name, e.is_dir()) for e in current.iterdir()])
        if inner is None:
            break
        current = current / inner
    return current


__all__ = [
    "LimitExceededError",
    "archive_digest",
    "archive_of",
    "clean_stale_partials",
    "content_root",
    "entry_parts",
    "lone_wrapper",
    "unpack",
    "unpack_dir",
    "UNREADABLE_MEMBER",
    "unreadable_members",
]
