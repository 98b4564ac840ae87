"""Build the ``$GENERAL_BENCH_ROOT`` index once per machine when several processes start together.

Every rank of a torchrun / accelerate run (and every shard on one node) calls ``index_root``; the index has an
on-disk cache, so holding a file lock around the first build lets one process parse the tree while the others
wait and then read the cache it wrote.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

logger = logging.getLogger("lmms_general")


def lock_path(root: Path) -> Path:
    """The lock file guarding the index build of ``root`` (next to the index cache)."""
    from lmms_general.dataset.layout import cache_root

    digest = hashlib.sha1(str(root).encode("utf-8")).hexdigest()[:20]
    return cache_root() / "index" / f"{digest}.lock"


def warm_index(root: str | os.PathLike[str] | None = None, timeout_s: float = 3600.0) -> bool:
    """Index ``root`` (default ``$GENERAL_BENCH_ROOT``) under a cross-process lock; False when no root is set."""
    if root is None and not os.environ.get("GENERAL_BENCH_ROOT"):
        return False
    from filelock import FileLock

    from lmms_general.dataset import index_root, resolve_root

    path = Path(resolve_root(root)).resolve()
    lock = lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(lock), timeout=timeout_s):
        index = index_root(path)
    logger.debug("General-Bench index of %s ready (%d task folders)", path, len(index.tasks))
    return True
