"""Benchmark: our metric wrappers vs the reference libraries called directly, like for like, in one process.

Run: ``PYTHONPATH=. python benchmarks/bench_metrics.py [--n 5000] [--images 5000] [--pairs 5] [--no-java]``.

For every metric both sides get the same inputs and do the same work, alternated (ours, library, library, ours,
...) ``--pairs`` times; the table gives CPU seconds (user + sys) and wall seconds as ``median [min-max]`` and the
ratio library / ours per pair (>= 1.0: we are no slower). Values are compared on every run against the metric's
current definition (exit 1 when any differs by more than 1e-9):

* BLEU-1: nltk ``sentence_bleu`` (weights 1,0,0,0, smoothing method4) on nltk Treebank tokens, best reference;
* ROUGE-L: rouge-score ``RougeScorer(["rougeL"], use_stemmer=True)``, best reference;
* CIDEr: pycocoevalcap ``Cider`` on PTB tokens; the library side tokenises all captions in ONE
  ``PTBTokenizer`` call (one JVM with Java's default options; ours starts the same jar with options for a short
  process, C1 compiler and serial GC, same tokens) when ``java`` is on the PATH, else with the Python PTB tokenizer
  (``--no-java`` forces that on both sides); our tokenisation memo is cleared before each of our runs;
* token F1: the SQuAD v1.1 evaluation script's ``f1_score`` (bag of tokens) and ``normalize_answer``, inline;
* micro-F1: scikit-learn ``f1_score(average="micro")`` on binarised label sets;
* AP50: pycocotools ``COCOeval`` with IoU 0.5, area range "all" only, ``maxDets=[100]``, ``evaluate`` +
  ``accumulate``, no ``summarize`` (our AP does the same work with faster-coco-eval's ``COCOeval_faster``, the same
  algorithm in C++; the library side loads the detections with ``loadRes``, ours builds that COCO object directly,
  without the "segmentation" polygons bbox evaluation never reads).

Each run starts after a full ``gc.collect()`` (not timed): a run pays for collecting its own garbage only, never
for a generation-2 collection that the other side's previous runs made due (with 5 000 images a collection of the
process's heap costs ~0.1 s, which otherwise fell on whichever run crossed the threshold).

Each reference run has a time limit (``--limit`` seconds, SIGALRM): a hung tokenizer fails the script instead of
hanging it.
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import signal
import string
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _paired import Measure, alternate, header, ratios, summary, timed_call  # noqa: E402

WORDS = ("a man woman dog cat horse beach park street red blue green runs sits plays holds ball car tree "
         "on in with near under the small big young old white black").split()
Case = tuple[str, Callable[[], float], Callable[[], float]]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


class ReferenceTimeout(Exception):
    """A reference run exceeded its time limit."""


def _limited(fn: Callable[[], float], seconds: int) -> Callable[[], float]:
    def run() -> float:
        def expire(signum: int, frame: Any) -> None:
            raise ReferenceTimeout(f"reference run exceeded {seconds} s")

        previous = signal.signal(signal.SIGALRM, expire)
        signal.alarm(seconds)
        try:
            return fn()
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)

    return run


# --------------------------------------------------------------------------- SQuAD v1.1 evaluation script


def squad_normalize_answer(s: str) -> str:
    """``normalize_answer`` of the official SQuAD v1.1 evaluation script."""
    exclude = set(string.punctuation)
    s = "".join(ch for ch in s.lower() if ch not in exclude)
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", s).split())


def squad_f1_score(prediction: str, ground_truth: str) -> float:
    """``f1_score`` of the official SQuAD v1.1 evaluation script (token multisets)."""
    prediction_tokens = squad_normalize_answer(prediction).split()
    ground_truth_tokens = squad_normalize_answer(ground_truth).split()
    common = Counter(prediction_tokens) & Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0.0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    return (2 * precision * recall) / (precision + recall)


# --------------------------------------------------------------------------- cases


def text_cases(n: int, rng: random.Random, java: bool) -> list[Case]:
    from nltk.tokenize import NLTKWordTokenizer
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
    from pycocoevalcap.cider.cider import Cider
    from rouge_score import rouge_scorer
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    from lmms_general.metrics import get_metric
    from lmms_general.metrics import text as text_metrics

    preds = [_sentence(rng, rng.randint(5, 15)) for _ in range(n)]
    refs = [[_sentence(rng, rng.randint(5, 15)), _sentence(rng, rng.randint(5, 15))] for _ in range(n)]

    def ref_bleu() -> float:
        tok, smooth = NLTKWordTokenizer().tokenize, SmoothingFunction().method4
        return 100 * sum(max(sentence_bleu([tok(r)], tok(p), weights=(1, 0, 0, 0), smoothing_function=smooth)
                             for r in rs) for p, rs in zip(preds, refs, strict=True)) / n

    def ref_rouge() -> float:
        scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
        return 100 * sum(max(scorer.score(r, p)["rougeL"].fmeasure for r in rs)
                         for p, rs in zip(preds, refs, strict=True)) / n

    def ref_cider() -> float:
        if java:  # one PTBTokenizer (JVM) call over every caption, as our side makes
            from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

            captions = {2 * i: [{"caption": p}] for i, p in enumerate(preds)}
            captions |= {2 * i + 1: [{"caption": r} for r in rs] for i, rs in enumerate(refs)}
            tokens = PTBTokenizer().tokenize(captions)
        else:
            tok = text_metrics.ptb_tokenize_python
            tokens = {2 * i: [tok(p)] for i, p in enumerate(preds)}
            tokens |= {2 * i + 1: [tok(r) for r in rs] for i, rs in enumerate(refs)}
        gts = {i: tokens[2 * i + 1] for i in range(n)}
        res = {i: tokens[2 * i] for i in range(n)}
        return 100 * float(Cider().compute_score(gts, res)[0])

    def ref_token_f1() -> float:
        return 100 * sum(max(squad_f1_score(p, r) for r in rs) for p, rs in zip(preds, refs, strict=True)) / n

    label_pred = [sorted(set(rng.sample(WORDS[:8], rng.randint(1, 3)))) for _ in range(n)]
    label_ref = [sorted(set(rng.sample(WORDS[:8], rng.randint(1, 3)))) for _ in range(n)]

    def ref_micro() -> float:
        mlb = MultiLabelBinarizer().fit(label_pred + label_ref)
        return 100 * float(f1_score(mlb.transform(label_ref), mlb.transform(label_pred), average="micro"))

    def ours(metric_id: str, p: list[Any], r: list[Any]) -> Callable[[], float]:
        spec = get_metric(metric_id)

        def run() -> float:  # the same work on every run: no memo left over from the previous one
            text_metrics._memo_tokens.cache_clear()
            text_metrics._PTB_MEMO.clear()
            text_metrics._rouge_scorer.cache_clear()  # and its stem memo
            return spec.score(p, r)

        return run

    return [
        ("bleu_1", ours("bleu_1", preds, refs), ref_bleu),
        ("rouge_l", ours("rouge_l", preds, refs), ref_rouge),
        ("cider", ours("cider", preds, refs), ref_cider),
        ("f1", ours("f1", preds, refs), ref_token_f1),
        ("micro_f1", ours("micro_f1", label_pred, label_ref), ref_micro),
    ]


def ap50_case(n_images: int, rng: random.Random) -> Case:
    import contextlib
    import io

    import numpy as np
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    from lmms_general.metrics import get_metric

    labels = ["bird", "car"]
    refs, preds = [], []
    for _ in range(n_images):
        gt = [[rng.uniform(0, 200), rng.uniform(0, 200), rng.uniform(10, 80), rng.uniform(10, 80)]
              for _ in range(rng.randint(1, 4))]
        refs.append([{"label": rng.choice(labels), "bbox": b} for b in gt])
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
            ev.params.maxDets = [100]
            ev.params.areaRng, ev.params.areaRngLbl = [ev.params.areaRng[0]], ["all"]
            ev.evaluate()
            ev.accumulate()
        precision = ev.eval["precision"][:, :, :, 0, -1]
        return 100 * float(precision[precision > -1].mean())

    spec = get_metric("ap50")
    return ("ap50", lambda: spec.score(preds, refs), reference)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5_000, help="text samples")
    parser.add_argument("--images", type=int, default=5_000, help="detection images")
    parser.add_argument("--pairs", type=int, default=5, help="alternated (ours, library) pairs per metric")
    parser.add_argument("--limit", type=int, default=120, help="time limit of one reference run, seconds")
    parser.add_argument("--no-java", action="store_true", help="PTB tokenisation without Java on both sides")
    parser.add_argument("--only", nargs="+", metavar="METRIC", help="measure only these metrics (default: all)")
    args = parser.parse_args()

    from lmms_general.metrics import text as text_metrics

    if args.no_java:
        text_metrics.java_available = lambda: False  # type: ignore[assignment]
    java = text_metrics.java_available()
    header(f"bench_metrics: ours vs library, {args.n} texts, {args.images} images, {args.pairs} alternated pairs, "
           f"PTB tokenizer: {'Java (one JVM per run)' if java else 'Python'}")
    rng = random.Random(0)
    cases = [*text_cases(args.n, rng, java), ap50_case(args.images, rng)]
    cases = [c for c in cases if not args.only or c[0] in args.only]
    print(f"{'metric':<9} {'ours CPU s':>22} {'library CPU s':>22} {'ratio CPU':>22} {'ratio wall':>22}  identical")
    ok = True
    for metric_id, ours, reference in cases:
        try:
            runs = alternate({"ours": lambda f=ours: _collected_then_timed(f),
                              "library": lambda f=reference: _collected_then_timed(_limited(f, args.limit))},
                             args.pairs)
        except ReferenceTimeout as exc:
            print(f"{metric_id:<9} FAILED: {exc}")
            ok = False
            continue
        o, r = runs["ours"], runs["library"]
        same = all(abs(a.value - b.value) < 1e-9 for a, b in zip(o, r, strict=True))
        ok &= same
        detail = "" if same else f"  ours {o[0].value!r} vs library {r[0].value!r}"
        print(f"{metric_id:<9} {summary(_cpu(o)):>22} {summary(_cpu(r)):>22} "
              f"{summary(ratios(_cpu(r), _cpu(o)), '.2f'):>22} "
              f"{summary(ratios([m.wall for m in r], [m.wall for m in o]), '.2f'):>22}  {same}{detail}")
    print("ratio = library / ours per pair (>= 1.0: ours no slower); median [min-max]")
    return 0 if ok else 1


def _collected_then_timed(fn: Callable[[], float]) -> Measure:
    """``timed_call(fn)`` after an untimed full garbage collection (the same heap state before every run)."""
    gc.collect()
    return timed_call(fn)


def _cpu(runs: list[Measure]) -> list[float]:
    return [m.cpu for m in runs]


if __name__ == "__main__":
    raise SystemExit(main())
