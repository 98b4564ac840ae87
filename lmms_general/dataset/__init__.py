"""General-Bench on-disk loader (see DATASET_FORMAT rules in docs and the module docstrings).

Public API::

    resolve_root(root=None) -> Path
    index_root(root, *, use_cache=True) -> RootIndex
    load_task(root, registry_key) -> TaskData
    download_tasks(keys, target, *, closeset=False, revision=None) -> Path
    read_predictions(path) -> dict[str, record]
    sample_reference(sample) -> reference answer
"""

from __future__ import annotations

from lmms_general.dataset.errors import (
    DatasetError,
    DatasetNotFoundError,
    NotGeneralBenchTreeError,
    TaskNotFoundError,
    UnsafeArchiveError,
)
from lmms_general.dataset.hub import download_tasks
from lmms_general.dataset.index import RootIndex, clear_process_cache, index_root
from lmms_general.dataset.limits import LimitExceededError
from lmms_general.dataset.loader import load_task, read_task
from lmms_general.dataset.models import MediaRef, Sample, TaskData, TaskFolder
from lmms_general.dataset.predictions import PredictionFileError, read_predictions
from lmms_general.dataset.reference import sample_reference
from lmms_general.dataset.root import resolve_root

__all__ = [
    "DatasetError",
    "DatasetNotFoundError",
    "LimitExceededError",
    "MediaRef",
    "NotGeneralBenchTreeError",
    "PredictionFileError",
    "RootIndex",
    "Sample",
    "TaskData",
    "TaskFolder",
    "TaskNotFoundError",
    "UnsafeArchiveError",
    "clear_process_cache",
    "download_tasks",
    "index_root",
    "load_task",
    "read_predictions",
    "read_task",
    "resolve_root",
    "sample_reference",
]
