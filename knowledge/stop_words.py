"""The stop finder's word lists (``stop_words.yaml``): the words that tell a stop's name from the same letters used
otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.errors import KnowledgeError
from knowledge.word_lists import load_word_lists

WORDS_FILE = Path(__file__).resolve().parent / "stop_words.yaml"
_READER = "knowledge/stops.py"


class StopWordsError(KnowledgeError):
    """The stop finder's words file is unreadable, lacks a list or holds something that is not a word."""


@dataclass(frozen=True)
class StopWords:
    """Every list of ``stop_words.yaml``, by key (the file's comments say what each is for).

    ``abbreviations`` maps a short form to the words it stands for; ``place_prefix`` is tried in order (a tuple);
    the other lists are sets.
    """

    abbreviations: dict[str, str]
    place_prefix: tuple[str, ...]
    streetlike: frozenset[str]
    connectors: frozenset[str]
    place_before: frozenset[str]
    stop_words_before: frozenset[str]
    stop_words_after: frozenset[str]
    station_state: frozenset[str]
    direction: frozenset[str]
    articles_only: frozenset[str]
    country_names: frozenset[str]
    country_before: frozenset[str]
    stop_code_cue: frozenset[str]
    common_place_words: frozenset[str]
    everyday_words: frozenset[str]
    transit_words: frozenset[str]

    @classmethod
    def load(cls, path: Path = WORDS_FILE) -> StopWords:
        """The lists stored in ``path``; :class:`StopWordsError` names the key at fault and how to fix it."""
        return load_word_lists(cls, path, StopWordsError, "the stop finder's words", _READER,
                               {"abbreviations": _abbreviations})


def _abbreviations(path: Path, value: object) -> dict[str, str]:
    """The abbreviations, checked: a non-empty mapping of lower-case short forms to lower-case words."""
    if not isinstance(value, dict) or not value:
        msg = (f"{path}: 'abbreviations' must be a non-empty mapping of short forms to words (abbreviations: "
               f"{{p.za: piazza, ...}}), found {value!r}")
        raise StopWordsError(msg)
    for short, full in value.items():
        if not (isinstance(short, str) and isinstance(full, str) and short.strip() and full.strip()):
            msg = (f"{path}: 'abbreviations' holds {short!r}: {full!r}: both must be words; quote YAML's no, yes, on, "
                   f"off and bare numbers")
            raise StopWordsError(msg)
        if short != short.lower() or full != full.lower():
            msg = f"{path}: 'abbreviations' holds {short!r}: {full!r}: write both in lower case"
            raise StopWordsError(msg)
    return dict(value)


WORDS = StopWords.load()
