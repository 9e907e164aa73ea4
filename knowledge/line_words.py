"""The line finder's word lists (``line_words.yaml``): the words that tell a line number from other numbers."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from knowledge.errors import KnowledgeError

WORDS_FILE = Path(__file__).resolve().parent / "line_words.yaml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: 3 ms instead of 20 at import


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
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            msg = f"{path}: cannot read the line finder's words: {exc}"
            raise LineWordsError(msg) from exc
        if not isinstance(data, dict):
            msg = f"{path}: expected one list of words per key (vehicle: [bus, tram, ...]), found {type(data).__name__}"
            raise LineWordsError(msg)
        known = [f.name for f in fields(cls)]
        unknown = sorted(str(k) for k in data if k not in known)
        if unknown:
            msg = (f"{path}: unknown key {unknown[0]!r}: remove it, or read it in knowledge/lines.py and add it to "
                   f"LineWords (known: {', '.join(known)})")
            raise LineWordsError(msg)
        lists: dict[str, Any] = {}
        for f in fields(cls):
            words = _words(path, f.name, data.get(f.name))
            lists[f.name] = words if f.type.startswith("tuple") else frozenset(words)
        return cls(**lists)


def _words(path: Path, key: str, value: object) -> tuple[str, ...]:
    """The words of one key, checked: a non-empty list of distinct lower-case strings."""
    if value is None:
        msg = f"{path}: {key!r} missing: add it as a list of words ({key}: [word, ...]); knowledge/lines.py reads it"
        raise LineWordsError(msg)
    if not isinstance(value, list) or not value:
        msg = f"{path}: {key!r} must be a non-empty list of words ({key}: [word, ...]), found {value!r}"
        raise LineWordsError(msg)
    seen: set[str] = set()
    for word in value:
        if not isinstance(word, str) or not word.strip():
            msg = (f"{path}: {key!r} holds {word!r}, not a word: quote it ({key}: [\"no\", ...]); YAML reads "
                   f"unquoted no, yes, on, off as true/false and bare numbers as numbers")
            raise LineWordsError(msg)
        if word != word.lower():
            msg = f"{path}: {key!r} holds {word!r}: write it in lower case ({word.lower()!r}); messages are compared so"
            raise LineWordsError(msg)
        if word in seen:
            msg = f"{path}: {key!r} lists {word!r} twice: remove one"
            raise LineWordsError(msg)
        seen.add(word)
    return tuple(value)


WORDS = LineWords.load()
