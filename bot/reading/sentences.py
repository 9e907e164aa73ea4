"""Danger told inside a longer message: each sentence read alone (``reader.watch_sentences``).

The encoder reads a message whole, so one sentence of danger among calm ones («volevo lamentarmi del ritardo… ora
esce fumo da una griglia») can score far under the emergency lane's threshold. A message neither in danger nor
watched, with two sentences or more, is read again sentence by sentence by the same model; when one of them, read
alone, reaches the danger threshold of the language it is read in, the message is watched: held for a person at once,
never escalated (the lane's recall and false alarms are the model's own). The journal, *A sentence that reads as
danger, watched*, gives its measure and its cost.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.reading.danger import DangerThresholds

#: where a message splits: after a sentence's end (``.`` ``!`` ``?`` ``;`` ``…``) and a space, or at a line break
_SPLIT = re.compile(r"(?<=[.!?;…])\s+|\n+")
#: fewest words a sentence needs to be read alone (shorter ones, «Grazie.» or «Help!», say nothing on their own)
MIN_WORDS = 3


class _Read(Protocol):
    """What a reading needs for this step (:class:`bot.reading.model.Reading`)."""

    danger: float
    in_danger: bool
    watched: bool
    language: str | None
    language_probability: float


class _Model(Protocol):
    """The model's part this step uses (:class:`bot.reading.model.ReaderModel`)."""

    @property
    def danger_thresholds(self) -> DangerThresholds: ...

    def read_many(self, texts: Sequence[str]) -> Sequence[_Read]: ...


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


def danger_sentence(model: _Model, text: str, reading: _Read) -> DangerSentence | None:
    """The first sentence of ``text`` that, read alone by ``model``, reaches its language's danger threshold; None
    when ``reading`` (the whole message's) is already in danger or watched, or no sentence does."""
    if reading.in_danger or reading.watched:
        return None
    parts = sentences(text)
    if not parts:
        return None
    thresholds = model.danger_thresholds
    for part, alone in zip(parts, model.read_many(parts)):
        if alone.danger >= thresholds.of(alone.language, alone.language_probability):
            return DangerSentence(part, alone.danger)
    return None
