"""Data tasks outside the reference table: task folders that match no registry row still run, apart from General-Level.

A folder under the root whose name and annotation ``task`` match none of the 699 rows (e.g. a Dialogue Relation
Extraction folder) becomes the lmms-eval task ``general_bench_<modality>_<comp|gen>_extra_<slug>``
(``general_bench_nlp_extra_<slug>``), key ``<modality>_<comp|gen>_extra_<slug>``: named like the registry rows,
so code that reads the modality off a key treats it alike, with ``extra_`` marking it outside the table. Its
metric is inferred from its annotation's reference answers (:func:`infer_metric`): multiple-choice options or
short label answers -> accuracy, lists of labels -> micro-F1, numbers -> MAE, free text -> ROUGE-L; other shapes
(boxes, masks, generation) are listed by ``validate`` with the reason they cannot run. It has no SoTA (NaN), is
never in a Level, and ``lmms-general level`` reports it beside the other lmms-eval benchmarks as "outside
General-Level".

The spec of an extra task is built from the data (:func:`discover`) and remembered per process, so the hooks,
scoring and the oracle find it through :func:`lmms_general.registry.task_spec` like a registry row.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmms_general.registry import PARADIGM_SHORT, TASK_PREFIX, TaskSpec

EXTRA_MARK = "extra_"
_EXTRA_KEY = re.compile(r"(nlp|(image|video|audio|3d)_(comp|gen))_extra_\w+")
EXTRA_GROUP = f"{TASK_PREFIX}extra"
SHEET = "outside the reference table"
#: a label answer: at most this many words and characters
_LABEL_WORDS, _LABEL_CHARS = 4, 40
_LOCK = threading.Lock()
_SPECS: dict[str, TaskSpec] = {}
_DISCOVERED: dict[str, tuple[Any, tuple[ExtraTask, ...]]] = {}  # root -> (folder states, tasks found)


class ExtraTaskError(LookupError):
    """A ``..._extra_...`` key whose folder is not under the root, or whose metric cannot be inferred."""


@dataclass(frozen=True)
class ExtraTask:
    """One task folder outside the reference table: its spec (None when no metric could be inferred) and why."""

    folder: Any  # lmms_general.dataset.TaskFolder
    key: str
    spec: TaskSpec | None
    reason: str

    @property
    def task(self) -> str:
        return TASK_PREFIX + self.key


def slug(text: str) -> str:
    """``Dialogue-Relation-Extraction`` -> ``dialogue_relation_extraction``."""
    return re.sub(r"[^0-9a-z]+", "_", str(text).lower()).strip("_") or "task"


def extra_key(modality: str, paradigm: str, folder_name: str) -> str:
    """The registry-like key of a folder outside the table."""
    if modality == "nlp":
        return f"nlp_{EXTRA_MARK}{slug(folder_name)}"
    return f"{modality}_{PARADIGM_SHORT[paradigm]}_{EXTRA_MARK}{slug(folder_name)}"


def is_extra_key(key: str) -> bool:
    """Whether ``key`` names a task outside the reference table (``<modality>_<comp|gen>_extra_<slug>``, no row)."""
    from lmms_general.registry import load_registry

    return bool(_EXTRA_KEY.fullmatch(str(key))) and str(key) not in load_registry()


def _short_label(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= _LABEL_CHARS \
        and len(value.split()) <= _LABEL_WORDS


def infer_metric(references: Sequence[Any], has_options: bool) -> tuple[str | None, str]:
    """``(metric id, why)`` from a task's reference answers (``None`` references are Closeset samples, skipped);
    metric id None when the answers have no shape a text metric can score."""
    refs = [r for r in references if r is not None]
    if not refs:
        return None, "no reference answers to infer a metric from (Closeset?)"
    if has_options:
        return "accuracy", "multiple-choice options -> accuracy"
    if all(_short_label(r) for r in refs):
        return "accuracy", "short label answers -> accuracy"
    if all(isinstance(r, list) and r and all(_short_label(x) for x in r) for r in refs):
        return "micro_f1", "lists of labels -> micro-F1"
    if all(isinstance(r, (int, float)) and not isinstance(r, bool) and math.isfinite(r) for r in refs):
        return "mae", "numeric answers -> MAE"
    if all(isinstance(r, str) and r.strip() for r in refs):
        return "rouge_l", "free-text answers -> ROUGE-L"
    return None, "answers are neither labels, numbers nor text (no metric can be inferred)"


def spec_for(folder: Any, header: dict[str, Any], samples: Sequence[Any]) -> tuple[str, TaskSpec | None, str]:
    """``(key, spec or None, reason)`` of one outside-the-table folder from its loaded samples."""
    from lmms_general.dataset.reference import raw_sample_reference
    from lmms_general.metrics.aliases import higher_is_better

    key = extra_key(folder.modality, folder.paradigm, folder.name or Path(folder.folder).name)
    if folder.paradigm != "comprehension":
        return key, None, "generation tasks need a reference-free or model metric; not inferred"
    references = []
    for sample in samples:
        try:
            references.append(raw_sample_reference(sample))
        except Exception:  # noqa: BLE001 - an unreadable reference is a missing one
            references.append(None)
    has_options = any(isinstance(s.input, dict) and isinstance(s.input.get("options"), list) for s in samples)
    metric_id, reason = infer_metric(references, has_options)
    if metric_id is None:
        return key, None, reason
    name = str(header.get("task") or folder.name or key)
    spec = TaskSpec(
        key=key, sheet=SHEET, row=-1, no=-1, modality=folder.modality, paradigm=folder.paradigm,
        task_name=name, short_name=folder.name or name, display_name=name, note=f"metric inferred: {reason}",
        metric_raw=f"{metric_id} (inferred)", metric_id=metric_id, higher_is_better=higher_is_better(metric_id),
        sota=float("nan"), folder_aliases=(folder.name,) if folder.name else (),
    )
    return key, spec, reason


def remember(spec: TaskSpec) -> None:
    """Make an extra spec known to :func:`lmms_general.registry.task_spec` in this process."""
    with _LOCK:
        _SPECS[spec.key] = spec


def outside_folders(index: Any) -> list[Any]:
    """Task folders of an index that match no registry row (with an annotation file)."""
    return [t for t in index.tasks if t.registry_key is None and t.annotation_file is not None]


def _folder_state(folder: Any) -> tuple[Any, ...]:
    """What a discovery of ``folder`` depends on: its place, annotation file, and the size and mtime of that file and
    of the archive it came from."""

    def stat(path: Any) -> tuple[int, int]:
        try:
            info = Path(path).stat()
        except (OSError, TypeError):
            return -1, -1
        return info.st_size, info.st_mtime_ns

    return (str(folder.source or folder.folder), str(folder.annotation_file), folder.samples,
            *stat(folder.annotation_file), *stat(folder.source))


def discover(root: Any = None) -> list[ExtraTask]:
    """Every task folder outside the reference table under ``root`` (default ``$GENERAL_BENCH_ROOT``), with its
    inferred spec (remembered for this process) or the reason it cannot run.

    Read once per process and root while the outside folders' annotation files are unchanged (lmms-eval builds
    several TaskManagers per run; each asks again)."""
    from lmms_general.dataset import index_root, resolve_root

    path = resolve_root(root)
    folders = outside_folders(index_root(path))
    state = (str(path), tuple(_folder_state(f) for f in folders))
    with _LOCK:
        known = _DISCOVERED.get(state[0])
    if known is not None and known[0] == state:
        for task in known[1]:  # another root's discovery may have forgotten a spec since
            if task.spec is not None:
                remember(task.spec)
        return list(known[1])
    found = _discover_folders(folders)
    with _LOCK:
        _DISCOVERED[state[0]] = (state, tuple(found))
    return found


def _discover_folders(folders: list[Any]) -> list[ExtraTask]:
    """Read each outside folder and infer its spec; a name two folders give is runnable for neither, and only
    runnable specs are remembered."""
    from lmms_general.dataset import read_task

    found = []
    for folder in folders:
        try:
            data = read_task(folder, verify_media=False)
            key, spec, reason = spec_for(folder, data.header, data.samples)
        except Exception as exc:  # noqa: BLE001 - one unreadable folder must not hide the others
            key = extra_key(folder.modality, folder.paradigm, folder.name or Path(folder.folder).name)
            found.append(ExtraTask(folder, key, None, f"cannot read it ({type(exc).__name__}: {exc})"))
            continue
        if spec is not None and not data.samples:
            spec, reason = None, "the folder has no samples"
        found.append(ExtraTask(folder, key, spec, reason))
    keys = [t.key for t in found]
    found = [t if keys.count(t.key) == 1 else ExtraTask(t.folder, t.key, None, f"two folders give the name {t.task}")
             for t in found]
    for task in found:
        if task.spec is not None:
            remember(task.spec)
        elif keys.count(task.key) > 1:
            with _LOCK:
                _SPECS.pop(task.key, None)  # a spec remembered from an earlier discovery is not runnable here
    return found


def find(key: str, root: Any = None) -> ExtraTask:
    """The outside-the-table task ``key`` under the root; raises :class:`ExtraTaskError` naming the reason."""
    for task in discover(root):
        if task.key == key:
            if task.spec is None:
                raise ExtraTaskError(f"{task.task} ({task.folder.source or task.folder.folder}): {task.reason}")
            return task
    raise ExtraTaskError(f"{TASK_PREFIX}{key}: no task folder outside the reference table gives this name under the "
                         f"root (`lmms-general validate` lists them)")


def extra_spec(key: str) -> TaskSpec:
    """The spec of an extra task: remembered in this process, else discovered under ``$GENERAL_BENCH_ROOT``."""
    with _LOCK:
        spec = _SPECS.get(key)
    if spec is not None:
        return spec
    spec = find(key).spec
    assert spec is not None  # find raises otherwise
    return spec


def build_docs(key: str, root: Any = None) -> list[dict[str, Any]]:
    """The lmms-eval rows of an extra task (as :func:`lmms_general.hooks.docs.build_docs` for registry rows)."""
    from lmms_general.dataset import read_task
    from lmms_general.protocol.doc import doc_row

    task = find(key, root)
    assert task.spec is not None
    data = read_task(task.folder, verify_media=False)
    return [doc_row(task.spec, data.header, s, str(data.folder.folder)) for s in data.samples]


def task_yaml(spec: TaskSpec, template: Path) -> str:
    """The lmms-eval YAML of an extra task: the registry rows' YAML (:func:`lmms_general.codegen.task_yaml`) with
    the shared template included by absolute path and no SoTA (``null``)."""
    from lmms_general import codegen

    text = codegen.task_yaml(spec)
    text = text.replace(f"include: ../{codegen.TEMPLATE_NAME}\n", f"include: {template}\n")
    return re.sub(r"(\n\s+sota: )\.nan\n", r"\1null\n", text)


def write_task_yamls(root: Any = None, out: Path | None = None) -> tuple[Path, list[ExtraTask]]:
    """Write the YAML of every runnable extra task under the root (and the ``general_bench_extra`` group) into
    ``out`` (default: a folder per root under the cache); stale YAMLs there are removed. Returns the folder and
    every task found (runnable or not)."""
    import hashlib

    from lmms_general import codegen
    from lmms_general.atomic_json import write_text_atomic
    from lmms_general.dataset import resolve_root
    from lmms_general.dataset.layout import cache_root
    from lmms_general.lmms_integration import tasks_dir

    path = resolve_root(root)
    folder = out or cache_root() / "extra_task_yamls" / hashlib.sha1(str(path).encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    tasks = discover(path)
    runnable = [t for t in tasks if t.spec is not None]
    files = {f"{t.task}.yaml": task_yaml(t.spec, tasks_dir() / codegen.TEMPLATE_NAME)  # type: ignore[arg-type]
             for t in runnable}
    if runnable:
        files[f"{EXTRA_GROUP}.yaml"] = codegen.group_yaml(
            EXTRA_GROUP, [t.task for t in runnable], "General-Bench tasks outside the reference table")
    for name, text in files.items():
        target = folder / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            write_text_atomic(target, text)  # ranks of one job may write the same file at once
    for stale in folder.glob("*.yaml"):
        if stale.name not in files:
            stale.unlink(missing_ok=True)  # another rank may have removed it first
    return folder, tasks
