"""Softmax (multinomial logistic) regression in numpy: fitted by full-batch gradient descent, L2-regularised."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Linear:
    """Weights ``(features, classes)`` and bias ``(classes,)`` of a fitted softmax regression."""

    weights: np.ndarray
    bias: np.ndarray

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Raw class scores (logits) for the rows of ``x``."""
        return x @ self.weights + self.bias

    def proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities for the rows of ``x`` (each row sums to one)."""
        return softmax(self.scores(x))


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large scores."""
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def fit(
    x: np.ndarray,
    y: np.ndarray,
    classes: int,
    *,
    l2: float = 1e-3,
    sample_weight: np.ndarray | None = None,
    epochs: int = 300,
    rate: float = 0.5,
) -> Linear:
    """Fit a softmax regression of labels ``y`` (ints in ``[0, classes)``) on ``x`` with Adam steps.

    ``sample_weight`` weighs each example (e.g. to balance rare classes); ``l2`` is the penalty on the
    weights (not the bias). Deterministic: the same data gives the same model.
    """
    n, d = x.shape
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
        p = softmax(x @ w + b)
        err = (p - target) * sw[:, None]
        g_w = x.T @ err + l2 * w
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
