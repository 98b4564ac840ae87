"""Where the General-Bench data is: the root folder given or named by ``$GENERAL_BENCH_ROOT``."""

from __future__ import annotations

import os
from pathlib import Path

from lmms_general.dataset.errors import ROOT_ENV, DatasetNotFoundError, hub_hint


def resolve_root(root: str | os.PathLike[str] | None = None) -> Path:
    """The General-Bench root: ``root`` if given, else ``$GENERAL_BENCH_ROOT`` (absolute, symlinks resolved).

    Raises:
        DatasetNotFoundError: neither is set, or the folder does not exist.
    """
    if root is None or str(root) == "":
        env = os.environ.get(ROOT_ENV, "")
        if not env:
            raise DatasetNotFoundError(
                f"no General-Bench data: set {ROOT_ENV} to your General-Bench-Openset or General-Bench-Closeset "
                f"folder; {hub_hint()}"
            )
        root = env
    path = Path(os.path.realpath(Path(root).expanduser()))
    if not path.is_dir():
        raise DatasetNotFoundError(f"General-Bench root {path} does not exist ({ROOT_ENV}); {hub_hint()}")
    return path
