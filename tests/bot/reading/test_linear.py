"""The numpy softmax regression the reader's heads are fitted with."""

from __future__ import annotations

import numpy as np

from bot.reading.linear import balanced_weights, fit, softmax


def test_it_learns_a_separable_problem() -> None:
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(-2, 0.5, (40, 3)), rng.normal(2, 0.5, (40, 3))]).astype(np.float32)
    y = np.array([0] * 40 + [1] * 40)
    model = fit(x, y, 2, epochs=100)
    assert (model.proba(x).argmax(axis=1) == y).mean() == 1.0


def test_probabilities_sum_to_one_even_for_huge_scores() -> None:
    p = softmax(np.array([[1000.0, 0.0, -1000.0]]))
    assert np.isclose(p.sum(), 1.0) and p[0, 0] > 0.99


def test_rare_classes_weigh_more() -> None:
    weights = balanced_weights(np.array([0, 0, 0, 1]), 2, power=1.0)
    assert weights[3] == 3 * weights[0]


def test_the_same_data_gives_the_same_model() -> None:
    x = np.eye(4, dtype=np.float32)
    y = np.array([0, 1, 0, 1])
    assert np.array_equal(fit(x, y, 2, epochs=20).weights, fit(x, y, 2, epochs=20).weights)
