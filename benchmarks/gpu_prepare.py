"""Build every tiny random model benchmarks/gpu_check.sh needs into one folder (CPU, offline, about a minute).

Usage: PYTHONPATH=. python benchmarks/gpu_prepare.py [--models .gpu_check/models]
The folder is self-contained (``manifest.json`` lists its models with paths relative to it), so it can be copied
to a GPU machine without network and handed to ``gpu_check.sh --models DIR``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODELS = ROOT / ".gpu_check" / "models"
MANIFEST = "manifest.json"
#: the folder name says Qwen2-VL so lmms-eval's vllm wrapper applies its Qwen-VL minimum image size
VLLM_MODEL = "tiny-qwen2-vl-vllm"


def builders() -> dict[str, Callable[[Path], object]]:
    """Model folder name -> builder writing a loadable checkpoint there (tests/fixtures/ are the single source)."""
    sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "fixtures")]
    import tiny_models
    import tiny_qwen2vl

    return {
        "janus": tiny_models.build_tiny_janus,
        "emu3": tiny_models.build_tiny_emu3,
        "emu2_gen": tiny_models.build_emu2_gen_stand_in,
        "nextgpt_delta": tiny_models.build_nextgpt_delta,
        "sd": tiny_models.build_tiny_sd,
        "qwen2vl": tiny_qwen2vl.build,
        VLLM_MODEL: lambda out: tiny_qwen2vl.build(out, head_dim=64),  # vLLM's GPU kernels want heads of 32+
    }


def build_metric_models(out: Path) -> dict[str, Path]:
    """The metric networks the sample tree's image-generation tasks load (FID: Inception, CLIP image score)."""
    from tests.metrics import _tiny_models as tiny

    paths = {"CLIP": tiny.build_clip(out / "clip"), "INCEPTION": tiny.build_inception(out / "inception.pth")}
    return {f"LMMS_GENERAL_MODEL_{name}": Path(path) for name, path in paths.items()}


def prepare(models: Path) -> dict[str, object]:
    """(Re)build every model under ``models`` and write the manifest; returns it."""
    if models.exists():
        shutil.rmtree(models)
    models.mkdir(parents=True)
    for name, build in builders().items():
        build(models / name)
        print(f"built {name}", flush=True)
    metric_env = build_metric_models(models / "metric_models")
    manifest = {
        "models": sorted(builders()),
        "metric_env": {var: str(Path(path).relative_to(models)) for var, path in metric_env.items()},
    }
    (models / MANIFEST).write_text(json.dumps(manifest, indent=1))
    size = sum(p.stat().st_size for p in models.rglob("*") if p.is_file())
    print(f"prepared {len(manifest['models'])} models + {len(metric_env)} metric models in {models} "
          f"({size / 2**20:.1f} MiB)")
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=DEFAULT_MODELS, help="output folder (default %(default)s)")
    prepare(parser.parse_args(argv).models.resolve())


if __name__ == "__main__":
    main()
