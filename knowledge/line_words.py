"""The line finder's word lists (``line_words.yaml``): the words that tell a line number from other numbers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.errors import KnowledgeError
from knowledge.word_lists import load_word_lists

WORDS_FILE = Path(__file__).resolve().parent / "line_words.yaml"


class LineWordsError(KnowledgeError):
    """The line finder's words file is unreadable, lacks a list or holds something that is not a word."""


@dataclass(frozen=True)
class LineWords:
    """Every list of ``line_words.yaml``, by key (the file's comments say what each is for).

    Lists whose order matters (cues tried in turn, alternatives of a pattern) are tuples; the others are sets.
    """

    vehicle: frozenset[str]
    line_word: frozenset[str]
    metro: frozenset[str]
    line_after: frozenset[str]
    glued_cue: tuple[str, ...]
    glued_letter_cue: frozenset[str]
    hashtag_letter_cue: frozenset[str]
    cjk_number_after: tuple[str, ...]
    cjk_number_before: tuple[str, ...]
    cjk_letter_after: tuple[str, ...]
    cjk_letter_before: tuple[str, ...]
    metro_a_next: frozenset[str]
    article: frozenset[str]
    feminine_number: frozenset[str]
    order_word: frozenset[str]
    feminine: frozenset[str]
    lower_metro_letter: frozenset[str]
    feminine_italian: frozenset[str]
    number_word: frozenset[str]
    list_join: frozenset[str]
    range_join: frozenset[str]
    opening_number_next: frozenset[str]
    count_word: frozenset[str]
    letter_article: frozenset[str]
    letter_next: frozenset[str]
    metro_letter_next: frozenset[str]
    after_letter_a: frozenset[str]
    level: frozenset[str]
    not_line_before: frozenset[str]
    unit_after: frozenset[str]
    measure_after_vehicle: frozenset[str]
    unit_adverb: frozenset[str]
    unit_of: frozenset[str]
    months: frozenset[str]
    weekdays: frozenset[str]
    street: frozenset[str]
    street_name_link: frozenset[str]
    decade_after: frozenset[str]
    person: frozenset[str]
    apposed_person: frozenset[str]
    copula: frozenset[str]
    call: frozenset[str]

    @classmethod
    def load(cls, path: Path = WORDS_FILE) -> LineWords:
        """The lists stored in ``path``; :class:`LineWordsError` names the key at fault and how to fix it."""
        return load_word_lists(cls, path, LineWordsError, "the line finder's words", "knowledge/lines.py")


WORDS = LineWords.load()
