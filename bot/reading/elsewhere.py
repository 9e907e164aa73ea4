"""Whether a message is about another operator's network (``elsewhere.yaml``): its operators, lines and cities."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.domain import Elsewhere, ElsewhereKind
from bot.reading.rules import Rule, RuleSet
from knowledge.text import normalise

ELSEWHERE_FILE = Path(__file__).resolve().parent / "elsewhere.yaml"
_HANDLE = re.compile(r"(?<![\w@])@(\w{2,30})")


@dataclass(frozen=True)
class ElsewhereRules(RuleSet):
    """The rules of ``elsewhere.yaml``, read once: ``ours`` and ``our_handles`` first, then the others in the order of
    their kinds, then the three that read a city also named by one of our stops."""

    ours: Rule
    handles: Rule
    our_handles: Rule
    operators: Rule
    lines: Rule
    places: Rule
    streets: Rule
    where: Rule
    at_stop: Rule
    our_metro: Rule

    @classmethod
    def load(cls, path: Path = ELSEWHERE_FILE) -> ElsewhereRules:
        """The rules stored in ``path``; a missing or broken rule is an error naming it."""
        return cls.read(path)

    def find(self, text: str, norm: str | None = None, *, ours: Iterable[str] = ()) -> Elsewhere | None:
        """The other network ``text`` names, or None when it names none or names ours.

        ``ours``: more names of our own (the operator's, the agencies'), normalised. The caller checks the
        lines and stops of our network first: a message naming one is ours, whatever else it names.
        """
        norm = normalise(text) if norm is None else norm
        if self._names_ours(norm, ours):
            return None
        handle = self._other_handle(text, ours)
        if handle is not None:
            return handle
        for rule, kind in ((self.operators, ElsewhereKind.OPERATOR), (self.lines, ElsewhereKind.LINE)):
            found = rule.search(norm)
            if found:
                return Elsewhere(kind, as_written(text, found.group(0)))
        place = self.places.search(norm)
        if place:
            return Elsewhere(ElsewhereKind.PLACE, as_written(text, place.group("place") or place.group("station")))
        return self._street(text, norm)

    def addressed(self, text: str, norm: str | None = None, *, ours: Iterable[str] = ()) -> Elsewhere | None:
        """The other network a message is addressed to or set in, whatever lines or stops of ours it names: an
        @account of another operator's and none of ours (``@TfLBusAlerts is the 73 diverted?``), or a street of
        another country's town (``not coming down Oxford St``); None when it names ours (as :meth:`find`).

        A city named as where the service is does not count here (a visitor going back to London asks about our 64).
        """
        norm = normalise(text) if norm is None else norm
        if self._names_ours(norm, ours):
            return None
        return self._other_handle(text, ours) or self._street(text, norm)

    def _other_handle(self, text: str, ours: Iterable[str]) -> Elsewhere | None:
        """The first @account of another operator ``text`` names, unless it names one of ours too."""
        handles = _HANDLE.findall(text)
        if any(self._our_handle(handle.lower(), ours) for handle in handles):
            return None
        for handle in handles:
            if self.handles.search(handle.lower()):
                return Elsewhere(ElsewhereKind.OPERATOR, f"@{handle}")
        return None

    def _our_handle(self, handle: str, ours: Iterable[str]) -> bool:
        """Whether an @account's name (lower case, no @) is ours: the rule's words, or one of ``ours`` run together
        (``sportello tpl`` in ``sportello_tpl``); names shorter than four letters say nothing alone."""
        bare = handle.replace("_", "")
        return bool(self.our_handles.search(handle)) or any(
            len(joined) >= 4 and joined in bare for joined in (name.replace(" ", "") for name in ours))

    def _street(self, text: str, norm: str) -> Elsewhere | None:
        street = self.streets.search(norm)
        return Elsewhere(ElsewhereKind.PLACE, as_written(text, street.group("street") or street.group("high"))) \
            if street else None

    def find_city(self, text: str, norm: str | None = None, *, ours: Iterable[str] = (),
                  still_ours: Callable[[str], bool], metro_station: bool = False) -> Elsewhere | None:
        """Another city named as where a service is (``il tram a Milano``), in a message whose only stop of ours is
        that city's name (Rome's stop «Milano»); None when the city reads as our stop or the message is ours.

        ``still_ours``: whether a text still names a stop of ours (or a line); it is asked of the message with the
        city's name blanked out. ``metro_station``: the stop so named is one of our metro stations (Bologna), which words of
        a metro keep ours. A city after at, da, tra ..., or after scendo, sono, ferma ... is the stop (``at_stop``).
        """
        norm = normalise(text) if norm is None else norm
        if self._names_ours(norm, ours) or (metro_station and self.our_metro.search(norm)):
            return None
        for place in self.places.pattern.finditer(norm):
            name = place.group("place") or place.group("station")
            if not self.where.search(place.group(0)) or self.at_stop.search(norm[:place.start()].rstrip()):
                continue
            written = _written(text, name)
            if written and not still_ours(text[:written.start()] + " " + text[written.end():]):
                return Elsewhere(ElsewhereKind.PLACE, written.group(0))
        return None

    def _names_ours(self, norm: str, ours: Iterable[str]) -> bool:
        """Whether normalised ``norm`` names Rome, one of its own places or lines, or one of ``ours`` (names)."""
        padded = f" {norm} "
        return bool(self.ours.search(norm)) or any(f" {name} " in padded for name in ours if name)


def as_written(text: str, words: str) -> str:
    """``words`` (normalised) as ``text`` writes them (``ATM Milano`` for ``atm milano``), else as given."""
    found = _written(text, words)
    return found.group(0) if found else words


def _written(text: str, words: str) -> re.Match[str] | None:
    """Where ``text`` first writes ``words`` (normalised), whole words, in any case."""
    return re.search(r"\b" + r"\W+".join(re.escape(word) for word in words.split()) + r"\b", text, re.IGNORECASE)


ELSEWHERE = ElsewhereRules.load()
