"""Benchmark: ``lmms-general level`` with bootstrap intervals, as the command runs it (cold process).

Run: ``PYTHONPATH=. python benchmarks/bench_level.py [--samples 100] [--ap-samples 10000] [--ref-boot 5]``.

Writes synthetic lmms-eval outputs (``*_results.json`` + one ``*_samples_<task>.jsonl`` per task) to a
temporary folder and times the real CLI (``python -m lmms_general.cli level DIR``, the command's default
1,000 replicates, a fresh process per measured run):

1. every registry task (699) with ``--samples`` items each, items built for the task's real metric
   (answers, captions, label sets, boxes, label maps, values, anomaly scores; see ``ITEMS``); tasks whose
   metric needs media files or a network get text items and end up at their point score, as offline;
2. one AP50 task with ``--ap-samples`` images (1-3 boxes each, noisy predictions with scores).

Each is compared with the reference bootstrap (``tests/level/slow_bootstrap.py``, one metric call per task
and replicate, the implementation before vectorisation) run in-process for ``--ref-boot`` replicates and
extrapolated linearly to the same replicate count.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lmms_general.registry import load_registry  # noqa: E402

LABELS = ["cat", "dog", "car", "bus", "tree"]
WORDS = "a man rides a red horse on the beach near the blue sea at dawn while two dogs run".split()
Item = dict[str, Any]


def _sentence(rng: np.random.Generator, lo: int = 4, hi: int = 12) -> str:
    return " ".join(rng.choice(WORDS, size=int(rng.integers(lo, hi))))


def _boxes(rng: np.random.Generator, k: int) -> list[dict[str, Any]]:
    return [{"bbox": [float(v) for v in (*rng.uniform(0, 400, 2), *rng.uniform(10, 120, 2))],
             "label": str(rng.choice(LABELS))} for _ in range(k)]


def box_item(rng: np.random.Generator) -> Item:
    ref = _boxes(rng, int(rng.integers(1, 4)))
    pred = [{**b, "bbox": [v + float(rng.normal(0, 6)) for v in b["bbox"]]} for b in ref if rng.random() < 0.75]
    pred = [{**b, "score": float(rng.uniform())} for b in pred + _boxes(rng, int(rng.integers(0, 3)))]
    return {"prediction": pred or None, "reference": ref}


def answer_item(rng: np.random.Generator) -> Item:
    return {"prediction": "A" if rng.random() < 0.6 else "B", "reference": "A"}


def text_item(rng: np.random.Generator) -> Item:
    return {"prediction": _sentence(rng), "reference": [_sentence(rng), _sentence(rng)]}


def label_set_item(rng: np.random.Generator) -> Item:
    return {"prediction": sorted(set(rng.choice(LABELS, size=int(rng.integers(1, 3))).tolist())),
            "reference": sorted(set(rng.choice(LABELS, size=int(rng.integers(1, 3))).tolist()))}


def class_item(rng: np.random.Generator) -> Item:
    return {"prediction": str(rng.choice(LABELS)), "reference": [str(rng.choice(LABELS[:3]))]}


def value_item(rng: np.random.Generator) -> Item:
    return {"prediction": float(rng.normal(5, 2)), "reference": float(rng.normal(5, 1))}


#: where ``mask_item`` writes its label maps (set by ``main``)
MEDIA: list[Path] = []
_COUNTER = itertools.count()


def mask_item(rng: np.random.Generator) -> Item:
    """A 128x128 label map pair written as PNG files (sample logs hold paths, as real runs do)."""
    from PIL import Image

    ref = rng.integers(0, 6, size=(128, 128)).astype(np.uint8)
    pred = np.where(rng.random((128, 128)) < 0.7, ref, rng.integers(0, 6, size=(128, 128))).astype(np.uint8)
    paths = []
    for array in (pred, ref):
        path = MEDIA[0] / f"mask_{next(_COUNTER)}.png"
        Image.fromarray(array).save(path)
        paths.append(str(path))
    return {"prediction": paths[0], "reference": paths[1]}


def anomaly_item(rng: np.random.Generator) -> Item:
    label = int(rng.random() < 0.3)
    return {"prediction": float(np.clip(rng.normal(0.3 + 0.4 * label, 0.25), 0, 1)), "reference": label}


def triplet_item(rng: np.random.Generator) -> Item:
    ref = [[str(rng.choice(LABELS)), "near", str(rng.choice(LABELS))] for _ in range(3)]
    return {"prediction": ref[: int(rng.integers(0, 4))] or None, "reference": ref}


#: metric id -> synthetic per-sample item of that metric's shape (others get ``text_item``)
ITEMS: dict[str, Callable[[np.random.Generator], Item]] = {
    **dict.fromkeys(("accuracy", "em_at_1"), answer_item),
    **dict.fromkeys(("bleu_1", "bleu_4", "cider", "rouge_l", "rouge_1", "f1", "anls"), text_item),
    "micro_f1": label_set_item,
    **dict.fromkeys(("macro_accuracy", "f_score"), class_item),
    **dict.fromkeys(("mae", "mse", "rmse"), value_item),
    **dict.fromkeys(("ap50", "ap75", "ap10", "map", "map50", "dice"), box_item),
    "ap": anomaly_item,
    "miou": mask_item,
    "recall_at_50": triplet_item,
}


def write_run(folder: Path, tasks: dict[str, list[Item]], model: str = "bench") -> None:
    """``<stamp>_results.json`` + sample logs in lmms-eval's layout (scores from the metric on the items)."""
    from lmms_general.results.samples import metric_score_fn

    registry = load_registry()
    results, configs = {}, {}
    folder.mkdir(parents=True, exist_ok=True)
    stamp = "20260101_000000"
    for key, items in tasks.items():
        spec = registry[key]
        try:
            value: float | None = float(metric_score_fn(spec.metric_id, spec.task)(items))
        except Exception:  # noqa: BLE001 - metrics needing media/networks: a plausible point score instead
            value = float(spec.sota) * 0.8
        results[spec.task] = {"alias": spec.task, "score,none": value, "score_stderr,none": "N/A"}
        configs[spec.task] = {"task": spec.task, "metadata": {"general_bench": {"key": key, "sota": spec.sota}}}
        lines = [json.dumps({"doc_id": n, "score": item}) for n, item in enumerate(items)]
        (folder / f"{stamp}_samples_{spec.task}.jsonl").write_text("\n".join(lines) + "\n")
    data = {"results": results, "configs": configs, "model_name": model, "date": stamp}
    (folder / f"{stamp}_results.json").write_text(json.dumps(data))


def time_cli(folder: Path, extra: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of ``lmms-general level`` in a fresh process, and its stderr notes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "lmms_general.cli", "level", str(folder), *extra],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"level failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc.stderr


def reference_seconds(folder: Path, n_boot: int, ref_boot: int) -> float:
    """Seconds the pre-vectorisation bootstrap would take for ``n_boot`` replicates (timed at ``ref_boot``)."""
    from lmms_general.level import BootstrapTask, LevelScorer
    from lmms_general.results import read_lmms_runs
    from lmms_general.results.samples import bootstrap_inputs
    from tests.level.slow_bootstrap import slow_bootstrap_levels

    registry = load_registry()
    (ms,) = read_lmms_runs([folder], registry)
    tasks, _ = bootstrap_inputs(ms.samples, registry)
    # the old code resampled per-sample values (mean) or recomputed the metric on the drawn items
    slow = {k: BootstrapTask(t.items, t.score_fn) for k, t in tasks.items()}
    scorer = LevelScorer(list(registry.values()), "corrected")  # type: ignore[arg-type]
    start = time.perf_counter()
    slow_bootstrap_levels(scorer, ms.scores, slow, n_boot=ref_boot, seed=0)
    return (time.perf_counter() - start) / ref_boot * n_boot


def main() -> None:
    # the benchmark machine is offline: without this, each model-based metric waits for the hub's connection
    # time-outs before failing (tens of seconds of wall time that are not ours to measure)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100, help="samples per task in the full-table run")
    parser.add_argument("--ap-samples", type=int, default=10_000, help="images in the single AP50 task")
    parser.add_argument("--n-boot", type=int, default=1000, help="replicates (the command's default)")
    parser.add_argument("--ref-boot", type=int, default=3, help="replicates timed for the reference")
    args = parser.parse_args()

    registry = load_registry()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        MEDIA.append(Path(tmp) / "media")
        MEDIA[0].mkdir()
        full = Path(tmp) / "full"
        tasks = {k: [ITEMS.get(s.metric_id, text_item)(rng) for _ in range(args.samples)] for k, s in registry.items()}
        covered = sum(s.metric_id in ITEMS for s in registry.values())
        write_run(full, tasks)
        ap_key = next(k for k, s in registry.items() if s.metric_id == "ap50")
        single = Path(tmp) / "ap50"
        write_run(single, {ap_key: [box_item(rng) for _ in range(args.ap_samples)]})

        for name, folder, target in ((f"{len(tasks)} tasks x {args.samples} samples", full, 20.0),
                                     (f"1 AP50 task x {args.ap_samples} images", single, 30.0)):
            base_wall, base_cpu, _ = time_cli(folder, ["--n-boot", "0"])  # reading + point scores only
            wall, cpu, notes = time_cli(folder, ["--n-boot", str(args.n_boot)])
            kept = sum("kept at its point score" in line for line in notes.splitlines())
            reference = reference_seconds(folder, args.n_boot, args.ref_boot)
            print(f"{name}: level --n-boot {args.n_boot}: wall {wall:.1f} s, CPU {cpu:.1f} s "
                  f"(--n-boot 0: wall {base_wall:.1f} s, CPU {base_cpu:.1f} s) | target <= {target:.0f} s (CPU): "
                  f"{'met' if cpu <= target else 'MISSED'}")
            print(f"    reference bootstrap alone (timed at {args.ref_boot} replicates, extrapolated): "
                  f"{reference:.0f} s -> ratio {wall / reference:.3f}; tasks kept at point score: {kept}")
        print(f"    synthetic items shaped for the real metric in {covered} of {len(registry)} tasks")


if __name__ == "__main__":
    main()
