"""The FAQ knowledge base: loading, validation and matching citizens' questions to entries."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from rapidfuzz import fuzz

from knowledge.faq_entries import FaqEntry, FaqError, check_unique_ids, read_entries
from knowledge.synonyms import CONCEPT_MARK, HEAD_TOPICS, concepts_of, phrase_concepts
from knowledge.text import STOP_WORDS, normalise, stem

__all__ = [
    "DEFAULT_THRESHOLD",
    "Calibration",
    "FaqEntry",
    "FaqError",
    "FaqIndex",
    "FaqMatch",
    "FaqRanker",
    "run_faq_match",
]

DEFAULT_THRESHOLD = 0.5
"""Calibrated score below which `FaqIndex.match` answers None: "more likely right than wrong".

Chosen on the leave-one-out samples of the operator FAQ (see `Calibration`): decision accuracy
there is flat from 0.4 to 0.6 (0.736, 0.728, 0.720); the higher end is taken because a wrong
public answer costs more than handing the message to a person.
"""

FALLBACK_LANGS = ("it", "en")

# The raw score of a stored text mixes three similarities to the message.
_WORD_WEIGHT = 0.45  # cosine of stemmed content words, TF-IDF
_CHAR_WEIGHT = 0.35  # cosine of character 4-grams, TF-IDF: typos and word variants
_FUZZ_WEIGHT = 0.20  # rapidfuzz token-set ratio, on the best few stored texts only
_CHAR_SIZE = 4
_FUZZ_SHORTLIST = 20
# An entry's raw score: its best stored text, a share of its second best (entries asked about
# in several phrasings are a safer bet than one lucky phrasing), and the idf-weighted share of
# the message's known words found anywhere in the entry.
_SECOND_TEXT_WEIGHT = 0.15
_COVERAGE_WEIGHT = 0.30
# Answers are matched too, each sentence a stored text, discounted: they say more than is asked.
_ANSWER_WEIGHT = 0.6
_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+")
_CONCEPT_WEIGHT = 2.5  # term frequency given to a concept a word stands for (see knowledge.synonyms)
_DEFINING_SHARE = 1 / 3  # a topic named in this share of an entry's questions is what the entry is about
_STOP = STOP_WORDS["it"] | STOP_WORDS["en"]
_CALIBRATION_SAMPLE = 1500  # stored questions used, at most, to fit the calibration


@dataclass(frozen=True)
class FaqMatch:
    """The entry a message is matched to, its calibrated score in [0, 1] and the reply language."""

    faq_id: str
    score: float
    lang: str


@dataclass(frozen=True)
class Calibration:
    """Logistic map from (raw score of the best entry, margin over the runner-up) to P(correct).

    Fitted by `FaqIndex` on its own questions, leave-one-out: every stored question is asked with
    itself removed (the right entry is still there: positive when ranked first) and with its whole
    entry removed (the question has no answer any more: always negative). Those stored questions
    are short and terse, so the fit is conservative: real messages that carry more words of an
    entry score higher than the leave-one-out questions did.
    """

    bias: float
    raw_weight: float
    margin_weight: float

    def probability(self, raw: float, margin: float) -> float:
        """Return the calibrated score of an entry with this raw score and margin."""
        z = self.bias + self.raw_weight * raw + self.margin_weight * margin
        if z < -30.0:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class _Skip:
    """Leave-one-out: a stored text, or a whole entry, the scorer must pretend is absent."""

    text: int = -1
    entry: int = -1


_NO_SKIP = _Skip()


class FaqIndex:
    """Knowledge base with a precomputed lexical index; matches a message to its best entry."""

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        threshold: float = DEFAULT_THRESHOLD,
        calibration: Calibration | None = None,
        match_answers: bool = True,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            msg = f"FAQ threshold must be in [0, 1], got {threshold}"
            raise FaqError(msg)
        check_unique_ids(entries)
        if not entries:
            msg = "a FAQ index needs at least one entry"
            raise FaqError(msg)
        self._entries = tuple(entries)
        self._by_id = {entry.id: entry for entry in self._entries}
        self._entry_number = {entry.id: e for e, entry in enumerate(self._entries)}
        self.threshold = threshold
        self._match_answers = match_answers
        self._build()
        self.calibration = calibration or self._fit_calibration()

    @classmethod
    def load(
        cls,
        paths: Sequence[str | Path],
        threshold: float = DEFAULT_THRESHOLD,
    ) -> FaqIndex:
        """Read the YAML files (or directories of *.yaml) at `paths` into an index."""
        return cls(read_entries(paths), threshold=threshold)

    @classmethod
    def from_entries(
        cls,
        entries: Iterable[FaqEntry],
        threshold: float = DEFAULT_THRESHOLD,
        calibration: Calibration | None = None,
        match_answers: bool = True,
    ) -> FaqIndex:
        """Build an index from entries already in memory (answers matched unless told not to)."""
        return cls(list(entries), threshold, calibration, match_answers)

    @property
    def entries(self) -> tuple[FaqEntry, ...]:
        """The entries, in the order they were loaded."""
        return self._entries

    def match(self, text: str, lang: str | None = None) -> FaqMatch | None:
        """Return the best entry for `text`, or None when its calibrated score is below threshold."""
        ranked = self.rank(text, k=1, lang=lang)
        if ranked and ranked[0].score >= self.threshold:
            return ranked[0]
        return None

    def rank(self, text: str, k: int = 5, lang: str | None = None) -> list[FaqMatch]:
        """Return the `k` best entries for `text`, best first, with calibrated scores.

        `lang` is the language the reply must be in; when None, the language of the stored
        question that matched best.
        """
        return [FaqMatch(self._entries[e].id, score, lang or text_lang)
                for e, score, text_lang in self.entry_scores(text, k)]

    def entry_scores(self, text: str, k: int | None = None) -> list[tuple[int, float, str]]:
        """:meth:`rank` as (entry number, calibrated score, language of its best stored text), without building a
        match for each: the `k` best (all entries sharing a word with `text` when None), best first."""
        ranked = self._ranked(text, _NO_SKIP)
        kept = ranked if k is None else ranked[:k]
        if not kept:
            return []
        probability = self.calibration.probability
        best = ranked[0][0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        scores = [(ranked[0][1], round(probability(best, best - runner_up), 4), ranked[0][2])]
        scores += [(e, round(probability(raw, raw - best), 4), text_lang) for raw, e, text_lang in kept[1:]]
        return scores

    def unmet_topics(self, text: str, faq_id: str) -> tuple[str, ...]:
        """The topics `text` is about (a refund, a lost item, a dog, ...) that entry `faq_id` never mentions.

        A match that leaves the subject of the question unanswered ("money back for a pass" matched
        to the pass prices) is not supported, however high its score: the answer is about something else.
        """
        e = self._entry_number.get(faq_id)
        if e is None:
            return ()
        stems = {_term(word) for word in message_words(text)}
        asked = stems | {c for term in stems for c in concepts_of(term)}
        defining = self._entry_topics[e]
        unasked = defining if not defining & asked else frozenset()  # the message never names what it is about
        untold = {c for c in asked & HEAD_TOPICS if c in self._term_entries and e not in self._term_entries[c]}
        return tuple(sorted(unasked | untold))

    def answer(self, faq_id: str, lang: str) -> str:
        """Return the answer of `faq_id` in `lang`, falling back to Italian, then English."""
        entry = self._by_id.get(faq_id)
        if entry is None:
            msg = f"unknown FAQ id {faq_id!r}"
            raise FaqError(msg)
        for candidate in (lang, *FALLBACK_LANGS):
            if candidate in entry.answer:
                return entry.answer[candidate]
        return next(iter(entry.answer.values()))

    # -- scoring ---------------------------------------------------------------------------

    def _build(self) -> None:
        """Precompute the TF-IDF vectors of every stored text and each entry's vocabulary."""
        self._text_entry: list[int] = []
        self._text_lang: list[str] = []
        self._text_words: list[str] = []
        self._text_weight: list[float] = []
        self._text_terms: list[frozenset[str]] = []
        self._is_question: list[bool] = []
        word_bags: list[dict[str, float]] = []
        char_bags: list[dict[str, float]] = []
        for e, entry in enumerate(self._entries):
            for lang, text, weight in _stored_texts(entry, self._match_answers):
                words = message_words(text)
                word_bags.append(_word_bag(words))
                char_bags.append(_char_bag(words))
                self._text_entry.append(e)
                self._text_lang.append(lang)
                self._text_words.append(" ".join(words))
                self._text_weight.append(weight)
                self._text_terms.append(frozenset(word_bags[-1]))
                self._is_question.append(weight == 1.0)
        self._word_idf = _idf(word_bags)
        self._char_idf = _idf(char_bags)
        self._word_postings = _postings(word_bags, self._word_idf)
        self._char_postings = _postings(char_bags, self._char_idf)
        # term -> {entry: how many of its stored texts hold the term}
        self._term_entries: dict[str, dict[int, int]] = {}
        for t, terms in enumerate(self._text_terms):
            for term in terms:
                counts = self._term_entries.setdefault(term, {})
                counts[self._text_entry[t]] = counts.get(self._text_entry[t], 0) + 1
        self._entry_topics = self._defining_topics()
        n = len(self._entries)
        self._entry_idf = {
            term: math.log(1.0 + n / len(counts)) for term, counts in self._term_entries.items()
        }

    def _defining_topics(self) -> list[frozenset[str]]:
        """Per entry, the head topics (``HEAD_TOPICS``) that a good share of its questions name."""
        counts: list[dict[str, int]] = [{} for _ in self._entries]
        asked = [0] * len(self._entries)
        for t, terms in enumerate(self._text_terms):
            if not self._is_question[t]:
                continue
            e = self._text_entry[t]
            asked[e] += 1
            for term in terms & HEAD_TOPICS:
                counts[e][term] = counts[e].get(term, 0) + 1
        return [
            frozenset(term for term, n in counts[e].items() if n >= _DEFINING_SHARE * asked[e])
            for e in range(len(self._entries))
        ]

    def _ranked(self, text: str, skip: _Skip) -> list[tuple[float, int, str]]:
        """Return (raw score, entry, language of its best text) for similar entries, best first."""
        return self._ranked_words(message_words(text), skip)

    def _ranked_words(self, words: list[str], skip: _Skip) -> list[tuple[float, int, str]]:
        """`_ranked` for words already read (content words and phrase concepts)."""
        if not words:
            return []
        best: dict[int, list[float]] = {}
        best_lang: dict[int, str] = {}
        text_entry, text_lang = self._text_entry, self._text_lang
        for t, score in self._text_scores(words, skip).items():
            e = text_entry[t]
            top = best.get(e)
            if top is None:
                best[e] = [score, 0.0]
                best_lang[e] = text_lang[t]
            elif score > top[0]:
                top[0], top[1] = score, top[0]
                best_lang[e] = text_lang[t]
            elif score > top[1]:
                top[1] = score
        coverage = self._coverage(words, skip)
        ranked = [
            (
                top[0] + _SECOND_TEXT_WEIGHT * top[1] + _COVERAGE_WEIGHT * coverage.get(e, 0.0),
                e,
                best_lang[e],
            )
            for e, top in best.items()
        ]
        ranked.sort(reverse=True)
        return ranked

    def _text_scores(self, words: list[str], skip: _Skip) -> dict[int, float]:
        """Return the raw similarity of the message to every stored text sharing a feature."""
        word_sims = _cosines(_word_bag(words), self._word_idf, self._word_postings)
        char_sims = _cosines(_char_bag(words), self._char_idf, self._char_postings)
        for t in word_sims.keys() - char_sims.keys():
            char_sims[t] = 0.0
        weight, word_sim = self._text_weight, word_sims.get
        if skip is _NO_SKIP:  # no stored text and no entry left out (-1): every text is kept
            scores = {t: (_WORD_WEIGHT * word_sim(t, 0.0) + _CHAR_WEIGHT * sim) * weight[t]
                      for t, sim in char_sims.items()}
        else:
            scores = {
                t: (_WORD_WEIGHT * word_sim(t, 0.0) + _CHAR_WEIGHT * sim) * weight[t]
                for t, sim in char_sims.items()
                if t != skip.text and self._text_entry[t] != skip.entry
            }
        query = " ".join(words)
        # the best few (ties: the first met), as heapq.nlargest documents it, sorted in C
        for t in sorted(scores, key=scores.__getitem__, reverse=True)[:_FUZZ_SHORTLIST]:
            similarity = fuzz.token_set_ratio(query, self._text_words[t]) / 100.0
            scores[t] += _FUZZ_WEIGHT * similarity * weight[t]
        return scores

    def _coverage(self, words: list[str], skip: _Skip) -> dict[int, float]:
        """Return, per entry, the idf-weighted share of the message's known terms it holds."""
        stems = {_term(word) for word in words}
        terms = (stems | {c for term in stems for c in concepts_of(term)}) & self._entry_idf.keys()
        total = sum(self._entry_idf[term] for term in terms)
        covered: dict[int, float] = {}
        skipped = self._text_terms[skip.text] if skip.text >= 0 else frozenset()
        skipped_entry = self._text_entry[skip.text] if skip.text >= 0 else -1
        for term in terms:
            share = self._entry_idf[term] / total
            for e, count in self._term_entries[term].items():
                if e == skip.entry or (e == skipped_entry and count == 1 and term in skipped):
                    continue
                covered[e] = covered.get(e, 0.0) + share
        return covered

    # -- calibration -----------------------------------------------------------------------

    def _fit_calibration(self) -> Calibration:
        """Fit `Calibration` on leave-one-out queries made of the stored questions."""
        return _fit_logistic(self._calibration_samples())

    def _calibration_samples(self) -> list[tuple[float, float, int]]:
        """Return (raw, margin, right) of the top entry for each leave-one-out query."""
        questions = [t for t, is_question in enumerate(self._is_question) if is_question]
        step = max(1, len(questions) // _CALIBRATION_SAMPLE)
        samples: list[tuple[float, float, int]] = []
        for t in questions[::step]:
            entry = self._text_entry[t]
            for skip in (_Skip(text=t), _Skip(entry=entry)):
                ranked = self._ranked_words(self._text_words[t].split(), skip)
                if not ranked:
                    samples.append((0.0, 0.0, 0))
                    continue
                runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
                right = skip.entry < 0 and ranked[0][1] == entry
                samples.append((ranked[0][0], ranked[0][0] - runner_up, int(right)))
        return samples


# -- vectors ---------------------------------------------------------------------------------


def _stored_texts(entry: FaqEntry, with_answers: bool) -> list[tuple[str, str, float]]:
    """Return (language, text, weight) of what an entry is matched on: questions, then answers."""
    texts = [(lang, q, 1.0) for lang, questions in entry.questions.items() for q in questions]
    for lang, answer in entry.answer.items() if with_answers else ():
        for sentence in _SENTENCE_END.split(answer):
            if sentence.strip():
                texts.append((lang, sentence, _ANSWER_WEIGHT))
    return texts


def message_words(text: str) -> list[str]:
    """The words a text is matched on: its content words, then the concepts its phrases stand for."""
    norm = normalise(text)
    return [word for word in norm.split() if word not in _STOP] + list(phrase_concepts(norm))


def _term(word: str) -> str:
    """A word's index term: its stem, or the concept itself for a phrase concept ("~refund")."""
    return word if word.startswith(CONCEPT_MARK) else stem(word)


def _word_bag(words: Sequence[str]) -> dict[str, float]:
    """Stemmed words and the transit concepts they stand for ("multa", "fine" -> "~fine")."""
    bag: dict[str, float] = {}
    for word in words:
        if word.startswith(CONCEPT_MARK):
            bag[word] = bag.get(word, 0.0) + _CONCEPT_WEIGHT
            continue
        term = stem(word)
        bag[term] = bag.get(term, 0.0) + 1.0
        for concept in concepts_of(term):
            bag[concept] = bag.get(concept, 0.0) + _CONCEPT_WEIGHT
    return bag


def _char_bag(words: Sequence[str]) -> dict[str, float]:
    bag: dict[str, float] = {}
    for word in words:
        if word.isdigit() or word.startswith(CONCEPT_MARK):
            continue
        padded = f" {word} "
        for i in range(len(padded) - _CHAR_SIZE + 1):
            gram = padded[i : i + _CHAR_SIZE]
            bag[gram] = bag.get(gram, 0.0) + 1.0
    return bag


def _idf(bags: Sequence[Mapping[str, float]]) -> dict[str, float]:
    df: dict[str, int] = {}
    for bag in bags:
        for feature in bag:
            df[feature] = df.get(feature, 0) + 1
    n = len(bags)
    return {feature: math.log((n + 1) / (count + 1)) + 1.0 for feature, count in df.items()}


def _weights(bag: Mapping[str, float], idf: Mapping[str, float]) -> dict[str, float]:
    """Return the L2-normalised sublinear TF-IDF weights of the known features of `bag`."""
    weights = {f: (1.0 + math.log(tf)) * idf[f] for f, tf in bag.items() if f in idf}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {f: w / norm for f, w in weights.items()} if norm else {}


def _postings(
    bags: Sequence[Mapping[str, float]], idf: Mapping[str, float]
) -> dict[str, list[tuple[int, float]]]:
    postings: dict[str, list[tuple[int, float]]] = {}
    for q, bag in enumerate(bags):
        for feature, weight in _weights(bag, idf).items():
            postings.setdefault(feature, []).append((q, weight))
    return postings


def _cosines(
    bag: Mapping[str, float],
    idf: Mapping[str, float],
    postings: Mapping[str, list[tuple[int, float]]],
) -> dict[int, float]:
    sims: dict[int, float] = {}
    get = sims.get
    for feature, weight in _weights(bag, idf).items():
        for q, stored in postings[feature]:
            sims[q] = get(q, 0.0) + weight * stored
    return sims


def _fit_logistic(samples: Sequence[tuple[float, float, int]]) -> Calibration:
    """Fit P(y=1 | raw, margin) by Newton's method with a small L2 penalty."""
    beta = [0.0, 0.0, 0.0]
    penalty = 1e-3
    for _ in range(50):
        grad = [0.0, 0.0, 0.0]
        hess = [[penalty if i == j and i else 0.0 for j in range(3)] for i in range(3)]
        for raw, margin, label in samples:
            x = (1.0, raw, margin)
            z = beta[0] + beta[1] * raw + beta[2] * margin
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            for i in range(3):
                grad[i] += (p - label) * x[i]
                for j in range(3):
                    hess[i][j] += p * (1.0 - p) * x[i] * x[j]
        for i in (1, 2):
            grad[i] += penalty * beta[i]
        step = _solve3(hess, grad)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return Calibration(bias=beta[0], raw_weight=beta[1], margin_weight=beta[2])


def _solve3(a: list[list[float]], b: list[float]) -> list[float]:
    """Solve the 3x3 linear system a x = b by Gaussian elimination with partial pivoting."""
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(3):
        pivot = max(range(col, 3), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-12:
            return [0.0, 0.0, 0.0]
        for r in range(col + 1, 3):
            factor = m[r][col] / m[col][col]
            for c in range(col, 4):
                m[r][c] -= factor * m[col][c]
    x = [0.0, 0.0, 0.0]
    for r in (2, 1, 0):
        x[r] = (m[r][3] - sum(m[r][c] * x[c] for c in range(r + 1, 3))) / m[r][r]
    return x


# -- JSON Lines ------------------------------------------------------------------------------


class FaqRanker(Protocol):
    """What `run_faq_match` needs of a FAQ engine: a ranking and the score at which it answers alone."""

    threshold: float

    def rank(self, text: str, k: int = 5, lang: str | None = None) -> list[FaqMatch]:
        """The `k` best entries for `text`, best first."""
        ...


def run_faq_match(index: FaqRanker, lines_in: Iterable[str], out: TextIO) -> None:
    """Match each JSON Lines message `{"id", "text"[, "lang"]}` and write `{"id","faq_id","score"}`."""
    for number, line in enumerate(lines_in, start=1):
        if not line.strip():
            continue
        try:
            message = _parse_message(number, line)
        except FaqError as exc:
            out.write(json.dumps({"id": None, "error": str(exc)}, ensure_ascii=False) + "\n")
            continue
        ranked = index.rank(message["text"], k=1, lang=message.get("lang"))
        best = ranked[0] if ranked else None
        good = best is not None and best.score >= index.threshold
        record = {
            "id": message["id"],
            "faq_id": best.faq_id if good and best else None,
            "score": best.score if best else 0.0,
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _parse_message(number: int, line: str) -> dict[str, Any]:
    try:
        message = json.loads(line)
    except json.JSONDecodeError as exc:
        msg = f"line {number}: not JSON: {exc.msg}"
        raise FaqError(msg) from exc
    if not isinstance(message, dict):
        msg = f"line {number}: expected a JSON object"
        raise FaqError(msg)
    if not isinstance(message.get("id"), (str, int)) or isinstance(message.get("id"), bool):
        msg = f"line {number}: key 'id' must be a string or an integer"
        raise FaqError(msg)
    if not isinstance(message.get("text"), str):
        msg = f"line {number} (id {message['id']!r}): key 'text' must be a string"
        raise FaqError(msg)
    lang = message.get("lang")
    if lang is not None and not isinstance(lang, str):
        msg = f"line {number} (id {message['id']!r}): key 'lang' must be a string"
        raise FaqError(msg)
    return message
