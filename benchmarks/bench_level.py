"""Benchmark: ``lmms-general level`` with bootstrap intervals, as the command runs it (cold process).

Run: ``PYTHONPATH=. python benchmarks/bench_level.py [--samples 100] [--runs 3] [--ap-samples 10000]
[--keep DIR] [--expect LEVEL_JSON]``.

Writes synthetic lmms-eval outputs (``*_results.json`` + one ``*_samples_<task>.jsonl`` per task) to a
folder and times the real CLI (``python -m lmms_general.cli level DIR``, the command's default 1,000
replicates) ``--runs`` times, each a fresh process (``os.wait4``: user + sys CPU, wall, peak RSS), printing the
median and min-max:

1. every registry task (699) with ``--samples`` items each, built for the task's real metric path: answers,
   captions, label sets, boxes, values, anomaly scores and triplets from ``ITEMS``; mIoU label maps as PNG
   files; every other metric (media files: images, depth / flow / alpha maps, tracks, audio, video, point
   clouds, panoptic maps, generated media for model-based metrics) from the row self-check generator
   (:func:`lmms_general.metrics.synthetic.build_row`), ``--unique`` samples per task with real files, cycled
   to ``--samples`` items with random and perfect predictions alternating (the run's task score is computed on
   one whole cycle, which for a per-sample metric is the score of all items). Each item carries the ``value`` /
   ``state`` a run logs when it scores the sample (:func:`lmms_general.protocol.scoring.sample_value` /
   ``sample_state``: computed while writing the tree, not timed), so ``level`` resamples those without reading the
   media again, as it does on a real run's logs. Model-based metrics run offline (``HF_HUB_OFFLINE=1``), as on this
   machine: their weights are not here, the run logged no values, and they keep their point score;
2. one AP50 task with ``--ap-samples`` images (1-3 boxes each, noisy predictions with scores).

``--expect`` compares the run's ``general_level/level.json`` with an earlier one (every number to 1e-9):
the check that a speed change left scores and intervals unchanged. ``--keep`` writes the tree there (and
reuses it when it exists) so two code versions can be compared on the same tree.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paired import Measure, header, run_process, summary  # noqa: E402

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


def synthetic_items(spec: Any, root: Path, n: int, unique: int) -> list[Item]:
    """``n`` items of the row self-check generator (real media files), ``unique`` distinct samples cycled,
    random and perfect predictions alternating (one whole cycle: ``2 * unique`` items)."""
    from lmms_general.metrics.synthetic import build_row

    case = build_row(spec, root, unique)
    kinds = ("random", "perfect")
    return [{"prediction": case.samples[i % unique].predictions[kinds[(i // unique) % 2]],
             "reference": case.samples[i % unique].reference} for i in range(n)]


def bench_items(registry: Any, n: int, unique: int, rng: np.random.Generator, media: Path) -> dict[str, list[Item]]:
    """Items of every registry task (see the module docstring)."""
    return {key: [ITEMS[spec.metric_id](rng) for _ in range(n)] if spec.metric_id in ITEMS
            else synthetic_items(spec, media / "synthetic", n, min(unique, n)) for key, spec in registry.items()}


def log_item_statistics(spec: Any, items: list[Item]) -> None:
    """Each item's ``value`` and ``state`` as a real run logs them when the sample is scored
    (:func:`lmms_general.protocol.scoring.sample_value` / :func:`~lmms_general.protocol.scoring.sample_state`; None on
    rows that log none), computed once per distinct prediction / reference pair of a cycled task."""
    from lmms_general.metrics import get_metric
    from lmms_general.protocol.scoring import sample_state, sample_value

    metric = get_metric(spec.metric_id, spec.task)
    seen: dict[tuple[int, int], tuple[Any, Any]] = {}
    for item in items:
        pair = (id(item["prediction"]), id(item["reference"]))
        if pair not in seen:
            options = spec.compute_options
            seen[pair] = (sample_value(metric, item["prediction"], item["reference"], options)[0],
                          sample_state(metric, item["prediction"], item["reference"], options))
        item["value"], item["state"] = seen[pair]


def write_run(folder: Path, tasks: dict[str, list[Item]], model: str = "bench", cycles: dict[str, int] | None = None
              ) -> None:
    """``<stamp>_results.json`` + sample logs in lmms-eval's layout: items with ``value`` / ``state`` as a run logs
    them,
    scores from the one task-score function on the items (for a task in ``cycles``, on its first ``cycles[key]``
    items: one whole cycle, the same mean for a per-sample metric)."""
    from lmms_general.results.samples import metric_score_fn

    registry = load_registry()
    results, configs = {}, {}
    folder.mkdir(parents=True, exist_ok=True)
    stamp = "20260101_000000"
    for key, items in tasks.items():
        spec = registry[key]
        log_item_statistics(spec, items)
        try:
            scored = items[: (cycles or {}).get(key, len(items))]
            value: float | None = float(metric_score_fn(spec.metric_id, spec.task)(scored))
        except Exception:  # noqa: BLE001 - metrics needing media/networks: a plausible point score instead
            value = float(spec.sota) * 0.8
        results[spec.task] = {"alias": spec.task, "score,none": value, "score_stderr,none": "N/A"}
        configs[spec.task] = {"task": spec.task, "metadata": {"general_bench": {"key": key, "sota": spec.sota}}}
        lines = [json.dumps({"doc_id": n, "score": item}) for n, item in enumerate(items)]
        (folder / f"{stamp}_samples_{spec.task}.jsonl").write_text("\n".join(lines) + "\n")
    data = {"results": results, "configs": configs, "model_name": model, "date": stamp}
    (folder / f"{stamp}_results.json").write_text(json.dumps(data))


def time_cli(folder: Path, extra: list[str]) -> Measure:
    """Wall and CPU seconds and peak RSS of ``lmms-general level`` in a fresh process."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    cmd = [sys.executable, "-c", "import sys; from lmms_general.cli import main; sys.exit(main())", "level",
           str(folder), "--quiet", *extra]
    return run_process(cmd, env=env, cwd=str(ROOT), timeout=1800)


def compare_numbers(got: Any, expected: Any, path: str = "") -> list[str]:
    """Paths where two JSON documents' numbers differ by more than 1e-9 (or their structure differs); messages
    (free text) and provenance (data folders, versions: a copy of the tree has another path) are not compared."""
    if isinstance(expected, dict) and isinstance(got, dict):
        if set(expected) != set(got):
            return [f"{path}: keys differ: {sorted(set(expected) ^ set(got))[:5]}"]
        compared = [k for k in expected if k not in ("messages", "provenance")]
        return [d for k in compared for d in compare_numbers(got[k], expected[k], f"{path}/{k}")]
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            return [f"{path}: {len(got)} items, expected {len(expected)}"]
        pairs = enumerate(zip(got, expected, strict=True))
        return [d for i, (a, b) in pairs for d in compare_numbers(a, b, f"{path}[{i}]")]
    if isinstance(expected, float) or isinstance(got, float):
        ok = isinstance(got, (int, float)) and isinstance(expected, (int, float)) and abs(got - expected) <= 1e-9
        return [] if ok else [f"{path}: {got!r} != {expected!r}"]
    return [] if got == expected else [f"{path}: {got!r} != {expected!r}"]


def timed_runs(name: str, folder: Path, runs: int, n_boot: int, target: float) -> None:
    base = time_cli(folder, ["--n-boot", "0"])  # reading + point scores only
    measured = [time_cli(folder, ["--n-boot", str(n_boot)]) for _ in range(runs)]
    cpu = [m.cpu for m in measured]
    print(f"{name}: level --n-boot {n_boot}, {runs} fresh processes: CPU {summary(cpu, '.1f')} s, wall "
          f"{summary([m.wall for m in measured], '.1f')} s, peak RSS {summary([m.rss_mib for m in measured], '.0f')} "
          f"MiB (--n-boot 0: CPU {base.cpu:.1f} s, wall {base.wall:.1f} s, {base.rss_mib:.0f} MiB) | target <= "
          f"{target:.0f} s CPU: {'met' if statistics.median(cpu) <= target else 'NOT met'}")


def main() -> int:
    # the benchmark machine is offline: without this, each model-based metric waits for the hub's connection
    # time-outs before failing (tens of seconds of wall time that are not ours to measure)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100, help="samples per task in the full-table run")
    parser.add_argument("--unique", type=int, default=25, help="distinct media samples per generated task")
    parser.add_argument("--ap-samples", type=int, default=10_000, help="images in the single AP50 task (0: skip)")
    parser.add_argument("--n-boot", type=int, default=1000, help="replicates (the command's default)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs (fresh processes); the median is reported")
    parser.add_argument("--keep", type=Path, help="write (or reuse) the bench tree in this folder")
    parser.add_argument("--expect", type=Path, help="level.json of an earlier run on the same tree: numbers must match")
    args = parser.parse_args()
    header(f"bench_level: {args.samples} samples per task, {args.runs} runs, --n-boot {args.n_boot}")
    registry = load_registry()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        full, single = base / "full", base / "ap50"
        if not any(full.glob("*_results.json")):
            rng = np.random.default_rng(0)
            MEDIA.append(base / "media")
            MEDIA[0].mkdir(parents=True, exist_ok=True)
            tasks = bench_items(registry, args.samples, args.unique, rng, MEDIA[0])
            cycle = 2 * min(args.unique, args.samples)
            cycles = {k: cycle for k, s in registry.items() if s.metric_id not in ITEMS and args.samples % cycle == 0}
            write_run(full, tasks, cycles=cycles)
            if args.ap_samples:
                ap_key = next(k for k, s in registry.items() if s.metric_id == "ap50")
                write_run(single, {ap_key: [box_item(rng) for _ in range(args.ap_samples)]})
        targets = {100: 10.0, 1000: 30.0}
        timed_runs(f"{len(registry)} tasks x {args.samples} samples", full, args.runs, args.n_boot,
                   targets.get(args.samples, 30.0 * args.samples / 1000))
        if args.ap_samples and single.exists():
            timed_runs(f"1 AP50 task x {args.ap_samples} images", single, args.runs, args.n_boot, 30.0)
        if args.expect:
            got = json.loads((full / "general_level" / "level.json").read_text(encoding="utf-8"))
            diffs = compare_numbers(got, json.loads(args.expect.read_text(encoding="utf-8")))
            print(f"level.json vs {args.expect}: {'identical to 1e-9' if not diffs else 'DIFFERENT'}")
            for line in diffs[:20]:
                print(f"    {line}")
            return 1 if diffs else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
