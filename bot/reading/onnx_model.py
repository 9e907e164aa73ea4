"""A small writer of ONNX models: the few messages of ``onnx.proto`` a graph of tensors and operators needs.

onnxruntime reads a model as the protobuf bytes of an ONNX ``ModelProto``. The ``onnx`` package builds them, but
costs 18 MB of memory for a file written once at start-up; this writes the same wire format directly (field
numbers from ``onnx.proto``, IR version 8, default opset 17). A test loads what it writes into onnxruntime.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

IR_VERSION = 8
OPSET = 17
#: TensorProto.DataType of the numpy types a model here holds or passes
DATA_TYPES: dict[np.dtype, int] = {
    np.dtype(np.float32): 1, np.dtype(np.uint8): 2, np.dtype(np.int8): 3, np.dtype(np.int32): 6,
    np.dtype(np.int64): 7,
}
#: AttributeProto.AttributeType
_FLOAT, _INT, _INTS = 1, 2, 7


def _varint(value: int) -> bytes:
    if value < 0:  # int64 fields: two's complement on ten bytes
        value += 1 << 64
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _int(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _bytes(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _text(number: int, value: str) -> bytes:
    return _bytes(number, value.encode())


@dataclass(frozen=True)
class Node:
    """One operator: its type, the names of its inputs and outputs, its attributes (ints, floats, lists of ints)."""

    op: str
    inputs: Sequence[str]
    outputs: Sequence[str]
    attributes: dict[str, int | float | Sequence[int]] = field(default_factory=dict)

    def encode(self) -> bytes:
        out = b"".join(_text(1, name) for name in self.inputs) + b"".join(_text(2, name) for name in self.outputs)
        out += _text(4, self.op)
        for name, value in self.attributes.items():
            if isinstance(value, float):
                attribute = _text(1, name) + _varint(2 << 3 | 5) + struct.pack("<f", value) + _int(20, _FLOAT)
            elif isinstance(value, int):
                attribute = _text(1, name) + _int(3, value) + _int(20, _INT)
            else:
                attribute = _text(1, name) + b"".join(_int(8, v) for v in value) + _int(20, _INTS)
            out += _bytes(5, attribute)
        return out


def tensor(name: str, array: np.ndarray) -> bytes:
    """A ``TensorProto`` holding ``array`` (its bytes little-endian, as ONNX's raw_data is)."""
    array = np.ascontiguousarray(array)
    if array.dtype not in DATA_TYPES:
        msg = f"onnx_model.tensor: no ONNX type for {array.dtype} ({name})"
        raise ValueError(msg)
    dims = b"".join(_int(1, d) for d in array.shape)
    raw = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
    return dims + _int(2, DATA_TYPES[array.dtype]) + _text(8, name) + _bytes(9, raw)


def value_info(name: str, dtype: type, shape: Sequence[int | str]) -> bytes:
    """A ``ValueInfoProto``: a graph input or output, its element type and shape (a str names a free dimension)."""
    dims = b"".join(_bytes(1, _int(1, d) if isinstance(d, int) else _text(2, d)) for d in shape)
    tensor_type = _int(1, DATA_TYPES[np.dtype(dtype)]) + _bytes(2, dims)
    return _text(1, name) + _bytes(2, _bytes(1, tensor_type))


def model(
    nodes: Sequence[Node], *, inputs: Sequence[bytes], outputs: Sequence[bytes], initializers: dict[str, np.ndarray],
    name: str = "graph",
) -> bytes:
    """The bytes of a ``ModelProto`` of one graph, for ``onnxruntime.InferenceSession``."""
    graph = b"".join(_bytes(1, node.encode()) for node in nodes) + _text(2, name)
    graph += b"".join(_bytes(5, tensor(key, value)) for key, value in initializers.items())
    graph += b"".join(_bytes(11, item) for item in inputs) + b"".join(_bytes(12, item) for item in outputs)
    opset = _text(1, "") + _int(2, OPSET)
    return _int(1, IR_VERSION) + _bytes(8, opset) + _bytes(7, graph)
