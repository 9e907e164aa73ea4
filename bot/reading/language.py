"""Which language a citizen wrote in: Italian or English, from function words and common spellings (``languagewords.yaml``),
any other from the learned reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ConfigError
from bot.reading.scripts import LATIN, SCRIPTS
from knowledge.text import normalise

#: the words Italian and English are told by, with their weights and examples (``languagewords.yaml``)
LANGUAGE_WORDS_FILE = Path(__file__).resolve().parent / "languagewords.yaml"


@dataclass(frozen=True)
class LanguageWords:
    """The word lists of ``languagewords.yaml``: what each word weighs towards Italian or English, and the words
    Spanish, French, Portuguese or German write alike, which do not make either language clear."""

    italian: frozenset[str]
    english: frozenset[str]
    utility: dict[str, float]
    weak: dict[str, float]
    shared_italian: frozenset[str]
    shared_english: frozenset[str]
    examples: tuple[dict[str, Any], ...]

    @classmethod
    def load(cls, path: Path = LANGUAGE_WORDS_FILE) -> LanguageWords:
        """The lists stored in ``path``; a missing list is an error naming it."""
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        try:
            shared = data["shared"]
            return cls(frozenset(data["italian"].split()), frozenset(data["english"].split()),
                       {str(k): float(v) for k, v in data["utility"].items()},
                       {str(k): float(v) for k, v in data["weak"].items()},
                       frozenset(shared["italian"].split()), frozenset(shared["english"].split()),
                       tuple(data.get("examples") or ()))
        except (KeyError, AttributeError) as exc:
            msg = f"{path}: the list {exc} is missing or not a list of words"
            raise ConfigError(msg) from exc

    def evidence(self, norm: str) -> tuple[float, float, float, float]:
        """(Italian, English, Italian no other language shares, English German does not share) in the normalised
        message ``norm``."""
        italian = english = own_italian = own_english = 0.0
        for word in norm.split():
            weight = self.weak.get(word, 1.0)
            if word in self.utility:
                italian += self.utility[word]
                own_italian += self.utility[word]
            elif word in self.italian:
                italian += weight
                own_italian += 0.0 if word in self.shared_italian else weight
            if word in self.english:
                english += weight
                own_english += 0.0 if word in self.shared_english else weight
        return italian, english, own_italian, own_english


WORDS = LanguageWords.load()

DEFAULT_LANGUAGE = "it"
UNDETERMINED = "und"  # ISO 639-2's code for a language not told


def language_scores(text: str, norm: str | None = None) -> tuple[float, float]:
    """(Italian evidence, English evidence) in ``text`` (``norm``: its normalised form, if known)."""
    italian, english, _, _ = WORDS.evidence(normalise(text) if norm is None else norm)
    return italian, english


def detect_language(text: str) -> str:
    """``"it"`` or ``"en"``: the language the reply must be in (Italian when it cannot be told)."""
    italian, english = language_scores(text)
    return "en" if english > italian else DEFAULT_LANGUAGE


_MIN_LETTERS = 12  # shorter texts ("64?", "ok grazie") are never taken for a foreign language
_CLEAR = 3.0  # Italian or English evidence no other language shares, from which no other language is believed
#: the model's probability from which a language other than Italian or English is believed, where the words do not
#: make Italian or English clear («tramvaiul 8 merge pana la Casaletto azi?», the reader 0.44 sure of Romanian;
#: «Comment aller à l'aéroport de Fiumicino depuis le centre ?», 0.498 sure of French, whose «centre» English spells
#: too). Over every labelled message (2026-12-06) the reader's top guess is another language at 0.30 or more only
#: for messages in another language (52 of 52 kept as Italian or English before), never for an Italian or English
#: one (docs/reader-journal.md, session 21); until then 0.5 where any such word weighed anything.
_SURE = 0.35


@dataclass(frozen=True)
class LanguageReading:
    """The language a message is written in and the one its reply goes out in."""

    written: str
    reply: str
    served: bool


def read_language(
    text: str,
    norm: str | None = None,
    *,
    served: tuple[str, ...] = ("it", "en"),
    identify: Callable[[], tuple[str, float]] | None = None,
) -> LanguageReading:
    """Italian or English from function words; any other language from the learned reader, when neither is clear
    from words no other language writes alike.

    ``identify`` returns the model's language and probability (asked only when needed). A message in a
    language the operator does not serve is replied to in English (and Italian, by the handler).
    """
    italian, english, own_italian, own_english = WORDS.evidence(normalise(text) if norm is None else norm)
    reply = "en" if english > italian else DEFAULT_LANGUAGE
    if identify is not None and SCRIPTS.main_script(text) not in (LATIN, None):
        # most letters in another script (Han, Cyrillic, Arabic...): neither Italian nor English, however short the
        # message and however unsure the reader's guess of which language it is
        guess = identify()[0]
        return written_in(guess if guess and guess not in ("it", "en") else UNDETERMINED, served)
    if identify is None or max(own_italian, own_english) >= _CLEAR or sum(map(str.isalpha, text)) < _MIN_LETTERS:
        return LanguageReading(reply, reply, reply in served)
    written, probability = identify()
    if written in ("it", "en") or probability < _SURE:
        return LanguageReading(reply, reply, reply in served)
    return written_in(written, served)


def written_in(written: str, served: tuple[str, ...]) -> LanguageReading:
    """A message written in a language other than Italian or English: answered in it where the operator serves it,
    else (not served) in English, or the operator's first language without English."""
    if written in served:
        return LanguageReading(written, written, True)
    return LanguageReading(written, "en" if "en" in served else served[0], False)
