"""Exceptions raised by the General-Bench loader."""

from __future__ import annotations

ROOT_ENV = "GENERAL_BENCH_ROOT"
HUB_REPOS = ("General-Level/General-Bench-Openset", "General-Level/General-Bench-Closeset")


class DatasetError(Exception):
    """Base class of every loader error."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """No General-Bench data where it was looked for."""


class NotGeneralBenchTreeError(DatasetNotFoundError):
    """A folder exists but holds none of the modality folders (image, video, audio, 3D, nlp)."""


class TaskNotFoundError(DatasetError, LookupError):
    """A registry task has no task folder under the root."""

    def __str__(self) -> str:  # LookupError would quote the message like a KeyError
        return str(self.args[0]) if self.args else ""


class UnsafeArchiveError(DatasetError):
    """An archive entry would escape its target folder, or is a link or device."""


def hub_hint() -> str:
    """Where the data can be downloaded from (for error messages)."""
    repos = " or ".join(f"https://huggingface.co/datasets/{r}" for r in HUB_REPOS)
    return f"download it from {repos} (huggingface_hub, repo_type='dataset')"
