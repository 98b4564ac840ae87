"""Index a synthetic full-scale General-Bench tree (699 tasks, 325,876 samples): cold and warm times.

Usage: python benchmarks/bench_index.py [--keep DIR]

The tree is generated in a temporary folder: one folder per registry row with an ``annotation.json``
(sample counts summing to the real total) and one small media file per sample of a non-NLP task.
Cold = empty ``$LMMS_GENERAL_CACHE`` in a fresh process; warm = the on-disk index cache from the cold
run, in another fresh process (so no per-process cache and no warm imports). Targets: cold <= 3 s,
warm <= 0.2 s (issue 12, target 4), for the index a run pays (annotation files only). The checked index
(every sample built, what ``lmms-general validate`` pays) is timed cold beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paired import header  # noqa: E402

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
            for i in range(count):
                (folder / media_dir / f"m{i}{ext}").write_bytes(b"x")
            data = [
                {
                    "id": f"s{i}",
                    "input": {key: f"m{i}{ext}", "prompt": f"prompt {i}"},
                    "output": {"text": "answer"},
                }
                for i in range(count)
            ]
        doc = {"task": spec.display_name, "type": "bench", "data": data}
        (folder / "annotation.json").write_text(json.dumps(doc), encoding="utf-8")
        total += count
    return len(specs), total


_TIMED = """
import json, sys, time
start = time.perf_counter(); cpu = time.process_time()
from lmms_general.dataset import index_root
imported = time.process_time()
index = index_root(sys.argv[1], check_samples=sys.argv[2] == "checked")
print(json.dumps({"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                  "index_cpu": time.process_time() - imported,
                  "tasks": len(index.tasks), "matched": sum(t.registry_key is not None for t in index.tasks),
                  "samples": sum(t.samples for t in index.tasks),
                  "missing": sum(t.media_missing for t in index.tasks)}))
"""


def timed_index(tree: Path, env: dict[str, str], mode: str = "run") -> dict[str, float]:
    """Index ``tree`` in a fresh process (``run``: what a run pays; ``checked``: every sample built, as
    ``validate`` does); wall/CPU seconds of the import + ``index_root`` call."""
    proc = subprocess.run([sys.executable, "-c", _TIMED, str(tree), mode], capture_output=True, text=True, env=env,
                          check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    header("bench_index")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="generate the tree here and keep it (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gb-bench-") as tmp:
        tree = args.keep or Path(tmp) / "General-Bench-Openset"
        env = {**os.environ, "LMMS_GENERAL_CACHE": str(Path(tmp) / "cache"),
               "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        start = time.perf_counter()
        tasks, samples = make_tree(tree)
        took = time.perf_counter() - start
        print(f"generated {tasks} tasks, {samples} samples (one media file each) in {took:.1f} s")
        cold = timed_index(tree, env)
        warm = timed_index(tree, env)
        checked = timed_index(tree, env, "checked")
        assert cold["samples"] == warm["samples"] == checked["samples"] == samples, "sample count mismatch"
        print(f"indexed {cold['tasks']} tasks ({cold['matched']} matched), {cold['samples']} samples, "
              f"{checked['missing']} missing media (checked index)")
        for name, run, target in (("cold", cold, 3.0), ("warm", warm, 0.2), ("cold checked (validate)", checked, None)):
            met = target is not None and run["index_cpu"] <= target
            verdict = "" if target is None else f" (target <= {target} s: {'met' if met else 'MISSED'})"
            print(f"{name} index: process wall {run['wall']:.3f} s, CPU {run['cpu']:.3f} s; index_root call alone "
                  f"CPU {run['index_cpu']:.3f} s{verdict}")
        print(f"ratio cold run index / cold checked index: {cold['index_cpu'] / checked['index_cpu']:.3f}")
        return 0 if cold["index_cpu"] <= 3 and warm["index_cpu"] <= 0.2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
