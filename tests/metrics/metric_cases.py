"""One table of shared test vectors, one entry per canonical metric (used by ``test_metric_contract.py``).

Each :class:`Case` builds small deterministic predictions and references (already in the form the metric's
``compute`` consumes; media files are written into a temporary folder) and names the reference implementation
its value is compared with: the maintained library the metric wraps or reproduces (scikit-learn, pycocotools,
pycocoevalcap, nltk, rouge-score, codebleu, torchmetrics, scipy, py_sod_metrics, pymcd) or, where the metric is
this project's own definition, the value counted by hand from that definition. A metric that cannot be computed
offline says why in ``offline`` and names the test that checks it on a tiny random model instead.

:func:`statistics_replicator` / :func:`statistics_value` read a metric's per-sample statistics (the bootstrap's
replicates) as the bootstrap does: ``spec.statistics`` (None when the metric object declares ``no_statistics``).
"""

from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lmms_general.metrics import get_metric
from tests.metrics._inputs import CAPTIONS_PRED, CAPTIONS_REF, LABEL_PRED, LABEL_REF

Vectors = tuple[list[Any], list[Any]]


@dataclass(frozen=True)
class Variant:
    """The same vectors scored with other compute options (a row's unit or corpus switch) and their reference."""

    options: dict[str, Any]
    reference: str
    expected: Callable[[list[Any], list[Any], dict[str, Any]], float]


@dataclass(frozen=True)
class Case:
    """Shared vectors of one metric and the reference implementation of its value.

    Attributes:
        reference: the reference implementation, in words (a library call or "hand-counted: ...").
        vectors: ``folder -> (predictions, references)`` in the form ``compute`` consumes.
        expected: ``(predictions, references, options) -> value`` computed by the reference implementation.
        options: compute options the case runs with (seams for model-based metrics, unit switches).
        tolerance: absolute tolerance of the comparison with ``expected`` (the library's own rounding).
        offline: why the metric cannot be computed here (then vectors / expected are None) ...
        elsewhere: ... and the tests (``path::function``) that check it on tiny random models or seams.
        variants: other option sets of the metric (e.g. ``corpus=True``) checked on the same vectors.
        tiny_models: the metric runs on the tiny random networks of ``tests/fixtures/metric_models.py``
            (``LMMS_GENERAL_MODEL_*``); its value is meaningless there, so ``expected`` is None and ``elsewhere``
            names the tests comparing it with its reference; statistics and threads are still checked.
        statistics_rtol: relative tolerance of statistics vs score (float32 networks embed a batch and a single
            sample with rounding differences of ~1e-7).
    """

    reference: str
    vectors: Callable[[Path], Vectors] | None = None
    expected: Callable[[list[Any], list[Any], dict[str, Any]], float] | None = None
    options: dict[str, Any] = field(default_factory=dict)
    tolerance: float = 1e-9
    offline: str | None = None
    elsewhere: tuple[str, ...] = ()
    variants: dict[str, Variant] = field(default_factory=dict)
    tiny_models: bool = False
    statistics_rtol: float = 0.0


def _parsed(metric_id: str, raws: list[Any], refs: list[Any], context: dict[str, Any] | None = None) -> Vectors:
    """Model responses parsed and annotation references prepared by the metric itself."""
    spec, ctx = get_metric(metric_id), context or {}
    preds = [r if r is None or not isinstance(r, str) else spec.parse(r, ctx) for r in raws]
    return preds, [spec.prepare_reference(r, ctx) for r in refs]


def _const(value: float) -> Callable[[list[Any], list[Any], dict[str, Any]], float]:
    return lambda preds, refs, options: value


def _mean(values: list[float]) -> float:
    return float(np.mean(values))


# --------------------------------------------------------------------------- statistics accessor


def statistics_replicator(spec: Any, predictions: list[Any], references: list[Any],
                          options: dict[str, Any] | None = None) -> Any:
    """The replicator of the metric's per-sample statistics on these samples (``spec.statistics``, as
    ``lmms_general.results.samples.task_bootstrap`` calls it), or None (recompute per replicate)."""
    if spec.statistics is None:
        return None
    return spec.statistics(list(predictions), list(references), **{**spec.options, **(options or {})})


def statistics_value(spec: Any, predictions: list[Any], references: list[Any],
                     options: dict[str, Any] | None = None) -> float | None:
    """The statistics evaluated on the identity index (every sample once); None when the metric has none."""
    replicator = statistics_replicator(spec, predictions, references, options)
    if replicator is None:
        return None
    return float(replicator(np.arange(len(predictions))[None, :])[0])


# --------------------------------------------------------------------------- text and labels

COCO_PRED = ["A man, riding a horse (on the beach).", "Two dogs are playing in the snow!", "the cat's sleeping"]
COCO_REF = [["A man rides a horse along the beach.", "A person riding a horse."], ["Dogs play in snow."],
            ["The cat's sleeping on the sofa."]]
SQUAD = [("the the cat cat cat", "the cat sat on the cat mat"), ("New York New York", "New York City"),
         ("2 2 2 apples", "2 apples and 2 pears"), ("Barack Obama, president", "president Barack Obama")]
CODE_PRED = ["def add(a, b):\n    return a + b\n", "def sq(x):\n    return x * x * x\n", None]
CODE_REF = ["def add(a, b):\n    return a + b\n", "def sq(x):\n    return x * x\n", "def f():\n    pass\n"]


def squad_f1(prediction: str, truth: str) -> float:
    """SQuAD v1.1 ``f1_score`` written from its definition: lower-case, drop punctuation and the articles
    a/an/the, split on whitespace, F1 of the token multisets."""
    import collections
    import re
    import string

    def norm(text: str) -> list[str]:
        text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
        return re.sub(r"\b(a|an|the)\b", " ", text).split()

    pred, ref = norm(prediction), norm(truth)
    same = sum((collections.Counter(pred) & collections.Counter(ref)).values())
    if same == 0:
        return 0.0
    p, r = same / len(pred), same / len(ref)
    return 2 * p * r / (p + r)


def _sklearn_micro_f1(preds: list, refs: list, options: dict) -> float:
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    mlb = MultiLabelBinarizer().fit([*[p or [] for p in preds], *refs])
    return 100 * f1_score(mlb.transform(refs), mlb.transform([p or [] for p in preds]), average="micro")


def _first(reference: Any) -> str:
    """The class of a prepared label reference (a list of acceptable spellings)."""
    return reference[0] if isinstance(reference, list) else reference


def _sklearn_weighted_f1(preds: list, refs: list, options: dict) -> float:
    from sklearn.metrics import f1_score

    truth = [_first(r) for r in refs]
    return 100 * f1_score(truth, [p or "<unparsed>" for p in preds], average="weighted", labels=sorted(set(truth)),
                          zero_division=0)


def _sklearn_balanced_accuracy(preds: list, refs: list, options: dict) -> float:
    from sklearn.metrics import balanced_accuracy_score

    return 100 * balanced_accuracy_score([_first(r) for r in refs], [p or "<unparsed>" for p in preds])


def _nltk_sentence_bleu_1(preds: list, refs: list, options: dict) -> float:
    from nltk.tokenize import NLTKWordTokenizer
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    tok = NLTKWordTokenizer().tokenize
    values = [max((sentence_bleu([tok(r)], tok(p), weights=(1, 0, 0, 0), smoothing_function=SmoothingFunction().method4)
                   for r in rs), default=0.0) if p else 0.0 for p, rs in zip(preds, refs, strict=True)]
    return 100 * _mean(values)


def _nltk_corpus_bleu_1(preds: list, refs: list, options: dict) -> float:
    from nltk.tokenize import NLTKWordTokenizer
    from nltk.translate.bleu_score import corpus_bleu

    tok = NLTKWordTokenizer().tokenize
    return 100 * corpus_bleu([[tok(r) for r in rs] for rs in refs], [tok(p) if p else [] for p in preds],
                             weights=(1, 0, 0, 0))


def _rouge(kind: str) -> Callable[[list, list, dict], float]:
    def expected(preds: list, refs: list, options: dict) -> float:
        from rouge_score.rouge_scorer import RougeScorer

        scorer = RougeScorer([kind], use_stemmer=True)
        return 100 * _mean([max(scorer.score(r, p)[kind].fmeasure for r in rs) if p else 0.0
                            for p, rs in zip(preds, refs, strict=True)])

    return expected


def _coco_caption(which: str) -> Callable[[list, list, dict], float]:
    def expected(preds: list, refs: list, options: dict) -> float:
        from pycocoevalcap.bleu.bleu import Bleu
        from pycocoevalcap.cider.cider import Cider

        from lmms_general.metrics.text import ptb_tokenize

        gts = {i: ptb_tokenize(r) for i, r in enumerate(refs)}
        res = {i: ptb_tokenize([p or ""]) for i, p in enumerate(preds)}
        if which == "cider":
            return 100 * Cider().compute_score(gts, res)[0]
        return 100 * Bleu(4).compute_score(gts, res, verbose=0)[0][3]

    return expected


def _codebleu(preds: list, refs: list, options: dict) -> float:
    import codebleu

    references = [r if isinstance(r, list) else [r] for r in refs]
    return 100 * codebleu.calc_codebleu(references, [p or "" for p in preds], lang="python",
                                        weights=(0.25, 0.25, 0.25, 0.25))["codebleu"]


# --------------------------------------------------------------------------- detection

DET_RAW_PRED = ['{"bird": [[0, 0, 10, 8]], "cat": [[20, 20, 10, 10]]}', '{"bird": [[1, 1, 10, 10]]}', None,
                [{"label": "cat", "bbox": [50, 50, 5, 5], "score": 0.9}, {"label": "cat", "bbox": [0, 0, 10, 9],
                                                                          "score": 0.5}]]
DET_RAW_REF = [{"bird": [[0, 0, 10, 10]], "cat": [[20, 20, 10, 12]]}, {"bird": [[0, 0, 10, 10]]},
               {"cat": [[5, 5, 4, 4]]}, {"cat": [[0, 0, 10, 10]]}]


def _pycocotools_ap(thresholds: list[float] | None) -> Callable[[list, list, dict], float]:
    """``COCOeval(..., "bbox")`` with its default parameters (only the IoU thresholds set), ``stats[0]``."""

    def expected(preds: list, refs: list, options: dict) -> float:
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval

        cats: dict[str, int] = {}
        gts, dts = [], []
        for image, (pred, ref) in enumerate(zip(preds, refs, strict=True), start=1):
            for box in ref:
                x, y, w, h = box["bbox"]
                gts.append({"id": len(gts) + 1, "image_id": image, "category_id": cats.setdefault(box["label"],
                            len(cats) + 1), "bbox": [x, y, w, h], "area": w * h, "iscrowd": 0})
            for box in pred or []:
                dts.append({"image_id": image, "category_id": cats.setdefault(box["label"], len(cats) + 1),
                            "bbox": list(box["bbox"]), "score": box.get("score", 1.0)})
        with contextlib.redirect_stdout(io.StringIO()):
            gt = COCO()
            gt.dataset = {"images": [{"id": i + 1} for i in range(len(refs))], "annotations": gts,
                          "categories": [{"id": i} for i in cats.values()]}
            gt.createIndex()
            evaluator = COCOeval(gt, gt.loadRes(dts), "bbox")
            if thresholds is not None:
                evaluator.params.iouThrs = np.array(thresholds)
            evaluator.evaluate()
            evaluator.accumulate()
            evaluator.summarize()
        return 100 * max(0.0, float(evaluator.stats[0]))

    return expected


def _detection(metric_id: str, thresholds: list[float] | None) -> Case:
    return Case(f"pycocotools COCOeval bbox stats[0] (IoU {thresholds or '0.50:0.95'})",
                lambda folder: _parsed(metric_id, DET_RAW_PRED, DET_RAW_REF), _pycocotools_ap(thresholds))


def _sklearn_ap(preds: list, refs: list, options: dict) -> float:
    from sklearn.metrics import average_precision_score

    return 100 * average_precision_score([int(float(r) >= 0.5) for r in refs],
                                         [float(p) if isinstance(p, (int, float)) else 0.0 for p in preds])


# --------------------------------------------------------------------------- dense maps, regression, tracking


def _miou_vectors(folder: Path) -> Vectors:
    ref_a, pred_a = np.array([[0, 1], [0, 1]]), np.array([[0, 1], [1, 1]])
    ref_b, pred_b = np.array([[2, 2], [0, 0]]), np.array([[2, 0], [0, 0]])
    ref_c, pred_c = np.array([[1, 1, 2], [0, 2, 2]]), np.array([[1, 2, 2], [0, 0, 2]])
    np.save(folder / "pa.npy", pred_a)
    return [str(folder / "pa.npy"), pred_b.tolist(), pred_c.tolist()], [ref_a.tolist(), ref_b.tolist(), ref_c.tolist()]


def _sklearn_pooled_jaccard(preds: list, refs: list, options: dict) -> float:
    from sklearn.metrics import jaccard_score

    y_pred = np.concatenate([(np.load(p) if isinstance(p, str) else np.asarray(p)).ravel() for p in preds])
    return 100 * jaccard_score(np.concatenate([np.asarray(r).ravel() for r in refs]), y_pred, average="macro")


def _saliency_vectors(folder: Path) -> Vectors:
    rng = np.random.default_rng(0)
    gt = np.zeros((16, 16))
    gt[4:12, 4:12] = 1
    maps = [gt, np.clip(gt * 0.7 + rng.uniform(0, 0.3, gt.shape), 0, 1), rng.uniform(0, 1, gt.shape)]
    return [m.tolist() for m in maps], [gt.tolist()] * 3


def _py_sod_smeasure(preds: list, refs: list, options: dict) -> float:
    from py_sod_metrics import Smeasure

    values = []
    for p, r in zip(preds, refs, strict=True):
        metric = Smeasure(alpha=0.5)
        metric.step(pred=(np.asarray(p) * 255).astype(np.uint8), gt=(np.asarray(r) > 0.5).astype(np.uint8) * 255)
        values.append(metric.get_results()["sm"])
    return 100 * _mean(values)


def _alpha_vectors(folder: Path) -> Vectors:
    rng = np.random.default_rng(1)
    refs = [rng.uniform(0, 1, (10, 10)) for _ in range(3)]
    preds = [np.zeros((10, 10)), refs[1], np.clip(refs[2] + rng.normal(0, 0.1, (10, 10)), 0, 1)]
    return [p.tolist() for p in preds], [r.tolist() for r in refs]


def _numpy_sad(preds: list, refs: list, options: dict) -> float:
    return _mean([np.abs(np.asarray(p) - np.asarray(r)).sum() / 1000 for p, r in zip(preds, refs, strict=True)])


def _regression(metric_id: str, preds: list, refs: list) -> Callable[[Path], Vectors]:
    return lambda folder: _parsed(metric_id, preds, refs)


def _errors(preds: list, refs: list) -> np.ndarray:
    """Errors pooled over all values; an unparsed answer counts as 0."""
    return np.concatenate([np.asarray(p if p is not None else np.zeros_like(np.asarray(r, float)), float).ravel()
                           - np.asarray(r, float).ravel() for p, r in zip(preds, refs, strict=True)])


def _depth_vectors(folder: Path) -> Vectors:
    rng = np.random.default_rng(1)
    yy = np.mgrid[0:3, 0:12, 0:16][1] / 12
    preds, refs = [], []
    for _ in range(3):
        depth = 1.0 + 30.0 * yy + rng.uniform(0, 0.5, yy.shape)
        depth[0, 0, :4] = 0  # invalid pixels
        refs.append(depth.tolist())
        preds.append((0.3 / np.maximum(depth, 1e-3) + 0.02 + rng.normal(0, 0.002, depth.shape)).tolist())
    return preds, refs


def depthcrafter_abs_rel(pred_disp: np.ndarray, gt_depth: np.ndarray, max_depth: float = 80.0) -> float:
    """DepthCrafter's evaluation written from its description: gt disparity 1/depth on valid pixels; the
    predicted disparity fitted to it by least squares (normal equations) over the clip; depth = 1/disparity
    clipped at max_depth; absRel over valid pixels."""
    valid = gt_depth > 0
    gt_disp = 1.0 / gt_depth[valid]
    x = pred_disp[valid]
    n, sx, sxx, sy, sxy = x.size, x.sum(), (x * x).sum(), gt_disp.sum(), (x * gt_disp).sum()
    scale = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    shift = (sy - scale * sx) / n
    depth = 1.0 / np.maximum(scale * x + shift, 1.0 / max_depth)
    return float(np.mean(np.abs(depth - gt_depth[valid]) / gt_depth[valid]))


def _flow_vectors(folder: Path) -> Vectors:
    flows = [np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), np.zeros((2, 2, 2))]
    flows[0][..., 0], flows[0][..., 1] = 3, 4
    flows[1][..., 1] = 1
    return [f.tolist() for f in flows], [np.zeros((2, 2, 2)).tolist()] * 3


def _chamfer_vectors(folder: Path) -> Vectors:
    rng = np.random.default_rng(3)
    preds, refs = [], []
    for i in range(3):
        np.save(folder / f"a{i}.npy", rng.uniform(-1, 1, (60 + 10 * i, 3)))
        np.save(folder / f"b{i}.npy", rng.uniform(-1, 1, (50, 3)))
        preds.append(str(folder / f"a{i}.npy"))
        refs.append({"target": [str(folder / f"b{i}.npy")]})
    return preds, refs


def _scipy_chamfer(preds: list, refs: list, options: dict) -> float:
    """Squared: mean squared nearest distance both ways, summed; else the mean of the two mean distances."""
    from scipy.spatial import distance_matrix

    values = []
    for p, r in zip(preds, refs, strict=True):
        d = distance_matrix(np.load(p), np.load(r["target"][0]))
        if options.get("squared", True):
            values.append((d.min(1) ** 2).mean() + (d.min(0) ** 2).mean())
        else:
            values.append((d.min(1).mean() + d.min(0).mean()) / 2)
    return _mean(values) * options.get("unit_scale", 1.0) ** (2 if options.get("squared", True) else 1)


# --------------------------------------------------------------------------- image maps, panoptic, tracking


def _generation_ref(target: str) -> dict[str, Any]:
    return {"prompt": "p", "source": [], "target": [target], "text": None}


def _png(path: Path, array: np.ndarray) -> str:
    from PIL import Image

    Image.fromarray(np.asarray(array).astype(np.uint8)).save(path)
    return str(path)


def _pixel_auc_vectors(folder: Path) -> Vectors:
    rng = np.random.default_rng(0)
    preds, refs = [], []
    for i in range(3):
        mask = np.zeros((16, 16), dtype=np.uint8)
        mask[2 + i : 10 + i, 3:12] = 255
        refs.append(_generation_ref(_png(folder / f"t{i}.png", mask)))
        heat = np.clip(mask * (0.3 + 0.2 * i) + rng.integers(0, 120, mask.shape), 0, 255)
        preds.append(_png(folder / f"p{i}.png", heat))
    return preds, refs


def _sklearn_pooled_roc_auc(preds: list, refs: list, options: dict) -> float:
    from PIL import Image
    from sklearn.metrics import roc_auc_score

    truth = np.concatenate([(np.asarray(Image.open(r["target"][0])) > 127).ravel() for r in refs])
    return 100 * roc_auc_score(truth, np.concatenate([np.asarray(Image.open(p)).ravel() for p in preds]))


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIE LAB (D65) of sRGB values in [0, 1], straight from the standard formulas (independent of OpenCV)."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    matrix = np.array([[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169],
                       [0.019334, 0.119193, 0.950227]])
    xyz = linear @ matrix.T / np.array([0.950456, 1.0, 1.088754])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16.0 / 116.0)
    lightness = np.where(xyz[..., 1] > 0.008856, 116.0 * np.cbrt(xyz[..., 1]) - 16.0, 903.3 * xyz[..., 1])
    return np.stack([lightness, 500.0 * (f[..., 0] - f[..., 1]), 200.0 * (f[..., 1] - f[..., 2])], axis=-1)


def _lab_vectors(folder: Path) -> Vectors:
    rng = np.random.default_rng(1)
    preds, refs = [], []
    for i in range(3):
        clean = rng.integers(0, 256, (12, 12, 3))
        output = np.clip(clean + rng.integers(-10 - 20 * i, 10 + 20 * i, clean.shape), 0, 255)
        refs.append(_generation_ref(_png(folder / f"t{i}.png", clean)))
        preds.append(_png(folder / f"p{i}.png", output))
    return preds, refs


def _lab_error(preds: list, refs: list, options: dict) -> float:
    from PIL import Image

    def lab(path: str) -> np.ndarray:
        return srgb_to_lab(np.asarray(Image.open(path), dtype=np.float64) / 255.0)

    return _mean([np.abs(lab(p) - lab(r["target"][0])).sum(axis=-1).mean() for p, r in zip(preds, refs, strict=True)])


def _panoptic_raw() -> Vectors:
    """Three 12x12 (category, instance) maps and predictions with 20 % of pixels relabelled (no void)."""
    rng = np.random.default_rng(0)
    refs, preds = [], []
    for _ in range(3):
        ref = np.zeros((12, 12, 2), dtype=np.int64)
        ref[..., 0] = rng.integers(1, 4, size=(3, 3)).repeat(4, 0).repeat(4, 1)
        ref[..., 1] = np.arange(9).reshape(3, 3).repeat(4, 0).repeat(4, 1) % 2
        pred = ref.copy()
        pred[rng.random((12, 12)) < 0.2] = (2, 5)
        refs.append(ref)
        preds.append(pred)
    return preds, refs


def _torchmetrics_pq(preds: list, refs: list, options: dict) -> float:
    """torchmetrics ``PanopticQuality`` updated one image at a time on the raw maps of the case."""
    import torch
    from torchmetrics.detection import PanopticQuality

    metric = PanopticQuality(things={1, 2, 3}, stuffs=set())
    for p, r in zip(*_panoptic_raw(), strict=True):
        metric.update(torch.from_numpy(p)[None], torch.from_numpy(r)[None])
    return 100 * float(metric.compute())


def _tracks(frames: int = 4, keep: Callable[[str], bool] = lambda t: True, score: float = 0.9) -> tuple[dict, dict]:
    """Two objects 10 m apart moving 1 m per frame; the reference and a prediction keeping some tracks."""
    ref = {str(f): [{"track_id": "a", "center": [f, 0, 0]}, {"track_id": "b", "center": [f, 10, 0]}]
           for f in range(frames)}
    pred = {f: [dict(b, score=score) for b in boxes if keep(b["track_id"])] for f, boxes in ref.items()}
    return pred, ref


def _amota_vectors(folder: Path) -> Vectors:
    (full, ref), (only_a, _) = _tracks(), _tracks(keep=lambda t: t == "a")
    return _parsed("amota", [full, only_a, None], [ref, ref, ref])


def _amota_hand(preds: list, refs: list, options: dict) -> float:
    # pooled over the scenes: P = 24 boxes, 8 + 4 matched -> recall 0.5, MOTAR 1 at every threshold:
    # AMOTA = MOTAR * #{recall levels linspace(0.1, 1, 40) <= 0.5} / 40
    levels = np.linspace(0.1, 1.0, 40).round(12)
    return 100 * int((levels <= 0.5 + 1e-12).sum()) / 40


# --------------------------------------------------------------------------- generated media


def _psnr_vectors(folder: Path) -> Vectors:
    rng = np.random.default_rng(2)
    a, b = rng.integers(0, 256, (24, 32, 3)), rng.integers(0, 256, (24, 32, 3))
    noisy = np.clip(a + rng.integers(-20, 21, a.shape), 0, 255)
    ra, rb = _png(folder / "a.png", a), _png(folder / "b.png", b)
    return [_png(folder / "n.png", noisy), rb, None], [_generation_ref(ra), _generation_ref(rb), _generation_ref(ra)]


def _numpy_psnr(preds: list, refs: list, options: dict) -> float:
    from PIL import Image

    values = []
    for p, r in zip(preds, refs, strict=True):
        if p is None:
            values.append(0.0)  # a missing output scores 0 dB
            continue
        mse = np.mean((np.asarray(Image.open(p), float) - np.asarray(Image.open(r["target"][0]), float)) ** 2)
        values.append(100.0 if mse == 0 else 10 * math.log10(255.0**2 / mse))  # identical: capped at 100 dB
    return _mean(values)


def _ms_ssim_vectors(folder: Path) -> Vectors:
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (64, 64, 3))  # 64 px: the first 3 of the 5 scales fit
    ref = _png(folder / "r.png", img)
    noisy = _png(folder / "n.png", np.clip(img + rng.integers(-60, 61, img.shape), 0, 255))
    return [noisy, ref, None], [_generation_ref(ref)] * 3


def _torchmetrics_ms_ssim(preds: list, refs: list, options: dict) -> float:
    import torch
    from PIL import Image
    from torchmetrics.functional.image import multiscale_structural_similarity_index_measure

    def tensor(path: str) -> Any:
        return torch.from_numpy(np.asarray(Image.open(path))).permute(2, 0, 1)[None].double()

    def one(p: str | None, r: dict) -> float:
        if p is None:
            return 0.0
        return float(multiscale_structural_similarity_index_measure(
            tensor(p), tensor(r["target"][0]), data_range=255.0, betas=(0.0448, 0.2856, 0.3001), normalize="relu"))

    return _mean([one(p, r) for p, r in zip(preds, refs, strict=True)])


def _write_frames(folder: Path, video: np.ndarray) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    for i, frame in enumerate(video):
        _png(folder / f"{i:04d}.png", frame)
    return str(folder)


def _flicker_vectors(folder: Path) -> Vectors:
    rng = np.random.default_rng(0)
    video = rng.integers(0, 256, (4, 32, 32, 3))
    moving = _write_frames(folder / "moving", video)
    static = _write_frames(folder / "static", np.stack([video[0]] * 3))
    return [moving, static, None], [{}] * 3


def _numpy_flicker(preds: list, refs: list, options: dict) -> float:
    from PIL import Image

    values = []
    for p in preds:
        if p is None:
            values.append(0.0)
            continue
        video = np.stack([np.asarray(Image.open(f), float) for f in sorted(Path(p).glob("*.png"))])
        values.append(100 * (255 - np.mean([np.abs(video[i + 1] - video[i]).mean() for i in range(len(video) - 1)]))
                      / 255)
    return _mean(values)


def _flow_score_vectors(folder: Path) -> Vectors:
    yy, xx = np.mgrid[0:64, 0:64]

    def blob(cx: float) -> np.ndarray:
        return np.repeat((255 * np.exp(-((xx - cx) ** 2 + (yy - 32) ** 2) / 30.0))[..., None], 3, 2).astype(np.uint8)

    moving = _write_frames(folder / "m", np.stack([blob(10 + 9 * i) for i in range(5)]))
    still = _write_frames(folder / "s", np.stack([blob(30)] * 5))
    return [moving, still, None], [{}] * 3


def _tone(freqs: list[float], seconds: float = 1.0, rate: int = 22050) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * sum(np.sin(2 * np.pi * f * t) for f in freqs) / len(freqs)).astype(np.float32)


def _wav(path: Path, wave: np.ndarray, rate: int) -> str:
    import soundfile

    soundfile.write(str(path), wave, rate)
    return str(path)


def _pitch_vectors(folder: Path) -> Vectors:
    c_major = _wav(folder / "c.wav", _tone([261.63, 329.63, 392.0]), 22050)
    f_sharp = _wav(folder / "f.wav", _tone([369.99, 466.16, 554.37]), 22050)
    return [c_major, f_sharp, None], [{"target": [c_major]}] * 3


def _chroma_correlation(preds: list, refs: list, options: dict) -> float:
    from lmms_general.metrics.audio import chroma_profile

    a = chroma_profile(_tone([369.99, 466.16, 554.37]))
    b = chroma_profile(_tone([261.63, 329.63, 392.0]))
    return 100 * (1.0 + np.corrcoef(a, b)[0, 1] + 0.0) / 3


def speech(seed: int, seconds: float, rate: int = 22050) -> np.ndarray:
    """Synthetic voiced speech: harmonics of a gliding pitch under a syllable-rate envelope, plus breath noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    f0 = rng.uniform(100, 200) * (1 + 0.15 * np.sin(2 * np.pi * rng.uniform(0.5, 2) * t))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    formant = rng.uniform(0.3, 1.0, 10)
    wave = sum(formant[k - 1] * np.sin(k * phase) / k for k in range(1, 11))
    envelope = 0.5 * (1 + np.sin(2 * np.pi * rng.uniform(3, 5) * t))
    return (0.2 * wave * envelope + 0.005 * rng.standard_normal(len(t))).astype(np.float32)


def _mcd_vectors(folder: Path) -> Vectors:
    refs = [_wav(folder / f"r{s}.wav", speech(s, 0.4), 22050) for s in range(3)]
    gens = [_wav(folder / f"g{s}.wav", speech(s + 10, 0.5), 16000) for s in range(3)]  # another rate: resampled
    return gens, [{"target": [r]} for r in refs]


def _pymcd(preds: list, refs: list, options: dict) -> float:
    from pymcd.mcd import Calculate_MCD

    reference = Calculate_MCD(MCD_mode="dtw")
    return _mean([reference.calculate_mcd(r["target"][0], p) for p, r in zip(preds, refs, strict=True)])


def _audio_vectors(folder: Path, refs: list[Any]) -> Vectors:
    """A tone, an unreadable file (scored as a missing output) and a missing output."""
    wave = _wav(folder / "a.wav", _tone([440.0], 0.3, 16000), 16000)
    (folder / "bad.wav").write_bytes(b"this is not a media file")
    return [wave, str(folder / "bad.wav"), None], refs


def _judge(prompt: str) -> str:
    """A fake chat judge: YES when the answer's first word occurs in the reference answer."""
    answer = prompt.split("Model answer: ")[1].split("\n")[0]
    return "I think... maybe" if answer == "???" else (
        "YES" if answer.split()[0] in prompt.split("Reference answer: ")[1] else "NO")


def _gpt_vectors(folder: Path) -> Vectors:
    return _parsed("gpt_score", ["a dog", "rain", None, "???"], ["a dog barking", ["rain", "water"], "cat", "x"],
                   {"question": "q"})


def _brighter(generated: np.ndarray, other: np.ndarray, prompt: str) -> float:
    return 0.5 if generated.mean() == other.mean() else float(generated.mean() > other.mean())


def _preference_vectors(folder: Path) -> Vectors:
    bright = _write_frames(folder / "bright", np.full((2, 16, 16, 3), 200, np.uint8))
    dark = _write_frames(folder / "dark", np.full((2, 16, 16, 3), 20, np.uint8))
    refs = [{"prompt": "p", "source": [dark], "target": []}] + [{"prompt": "p", "source": [], "target": [bright]}] * 3
    return [bright, dark, bright, None], refs


def _offline(why: str, *tests: str) -> Case:
    return Case("needs weights", offline=why, elsewhere=tests)


def _row_vectors(metric_id: str) -> Callable[[Path], Vectors]:
    """Three synthetic samples of the metric's first registry row (the row-invariant generator): a random
    output, a copy of the reference and a missing output."""

    def build(folder: Path) -> Vectors:
        from lmms_general.metrics.synthetic import build_row
        from lmms_general.registry import load_registry

        row = next(s for s in load_registry().values() if s.metric_id == metric_id)
        case = build_row(row, folder, n=3)
        kinds = ("random", "perfect", "empty")
        return [s.predictions[k] for s, k in zip(case.samples, kinds, strict=True)], case.references

    return build


def _tiny(metric_id: str, *tests: str, options: dict[str, Any] | None = None, rtol: float = 0.0) -> Case:
    return Case("values on tiny random weights are meaningless; the reference comparison runs in the tests named in "
                "elsewhere", _row_vectors(metric_id), None, options or {}, elsewhere=tests, tiny_models=True,
                statistics_rtol=rtol)


_TINY_IMAGE = "tests/metrics/test_image_generation.py::test_clip_score_tiny_model_matches_clip_forward"
_TINY_VIDEO = "tests/metrics/test_video_generation.py::test_clip_and_dino_video_metrics_tiny"
_TINY_AUDIO = "tests/metrics/test_audio.py::test_audio_metrics_with_tiny_models"
_TINY_ROWS = "tests/rows/test_invariants.py::test_model_based_rows_hold_invariants_or_are_documented"
_NO_WEIGHTS = "the hub weights of {} are not on this offline machine; values are meaningful only with them"


# --------------------------------------------------------------------------- the table

CASES: dict[str, Case] = {
    "accuracy": Case("hand-counted: VQA answer folding, 5 of 6 right",
                     lambda folder: _parsed("accuracy", ["The Person.", "a man", "Solution B", "Answer: 42", "42.0",
                                                         "wrong"],
                                            [["person", "man"], ["person", "man"], "Solution B", "42", "42", "right"]),
                     _const(100 * 5 / 6)),
    "em_at_1": Case("hand-counted: SQuAD-folded exact match, 1 of 3",
                    lambda folder: _parsed("em_at_1", ["Two chairs", "table", None],
                                           [["two chairs", "2 chairs"], "desk", "lamp"]), _const(100 / 3)),
    "f1": Case("SQuAD v1.1 f1_score (from its definition), best reference",
               lambda folder: _parsed("f1", [p for p, _ in SQUAD], [[r, "zzz"] for _, r in SQUAD]),
               lambda preds, refs, options: 100 * _mean([max(squad_f1(p, r) for r in rs)
                                                         for p, rs in zip(preds, refs, strict=True)])),
    "micro_f1": Case("scikit-learn f1_score(average='micro') over binarized label sets",
                     lambda folder: _parsed("micro_f1", LABEL_PRED, LABEL_REF, {"task_type": "ner"}),
                     _sklearn_micro_f1),
    "f_score": Case("scikit-learn f1_score(average='weighted')",
                    lambda folder: _parsed("f_score", ["sarcastic", "not sarcastic", "not sarcastic", None],
                                           ["sarcastic", "sarcastic", "not sarcastic", "not sarcastic"]),
                    _sklearn_weighted_f1),
    "macro_accuracy": Case("scikit-learn balanced_accuracy_score",
                           lambda folder: _parsed("macro_accuracy", [None, "before", "x", "after"],
                                                  ["before", "before", "before", "after"]),
                           _sklearn_balanced_accuracy),
    "anls": Case("hand-counted: ANLS (tau 0.5), 'helo' vs 'hello' 0.8, 'abc' vs 'xyz' 0",
                 lambda folder: _parsed("anls", ["Helo", "abc", None, "ABC-12"], [["hello"], "xyz", "q", "abc-12"]),
                 _const(100 * (0.8 + 0 + 0 + 1) / 4)),
    "bleu_1": Case("nltk sentence_bleu (weights 1,0,0,0; method4) on NLTKWordTokenizer tokens, best reference",
                   lambda folder: _parsed("bleu_1", CAPTIONS_PRED, CAPTIONS_REF), _nltk_sentence_bleu_1,
                   variants={"corpus": Variant({"corpus": True}, "nltk corpus_bleu (weights 1,0,0,0)",
                                               _nltk_corpus_bleu_1)}),
    "bleu_4": Case("pycocoevalcap PTBTokenizer + Bleu(4)", lambda folder: _parsed("bleu_4", COCO_PRED, COCO_REF),
                   _coco_caption("bleu_4")),
    "cider": Case("pycocoevalcap PTBTokenizer + Cider", lambda folder: _parsed("cider", COCO_PRED, COCO_REF),
                  _coco_caption("cider")),
    "rouge_1": Case("rouge-score RougeScorer(rouge1, use_stemmer), best reference",
                    lambda folder: _parsed("rouge_1", CAPTIONS_PRED, CAPTIONS_REF), _rouge("rouge1")),
    "rouge_l": Case("rouge-score RougeScorer(rougeL, use_stemmer), best reference",
                    lambda folder: _parsed("rouge_l", CAPTIONS_PRED, CAPTIONS_REF), _rouge("rougeL")),
    "codebleu": Case("codebleu calc_codebleu(lang='python'), one corpus call",
                     lambda folder: _parsed("codebleu", CODE_PRED, CODE_REF), _codebleu),
    "ap": Case("scikit-learn average_precision_score (anomaly labels)",
               lambda folder: _parsed("ap", ["yes", "No, it is good", "0.7", "defective part", None],
                                      ["yes", "no", "no", "yes", "yes"]), _sklearn_ap),
    "ap10": _detection("ap10", [0.1]),
    "ap50": _detection("ap50", [0.5]),
    "ap75": _detection("ap75", [0.75]),
    "map": _detection("map", None),
    "map50": _detection("map50", [0.5]),
    "recall_at_50": Case("hand-counted: triplet recall@50, 1 of 2 and 0 of 1",
                         lambda folder: _parsed("recall_at_50", ["man - riding - horse\nsky - above - sea",
                                                                 "not a triplet", "cup - on - table"],
                                                [[["man", "riding", "horse"], ["horse", "on", "beach"]],
                                                 [["cup", "on", "table"]], [["cup", "on", "table"]]]),
                         _const(100 * (0.5 + 0 + 1) / 3)),
    "dice": Case("hand-counted: box Dice 2*50/150, 0 (unparsed), 2*200/950 (negative coordinates)",
                 lambda folder: _parsed("dice", ["[0, 0, 10, 5]", None, "[-4, -6, 30, 25]"],
                                        [[[0, 0, 10, 10]], [[0, 0, 4, 4]], [[0, 0, 20, 10]]]),
                 _const(100 * (100 / 150 + 0 + 400 / 950) / 3)),
    "miou": Case("scikit-learn jaccard_score(average='macro') over pooled pixels", _miou_vectors,
                 _sklearn_pooled_jaccard),
    "instance_miou": Case("hand-counted: part IoUs (1/2, 2/3), (1, 1), (0, 0)",
                          lambda folder: ([[0, 1, 1, 1], [2, 2, 3], [1, 1]], [[0, 0, 1, 1], [2, 2, 3], [0, 0]]),
                          _const(100 * ((0.5 + 2 / 3) / 2 + 1 + 0) / 3)),
    "s_measure": Case("py_sod_metrics Smeasure(alpha=0.5)", _saliency_vectors, _py_sod_smeasure),
    "sad": Case("numpy: sum |alpha_pred - alpha_ref| / 1000, mean per image", _alpha_vectors, _numpy_sad),
    "m_viou": Case("hand-counted: tube vIoU 0.5/3, 0 (unparsed), 1",
                   lambda folder: _parsed("m_viou", ['{"10": [0, 0, 10, 5], "12": [0, 0, 1, 1]}', None,
                                                     '{"10": [0, 0, 10, 10], "11": [0, 0, 10, 10]}'],
                                          [{"trajectory": [[0, 0, 10, 10], [0, 0, 10, 10]], "tube_start_frame": 10,
                                            "tube_end_frame": 11}] * 3),
                   _const(100 * (0.5 / 3 + 0 + 1) / 3)),
    "mae": Case("numpy mean absolute error (unparsed = 0)",
                _regression("mae", ["There are 12 people.", "Answer: 7", "lots"], [10.0, 7.0, 5.0]),
                lambda preds, refs, options: float(np.abs(_errors(preds, refs)).mean())),
    "mse": Case("numpy mean squared error (unparsed = 0)", _regression("mse", [1.0, 3.0, None], [2.0, 5.0, 1.0]),
                lambda preds, refs, options: float((_errors(preds, refs) ** 2).mean())),
    "rmse": Case("numpy RMSE of errors pooled over all values (unparsed = 0)",
                 _regression("rmse", [[1.0, 1.0, 1.0], None, [2.0, 4.0]], [[1.0, 2.0, 3.0], [2.0], [2.0, 5.0]]),
                 lambda preds, refs, options: float(np.sqrt((_errors(preds, refs) ** 2).mean()))),
    "rms": Case("hand-counted: depth RMS of constant offsets 0.5, 0.1, 0 (x100)",
                lambda folder: ([np.full((4, 4), v).tolist() for v in (2.5, 2.1, 2.0)],
                                [np.full((4, 4), 2.0).tolist()] * 3),
                _const((50 + 10 + 0) / 3), tolerance=1e-6),
    "abs_rel": Case("DepthCrafter absRel protocol (least-squares disparity alignment, from its description)",
                    _depth_vectors, lambda preds, refs, options: _mean([
                        depthcrafter_abs_rel(np.asarray(p), np.asarray(r)) for p, r in zip(preds, refs, strict=True)]),
                    options={"reference": "depth", "prediction": "disparity"}),
    "epe": Case("numpy end-point error: flows (3, 4), (0, 1), (0, 0) vs zero", _flow_vectors, _const((5 + 1 + 0) / 3)),
    "rte": Case("hand-counted: relative translation error 0.5, 0, 0.5",
                lambda folder: ([[[0, 0, 0], [1, 0, 0], [3, 0, 0]], [[0, 0, 0], [1, 0, 0], [2, 0, 0]],
                                 [[0, 0, 0], [1, 0, 0], [3, 0, 0]]], [[[0, 0, 0], [1, 0, 0], [2, 0, 0]]] * 3),
                _const(1 / 3)),
    "auc": Case("hand-counted: one-pass-evaluation success AUC over 21 thresholds (IoU > t)",
                lambda folder: _parsed("auc", ["[[0, 0, 10, 10], [0, 0, 10, 10]]", None,
                                               "[[0, 0, 10, 10], [5, 0, 10, 10]]"],
                                       [[[0, 0, 10, 10], [5, 0, 10, 10]]] * 3),
                _const(100 * (27 / 42 + 0 + 20 / 21) / 3)),
    "chamfer_distance": Case("scipy distance_matrix: squared Chamfer distance", _chamfer_vectors, _scipy_chamfer,
                             variants={"l1": Variant({"squared": False}, "scipy: mean of the two mean distances",
                                                     _scipy_chamfer),
                                       "mm": Variant({"squared": True, "unit_scale": 1000.0},
                                                     "scipy: squared distances in mm^2", _scipy_chamfer)}),
    "pixel_auc": Case("scikit-learn roc_auc_score over pooled pixels", _pixel_auc_vectors, _sklearn_pooled_roc_auc),
    "lab_error": Case("CIE LAB from the sRGB standard formulas (OpenCV's 8-bit LAB rounds: tolerance 0.2 %)",
                      _lab_vectors, _lab_error, tolerance=0.05),
    "pq": Case("torchmetrics PanopticQuality(things={1, 2, 3})",
               lambda folder: _parsed("pq", *[[a.tolist() for a in part] for part in _panoptic_raw()]),
               _torchmetrics_pq, tolerance=1e-5),  # torchmetrics accumulates in float32
    "amota": Case("hand-counted: nuScenes AMOTA, pooled recall 0.5 at MOTAR 1", _amota_vectors, _amota_hand),
    "psnr": Case("numpy PSNR formula (range 255; identical 100 dB, missing 0 dB)", _psnr_vectors, _numpy_psnr,
                 tolerance=1e-6),
    "ms_ssim": Case("torchmetrics multiscale_structural_similarity_index_measure (data range 255, 3 scales at 64 px)",
                    _ms_ssim_vectors,
                    _torchmetrics_ms_ssim, tolerance=1e-6),
    "temporal_flickering": Case("numpy: VBench temporal flickering, 100 * (255 - mean |frame diff|) / 255",
                                _flicker_vectors, _numpy_flicker, tolerance=1e-6),
    "optical_flow_score": Case("hand-counted: a moving blob is dynamic, a still one and a missing video are not",
                               _flow_score_vectors, _const(100 / 3)),
    "pitch_class_consistency": Case("numpy corrcoef of librosa chroma profiles", _pitch_vectors, _chroma_correlation,
                                    tolerance=1e-4),
    "mcd": Case("pymcd Calculate_MCD(MCD_mode='dtw')", _mcd_vectors, _pymcd, tolerance=1e-6),
    "wer": Case("hand-counted through the transcriber seam: 1 substitution + 4 deletions over 6 words",
                lambda folder: _audio_vectors(folder, [{"input": {"text": "hello world"}}, {"text": "good morning"},
                                                       {"text": "one two"}]),
                _const(100 * 5 / 6), options={"transcriber": lambda wave: "hello word"}),
    "mos": Case("hand-counted through the predictor seam: 9 clipped to 5, unreadable and missing 1",
                lambda folder: _audio_vectors(folder, [{}, {}, {}]), _const((5.0 + 1.0 + 1.0) / 3),
                options={"predictor": lambda wave: 9.0}),
    "emotion_accuracy": Case("hand-counted through the classifier seam: 1 of 3",
                             lambda folder: _audio_vectors(folder, [{"input": {"emotion": "Happy"}},
                                                                    {"input": {"emotion": "sad"}},
                                                                    {"input": {"emotion": "hap"}}]),
                             _const(100 / 3), options={"classifier": lambda wave: "hap"}),
    "gpt_score": Case("hand-counted through a fake chat judge: 2 YES of 4 (a missing answer and no verdict = 0)",
                      _gpt_vectors, _const(50.0), options={"judge": "chat"}),
    "user_preference_rate": Case("hand-counted through a fake pairwise judge: win, loss, tie 0.5, missing 0",
                                 _preference_vectors, _const(100 * 1.5 / 4), options={"judge": _brighter}),
    "musiq": Case("hand-counted through the scorer seam: mean frame brightness / 2.55, missing 0",
                  lambda folder: ([_write_frames(folder / "b", np.full((3, 8, 8, 3), 200, np.uint8)), None,
                                   _write_frames(folder / "d", np.full((3, 8, 8, 3), 51, np.uint8))], [{}] * 3),
                  _const((200 / 2.55 + 0 + 20) / 3), tolerance=1e-6,
                  options={"scorer": lambda v: [float(f.mean()) / 2.55 for f in v]}),
    "fid": _tiny("fid", "tests/metrics/test_image_generation.py::test_fid_matches_torchmetrics_with_custom_feature",
                 "tests/metrics/test_image_generation.py::"
                 "test_fid_default_inception_loads_weights_from_the_configured_file", options={"feature": "clip"}),
    "fvd": _offline(_NO_WEIGHTS.format("torchvision r3d_18") + " (a random R3D-18 takes ~30 s on CPU)",
                    "tests/metrics/test_video_generation.py::test_fvd_with_custom_feature_module"),
    "clip_score": _tiny("clip_score", _TINY_IMAGE),
    "clip_image_score": _tiny("clip_image_score",
                              "tests/metrics/test_image_generation.py::test_clip_image_score_and_3d_renders"),
    "clip_style": _tiny("clip_style", _TINY_VIDEO),
    "frame_accuracy": _tiny("frame_accuracy", _TINY_VIDEO),
    "dino_score": _tiny("dino_score", _TINY_VIDEO, rtol=1e-6),
    "i2v_composite": _tiny("i2v_composite", _TINY_VIDEO, rtol=1e-6),
    "success_rate": _offline("ranks the task's distinct prompts with CLIP: needs a task-level prompt set, not the "
                             "synthetic row's samples", _TINY_ROWS),
    "success_rate_single_object": _offline(_NO_WEIGHTS.format("OWL-ViT") + " (no tiny OWL-ViT is built)", _TINY_ROWS),
    "success_rate_multi_object": _offline(_NO_WEIGHTS.format("OWL-ViT") + " (no tiny OWL-ViT is built)", _TINY_ROWS),
    "aesthetic_score": _offline(_NO_WEIGHTS.format("CLIP ViT-L/14 + the LAION aesthetic head")
                                + " (no tiny head is built)", _TINY_ROWS),
    "generated_class_accuracy": _offline(
        "classifies among the task's class names: needs a task-level class list, not the synthetic row's samples",
        "tests/metrics/test_image_maps.py::test_generated_class_accuracy_with_a_clip_classifier"),
    "clap_score": _tiny("clap_score", _TINY_AUDIO, rtol=1e-5),
    "style_clap": _tiny("style_clap", _TINY_AUDIO, rtol=1e-5),
    "fad": _tiny("fad", _TINY_AUDIO),
    "speech_cider": _tiny("speech_cider", _TINY_ROWS),
}


def resolve_options(case: Case) -> dict[str, Any]:
    """The case's compute options with seams that need building (the fake chat judge) built."""
    options = dict(case.options)
    if options.get("judge") == "chat":
        from lmms_general.metrics.judged import chat_judge

        options["judge"] = chat_judge(_judge)
    return options


