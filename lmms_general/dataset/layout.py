"""Where things are: modality folders (any casing), task folders, archives, the cache folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CACHE_ENV = "LMMS_GENERAL_CACHE"

#: top-level folder name (lower-cased) -> modality
MODALITY_FOLDERS: dict[str, str] = {"image": "image", "video": "video", "audio": "audio", "3d": "3d", "nlp": "nlp"}
#: modality -> its top-level folder as the hub tree (and the leaderboard submission) spells it
HUB_MODALITY_DIRS: dict[str, str] = {"image": "image", "video": "video", "audio": "audio", "3d": "3D", "nlp": "nlp"}
PARADIGMS: tuple[str, ...] = ("comprehension", "generation")
#: folders media paths may be relative to (DATASET_FORMAT.md §10 rule 6), in lookup order
MEDIA_DIRS: tuple[str, ...] = ("images", "videos", "video", "audios", "pointclouds", "depth")
#: per-task archives unpacked into the task folder
TASK_ARCHIVES: tuple[str, ...] = ("open.tar.gz", "close.tar.gz")
_SKIP = {"__macosx"}


def cache_root() -> Path:
    """``$LMMS_GENERAL_CACHE`` or ``~/.cache/lmms_general`` (created on demand by writers)."""
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "lmms_general"


@dataclass(frozen=True)
class TaskLocation:
    """A task as found in the tree, before unpacking: a folder, or a ``<Task>.zip`` without a folder."""

    modality: str
    paradigm: str
    name: str
    source: Path
    is_zip: bool = False


def _visible_dirs(folder: Path) -> list[Path]:
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return []
    return [e for e in entries if e.is_dir() and not e.name.startswith(".") and e.name.lower() not in _SKIP]


def modality_folders(root: Path) -> dict[str, Path]:
    """Top-level modality folders of ``root`` matched case-insensitively (``3D``, ``NLP``, ``Image``)."""
    found: dict[str, Path] = {}
    for entry in _visible_dirs(root):
        modality = MODALITY_FOLDERS.get(entry.name.lower())
        if modality and modality not in found:
            found[modality] = entry
    return found


def _tasks_in(folder: Path, modality: str, paradigm: str) -> list[TaskLocation]:
    tasks = [TaskLocation(modality, paradigm, d.name, d) for d in _visible_dirs(folder)]
    present = {t.name.lower() for t in tasks}
    for archive in sorted(folder.glob("*.zip")):
        if archive.is_file() and archive.stem.lower() not in present:
            tasks.append(TaskLocation(modality, paradigm, archive.stem, archive, is_zip=True))
    return sorted(tasks, key=lambda t: t.name)


def task_locations(root: Path) -> list[TaskLocation]:
    """Every task of the tree in a stable order: ``nlp/<Task>``, ``<modality>/<paradigm>/<Task>[.zip]``."""
    out: list[TaskLocation] = []
    for modality, folder in sorted(modality_folders(root).items()):
        if modality == "nlp":
            out.extend(_tasks_in(folder, "nlp", "comprehension"))
            continue
        for sub in _visible_dirs(folder):
            paradigm = sub.name.lower()
            if paradigm in PARADIGMS:
                out.extend(_tasks_in(sub, modality, paradigm))
    return out
