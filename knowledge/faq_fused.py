"""A FAQ engine for utility FAQs: sentence meaning fused with BM25 over questions, tags and answers.

Real utility FAQs hold one formal question per entry and a long answer. Citizens rarely use the
question's words, so an entry is matched on three things: the meaning of its question (and tags), the
meaning of its answer's sentences (the multilingual sentence encoder the reader uses) and a BM25 score
over its question, tags and answer together. Whether to answer alone is calibrated on the entry set
itself, leave-one-out (see `FusedFaqIndex.calibrate`), never on labelled citizen questions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.faq import FaqMatch
from knowledge.faq_entries import FaqEntry, FaqError, check_unique_ids
from knowledge.text import STOP_WORDS, normalise, stem

__all__ = ["Encode", "FusedFaqIndex", "FusedWeights", "default_encoder"]

Encode = Callable[[Sequence[str]], np.ndarray]
"""Texts to L2-normalised embeddings, one row per text."""

_STOP = STOP_WORDS["it"] | STOP_WORDS["en"]
_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+")
_MAX_ANSWER_SENTENCES = 12  # the first sentences say what an answer is about; the rest is procedure
_MIN_SENTENCE_CHARS = 25
_BM25_K1 = 1.2
_BM25_B = 0.75
_FALSE_ANSWER_RATE = 1 / 6  # of leave-one-out questions no entry answers, the share that may be answered alone
_MARGIN_WEIGHT = 3.0  # a confidence weighs the best entry's lead over the runner-up this much more than its score
_SAME_QUESTION = 0.92  # cosine above which two stored questions ask the same thing


UTILITY_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("bolletta", "fattura"),
    ("fontanella", "fontanina", "fontana"),
    ("cauzione", "cauzionale"),
    ("sbagliata", "errata", "sbagliato", "errato"),
    ("staccare", "sospendere", "sospensione", "distacco"),
    ("utenza", "contratto", "fornitura"),
    ("bere", "potabile"),
)
"""Everyday words and the formal ones utility FAQs use for them (a message's word brings in the others)."""


@dataclass(frozen=True)
class FusedWeights:
    """How the three similarities add up to an entry's score."""

    question: float = 0.40  # best cosine of the message to one of the entry's questions
    answer: float = 0.30  # best cosine of the message to one of the answer's sentences
    lexical: float = 0.30  # BM25 over question, tags and answer, scaled into [0, 1]


def default_encoder(texts: Sequence[str]) -> np.ndarray:
    """The reader's multilingual sentence encoder (loaded on first use, shared with the reader)."""
    from bot.reading.features import Encoder

    return Encoder.encode(texts)


class FusedFaqIndex:
    """FAQ entries indexed by meaning and by words; ranks them for a message and says when to answer alone."""

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        encoder: Encode | None = None,
        weights: FusedWeights | None = None,
        threshold: float | None = None,
        synonyms: Sequence[Sequence[str]] = UTILITY_SYNONYMS,
    ) -> None:
        check_unique_ids(entries)
        if not entries:
            msg = "a FAQ index needs at least one entry"
            raise FaqError(msg)
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            msg = f"FAQ threshold must be in [0, 1], got {threshold}"
            raise FaqError(msg)
        self._entries = tuple(entries)
        self._by_id = {entry.id: entry for entry in self._entries}
        self._encode = encoder or default_encoder
        self.weights = weights or FusedWeights()
        self._synonyms = _synonym_stems(synonyms)
        self._build()
        self.threshold = self.calibrate() if threshold is None else threshold

    @property
    def entries(self) -> tuple[FaqEntry, ...]:
        """The entries, in the order they were loaded."""
        return self._entries

    def rank(self, text: str, k: int = 5, lang: str | None = None) -> list[FaqMatch]:
        """The `k` best entries for `text`, best first, each with its confidence (see `_confidence`).

        The best entry's confidence adds its lead over the runner-up; the others', their gap to the best.
        """
        scores = self._scores(self._encode([text])[0], self._query_terms(text))
        order = np.argsort(-scores, kind="stable")
        best_first = scores[order]
        matches = []
        for position, e in enumerate(order[:k]):
            if position == 0:
                confidence = _confidence(best_first)
            else:
                confidence = float(scores[e] + _MARGIN_WEIGHT * (scores[e] - best_first[0])) / (1.0 + _MARGIN_WEIGHT)
            score = round(max(0.0, min(1.0, confidence)), 4)
            matches.append(FaqMatch(self._entries[e].id, score, lang or self._lang[e]))
        return matches

    def match(self, text: str, lang: str | None = None) -> FaqMatch | None:
        """The best entry for `text` when its score reaches the threshold, else None (a person answers)."""
        ranked = self.rank(text, k=1, lang=lang)
        if ranked and ranked[0].score >= self.threshold:
            return ranked[0]
        return None

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
        """Embed every question and answer sentence; count the words of each entry for BM25."""
        question_texts: list[str] = []
        self._question_entry: list[int] = []
        sentence_texts: list[str] = []
        self._sentence_texts: list[str] = []
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
            for answer in entry.answer.values():
                for sentence in answer_sentences(answer):
                    sentence_texts.append(sentence)
                    self._sentence_texts.append(sentence)
                    self._sentence_entry.append(e)
            self._answer_text.append(" ".join(entry.answer.values()))
            words = [*_entry_words(entry)]
            documents.append(_counts(words))
        self._question_vectors = self._encode(question_texts)
        self._sentence_vectors = self._encode(sentence_texts) if sentence_texts else np.zeros((0, 1))
        self._question_entry_array = np.asarray(self._question_entry)
        self._sentence_entry_array = np.asarray(self._sentence_entry, dtype=int)
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

    # -- scoring ---------------------------------------------------------------------------

    def _query_terms(self, text: str) -> list[str]:
        """A message's index terms, with the formal synonyms of its everyday words."""
        terms = {stem(word) for word in normalise(text).split() if word not in _STOP}
        return sorted(terms.union(*(self._synonyms.get(term, ()) for term in terms)))

    def _scores(self, vector: np.ndarray, terms: Sequence[str]) -> np.ndarray:
        """Fused score of every entry for a message's embedding and index terms."""
        n = len(self._entries)
        question = _best_per_entry(self._question_vectors @ vector, self._question_entry_array, n)
        answer = _best_per_entry(self._sentence_vectors @ vector, self._sentence_entry_array, n)
        w = self.weights
        return (
            w.question * np.clip(question, 0.0, 1.0)
            + w.answer * np.clip(answer, 0.0, 1.0)
            + w.lexical * self._lexical(terms)
        )

    def _lexical(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 of every entry, divided by the best BM25 any document could reach for these terms."""
        scores = np.zeros(len(self._entries))
        known = [term for term in terms if term in self._idf]
        ceiling = sum(self._idf[term] for term in known) * (_BM25_K1 + 1.0)
        if not ceiling:
            return scores
        for e, doc in enumerate(self._documents):
            norm = _BM25_K1 * (1.0 - _BM25_B + _BM25_B * self._lengths[e] / self._average_length)
            total = 0.0
            for term in known:
                tf = doc.get(term)
                if tf:
                    total += self._idf[term] * tf * (_BM25_K1 + 1.0) / (tf + norm)
            scores[e] = total
        return scores / ceiling

    # -- calibration -----------------------------------------------------------------------

    def calibrate(self, false_answer_rate: float = _FALSE_ANSWER_RATE) -> float:
        """The confidence that questions no entry answers reach only `false_answer_rate` of the time.

        Leave-one-out on the entry set: every entry's question, and the first sentence of its answer,
        is asked with that entry (and any entry saying the same) left out of the index, so that no entry
        answers it any more. These are hard cases: they are on the utility's subject and in its words.
        The threshold is the confidence above which only `false_answer_rate` of them would be answered.
        """
        scores = sorted(self.unanswerable_confidences())
        if not scores:
            return 1.0  # too few entries to learn from: a person answers
        position = min(len(scores) - 1, math.ceil((1.0 - false_answer_rate) * len(scores)))
        return round(max(0.0, min(1.0, scores[position])), 4)

    def unanswerable_confidences(self) -> list[float]:
        """Confidence of the best entry for each leave-one-out pseudo-query (see `calibrate`)."""
        confidences: list[float] = []
        first_sentence: dict[int, int] = {}
        for s, e in enumerate(self._sentence_entry):
            first_sentence.setdefault(e, s)
        first_question: dict[int, int] = {}
        for q, e in enumerate(self._question_entry):
            first_question.setdefault(e, q)
        for e in range(len(self._entries)):
            left_out = self._same_as(e)
            queries = [(self._question_vectors[first_question[e]], self._query_terms(self._plain_question(e)))]
            if e in first_sentence:
                s = first_sentence[e]
                queries.append((self._sentence_vectors[s], self._query_terms(self._sentence_texts[s])))
            for vector, terms in queries:
                scores = self._scores(vector, terms)
                scores[left_out] = -1.0
                if len(left_out) == len(self._entries):
                    continue  # nothing left to answer with
                confidences.append(_confidence(np.sort(scores)[::-1]))
        return confidences

    def _plain_question(self, e: int) -> str:
        return next(q for questions in self._entries[e].questions.values() for q in questions)

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


def _counts(words: Sequence[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    return counts


def _best_per_entry(similarities: np.ndarray, owners: np.ndarray, n: int) -> np.ndarray:
    """The highest similarity among each entry's texts (-1 for an entry with none)."""
    best = np.full(n, -1.0)
    if len(similarities):
        np.maximum.at(best, owners, similarities)
    return best
