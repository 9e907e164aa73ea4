"""The encoder's pass with its first layer kept per piece id: installed, the package's embeddings, history-free rows."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from bot.reading.encoder_pass import PieceCachedPass, sum_rows
from bot.reading.features import Encoder
from tests.bot.reading.float_encoder import running

TEXTS = ["il 64 passa?", "Il 64 non passa da 40 minuti!!", "is tram 8 running today?", "grazie 🙏", "???", "",
         "metro A chiusa a Ottaviano, come arrivo a San Pietro?", "Когда придёт автобус 64?", "x" * 700]


@pytest.fixture(scope="module", autouse=True)
def float32_encoder() -> Iterator[None]:
    """The float32 pass for this module's tests."""
    yield from running("float32")


@pytest.fixture(scope="module")
def backend() -> object:
    return Encoder.model()._backend


def _package_embeddings(backend: object, texts: list[str]) -> np.ndarray:
    """What the package's own pass gives (the cached pass taken away for the call, then put back)."""
    cached = backend.__dict__.pop("_encode_batch")  # type: ignore[attr-defined]
    try:
        return Encoder.encode(texts)
    finally:
        backend._encode_batch = cached  # type: ignore[attr-defined]


def test_the_cached_pass_is_installed_over_the_package_backend(backend: object) -> None:
    assert isinstance(backend.__dict__.get("_encode_batch"), PieceCachedPass)  # type: ignore[attr-defined]
    assert not PieceCachedPass.install(Encoder.model())  # once is enough


def test_embeddings_are_the_packages_to_within_a_few_units_in_the_last_place(backend: object) -> None:
    from bot.evaluate import read_labelled
    from tests.conftest import REPO

    texts = [r.text for path in sorted((REPO / "knowledge" / "training").glob("*.jsonl"))[:3]
             for r in read_labelled(path)][:200] + TEXTS
    for size in (1, 3, 16):
        ours = np.vstack([Encoder.encode(texts[i:i + size]) for i in range(0, len(texts), size)])
        theirs = np.vstack([_package_embeddings(backend, texts[i:i + size]) for i in range(0, len(texts), size)])
        assert np.abs(ours - theirs).max() < 2e-6


def test_a_pieces_row_does_not_depend_on_what_was_read_before(backend: object) -> None:
    ids = np.array([5, 17, 9000, 5, 123456, 34, 9000], dtype=np.int64)
    first, second = PieceCachedPass(backend, frequent=512), PieceCachedPass(backend, frequent=512)
    second.first_layer(np.array([7, 34, 88, 123456, 20000], dtype=np.int64))
    assert np.array_equal(first.first_layer(ids), second.first_layer(ids))
    rows = first.first_layer(ids)
    assert np.array_equal(rows[0], rows[3]) and np.array_equal(rows[2], rows[6])
    none_frequent = PieceCachedPass(backend, frequent=0)
    assert np.array_equal(none_frequent.first_layer(ids)[[2, 4]], rows[[2, 4]])  # a rare piece: the same either way


def test_a_rare_pieces_row_is_the_same_whatever_block_it_is_computed_in(backend: object) -> None:
    cached = PieceCachedPass(backend, frequent=0)
    draw = np.random.default_rng(9)
    piece = 54321
    alone = cached._in_blocks([piece])[0]
    for place in range(8):
        company = draw.integers(0, 128010, 8).tolist()
        company[place] = piece
        assert np.array_equal(cached._in_blocks(company)[place], alone)


def test_frequent_pieces_are_computed_at_install_and_not_kept_again(backend: object) -> None:
    cached = PieceCachedPass(backend, frequent=300)
    rows = cached.first_layer(np.array([0, 299, 255, 256], dtype=np.int64))
    assert rows.shape == (4, backend.proj_W.shape[1]) and not cached._slot  # type: ignore[attr-defined]
    assert np.allclose(rows[1], cached._in_blocks([299])[0], atol=1e-5)


def test_past_the_limit_the_kept_rows_are_dropped_and_computed_again(backend: object) -> None:
    small, fresh = PieceCachedPass(backend, limit=4, frequent=0), PieceCachedPass(backend, frequent=0)
    for ids in ([1, 2, 3], [3, 4], [5, 6, 7], [1, 2, 3, 4, 5, 6]):  # the last has more distinct pieces than kept
        batch = np.array(ids, dtype=np.int64)
        assert np.array_equal(small.first_layer(batch), fresh.first_layer(batch))
        assert len(small._slot) <= 4


def test_a_sentence_read_alone_keeps_its_lengths_window_and_pooling(backend: object) -> None:
    cached = PieceCachedPass(backend, frequent=512)
    group = [[1, 5, 17, 9000, 2]]
    first, second = np.empty((1, 512), np.float32), np.empty((1, 512), np.float32)
    cached(group, 5, first)
    assert list(cached._shapes) == [(5,)]
    starts, window, _bias, _scale = cached._shapes[(5,)]
    lens = np.array([5], dtype=np.int64)
    assert np.array_equal(window, backend._window_index(starts, lens, 5))  # type: ignore[attr-defined]
    assert not window.flags.writeable
    cached(group, 5, second)
    assert first.tobytes() == second.tobytes()
    cached([[1, 5, 2], [1, 7, 2]], 6, np.empty((2, 512), np.float32))  # a batch: computed, not kept
    assert list(cached._shapes) == [(5,)]


def test_a_backend_it_does_not_know_is_left_alone() -> None:
    class Other:
        _backend = object()

    assert not PieceCachedPass.install(Other())
    assert not PieceCachedPass.install(object())


@pytest.mark.parametrize("width", [7, 53, 1280])
def test_sum_rows_has_the_bits_of_reduceat(width: int) -> None:
    rng = np.random.default_rng(width)
    starts = np.zeros(1, dtype=np.intp)
    for rows in [*range(1, 300), 511, 512, 1000, 1025, 1100]:
        x = (rng.standard_normal((rows, width)) * 10 ** rng.uniform(-3, 3, (rows, width))).astype(np.float32)
        expected = np.add.reduceat(x, starts, axis=0)
        assert sum_rows(x).shape == expected.shape
        assert np.array_equal(sum_rows(x).view(np.int32), expected.view(np.int32)), rows
