"""Writing files atomically (a temporary file in the same folder, then ``os.replace``): a reader never sees half
a file, and a crash or kill mid-write leaves the old file (or none) in place, never a partial one.

:func:`write_text_atomic` / :func:`write_bytes_atomic` / :func:`write_json_atomic` write a whole value;
:func:`atomic_path` hands a temporary path to code that writes a file itself (``csv``, ``zipfile``) and renames it
into place only when that code finished without an exception.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: read once at import (``os.umask`` can only be read by setting it, which is not thread-safe later)
_UMASK = _read_umask()


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; renamed onto ``path`` on success, removed on failure.

    The parent folder is created. Raises OSError when it is not writable.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # what open() would have given (mkstemp makes 0600)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8",
                      errors: str = "strict") -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding, errors=errors)


def write_json_atomic(path: Path, payload: Any) -> None:
    """Write ``payload`` as JSON to ``path`` atomically; raises OSError when the folder is not writable."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        json.dump(payload, handle)  # ASCII escapes: paths with undecodable bytes (surrogates) stay writable
