"""The encoder's pass on 8-bit integers (``reader.encoder: integer``): the weights' own grids, near the float32
embeddings, batch-free rows; choosing it and back."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from bot.reading.encoder_int8 import Int8Pass, on_grid
from bot.reading.features import Encoder
from tests.bot.reading.float_encoder import float_embeddings, float_model, running

TEXTS = ["il 64 passa?", "Il 64 non passa da 40 minuti!!", "is tram 8 running today?", "grazie 🙏", "???", "",
         "metro A chiusa a Ottaviano, come arrivo a San Pietro?", "Когда придёт автобус 64?", "x" * 700]


@pytest.fixture(scope="module", autouse=True)
def integer_encoder() -> Iterator[None]:
    """The integer pass for this module's tests."""
    yield from running("integer")


@pytest.fixture(scope="module")
def backend() -> object:
    return Encoder.model()._backend


def test_chosen_the_integer_pass_is_installed_and_its_float_matrices_are_dropped(backend: object) -> None:
    assert Encoder.pass_in_use() == "integer"
    assert isinstance(backend.__dict__.get("_encode_batch"), Int8Pass)  # type: ignore[attr-defined]
    assert not Int8Pass.install(Encoder.model())  # once is enough
    assert not hasattr(backend, "w1") and not hasattr(backend, "cnn_W") and hasattr(backend, "table")


@pytest.mark.parametrize("name", ["w1", "w2"])
def test_every_product_matrix_is_recovered_exactly_from_its_grid(name: str) -> None:
    floats = float_model()._backend
    matrices = [*getattr(floats, name), floats.cnn_W, floats.d0, floats.p1, floats.d3]
    for matrix in matrices:
        grid = on_grid(matrix)
        assert grid is not None
        q, step, zero = grid
        assert q.dtype == np.int8 and zero.dtype == np.int8
        assert np.abs((q.astype(np.float64) - zero) * step - matrix).max() <= 1e-6 * np.abs(matrix).max()


def test_a_matrix_off_any_grid_of_256_steps_is_refused() -> None:
    rng = np.random.default_rng(1)
    assert on_grid(rng.standard_normal((40, 30)).astype(np.float32)) is None
    assert on_grid(np.arange(300, dtype=np.float32).reshape(30, 10)) is None  # 300 levels
    assert on_grid(np.ones((3, 3), np.float32)) is None
    assert on_grid(np.arange(256, dtype=np.float32).reshape(16, 16) * 0.5 - 3.0) is not None


def test_embeddings_are_near_the_float32_ones() -> None:
    from bot.evaluate import read_labelled
    from tests.conftest import REPO

    texts = [r.text for path in sorted((REPO / "knowledge" / "training").glob("*.jsonl"))[:3]
             for r in read_labelled(path)][:300] + TEXTS
    ours, theirs = Encoder.encode(texts), float_embeddings(texts)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() > 0.998 and cosines.mean() > 0.9995


def test_an_integer_product_is_exact_where_two_products_pass_16_bits() -> None:
    """On AVX2 CPUs without VNNI, onnxruntime adds pairs of uint8 x int8 products into 16 bits and saturates there
    (255 x -128 twice is -65,280): the products, and every embedding, came out wrong on such a CPU."""
    import onnxruntime

    from bot.reading.encoder_int8 import _Graph
    from bot.reading.onnx_model import model, value_info

    matrix = np.stack([np.arange(-128, 128), np.full(256, -128), np.full(256, 127)], axis=1).astype(np.float32)
    graph = _Graph()
    out = graph.product("x", "w", matrix)
    data = model(graph.nodes, inputs=[value_info("x", np.float32, [1, 256])],
                 outputs=[value_info(out, np.float32, [1, 3])], initializers=graph.weights)
    session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
    x = np.full((1, 256), 255.0, np.float32)  # quantised as it is: scale 1, zero point 0
    (y,) = session.run(None, {"x": x})
    assert y.tolist() == [[-128.0 * 255, -128.0 * 255 * 256, 127.0 * 255 * 256]]


def test_a_sentence_reads_the_same_alone_and_in_any_batch() -> None:
    alone = np.vstack([Encoder.encode([t]) for t in TEXTS])
    for size in (2, 3, len(TEXTS)):
        batched = np.vstack([Encoder.encode(TEXTS[i:i + size]) for i in range(0, len(TEXTS), size)])
        assert batched.tobytes() == alone.tobytes()


def test_a_backend_it_does_not_know_is_left_alone() -> None:
    class Other:
        _backend = object()

    assert not Int8Pass.install(Other())
    assert not Int8Pass.install(object())


def test_choosing_float32_again_loads_the_float32_pass_and_back() -> None:
    before = Encoder.encode(["il 64 passa?"])
    Encoder.choose("float32")
    try:
        assert Encoder.pass_in_use() is None  # loaded again on the next call
        floats = Encoder.encode(["il 64 passa?"])
        assert Encoder.pass_in_use() == "float32"
        assert np.allclose(floats, float_embeddings(["il 64 passa?"]), atol=2e-6)
    finally:
        Encoder.choose("integer")
    assert np.array_equal(Encoder.encode(["il 64 passa?"]), before)


def test_the_exact_pass_gives_the_float32_embeddings() -> None:
    assert np.abs(Encoder.encode_exact(TEXTS) - float_embeddings(TEXTS)).max() < 1e-5
    assert Encoder.pass_in_use() == "integer"


SYRINGES = "via Roma a Triggiano non viene spazzata, ci sono siringhe"  # a waste report


def test_a_danger_score_near_its_threshold_is_read_again_with_the_float32_products() -> None:
    from dataclasses import replace

    from bot.reading.model import ReaderModel

    shipped = ReaderModel.cached()
    integer = shipped.read_many([SYRINGES], Encoder.encode([SYRINGES]))[0]  # embeddings given: no second reading
    floats = shipped.read_many([SYRINGES], float_embeddings([SYRINGES]))[0]
    assert integer.danger != floats.danger
    between = (integer.danger + floats.danger) / 2  # a threshold the integer pass alone would tip one way
    model = replace(shipped, danger_threshold=between, danger_by_language={})
    integer = model.read_many([SYRINGES], Encoder.encode([SYRINGES]))[0]
    floats = model.read_many([SYRINGES], float_embeddings([SYRINGES]))[0]
    assert model.near_danger_edge(integer) and integer.in_danger != floats.in_danger
    read = model.read(SYRINGES)
    assert read.in_danger == floats.in_danger and abs(read.danger - floats.danger) < 1e-5
    assert read.embedding is not None and np.abs(read.embedding - floats.embedding).max() < 1e-5


def test_a_danger_score_far_from_its_threshold_keeps_the_integer_reading() -> None:
    from bot.reading.model import ReaderModel

    model = ReaderModel.cached()
    texts = ["il 64 passa?", "grazie mille, gentilissimi", "AIUTO un uomo è svenuto sul 64 e non respira"]
    integer = model.read_many(texts, Encoder.encode(texts))
    assert not any(model.near_danger_edge(r) for r in integer)
    assert model.read_many(texts) == integer and [r.in_danger for r in integer] == [False, False, True]


def test_an_unknown_pass_is_refused_naming_both() -> None:
    with pytest.raises(ValueError, match="float32 or integer"):
        Encoder.choose("int8")


def test_a_router_with_settings_runs_the_pass_they_name() -> None:
    from bot.config import Settings
    from bot.reading.router import Router
    from tests.bot.eval_knowledge import eval_knowledge

    Router(eval_knowledge(), settings=Settings.model_validate({"reader": {"encoder": "float32"}}))
    try:
        Encoder.encode(["ciao"])
        assert Encoder.pass_in_use() == "float32"
    finally:
        Router(eval_knowledge(), settings=Settings.model_validate({"reader": {"encoder": "integer"}}))
    Encoder.encode(["ciao"])
    assert Encoder.pass_in_use() == "integer"
