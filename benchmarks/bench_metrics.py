"""Benchmark: our metric wrappers vs calling the reference libraries directly (same process, same inputs).

Prints, per metric, both timings, the ratio reference_time / our_time (>= 1.0 means we are no slower)
and whether the values are identical. Run: ``PYTHONPATH=. python benchmarks/bench_metrics.py [--n 10000]``.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from typing import Any

WORDS = ("a man woman dog cat horse beach park street red blue green runs sits plays holds ball car tree "
         "on in with near under the small big young old white black").split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def bench_text(n: int, rng: random.Random) -> list[tuple[str, float, float, bool]]:
    from nltk.tokenize import NLTKWordTokenizer
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
    from pycocoevalcap.cider.cider import Cider
    from rouge_score import rouge_scorer
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    from lmms_general.metrics import get_metric
    from lmms_general.metrics.text import coco_tokenize

    preds = [_sentence(rng, rng.randint(5, 15)) for _ in range(n)]
    refs = [[_sentence(rng, rng.randint(5, 15))] for _ in range(n)]
    rows = []

    def ref_bleu() -> float:
        tok, smooth = NLTKWordTokenizer().tokenize, SmoothingFunction().method4
        return 100 * sum(max(sentence_bleu([tok(r)], tok(p), weights=(1, 0, 0, 0), smoothing_function=smooth)
                             for r in rs) for p, rs in zip(preds, refs, strict=True)) / n

    def ref_rouge() -> float:
        scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
        return 100 * sum(max(scorer.score(r, p)["rougeL"].fmeasure for r in rs)
                         for p, rs in zip(preds, refs, strict=True)) / n

    def ref_cider() -> float:
        gts = {i: [coco_tokenize(r) for r in rs] for i, rs in enumerate(refs)}
        res = {i: [coco_tokenize(p)] for i, p in enumerate(preds)}
        return 100 * float(Cider().compute_score(gts, res)[0])

    def ref_token_f1() -> float:  # the official OpenQA scorer's definition, written inline
        from lmms_general.metrics.parsing import normalize_answer

        total = 0.0
        for p, rs in zip(preds, refs, strict=True):
            best = 0.0
            for r in rs:
                a, b = set(normalize_answer(p).split()), set(normalize_answer(r).split())
                c = len(a & b)
                best = max(best, 0.0 if c == 0 else 2 * (c / len(a)) * (c / len(b)) / (c / len(a) + c / len(b)))
            total += best
        return 100 * total / n

    label_pred = [sorted(set(rng.sample(WORDS[:8], rng.randint(1, 3)))) for _ in range(n)]
    label_ref = [sorted(set(rng.sample(WORDS[:8], rng.randint(1, 3)))) for _ in range(n)]

    def ref_micro() -> float:
        mlb = MultiLabelBinarizer().fit(label_pred + label_ref)
        return 100 * float(f1_score(mlb.transform(label_ref), mlb.transform(label_pred), average="micro"))

    cases = [
        ("bleu_1", ref_bleu, preds, refs),
        ("rouge_l", ref_rouge, preds, refs),
        ("cider", ref_cider, preds, refs),
        ("f1", ref_token_f1, preds, refs),
        ("micro_f1", ref_micro, label_pred, label_ref),
    ]
    for metric_id, reference_fn, p, r in cases:
        spec = get_metric(metric_id)
        t_ref, v_ref = _timed(reference_fn)
        t_ours, v_ours = _timed(lambda spec=spec, p=p, r=r: spec.score(p, r))
        rows.append((metric_id, t_ours, t_ref, abs(v_ours - v_ref) < 1e-9))
    return rows


def bench_ap50(n_images: int, rng: random.Random) -> tuple[str, float, float, bool]:
    import contextlib
    import io

    import numpy as np
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    from lmms_general.metrics import get_metric

    refs, preds = [], []
    for _ in range(n_images):
        gt = [[rng.uniform(0, 200), rng.uniform(0, 200), rng.uniform(10, 80), rng.uniform(10, 80)]
              for _ in range(rng.randint(1, 4))]
        refs.append([{"label": rng.choice(["bird", "car"]), "bbox": b, "score": 1.0} for b in gt])
        preds.append([{"label": g["label"], "bbox": [v + rng.uniform(-8, 8) for v in g["bbox"]],
                       "score": rng.random()} for g in refs[-1]])

    def reference() -> float:
        cats = {"bird": 1, "car": 2}
        images = [{"id": i + 1} for i in range(n_images)]
        anns = [{"id": k, "image_id": i + 1, "category_id": cats[b["label"]], "bbox": b["bbox"],
                 "area": b["bbox"][2] * b["bbox"][3], "iscrowd": 0}
                for k, (i, b) in enumerate(((i, b) for i, bs in enumerate(refs) for b in bs), start=1)]
        dets = [{"image_id": i + 1, "category_id": cats[b["label"]], "bbox": b["bbox"], "score": b["score"]}
                for i, bs in enumerate(preds) for b in bs]
        with contextlib.redirect_stdout(io.StringIO()):
            gt = COCO()
            gt.dataset = {"images": images, "annotations": anns,
                          "categories": [{"id": v, "name": k} for k, v in cats.items()]}
            gt.createIndex()
            ev = COCOeval(gt, gt.loadRes(dets), "bbox")
            ev.params.iouThrs = np.array([0.5])
            ev.evaluate()
            ev.accumulate()
            ev.summarize()
        return 100 * float(ev.stats[0])

    spec = get_metric("ap50")
    t_ref, v_ref = _timed(reference)
    t_ours, v_ours = _timed(lambda: spec.score(preds, refs))
    return ("ap50", t_ours, t_ref, abs(v_ours - v_ref) < 1e-9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="text samples")
    parser.add_argument("--images", type=int, default=5_000, help="detection images")
    args = parser.parse_args()
    rng = random.Random(0)
    rows = [*bench_text(args.n, rng), bench_ap50(args.images, rng)]
    print(f"{'metric':<10} {'ours_s':>8} {'library_s':>10} {'ratio':>6}  identical")
    ok = True
    for metric_id, t_ours, t_ref, same in rows:
        ratio = t_ref / t_ours
        ok &= same
        print(f"{metric_id:<10} {t_ours:>8.3f} {t_ref:>10.3f} {ratio:>6.2f}  {same}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
