"""Seconds per generated item and peak memory of each adapter on tiny random models (CPU, offline).

Usage: PYTHONPATH=. python benchmarks/bench_adapters.py [--items 4] [--batch-size 2]
Prints one line per (adapter, kind): seconds/item (model loading excluded) and the process's peak RSS in MiB,
plus the peak torch allocation on CUDA when a GPU is present.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paired import header  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "fixtures"), str(ROOT / "tests" / "adapters")]


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _time_kind(model: Any, kind: str, n: int, visuals: list[Any]) -> float:
    from conftest import FakeTask

    from model_adapters.media_output import is_failure

    task = FakeTask(f"bench_{kind}")
    for i in range(n):
        task.add(f"a small red object number {i}", visuals, sample_id=f"{kind}_{i}", generation_kind=kind)
    start = time.perf_counter()
    out = task.run(model)
    elapsed = time.perf_counter() - start
    failed = [o for o in out if is_failure(o)]
    if failed:
        raise RuntimeError(f"{kind}: {failed[0]}")
    return elapsed / n


def main() -> int:
    header("bench_adapters")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=2)
    args = parser.parse_args()
    import tiny_models
    from PIL import Image

    from model_adapters.emu3 import Emu3
    from model_adapters.general_pipeline import GeneralPipeline
    from model_adapters.janus import Janus

    red = [Image.new("RGB", (32, 32), "red")]
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        sd = tiny_models.build_tiny_sd(d / "sd")
        gp = GeneralPipeline(
            t2i=str(sd),
            edit=str(sd),
            t2v=str(tiny_models.build_tiny_animatediff(d / "ad", sd)),
            tts=str(tiny_models.build_tiny_vits(d / "vits")),
            pc=str(tiny_models.build_tiny_dpt(d / "dpt")),
            steps=2,
            height=32,
            width=32,
            num_frames=4,
            output_dir=str(d / "out"),
            batch_size=args.batch_size,
        )
        runs = [
            ("general_pipeline", gp, "text_to_image", []),
            ("general_pipeline", gp, "image_edit", red),
            ("general_pipeline", gp, "text_to_video", []),
            ("general_pipeline", gp, "text_to_speech", []),
            ("general_pipeline", gp, "image_to_3d", red),
            (
                "janus",
                Janus(
                    pretrained=str(tiny_models.build_tiny_janus(d / "janus")),
                    output_dir=str(d / "out"),
                    batch_size=args.batch_size,
                ),
                "text_to_image",
                [],
            ),
            (
                "emu3",
                Emu3(
                    pretrained=str(tiny_models.build_tiny_emu3(d / "emu3")),
                    image_area=256,
                    top_k=8,
                    output_dir=str(d / "out"),
                    batch_size=args.batch_size,
                ),
                "text_to_image",
                [],
            ),
        ]
        print(f"{'adapter':<18}{'kind':<16}{'s/item':>10}{'peak RSS MiB':>14}")
        for name, model, kind, visuals in runs:
            _time_kind(model, kind, 1, visuals)  # warm-up (lazy loading, first-call overheads)
            per_item = _time_kind(model, kind, args.items, visuals)
            print(f"{name:<18}{kind:<16}{per_item:>10.3f}{_peak_rss_mib():>14.0f}")
    import torch

    if torch.cuda.is_available():
        print(f"peak CUDA allocation MiB: {torch.cuda.max_memory_allocated() / 2**20:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
