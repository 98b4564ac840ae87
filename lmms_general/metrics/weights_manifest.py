"""What the model-based metrics need on disk, whether it is there, and fetching it (``lmms-general weights``).

Reads :data:`lmms_general.metrics.model_table.MODEL_TABLE` (the table the loaders read) and the task registry
(which rows use each metric). Caches are the standard ones, resolved when called rather than at import:
``HF_HUB_CACHE`` (else ``$HF_HOME/hub``, else ``~/.cache/huggingface/hub``) for hub repositories and torch hub's
``$TORCH_HOME/hub/checkpoints`` for URL files. ``fetch(..., dest=DIR)`` fills ``DIR/huggingface/hub`` and
``DIR/torch/hub/checkpoints`` instead: a run on another machine reads them after
``export HF_HUB_CACHE=DIR/huggingface/hub TORCH_HOME=DIR/torch`` (see :func:`env_for_dir`).
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

from lmms_general.metrics.model_table import HUB_SIDE_FILES, MODEL_TABLE, ModelSource
from lmms_general.offline import hub_endpoint, torch_checkpoints_dir

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt")


def hub_cache_dir() -> Path:
    """The hub cache a run uses, from the environment as it is now."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]) / "hub"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "huggingface" / "hub"


def env_for_dir(dest: Path) -> dict[str, str]:
    """The variables that point a run at weights fetched with ``--dir DEST``."""
    return {"HF_HUB_CACHE": str(dest / "huggingface" / "hub"), "TORCH_HOME": str(dest / "torch")}


def cache_path(source: ModelSource, dest: Path | None = None) -> Path:
    """Where ``source`` is (or will be) cached: the hub repository folder or the torch-hub file."""
    if source.kind == "hub":
        hub = Path(env_for_dir(dest)["HF_HUB_CACHE"]) if dest else hub_cache_dir()
        return hub / f"models--{str(source.repo_id).replace('/', '--')}"
    base = Path(env_for_dir(dest)["TORCH_HOME"]) / "hub" / "checkpoints" if dest else torch_checkpoints_dir()
    return (base / source.subdir if source.subdir else base) / source.filename


def _hub_snapshot(source: ModelSource, folder: Path) -> Path | None:
    """The cached snapshot folder of ``source``'s revision, or None."""
    ref = folder / "refs" / source.revision
    commit = ref.read_text().strip() if ref.is_file() else source.revision
    snapshot = folder / "snapshots" / commit
    return snapshot if snapshot.is_dir() else None


def present(source: ModelSource) -> str | None:
    """Where a run finds ``source`` now (the override path or the cache), or None when it is missing.

    A hub repository counts when its revision's snapshot has a config and a weights file."""
    override = os.environ.get(source.env_var)
    if override:
        return override if Path(override).exists() else None
    path = cache_path(source)
    if source.kind == "url":
        return str(path) if path.is_file() else None
    snapshot = _hub_snapshot(source, path)
    if snapshot is None:
        return None
    names = [p.name for p in snapshot.rglob("*") if p.is_file()]
    has_config = any(n.endswith(".json") for n in names)
    has_weights = any(n.endswith(WEIGHT_SUFFIXES) for n in names)
    return str(snapshot) if has_config and has_weights else None


@dataclass(frozen=True)
class WeightRow:
    """One line of ``lmms-general weights list``."""

    source: ModelSource
    rows: tuple[str, ...]  # registry keys whose metric loads it
    cache_path: str
    present_at: str | None

    def to_json(self) -> dict[str, object]:
        s = self.source
        return {"name": s.name, "source": s.source, "kind": s.kind, "files": weight_files(s),
                "metrics": list(s.metrics), "rows": list(self.rows), "n_rows": len(self.rows),
                "size_bytes": s.size_bytes or None, "cache_path": self.cache_path,
                "present": self.present_at is not None,
                "env": s.env_var, "note": s.note}


def weight_files(source: ModelSource) -> list[str]:
    """The files (or patterns) a fetch takes."""
    if source.kind == "url":
        return [source.filename]
    return [*HUB_SIDE_FILES, "*.safetensors (else pytorch_model.bin)"]


def rows_needing(source: ModelSource) -> tuple[str, ...]:
    """Registry keys whose metric loads ``source`` with its default options."""
    from lmms_general.registry import load_registry

    return tuple(k for k, spec in load_registry().items() if source.needed_by(spec.metric_id, spec.modality))


def manifest(names: list[str] | None = None, adapters: bool = False) -> list[WeightRow]:
    """Every network of the table (or ``names``), with the rows needing it and where it is; ``adapters`` adds the
    adapters' default models (:func:`adapter_defaults`)."""
    chosen = [MODEL_TABLE[n] for n in names] if names else list(MODEL_TABLE.values())
    if adapters:
        chosen += adapter_defaults()
    return [WeightRow(s, rows_needing(s), str(cache_path(s)), present(s)) for s in chosen]


def by_name() -> dict[str, ModelSource]:
    """Everything ``weights fetch`` accepts: the metric networks and the adapters' default models."""
    return {**MODEL_TABLE, **{s.name: s for s in adapter_defaults()}}


def unknown_names(names: list[str]) -> list[str]:
    """The names that are neither metric networks nor adapter defaults (case as given)."""
    known = by_name()
    return [n for n in names if n not in known]


MODEL_ARGS = ("pretrained", "chat", "gen")


def adapter_defaults() -> list[ModelSource]:
    """The hub models our lmms-eval adapters load when ``--model_args`` names none, read from the adapters' own
    ``__init__`` defaults (parsed, not imported: importing them loads lmms-eval). They are the evaluated models, not
    metric weights: listed and fetchable by name, but not in ``fetch --all`` or ``check``."""
    import ast

    folder = Path(__file__).resolve().parents[2] / "model_adapters"
    found: list[ModelSource] = []
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            model_name = next((stmt.value.value for stmt in cls.body if isinstance(stmt, ast.Assign)
                               and any(getattr(t, "id", "") == "model_name" for t in stmt.targets)
                               and isinstance(stmt.value, ast.Constant)), None)
            init = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
            if not model_name or init is None:
                continue
            args = init.args.args[len(init.args.args) - len(init.args.defaults):]
            for arg, default in zip(args, init.args.defaults, strict=True):
                value = default.value if isinstance(default, ast.Constant) else None
                if arg.arg in MODEL_ARGS and isinstance(value, str) and "/" in value:
                    suffix = "" if arg.arg == "pretrained" else f"_{arg.arg}"
                    found.append(ModelSource(f"{model_name}{suffix}".upper(), (), 0, repo_id=value,
                                             note=f"adapter {model_name} default {arg.arg}="))
    return found


def missing_for(keys: list[str]) -> list[tuple[ModelSource, list[str]]]:
    """The networks absent here that some of the registry ``keys`` need, each with those keys."""
    from lmms_general.registry import load_registry

    registry = load_registry()
    out = []
    for source in MODEL_TABLE.values():
        blocked = [k for k in keys if k in registry and source.needed_by(registry[k].metric_id, registry[k].modality)]
        if blocked and present(source) is None:
            out.append((source, blocked))
    return out


def missing_lines(keys: list[str]) -> list[str]:
    """One line per missing network: the rows it keeps from being scored and the command that fetches it."""
    return [f"not scored here: {len(blocked)} row(s) need {source.name} ({source.source}): {', '.join(blocked)}"
            f" -> lmms-general weights fetch {source.name} (or set {source.env_var})"
            for source, blocked in missing_for(keys)]


# ------------------------------------------------------------------------------------------------ fetching
def hub_patterns(repo_files: list[str]) -> list[str]:
    """What to take from a repository: configs and tokenizers, and one weights format (safetensors if any)."""
    weights = [f for f in repo_files if f.endswith(".safetensors")]
    if not weights:
        weights = [f for f in repo_files if fnmatch.fnmatch(Path(f).name, "pytorch_model*.bin")]
    return [*HUB_SIDE_FILES, *weights]


def fetch_hub(source: ModelSource, cache_dir: Path) -> Path:
    """``snapshot_download`` of the repository's configs and weights (resumable, with progress bars)."""
    from huggingface_hub import HfApi, snapshot_download

    endpoint = hub_endpoint()
    info = HfApi(endpoint=endpoint).model_info(str(source.repo_id), revision=source.revision)
    files = [s.rfilename for s in info.siblings or []]
    return Path(snapshot_download(str(source.repo_id), revision=source.revision, cache_dir=str(cache_dir),
                                  allow_patterns=hub_patterns(files), endpoint=endpoint))


def fetch_url(source: ModelSource, target: Path) -> Path:
    """torch hub's downloader (progress bar; SHA-256 prefix checked when the file name publishes one)."""
    from torch.hub import download_url_to_file

    target.parent.mkdir(parents=True, exist_ok=True)
    download_url_to_file(str(source.url), str(target), hash_prefix=source.hash_prefix, progress=True)
    return target


def fetch(source: ModelSource, dest: Path | None = None) -> Path:
    """Download ``source`` into the standard caches, or below ``dest``; returns where it landed."""
    if source.kind == "hub":
        hub = Path(env_for_dir(dest)["HF_HUB_CACHE"]) if dest else hub_cache_dir()
        return fetch_hub(source, hub)
    target = cache_path(source, dest)
    if target.is_file():
        return target
    return fetch_url(source, target)
