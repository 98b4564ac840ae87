"""Image-generation rows scored against a target image by a non-generic metric (one metric per row protocol):

* ``pixel_auc`` — Infection-map Generation (AUC): the generated infection map's grey levels are pixel scores,
  the target map (binarised at half its range) the labels; pooled ROC-AUC over the task's pixels (scikit-learn),
  x100. A perfect map scores 100, a blank or noise map ~50.
* ``lab_error`` — Image Shadow Removal (RMSE): the ISTD protocol's "RMSE" — the per-pixel absolute error in CIE
  LAB (OpenCV's sRGB->LAB, the same conversion as MATLAB's ``makecform('srgb2lab')``), summed over L, a, b and
  averaged over pixels, then over images. Lower is better; a perfect image scores 0.
* ``generated_class_accuracy`` — EEG-based Image Generation (Acc): N-way top-1 classification accuracy of the
  generated image, judged by a zero-shot CLIP classifier over the task's class names: correct when the generated
  image falls in the same class as the target image. The paper used an ImageNet classifier; ours is a
  CLIP stand-in (``proxy``).

The generated image is resized to the target's size before pixel metrics. A missing / unreadable output scores
as a blank image (never dropped).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from lmms_general.metrics import media
from lmms_general.metrics._common import require_samples
from lmms_general.metrics.image_generation import reference_media
from lmms_general.metrics.registry import AS_IS, LevelMap, MetricSpec, register
from lmms_general.metrics.synthetic import gen_generation


def _target_image(reference: Any, metric_id: str) -> np.ndarray:
    targets = [t for t in reference_media(reference) if str(t).lower().endswith(media.IMAGE_SUFFIXES)]
    if not targets:
        raise ValueError(f"{metric_id}: the sample has no target image: {str(reference)[:200]}")
    return media.load_image(targets[0])


def _generated_like(prediction: Any, target: np.ndarray) -> np.ndarray:
    """The generated image at the target's size; a blank image when missing or unreadable."""
    size = (target.shape[1], target.shape[0])
    if prediction is None:
        return np.zeros_like(target)
    try:
        return media.load_image(prediction, size)
    except media.MediaError:
        return np.zeros_like(target)


def _grey(image: np.ndarray) -> np.ndarray:
    return image.astype(np.float64).mean(axis=-1) if image.ndim == 3 else image.astype(np.float64)


def _pixel_pairs(predictions: Sequence[Any], references: Sequence[Any]) -> Any:
    """Per image: the generated map's grey pixel scores and the binarised target's pixel labels."""
    for prediction, reference in zip(predictions, references, strict=True):
        target = _target_image(reference, "pixel_auc")
        grey = _grey(target)
        labels = (grey >= (grey.min() + grey.max()) / 2.0).ravel() if grey.max() > grey.min() \
            else np.zeros(grey.size, dtype=bool)
        yield _grey(_generated_like(prediction, target)).ravel(), labels


def pixel_auc(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Pooled pixel ROC-AUC of generated maps against binarised target maps, x100."""
    from sklearn.metrics import roc_auc_score

    require_samples("pixel_auc", predictions)
    scores, labels = [], []
    for score, label in _pixel_pairs(predictions, references):
        scores.append(score)
        labels.append(label)
    y_true = np.concatenate(labels)
    if y_true.all() or not y_true.any():
        raise ValueError("pixel_auc: the target maps hold a single class; AUC is undefined")
    return 100.0 * float(roc_auc_score(y_true, np.concatenate(scores)))


def pixel_auc_statistics(predictions: Sequence[Any], references: Sequence[Any]) -> Any:
    """Per-image statistics of :func:`pixel_auc` for bootstrap replicates: each image's count of positive and
    of negative pixels at every distinct score of the task. A replicate sums its drawn images' counts, and the
    ROC curve of the pooled pixels (one point per distinct score, ties together, as scikit-learn's
    ``roc_curve``) gives its AUC by the trapezoidal rule, as ``roc_auc_score`` does. The maps are read once."""
    from scipy import sparse

    from lmms_general.metrics.resampling import SumReplicator

    require_samples("pixel_auc", predictions)
    per_image = []
    for score, label in _pixel_pairs(predictions, references):
        values, where = np.unique(score, return_inverse=True)
        per_image.append((values, np.bincount(where, weights=label, minlength=values.size),
                          np.bincount(where, weights=~label, minlength=values.size)))
    distinct = np.unique(np.concatenate([v for v, _, _ in per_image]))[::-1]  # falling scores
    g = distinct.size
    rows, cols, data = [], [], []
    for i, (values, positives, negatives) in enumerate(per_image):
        column = g - 1 - np.searchsorted(distinct[::-1], values)
        for offset, counts in ((0, positives), (g, negatives)):
            nonzero = counts > 0
            rows.append(np.full(int(nonzero.sum()), i))
            cols.append(column[nonzero] + offset)
            data.append(counts[nonzero])
    stats = sparse.csr_matrix((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                              shape=(len(per_image), 2 * g))

    def finish(summed: np.ndarray) -> np.ndarray:
        tps, fps = np.cumsum(summed[:, :g], axis=1), np.cumsum(summed[:, g:], axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            tpr = np.hstack([np.zeros((len(summed), 1)), tps / tps[:, -1:]])
            fpr = np.hstack([np.zeros((len(summed), 1)), fps / fps[:, -1:]])
        auc = np.trapezoid(tpr, fpr, axis=1)
        return np.where((tps[:, -1] > 0) & (fps[:, -1] > 0), 100.0 * auc, np.nan)

    return SumReplicator(stats, finish)


def lab_error_pair(prediction: Any, reference: Any) -> float:
    """Mean over pixels of |dL| + |da| + |db| between the generated and the target image (ISTD "RMSE")."""
    import cv2

    target = _target_image(reference, "lab_error")
    generated = _generated_like(prediction, target)
    lab = [cv2.cvtColor(np.ascontiguousarray(img[..., :3]).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
           for img in (generated, target)]
    return float(np.abs(lab[0] - lab[1]).sum(axis=-1).mean())


def lab_error(predictions: Sequence[Any], references: Sequence[Any]) -> float:
    """Mean per-image LAB error (see :func:`lab_error_pair`), raw units (lower is better)."""
    require_samples("lab_error", predictions)
    return float(np.mean([lab_error_pair(p, r) for p, r in zip(predictions, references, strict=True)]))


def _class_names(references: Sequence[Any]) -> list[str]:
    """The task's class names: the references' ``text`` (class label), else their prompts."""
    names: list[str] = []
    for ref in references:
        if not isinstance(ref, Mapping):
            continue
        try:
            name = ref.get("text") or media.reference_prompt(ref)
        except ValueError:
            continue
        if name and str(name) not in names:
            names.append(str(name))
    return names


def generated_class_accuracy(predictions: Sequence[Any], references: Sequence[Any], model: str | None = None) -> float:
    """% samples whose generated image and target image get the same zero-shot CLIP class (x100)."""
    from lmms_general.metrics.models import clip_image_embeddings, clip_text_embeddings, resolve_model

    require_samples("generated_class_accuracy", predictions)
    names = _class_names(references)
    if len(names) < 2:
        raise ValueError("generated_class_accuracy: the task names fewer than two classes")
    path = resolve_model("CLIP", model)
    classes = clip_text_embeddings([f"a photo of a {n}" for n in names], path)
    targets = [_target_image(r, "generated_class_accuracy") for r in references]
    generated = [_generated_like(p, t) for p, t in zip(predictions, targets, strict=True)]
    target_class = np.argmax(clip_image_embeddings(targets, path) @ classes.T, axis=1)
    generated_class = np.argmax(clip_image_embeddings(generated, path) @ classes.T, axis=1)
    missing = np.array([p is None or not _readable(p) for p in predictions])  # unreadable output = wrong
    return 100.0 * float(np.mean((target_class == generated_class) & ~missing))


def _readable(prediction: Any) -> bool:
    try:
        media.load_image(prediction)
    except media.MediaError:
        return False
    return True


_IO = {"parse": media.parse_media, "prepare_reference": media.generation_reference}
register(MetricSpec(id="pixel_auc", compute=pixel_auc, kind="corpus", native_range=(0.0, 1.0), scale="x100",
                    implementation="scikit-learn roc_auc_score over pooled pixels",
                    description="pixel ROC-AUC of a generated infection map against the target map", **_IO,
                    task_kind="generation",
                    level_map=AS_IS,
                    synthetic=gen_generation,
                    statistics=pixel_auc_statistics))
register(MetricSpec(id="lab_error", compute=lab_error, kind="sample", native_range=None, scale="raw (LAB units)",
                    implementation="OpenCV sRGB->LAB, ISTD shadow-removal error",
                    description="mean per-pixel |dL|+|da|+|db| to the shadow-free target (ISTD 'RMSE')", **_IO,
                    lower_is_better=True,
                    task_kind="generation",
                    level_map=LevelMap.sigmoid(5.0),
                    synthetic=gen_generation))
register(MetricSpec(id="generated_class_accuracy", compute=generated_class_accuracy, kind="sample",
                    native_range=(0.0, 1.0), scale="x100", implementation="CLIP zero-shot classification",
                    default_model="openai/clip-vit-base-patch32", proxy=True,
                    description="generated image classified as its target image's class (N-way top-1, CLIP)",
                    **_IO,
                    task_kind="generation",
                    level_map=AS_IS,
                    synthetic=gen_generation))
