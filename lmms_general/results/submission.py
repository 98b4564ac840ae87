"""Closeset submission: per-task ``prediction.json`` from lmms-eval sample logs, validation, zip, read-back.

Format (generalist.top "prepare model" page): ``{"task", "skill", "type", "data": [{"id",
"prediction"}]}``. ``prediction`` is the parsed prediction (the model's text when nothing was
parsed); for generation tasks it is the path of the generated file, copied to ``media/`` next to
the prediction file and written relative to it (a list when a sample produced several files).
``skill`` is the skill cluster the task's items name (the annotation header's ``skill``, logged per sample); the
registry has no skill-cluster column, so a task whose items name none (logs written before items carried it, or an
annotation without one) gets the official sheet name.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from lmms_general.atomic_json import atomic_path, write_text_atomic
from lmms_general.dataset.annotations import header_skill
from lmms_general.dataset.layout import HUB_MODALITY_DIRS
from lmms_general.registry import Registry, TaskSpec, load_registry
from lmms_general.results.samples import read_sample_items
from lmms_general.results.types import ModelScores

PREDICTION_FILE = "prediction.json"
MEDIA_KEYS = ("images", "videos", "audios", "meshes", "pointclouds")
FAILED_PREFIX = "[GENERATION_FAILED]"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Export:
    """What :func:`export_model` wrote for one model."""

    root: Path
    slug: str
    files: list[Path] = field(default_factory=list)
    samples: int = 0
    media: int = 0
    messages: list[str] = field(default_factory=list)


def safe_name(text: str) -> str:
    return _SAFE.sub("_", text.strip()).strip("_") or "item"


def task_folder(spec: TaskSpec) -> PurePosixPath:
    """``<modality>/<paradigm>/<folder>`` (``nlp/<folder>``) using the known on-disk folder name."""
    folder = spec.folder_aliases[0] if spec.folder_aliases else safe_name(spec.display_name)
    top = HUB_MODALITY_DIRS[spec.modality]
    return PurePosixPath(top, folder) if spec.modality == "nlp" else PurePosixPath(top, spec.paradigm, folder)


def items_skill(items: list[dict[str, Any]]) -> str:
    """The skill cluster the first item naming one carries (stripped), "" when none does."""
    return next((skill for item in items if (skill := header_skill(item))), "")


def _media_paths(raw: Any) -> list[str] | None:
    """Paths from the generated-media JSON contract, or None when ``raw`` is not such a response."""
    if not isinstance(raw, str) or not raw.lstrip().startswith("{"):
        return None
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError:
        return None
    if not isinstance(payload, dict) or not any(k in payload for k in MEDIA_KEYS):
        return None
    return [str(p) for k in MEDIA_KEYS for p in payload.get(k) or []]


def _prediction(item: dict[str, Any], task_dir: Path, export: Export, task: str) -> Any:
    raw = item.get("raw")
    sample_id = str(item.get("id"))
    if isinstance(raw, str) and raw.startswith(FAILED_PREFIX):
        export.messages.append(f"{task}: sample {sample_id} generation failed; exported with an empty prediction")
        return ""
    paths = _media_paths(raw)
    prediction = item.get("prediction")
    if paths is None and isinstance(prediction, str) and Path(prediction).is_absolute() and Path(prediction).is_file():
        paths = [prediction]
    if paths is None:
        return prediction if prediction is not None else (raw or "")
    from lmms_general.protocol.media_files import safe_id  # a long or unsafe id: prefix + hash

    relative = []
    for n, source in enumerate(paths):
        src = Path(source)
        dest = PurePosixPath("media", f"{safe_id(sample_id)}_{n}{src.suffix}")
        if not src.is_file():
            export.messages.append(f"{task}: sample {sample_id}: generated file {src} does not exist")
            relative.append(str(dest))
            continue
        (task_dir / "media").mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, task_dir / dest)
        export.media += 1
        relative.append(str(dest))
    return relative[0] if len(relative) == 1 else relative


def export_model(ms: ModelScores, out: Path, registry: Registry | None = None) -> Export:
    """Write one prediction.json per task that has a sample log; tasks without one are reported."""
    registry = registry or load_registry()
    slug = safe_name(ms.model.replace("/", "__"))
    export = Export(root=out / slug, slug=slug)
    for key in sorted(set(ms.scores) - set(ms.samples)):
        export.messages.append(f"{registry[key].task}: no sample log; not exported")
    for key in sorted(ms.samples):
        spec = registry[key]
        log = read_sample_items(ms.samples[key])
        export.messages.extend(log.errors)
        task_dir = export.root / Path(task_folder(spec))
        task_dir.mkdir(parents=True, exist_ok=True)
        data = [
            {"id": str(item.get("id")), "prediction": _prediction(item, task_dir, export, spec.task)}
            for item in log.items
        ]
        payload = {"task": spec.task_name.strip(), "skill": items_skill(log.items) or spec.sheet,
                   "type": spec.paradigm, "data": data}
        path = task_dir / PREDICTION_FILE
        write_text_atomic(path, json.dumps(payload, ensure_ascii=False, indent=1))
        export.files.append(path)
        export.samples += len(data)
    return export


def validate_payload(payload: Any, where: str, base: Path | None = None) -> list[str]:
    """Problems of one prediction.json payload (empty list = valid); media checked under ``base``."""
    if not isinstance(payload, dict):
        return [f"{where}: not a JSON object"]
    problems = [
        f"{where}: missing or non-string {k!r}"
        for k in ("task", "skill", "type")
        if not isinstance(payload.get(k), str)
    ]
    if payload.get("type") not in ("comprehension", "generation"):
        problems.append(f"{where}: type must be comprehension or generation, got {payload.get('type')!r}")
    data = payload.get("data")
    if not isinstance(data, list) or not data:
        return problems + [f"{where}: 'data' must be a non-empty list"]
    seen: set[str] = set()
    for n, entry in enumerate(data):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
            problems.append(f"{where}: data[{n}] has no string id")
            continue
        if entry["id"] in seen:
            problems.append(f"{where}: duplicate id {entry['id']!r}")
        seen.add(entry["id"])
        if "prediction" not in entry:
            problems.append(f"{where}: id {entry['id']!r} has no prediction")
        if base is not None:
            prediction = entry.get("prediction")
            for ref in prediction if isinstance(prediction, list) else [prediction]:
                if isinstance(ref, str) and ref.startswith("media/") and not (base / ref).is_file():
                    problems.append(f"{where}: id {entry['id']!r}: media file {ref} missing")
    return problems


def validate_tree(root: Path) -> list[str]:
    """Validate every prediction.json under ``root``."""
    files = sorted(root.rglob(PREDICTION_FILE))
    if not files:
        return [f"{root}: no {PREDICTION_FILE} written"]
    problems: list[str] = []
    for path in files:
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            problems.append(f"{path}: invalid JSON ({exc.msg})")
            continue
        problems += validate_payload(payload, str(path), path.parent)
    return problems


def zip_tree(root: Path, archive: Path) -> Path:
    """Zip ``root`` (paths inside start with its folder name)."""
    with atomic_path(archive) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as handle:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            handle.write(path, path.relative_to(root.parent).as_posix())
    return archive


def read_submission(archive: Path) -> dict[str, dict[str, Any]]:
    """Read a submission zip back: task folder (inside the zip) -> prediction.json payload."""
    out = {}
    with zipfile.ZipFile(archive) as handle:
        names = set(handle.namelist())
        for name in sorted(names):
            if name.endswith("/" + PREDICTION_FILE):
                folder = name[: -len(PREDICTION_FILE) - 1]
                payload = json.loads(handle.read(name))
                for entry in payload.get("data", []):
                    refs = entry["prediction"] if isinstance(entry["prediction"], list) else [entry["prediction"]]
                    for ref in refs:
                        if isinstance(ref, str) and ref.startswith("media/") and f"{folder}/{ref}" not in names:
                            raise ValueError(f"{archive}: {folder}: media {ref} not in the zip")
                out[folder] = payload
    return out
