"""The ONNX writer: what it writes, onnxruntime reads and runs as numpy would."""

from __future__ import annotations

import numpy as np
import onnxruntime
import pytest

from bot.reading.onnx_model import Node, model, tensor, value_info


def _run(data: bytes, feed: dict[str, np.ndarray]) -> list[np.ndarray]:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    return session.run(None, feed)


def test_a_graph_of_initialisers_and_attributes_runs_as_numpy_computes_it() -> None:
    rng = np.random.default_rng(3)
    weights, bias = rng.standard_normal((4, 3)).astype(np.float32), np.arange(3, dtype=np.float32)
    nodes = [
        Node("MatMul", ["x", "w"], ["xw"]),
        Node("Add", ["xw", "b"], ["y"]),
        Node("LayerNormalization", ["y", "gamma", "beta"], ["normed"], {"axis": -1, "epsilon": 1e-3}),
        Node("ReduceSumSquare", ["normed"], ["total"], {"axes": [1], "keepdims": 1}),
    ]
    data = model(nodes, inputs=[value_info("x", np.float32, ["rows", 4])],
                 outputs=[value_info("y", np.float32, ["rows", 3]), value_info("total", np.float32, ["rows", 1])],
                 initializers={"w": weights, "b": bias, "gamma": np.ones(3, np.float32),
                               "beta": np.zeros(3, np.float32)})
    x = rng.standard_normal((5, 4)).astype(np.float32)
    y, total = _run(data, {"x": x})
    expected = x @ weights + bias
    assert np.allclose(y, expected, atol=1e-5)
    centred = expected - expected.mean(axis=1, keepdims=True)
    normed = centred / np.sqrt((centred ** 2).mean(axis=1, keepdims=True) + 1e-3)
    assert np.allclose(total[:, 0], (normed ** 2).sum(axis=1), atol=1e-4)


def test_integer_tensors_and_a_fixed_dimension_are_read_as_written() -> None:
    codes = np.array([[-128, 0, 127]], dtype=np.int8)
    nodes = [Node("Cast", ["codes"], ["as_float"], {"to": 1}), Node("Mul", ["as_float", "x"], ["y"])]
    data = model(nodes, inputs=[value_info("x", np.float32, [1, 3])], outputs=[value_info("y", np.float32, [1, 3])],
                 initializers={"codes": codes})
    (y,) = _run(data, {"x": np.full((1, 3), 2.0, np.float32)})
    assert y.tolist() == [[-256.0, 0.0, 254.0]]


def test_a_type_onnx_has_no_name_for_is_refused_naming_the_tensor() -> None:
    with pytest.raises(ValueError, match="weights"):
        tensor("weights", np.zeros(2, dtype=np.complex64))
