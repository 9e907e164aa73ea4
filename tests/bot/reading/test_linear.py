"""The numpy softmax regression the reader's heads are fitted with."""

from __future__ import annotations

import numpy as np

from bot.reading.linear import Rows, balanced_weights, fit, softmax, softmax_spans


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


def _rows() -> tuple[Rows, np.ndarray]:
    """A few rows with a dense block and a sparse one (one row with no sparse entry), and the same as one matrix."""
    rng = np.random.default_rng(0)
    dense = rng.normal(size=(5, 3)).astype(np.float32)
    indptr = np.array([0, 2, 2, 5, 6, 8])
    cols = np.array([0, 3, 1, 3, 4, 0, 2, 4])
    values = rng.normal(size=8).astype(np.float32)
    rows = Rows(dense, indptr, cols, values, 5)
    matrix = np.zeros((5, 8), np.float32)
    matrix[:, :3] = dense
    for r in range(5):
        matrix[r, 3 + cols[indptr[r]:indptr[r + 1]]] = values[indptr[r]:indptr[r + 1]]
    return rows, matrix


def test_sparse_rows_multiply_as_the_dense_matrix_they_stand_for() -> None:
    rows, matrix = _rows()
    w = np.arange(16, dtype=np.float32).reshape(8, 2) / 10
    g = np.arange(10, dtype=np.float32).reshape(5, 2) / 10
    assert rows.shape == matrix.shape and np.allclose(rows.toarray(), matrix)
    assert np.allclose(rows.dot(w), matrix @ w) and np.allclose(rows.tdot(g), matrix.T @ g)
    assert np.allclose(rows.take([4, 1, 2]).toarray(), matrix[[4, 1, 2]])


def test_a_head_fitted_on_sparse_rows_is_the_head_fitted_on_the_dense_matrix() -> None:
    rows, matrix = _rows()
    y = np.array([0, 1, 0, 1, 1])
    sparse, dense = fit(rows, y, 2, epochs=30), fit(matrix, y, 2, epochs=30)
    assert np.allclose(sparse.weights, dense.weights, atol=1e-5) and np.allclose(sparse.proba(rows), dense.proba(matrix))


def test_the_softmax_of_each_span_is_the_softmax_of_its_columns_to_the_last_bit() -> None:
    rng = np.random.default_rng(3)
    spans = ((0, 6), (6, 8), (8, 19), (19, 47), (47, 53))  # the reader's heads: widths under and over 8
    for rows in (1, 3, 16):
        for scale in (0.1, 3.0, 40.0):
            z = (rng.standard_normal((rows, 53)) * scale).astype(np.float32)
            for (a, b), p in zip(spans, softmax_spans(z, spans), strict=True):
                assert np.array_equal(p, softmax(z[:, a:b]))
