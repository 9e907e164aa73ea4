"""The danger threshold: set by the weakest held-out emergency no rule catches, with one of their own for the
languages the reader reads best.

A threshold set by the single weakest held-out emergency is dragged down by one message the reader can barely
read (an Amharic or romanised Hindi emergency scored 0.19), and then every calm Italian message above 0.19 goes
to the emergency lane. Two things keep one such message from setting the threshold for all:

- an emergency a rule already sends to the emergency lane whatever its score (a message mostly in a script the
  reader cannot read, :mod:`bot.reading.scripts`) does not set it: the rule catches it at any threshold;
- the languages the reader has most emergencies of (``own``: Italian and English) each get a threshold from their
  own weakest emergency, lowered by a slack for the writers it has not met; a message read in another language,
  or with an unsure language, keeps the lowest threshold of all (so nothing is caught less than before).

The weakest emergency falls as files are added (a minimum over more messages), and the false alarms rise with it. A
recipe may also give a false-alarm budget: the share of held-out calm messages allowed into the emergency lane. Each
threshold is then the higher of the two, the recall one and the lowest one within the budget: recall 1.0 held out
whenever the budget allows it, and never more false alarms than the budget (the emergencies under it are for a watch
band to hold, :func:`bot.reading.calm.watch_thresholds`, which is set at recall 1.0 and ignores the budget).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from bot.reading.scripts import SCRIPTS

#: below this probability of its language, a message is read with the threshold of every language
LANGUAGE_SURE = 0.5
#: a language gets a threshold of its own only with at least this many held-out emergencies read in it
MIN_EMERGENCIES = 20
#: the bounds of any danger threshold (as before: never above 0.5, never so low that everything is danger)
FLOOR, CEILING = 0.02, 0.5


class DangerReading(StrEnum):
    """Which of the danger part's heads the danger score is read from."""

    #: the danger head and the intent head's emergency probability, averaged (models of 2026-12-04 to 2026-12-06): on
    #: held-out folds of the 2,944 training messages of 2026-12-04 it kept recall 1.0 at 12.0 % false alarms against
    #: the danger head's 12.8 %
    MEAN = "mean"
    #: the danger head alone (models before 2026-12-04)
    DANGER_HEAD = "danger head"
    #: the intent head's emergency probability alone. On the 38 training files the danger part in service never
    #: learned (10,532 messages, 830 emergencies, 2026-12-06) it ranks the emergencies above the calm messages better
    #: than the mean (813 against 809 above all but 2 % of them, 824 against 817 at 5 %), and at the thresholds the
    #: recipe sets from the danger part's own held-out readings it misses 10 against 14 at 3.5 % false alarms against
    #: 4.7 % (docs/reader-journal.md, *Danger read by the intent head alone*)
    INTENT = "intent head"


def recorded_reading(record: Mapping[str, object], absent: DangerReading) -> DangerReading:
    """The danger reading a model's or a recipe's record states: its ``danger_reading``, else the mean or the danger
    head by the ``danger_blend`` recorded before the reading had a name, else ``absent``."""
    if record.get("danger_reading"):
        return DangerReading(str(record["danger_reading"]))
    if "danger_blend" in record:
        return DangerReading.MEAN if record["danger_blend"] else DangerReading.DANGER_HEAD
    return absent


def with_reading(record: Mapping[str, object], reading: DangerReading) -> dict[str, object]:
    """A recipe's record stating ``reading`` (and no ``danger_blend``)."""
    return {**{k: v for k, v in record.items() if k != "danger_blend"}, "danger_reading": str(reading)}


def read_danger(reading: DangerReading, emergency_p: np.ndarray, danger_p: np.ndarray) -> np.ndarray:
    """The danger score of each message from the intent head's emergency probabilities ``emergency_p`` and the danger
    head's ``danger_p``, as ``reading`` reads them."""
    if reading == DangerReading.INTENT:
        return emergency_p
    if reading == DangerReading.DANGER_HEAD:
        return danger_p
    return (emergency_p + danger_p) / 2


@dataclass(frozen=True)
class DangerThresholds:
    """The danger threshold of a message: ``by_language`` for a message surely read in one of those, else ``default``."""

    default: float
    by_language: Mapping[str, float] = field(default_factory=dict)

    def of(self, language: str | None, probability: float) -> float:
        """The threshold a message read in ``language`` with ``probability`` is held to."""
        if language is not None and probability >= LANGUAGE_SURE:
            return self.by_language.get(language, self.default)
        return self.default

    def each(self, languages: Sequence[str | None], probabilities: Sequence[float]) -> np.ndarray:
        """The threshold of every message, from the language each is read in."""
        return np.array([self.of(lang, float(p)) for lang, p in zip(languages, probabilities, strict=True)],
                        dtype=np.float64)


def caught_by_rule(texts: Sequence[str]) -> np.ndarray:
    """Which messages a rule sends to the emergency lane whatever their danger score (an unread script)."""
    return np.array([SCRIPTS.unread_script(text) is not None for text in texts], dtype=bool)


def _bounded(value: float) -> float:
    return float(np.clip(value, FLOOR, CEILING))


def within_budget(calm: np.ndarray, budget: float) -> float:
    """The lowest threshold at which at most ``budget`` (a share) of the calm danger scores ``calm`` reach it (a
    score reaches a threshold at or under it): just over the score of the calm message the budget cannot take."""
    allowed = int(np.floor(budget * len(calm) + 1e-9))
    if allowed >= len(calm):
        return FLOOR
    ranked = np.sort(np.asarray(calm, dtype=np.float64))[::-1]
    return float(np.nextafter(ranked[allowed], np.inf))


def calibrate(
    danger: np.ndarray,
    emergency: np.ndarray,
    caught: np.ndarray,
    languages: Sequence[str | None],
    probabilities: Sequence[float],
    *,
    own: Sequence[str] = (),
    slack: float = 1.0,
    false_alarms: float | None = None,
) -> DangerThresholds:
    """The thresholds from held-out danger scores: every emergency no rule catches fires at ``default``.

    ``caught``: the emergencies a rule catches (left out of the calibration; all-False to count every one);
    ``own``: the languages that get a threshold of their own, ``slack`` times the weakest held-out emergency
    surely read in that language. ``default`` is the weakest of every counted emergency and of those, so an
    unsure or other language is never held to more than the languages read best. No counted emergency: 0.5.
    ``false_alarms``: a budget (a share of the calm messages, see the module); each threshold is raised to the lowest
    one that keeps the calm messages it holds (a language's: surely read in it; ``default``'s: every one) within it.
    """
    emergency = np.asarray(emergency, dtype=bool)
    counted = emergency & ~np.asarray(caught, dtype=bool)
    lang = np.array([language or "" for language in languages], dtype=object)
    sure = np.asarray(probabilities, dtype=np.float64) >= LANGUAGE_SURE

    def held_to(recall: float, calm: np.ndarray) -> float:
        if false_alarms is None:
            return _bounded(recall)
        return _bounded(max(recall, within_budget(danger[calm], false_alarms)))

    by_language: dict[str, float] = {}
    for name in own:
        mine = sure & (lang == name)
        if int((counted & mine).sum()) >= MIN_EMERGENCIES:
            by_language[name] = held_to(slack * float(danger[counted & mine].min()), ~emergency & mine)
    weakest = held_to(float(danger[counted].min()), ~emergency) if counted.any() else CEILING
    return DangerThresholds(min([weakest, *by_language.values()]), by_language)
