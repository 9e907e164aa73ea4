"""Softmax (multinomial logistic) regression in numpy: fitted by full-batch gradient descent, L2-regularised."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Linear:
    """Weights ``(features, classes)`` and bias ``(classes,)`` of a fitted softmax regression."""

    weights: np.ndarray
    bias: np.ndarray

    def scores(self, x: np.ndarray | Rows) -> np.ndarray:
        """Raw class scores (logits) for the rows of ``x``."""
        return (x.dot(self.weights) if isinstance(x, Rows) else x @ self.weights) + self.bias

    def proba(self, x: np.ndarray | Rows) -> np.ndarray:
        """Class probabilities for the rows of ``x`` (each row sums to one)."""
        return softmax(self.scores(x))


@dataclass(frozen=True)
class Rows:
    """Feature rows as a dense block (the sentence embedding) beside a sparse one (n-gram tf-idf, CSR).

    Training multiplies every row by the weights twice a step; an n-gram row holds a few hundred of its
    12,000 columns, so the sparse block costs a few percent of the dense product it stands for.
    """

    dense: np.ndarray  # (rows, dense columns)
    indptr: np.ndarray  # (rows + 1,): row i's entries are cols/values[indptr[i]:indptr[i + 1]]
    cols: np.ndarray
    values: np.ndarray
    width: int  # the sparse block's columns

    @property
    def shape(self) -> tuple[int, int]:
        """Rows and columns, as a dense matrix's."""
        return self.dense.shape[0], self.dense.shape[1] + self.width

    def __len__(self) -> int:
        return self.dense.shape[0]

    @functools.cached_property
    def _row_of(self) -> np.ndarray:
        return np.repeat(np.arange(len(self)), np.diff(self.indptr))

    @functools.cached_property
    def _by_column(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The entries in column order (their rows and values), the columns that have any, where each starts."""
        order = np.argsort(self.cols, kind="stable")
        cols = self.cols[order]
        starts = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]]) if len(cols) else np.zeros(0, np.intp)
        return self._row_of[order], self.values[order], cols[starts], starts

    def dot(self, w: np.ndarray) -> np.ndarray:
        """``self @ w`` for ``w`` of shape (columns, k)."""
        a = self.dense.shape[1]
        out = self.dense @ w[:a]
        if len(self.cols):
            sizes = np.diff(self.indptr)
            full = np.flatnonzero(sizes)
            out[full] += np.add.reduceat(self.values[:, None] * np.take(w[a:], self.cols, axis=0),
                                          self.indptr[full], axis=0)
        return out

    def tdot(self, g: np.ndarray) -> np.ndarray:
        """``self.T @ g`` for ``g`` of shape (rows, k)."""
        a = self.dense.shape[1]
        out = np.zeros((a + self.width, g.shape[1]), dtype=np.float32)
        out[:a] = self.dense.T @ g
        if len(self.cols):
            rows, values, cols, starts = self._by_column
            out[a + cols] = np.add.reduceat(values[:, None] * np.take(g, rows, axis=0), starts, axis=0)
        return out

    def take(self, index: np.ndarray | list[int]) -> Rows:
        """The rows at ``index``, in that order."""
        index = np.asarray(index, dtype=np.intp)
        starts, ends = self.indptr[index], self.indptr[index + 1]
        sizes = ends - starts
        indptr = np.zeros(len(index) + 1, dtype=np.intp)
        np.cumsum(sizes, out=indptr[1:])
        picks = np.repeat(starts - indptr[:-1], sizes) + np.arange(indptr[-1])
        return Rows(self.dense[index], indptr, self.cols[picks], self.values[picks], self.width)

    def toarray(self) -> np.ndarray:
        """The rows as one dense matrix."""
        out = np.zeros(self.shape, dtype=np.float32)
        out[:, :self.dense.shape[1]] = self.dense
        out[self._row_of, self.dense.shape[1] + self.cols] = self.values
        return out


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large scores (maxima and sums by the ufuncs' reductions: what ``ndarray.max`` and
    ``ndarray.sum`` call, without their Python wrappers, so the same bits)."""
    z = z - np.maximum.reduce(z, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / np.add.reduce(e, axis=-1, keepdims=True)


def softmax_spans(z: np.ndarray, spans: Sequence[tuple[int, int]]) -> list[np.ndarray]:
    """:func:`softmax` of each span of columns ``[a, b)`` of ``z``, the same numbers in fewer array operations: the
    maxima, the exponentials and the division done once for all spans (each element on its own: the same bits),
    each span's sum on its own, as :func:`softmax` adds it (the order of a sum sets its last bits)."""
    starts, widths = _span_arrays(tuple(spans))
    e = np.exp(z - np.maximum.reduceat(z, starts, axis=-1).repeat(widths, axis=-1))
    sums = np.concatenate([np.add.reduce(e[:, a:b], axis=-1, keepdims=True) for a, b in spans], axis=-1)
    p = e / sums.repeat(widths, axis=-1)
    return [p[:, a:b] for a, b in spans]


@functools.lru_cache(maxsize=16)
def _span_arrays(spans: tuple[tuple[int, int], ...]) -> tuple[np.ndarray, np.ndarray]:
    """Where each span starts and how wide it is, as arrays (read-only: shared by every call)."""
    starts = np.array([a for a, _ in spans], dtype=np.intp)
    widths = np.array([b - a for a, b in spans], dtype=np.intp)
    starts.setflags(write=False)
    widths.setflags(write=False)
    return starts, widths


def fit(
    x: np.ndarray | Rows,
    y: np.ndarray,
    classes: int,
    *,
    l2: float = 1e-3,
    sample_weight: np.ndarray | None = None,
    epochs: int = 300,
    rate: float = 0.5,
) -> Linear:
    """Fit a softmax regression of labels ``y`` (ints in ``[0, classes)``) on ``x`` with Adam steps.

    ``x`` is a dense matrix or :class:`Rows` (the same products, the sparse block sparse). ``sample_weight`` weighs each example (e.g. to balance rare classes); ``l2`` is the penalty on the
    weights (not the bias). Deterministic: the same data gives the same model.
    """
    n, d = x.shape
    if not isinstance(x, Rows):
        x = x.astype(np.float32, copy=False)
    target = np.zeros((n, classes), dtype=np.float32)
    target[np.arange(n), y] = 1.0
    sw = np.ones(n, dtype=np.float32) if sample_weight is None else sample_weight.astype(np.float32)
    sw = sw / sw.sum()
    w = np.zeros((d, classes), dtype=np.float32)
    b = np.zeros(classes, dtype=np.float32)
    m_w, v_w = np.zeros_like(w), np.zeros_like(w)
    m_b, v_b = np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, epochs + 1):
        p = softmax((x.dot(w) if isinstance(x, Rows) else x @ w) + b)
        err = (p - target) * sw[:, None]
        g_w = (x.tdot(err) if isinstance(x, Rows) else x.T @ err) + l2 * w
        g_b = err.sum(axis=0)
        m_w = beta1 * m_w + (1 - beta1) * g_w
        v_w = beta2 * v_w + (1 - beta2) * g_w * g_w
        m_b = beta1 * m_b + (1 - beta1) * g_b
        v_b = beta2 * v_b + (1 - beta2) * g_b * g_b
        lr = rate * np.sqrt(1 - beta2**step) / (1 - beta1**step) / np.sqrt(step)
        w -= lr * m_w / (np.sqrt(v_w) + eps)
        b -= lr * m_b / (np.sqrt(v_b) + eps)
    return Linear(w, b)


def balanced_weights(y: np.ndarray, classes: int, *, power: float = 0.5) -> np.ndarray:
    """Per-example weights that lift rare classes: ``(n / count) ** power`` of each example's class."""
    counts = np.bincount(y, minlength=classes).astype(np.float64)
    counts[counts == 0] = 1.0
    return ((len(y) / counts) ** power)[y]
