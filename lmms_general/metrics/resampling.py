"""Vectorised bootstrap replicates of one task score.

A *replicator* turns an index matrix ``idx`` of shape ``(n_boot, n)`` (row ``b`` = the samples drawn
with replacement for replicate ``b``, in draw order) into the ``n_boot`` replicate scores of a task.
Three kinds cover the metrics:

* :class:`MeanReplicator`: the task score is the mean of precomputed per-sample values.
* :class:`SumReplicator`: the task score is a function of per-sample sufficient statistics summed
  over the drawn samples (micro-F1 counts, confusion matrices, BLEU n-gram counts, squared errors).
* :class:`RecomputeReplicator`: anything else; the metric is recomputed on each replicate's items.

Sums use a sparse "how many times was sample i drawn in replicate b" matrix, so each replicate costs a
sparse-dense product instead of a Python loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

#: replicates handled per chunk (bounds the memory of count matrices and summed statistics)
CHUNK = 250


class Replicator(Protocol):
    """``(n_boot, n)`` index matrix -> ``(n_boot,)`` replicate scores."""

    def __call__(self, idx: np.ndarray) -> np.ndarray: ...


def safe_ratio(numerator: np.ndarray, denominator: np.ndarray, where: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` where ``where`` holds, else 0 (no division warnings)."""
    return np.where(where, numerator / np.where(where, denominator, 1.0), 0.0)


def agrees(value: float, point: float | None) -> bool:
    """Whether a replicator's value on the items as given reproduces the metric's score (to 1e-6)."""
    import math

    return point is not None and math.isclose(value, point, rel_tol=1e-6, abs_tol=1e-6)


def draw_indices(rng: np.random.Generator, n: int, n_boot: int) -> np.ndarray:
    """``n_boot`` resamples of ``n`` samples with replacement, one row per replicate."""
    return rng.integers(0, n, size=(n_boot, n))


def count_matrix(idx: np.ndarray, n: int) -> Any:
    """Sparse ``(rows, n)`` matrix: how often each sample is drawn in each replicate row of ``idx``."""
    from scipy import sparse

    rows = np.repeat(np.arange(idx.shape[0]), idx.shape[1])
    data = np.ones(idx.size, dtype=np.float64)
    return sparse.csr_matrix((data, (rows, idx.ravel())), shape=(idx.shape[0], n))


#: the most entries of a dense count matrix (:func:`drawn_counts`): replicates are summed in chunks of rows that fit
DENSE_COUNTS = 1 << 22


def drawn_counts(idx: np.ndarray, n: int) -> np.ndarray:
    """Dense ``(rows, n)`` matrix: how often each sample is drawn in each replicate row of ``idx`` (one ``bincount``;
    a dense matrix times the statistics is a BLAS product, without building and sorting a sparse matrix)."""
    rows = idx.shape[0]
    flat = (np.arange(rows, dtype=np.int64)[:, None] * n + idx).ravel()
    return np.bincount(flat, minlength=rows * n).reshape(rows, n).astype(np.float64)


@dataclass(frozen=True)
class MeanReplicator:
    """Task score = ``scale * mean(values[drawn])``."""

    values: np.ndarray
    scale: float = 1.0

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        return self.scale * self.values[idx].mean(axis=1)


@dataclass(frozen=True)
class SumReplicator:
    """Task score = ``finish(stats[drawn].sum(axis=0))``, vectorised over replicates.

    Attributes:
        stats: ``(n, k)`` per-sample statistics (dense array or scipy sparse matrix).
        finish: ``(rows, k)`` summed statistics -> ``(rows,)`` scores.
    """

    stats: Any
    finish: Callable[[np.ndarray], np.ndarray]

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        n = self.stats.shape[0]
        out = np.empty(idx.shape[0], dtype=np.float64)
        rows = max(1, min(CHUNK, DENSE_COUNTS // max(1, n)))
        for start in range(0, idx.shape[0], rows):
            chunk = idx[start : start + rows]
            summed = drawn_counts(chunk, n) @ self.stats
            summed = summed.toarray() if hasattr(summed, "toarray") else np.asarray(summed)
            out[start : start + len(chunk)] = self.finish(summed)
        return out


@dataclass(frozen=True)
class RecomputeReplicator:
    """Task score recomputed from the drawn items with ``score_fn`` (one call per replicate)."""

    items: Sequence[Any]
    score_fn: Callable[[Sequence[Any]], float]

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        return np.array([float(self.score_fn([self.items[i] for i in row])) for row in idx], dtype=np.float64)
