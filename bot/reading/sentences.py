"""Danger told inside a longer message: each sentence read alone (``reader.watch_sentences``).

The encoder reads a message whole, so one sentence of danger among calm ones («volevo lamentarmi del ritardo… ora
esce fumo da una griglia») can score far under the emergency lane's threshold. A message of two sentences or more has
each of them read alone too, by the same model in the same call; when the message is neither in danger nor watched and
one of its sentences reaches the danger threshold of the language it is read in, the message is watched: held for a
person at once, never escalated (the lane's recall and false alarms are the model's own). The journal, *A sentence
that reads as danger, watched*, gives its measure and its cost.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from bot.reading.danger import DangerThresholds

#: where a message splits: after a sentence's end (``.`` ``!`` ``?`` ``;`` ``…``) and a space, or at a line break
_SPLIT = re.compile(r"(?<=[.!?;…])\s+|\n+")
#: fewest words a sentence needs to be read alone (shorter ones, «Grazie.» or «Help!», say nothing on their own)
MIN_WORDS = 3


class _Read(Protocol):
    """What a reading needs for this step (:class:`bot.reading.model.Reading`)."""

    @property
    def danger(self) -> float: ...

    @property
    def in_danger(self) -> bool: ...

    @property
    def watched(self) -> bool: ...

    @property
    def language(self) -> str | None: ...

    @property
    def language_probability(self) -> float: ...


ReadingT = TypeVar("ReadingT", bound=_Read)
_ReadingT_co = TypeVar("_ReadingT_co", bound=_Read, covariant=True)


class _Model(Protocol[_ReadingT_co]):
    """The model's part this step uses (:class:`bot.reading.model.ReaderModel`)."""

    @property
    def danger_thresholds(self) -> DangerThresholds: ...

    def read_many(self, texts: Sequence[str]) -> Sequence[_ReadingT_co]: ...


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` worth reading alone: those of :data:`MIN_WORDS` words or more, when there are two or
    more of them; else none (a message of one sentence was read whole already)."""
    parts = [part.strip() for part in _SPLIT.split(text)]
    kept = [part for part in parts if len(part.split()) >= MIN_WORDS]
    return kept if len(kept) >= 2 else []


@dataclass(frozen=True)
class DangerSentence:
    """The sentence of a message that reads as danger alone, and its danger score."""

    text: str
    danger: float


def first_danger(parts: Sequence[str], readings: Sequence[_Read], thresholds: DangerThresholds) -> DangerSentence | None:
    """The first of ``parts`` whose reading alone reaches its language's danger threshold; None when none does."""
    for part, alone in zip(parts, readings):
        if alone.danger >= thresholds.of(alone.language, alone.language_probability):
            return DangerSentence(part, alone.danger)
    return None


def read_with_sentences(model: _Model[ReadingT], texts: Sequence[str]) -> list[tuple[ReadingT, DangerSentence | None]]:
    """Each message's reading beside the sentence of it that reads as danger alone (None: none, or the message is in
    danger or watched already), the messages and all their sentences read in one call to the model: the encoder
    streams its weights once a call, so a second call for the sentences would cost about twice as much."""
    parts = [sentences(text) for text in texts]
    read = model.read_many([*texts, *(part for each in parts for part in each)])
    whole, alone = read[:len(texts)], read[len(texts):]
    out: list[tuple[ReadingT, DangerSentence | None]] = []
    start = 0
    for reading, each in zip(whole, parts):
        mine, start = alone[start:start + len(each)], start + len(each)
        calm = not (reading.in_danger or reading.watched)
        out.append((reading, first_danger(each, mine, model.danger_thresholds) if calm else None))
    return out
