"""Index a synthetic full-scale General-Bench tree (699 tasks, 325,876 samples): cold and warm times.

Usage: python benchmarks/bench_index.py [--keep DIR]

The tree is generated in a temporary folder: one folder per registry row with an ``annotation.json``
(sample counts summing to the real total) and two small shared media files per non-NLP task that
every sample references. Cold = empty ``$LMMS_GENERAL_CACHE``; warm = the on-disk index cache from the
cold run (the per-process cache is cleared before each timing). Targets: cold < 10 s, warm < 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lmms_general.registry import load_registry  # noqa: E402

TOTAL_SAMPLES = 325_876
_TOP = {"image": "image", "video": "video", "audio": "audio", "3d": "3D", "nlp": "nlp"}
_MEDIA = {
    "image": ("images", "image_file", ".png"),
    "video": ("videos", "video_file", ".mp4"),
    "audio": ("audios", "audio_file", ".wav"),
    "3d": ("pointclouds", "pointcloud_file", ".npy"),
}


def make_tree(root: Path) -> tuple[int, int]:
    """Write the synthetic tree; returns (tasks, samples)."""
    specs = list(load_registry().values())
    base, extra = divmod(TOTAL_SAMPLES, len(specs))
    total = 0
    for n, spec in enumerate(specs):
        count = base + (n < extra)
        name = "-".join(spec.display_name.replace("/", " ").split())
        folder = root / _TOP[spec.modality] / ("" if spec.modality == "nlp" else spec.paradigm) / name
        folder.mkdir(parents=True, exist_ok=True)
        if spec.modality == "nlp":
            data = [
                {
                    "id": f"s{i}",
                    "input": {"question": f"question {i}?", "options": ["a", "b"]},
                    "output": {"answer": "A"},
                }
                for i in range(count)
            ]
        else:
            media_dir, key, ext = _MEDIA[spec.modality]
            (folder / media_dir).mkdir(exist_ok=True)
            for k in range(2):
                (folder / media_dir / f"shared{k}{ext}").write_bytes(b"x")
            data = [
                {
                    "id": f"s{i}",
                    "input": {key: f"shared{i % 2}{ext}", "prompt": f"prompt {i}"},
                    "output": {"text": "answer"},
                }
                for i in range(count)
            ]
        doc = {"task": spec.display_name, "type": "bench", "data": data}
        (folder / "annotation.json").write_text(json.dumps(doc), encoding="utf-8")
        total += count
    return len(specs), total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="generate the tree here and keep it (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gb-bench-") as tmp:
        tree = args.keep or Path(tmp) / "General-Bench-Openset"
        os.environ["LMMS_GENERAL_CACHE"] = str(Path(tmp) / "cache")
        from lmms_general.dataset import clear_process_cache, index_root

        start = time.perf_counter()
        tasks, samples = make_tree(tree)
        print(f"generated {tasks} tasks, {samples} samples in {time.perf_counter() - start:.1f} s")

        clear_process_cache()
        start = time.perf_counter()
        index = index_root(tree)
        cold = time.perf_counter() - start
        clear_process_cache()
        start = time.perf_counter()
        warm_index = index_root(tree)
        warm = time.perf_counter() - start

        indexed = sum(t.samples for t in index.tasks)
        matched = sum(t.registry_key is not None for t in index.tasks)
        assert indexed == samples and sum(t.samples for t in warm_index.tasks) == samples, "sample count mismatch"
        print(
            f"indexed {len(index.tasks)} tasks ({matched} matched), {indexed} samples, "
            f"{sum(t.media_missing for t in index.tasks)} missing media"
        )
        print(f"cold index: {cold:.2f} s (target < 10 s)")
        print(f"warm index: {warm:.3f} s (target < 1 s)")
        return 0 if cold < 10 and warm < 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
