"""Per-sample overhead of a General-Bench image task vs a plain ``datasets``-backed lmms-eval task.

Run: ``PYTHONPATH=. python benchmarks/bench_visual_overhead.py [--samples 10000] [--base 200]``.

Both tasks read the same ``--samples`` real PNG files (one per sample, 64x64 RGB) and load them through
their ``doc_to_visual`` (the ``dummy`` model with ``read_bytes=1`` calls it for every request):

* ours: ``general_bench_image_comp_car_brands_recognition`` from a General-Bench tree
  (``$GENERAL_BENCH_ROOT``, the real loader, docs, prompts, parsing and metric);
* plain: a JSON-lines dataset with the image path, a one-line prompt, ``PIL.Image.open(...).convert("RGB")``
  and an exact-match ``process_results``.

Every measured run is a fresh ``lmms-eval`` process with empty caches (``$LMMS_GENERAL_CACHE``,
``HF_DATASETS_CACHE``). Per-sample CPU and memory are the differences between a run on all samples and a
run with ``--limit --base`` (so start-up costs cancel out), divided by the sample difference; memory is the
process's peak RSS. Targets: ours/plain <= 1.10 CPU, <= 1.3 memory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OURS = "general_bench_image_comp_car_brands_recognition"
PLAIN_YAML = """task: plain_image_baseline
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: generate_until
doc_to_visual: !function plain_hooks.doc_to_visual
doc_to_text: !function plain_hooks.doc_to_text
doc_to_target: answer
process_results: !function plain_hooks.process_results
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
generation_kwargs: {{max_new_tokens: 8}}
metadata: {{version: 0.0}}
"""
PLAIN_HOOKS = '''from PIL import Image


def doc_to_visual(doc):
    return [Image.open(doc["image"]).convert("RGB")]


def doc_to_text(doc):
    return doc["prompt"]


def process_results(doc, results):
    return {"exact_match": float(results[0].strip() == doc["answer"])}
'''
#: runs one command and prints its children's CPU seconds and peak RSS (KiB) as JSON
MEASURE = ("import json, resource, subprocess, sys\n"
           "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
           "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
           "print(json.dumps({'rc': rc.returncode, 'cpu': u.ru_utime + u.ru_stime, 'rss_kib': u.ru_maxrss,"
           " 'err': rc.stderr[-2000:]}))\n")


def make_data(tmp: Path, n: int) -> tuple[Path, Path]:
    """A General-Bench tree with one image task and the plain task's folder, sharing ``n`` PNG files."""
    from PIL import Image

    task = tmp / "gb" / "image" / "comprehension" / "car_brands_recognition"
    images = task / "images"
    images.mkdir(parents=True)
    rng = np.random.default_rng(0)
    brands = ["GMC", "Audi", "BMW", "Ford"]
    data, plain = [], []
    for i in range(n):
        path = images / f"car{i:05d}.png"
        Image.fromarray(rng.integers(0, 255, size=(64, 64, 3), dtype=np.uint8)).save(path)
        answer = brands[i % len(brands)]
        prompt = "recognize the brand of the car in the image"
        data.append({"id": f"car{i:05d}", "input": {"image_file": f"images/{path.name}", "prompt": prompt},
                     "output": {"prediction": answer}})
        plain.append({"image": str(path), "prompt": prompt, "answer": answer})
    (task / "annotation.json").write_text(json.dumps({"task": "car brands recognition", "type": "comprehension",
                                                      "data": data}), encoding="utf-8")
    plain_dir = tmp / "plain"
    plain_dir.mkdir()
    jsonl = plain_dir / "plain.jsonl"
    jsonl.write_text("".join(json.dumps(p) + "\n" for p in plain), encoding="utf-8")
    (plain_dir / "plain.yaml").write_text(PLAIN_YAML.format(data=jsonl), encoding="utf-8")
    (plain_dir / "plain_hooks.py").write_text(PLAIN_HOOKS, encoding="utf-8")
    return tmp / "gb", plain_dir


def measure(task: str, limit: int | None, gb_root: Path, plain_dir: Path, tmp: Path) -> dict[str, float]:
    """CPU seconds and peak RSS (MiB) of one cold ``lmms-eval`` process."""
    run_dir = Path(tempfile.mkdtemp(dir=tmp))
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{plain_dir}", "GENERAL_BENCH_ROOT": str(gb_root),
           "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "LMMS_GENERAL_CACHE": str(run_dir / "cache"),
           "HF_DATASETS_CACHE": str(run_dir / "hf")}
    lmms_eval = str(Path(sys.executable).parent / "lmms-eval")
    cmd = [lmms_eval, "--model", "dummy", "--model_args", "response=GMC,read_bytes=1", "--tasks", task,
           "--include_path", str(plain_dir), "--verbosity", "ERROR", "--output_path", str(run_dir / "out")]
    if limit is not None:
        cmd += ["--limit", str(limit)]
    proc = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, env=env,
                          cwd=plain_dir, check=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    shutil.rmtree(run_dir, ignore_errors=True)
    if result["rc"] != 0:
        raise SystemExit(f"{task} failed:\n{result['err']}")
    return {"cpu": result["cpu"], "rss": result["rss_kib"] / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--base", type=int, default=200, help="samples of the start-up run subtracted")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        gb_root, plain_dir = make_data(tmp, args.samples)
        per: dict[str, dict[str, float]] = {}
        for name, task in (("plain", "plain_image_baseline"), ("ours", OURS)):
            small = measure(task, args.base, gb_root, plain_dir, tmp)
            full = measure(task, None, gb_root, plain_dir, tmp)
            n = args.samples - args.base
            per[name] = {"cpu_ms": 1e3 * (full["cpu"] - small["cpu"]) / n,
                         "rss_kib": 1024 * (full["rss"] - small["rss"]) / n}
            print(f"{name:>5}: {args.samples} samples CPU {full['cpu']:.1f} s, peak RSS {full['rss']:.0f} MiB; "
                  f"{args.base} samples CPU {small['cpu']:.1f} s, RSS {small['rss']:.0f} MiB -> "
                  f"{per[name]['cpu_ms']:.3f} ms and {per[name]['rss_kib']:.1f} KiB per sample")
    cpu = per["ours"]["cpu_ms"] / per["plain"]["cpu_ms"]
    mem = per["ours"]["rss_kib"] / max(per["plain"]["rss_kib"], 1e-9)
    print(f"ratio ours/plain per sample: CPU {cpu:.2f} (target <= 1.10), memory {mem:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
