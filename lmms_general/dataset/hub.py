"""Downloading just the requested tasks' folders from the Hugging Face hub (raw files, no ``datasets``).

:func:`prepare_root` is the "download from nothing" entry point: with ``GENERAL_BENCH_DOWNLOAD=1`` and
``GENERAL_BENCH_ROOT`` unset (or an empty folder), it fetches only the requested tasks into
``$GENERAL_BENCH_ROOT`` (or ``<cache>/General-Bench-Openset``) with ``snapshot_download`` (progress bars,
resumable: files already there are skipped) and points ``GENERAL_BENCH_ROOT`` at the result.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from lmms_general.dataset.errors import HUB_REPOS, ROOT_ENV, DatasetNotFoundError
from lmms_general.dataset.layout import MODALITY_FOLDERS, PARADIGMS, cache_root
from lmms_general.dataset.matching import Matcher, default_matcher
from lmms_general.registry import load_registry


def task_of_repo_path(path: str) -> tuple[str, str, str, str] | None:
    """``(modality, paradigm, task name, pattern prefix)`` of a repo file path, or None outside a task."""
    parts = PurePosixPath(path).parts
    if len(parts) < 2:
        return None
    modality = MODALITY_FOLDERS.get(parts[0].lower())
    if modality is None:
        return None
    if modality == "nlp":
        return (modality, "comprehension", parts[1], f"{parts[0]}/{parts[1]}") if len(parts) > 2 else None
    if len(parts) < 3 or parts[1].lower() not in PARADIGMS:
        return None
    name = parts[2]
    if len(parts) == 3:  # <modality>/<paradigm>/<Task>.zip
        if not name.lower().endswith(".zip"):
            return None
        return modality, parts[1].lower(), name[:-4], path
    return modality, parts[1].lower(), name, f"{parts[0]}/{parts[1]}/{name}"


def allow_patterns(files: Iterable[str], keys: Iterable[str], matcher: Matcher | None = None) -> list[str]:
    """``allow_patterns`` selecting the task folders / zips of ``keys`` among the repo's ``files``."""
    matcher = matcher or default_matcher()
    wanted = set(keys)
    patterns: set[str] = set()
    for path in files:
        found = task_of_repo_path(path)
        if found is None:
            continue
        modality, paradigm, name, prefix = found
        if matcher.match(modality, paradigm, name) in wanted:
            patterns.add(prefix if prefix.lower().endswith(".zip") else f"{prefix}/*")
    return sorted(patterns)


def download_tasks(keys: Iterable[str], target: Path, *, closeset: bool = False, revision: str | None = None) -> Path:
    """Download the folders of ``keys`` from General-Bench-Openset (or -Closeset) into ``target``.

    The repo's file list is matched to registry rows with the loader's own name matching, then
    ``snapshot_download`` fetches only those paths (with its progress bars). Pin ``revision`` (a commit
    hash) for reproducible runs: re-uploads have changed archive hashes.

    Raises:
        DatasetNotFoundError: the hub is unreachable, or none of ``keys`` has a folder in the repo.
    """
    from huggingface_hub import HfApi, snapshot_download

    keys = list(keys)
    registry = load_registry()
    unknown = [k for k in keys if k not in registry]
    if unknown:
        raise DatasetNotFoundError(f"not General-Bench registry keys: {unknown}")
    repo = HUB_REPOS[1] if closeset else HUB_REPOS[0]
    fix = (f"download where there is network (`hf download {repo} --repo-type dataset --local-dir DIR`, "
           "or this run there with GENERAL_BENCH_DOWNLOAD=1) and point GENERAL_BENCH_ROOT at DIR")
    from lmms_general.offline import hub_endpoint, network_available, offline_by_flag

    if not offline_by_flag() and not network_available():  # one short probe instead of minutes of hub retries
        raise DatasetNotFoundError(f"cannot reach {hub_endpoint()} to download {repo}: no network; {fix}")
    try:
        files = HfApi().list_repo_files(repo, repo_type="dataset", revision=revision)
    except Exception as exc:  # noqa: BLE001 - offline, auth, bad revision: all mean "cannot download"
        raise DatasetNotFoundError(
            f"cannot list https://huggingface.co/datasets/{repo} (revision {revision or 'main'}): {exc}; {fix}"
        ) from exc
    patterns = allow_patterns(files, keys)
    if not patterns:
        raise DatasetNotFoundError(f"none of {keys} has a task folder in https://huggingface.co/datasets/{repo}")
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    logger.warning("General-Bench: downloading %d task folder(s) of %d requested task(s) from %s into %s",
                   len(patterns), len(keys), repo, target)
    snapshot_download(
        repo_id=repo, repo_type="dataset", revision=revision, local_dir=str(target), allow_patterns=patterns
    )
    return target


DOWNLOAD_ENV = "GENERAL_BENCH_DOWNLOAD"
REVISION_ENV = "GENERAL_BENCH_REVISION"
logger = logging.getLogger("lmms_general")


def download_enabled() -> bool:
    """Whether ``$GENERAL_BENCH_DOWNLOAD`` asks for downloads (1/true/yes/on)."""
    return os.environ.get(DOWNLOAD_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def default_download_root(closeset: bool = False) -> Path:
    """Where a download from nothing goes when ``$GENERAL_BENCH_ROOT`` is unset."""
    return cache_root() / ("General-Bench-Closeset" if closeset else "General-Bench-Openset")


def _is_empty(folder: Path) -> bool:
    return folder.is_dir() and next(folder.iterdir(), None) is None


def _present(root: Path, keys: list[str]) -> set[str]:
    from lmms_general.dataset.index import index_root

    if not any(p.name.lower() in MODALITY_FOLDERS for p in root.iterdir() if p.is_dir()):
        return set()
    index = index_root(root)  # cached per process (every task's process_docs asks); cleared after a download
    return {k for k in keys if index.by_key(k) is not None}


def prepare_root(keys: Iterable[str]) -> Path | None:
    """With downloads enabled: make sure the tasks ``keys`` are on disk, fetching only the missing ones.

    Returns the root (and sets ``$GENERAL_BENCH_ROOT`` to it), or None when downloads are off (the caller
    then reports the missing root as usual). A root that is unset, missing or empty is fine here.

    Raises:
        DatasetNotFoundError: the hub cannot be reached, or none of ``keys`` has a folder there.
    """
    if not download_enabled():
        return None
    env = os.environ.get(ROOT_ENV, "").strip()
    root = Path(env).expanduser() if env else default_download_root()
    root.mkdir(parents=True, exist_ok=True)
    wanted = sorted(set(keys))
    missing = wanted if _is_empty(root) else sorted(set(wanted) - _present(root, wanted))
    if missing:
        download_tasks(missing, root, closeset="closeset" in root.name.lower(),
                       revision=os.environ.get(REVISION_ENV) or None)
        from lmms_general.dataset.index import clear_process_cache

        clear_process_cache()
    os.environ[ROOT_ENV] = str(root)
    return root
