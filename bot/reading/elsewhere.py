"""Whether a message is about another operator's network (``elsewhere.yaml``): its operators, lines and cities."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.domain import Elsewhere, ElsewhereKind
from bot.reading.rules import Rule, RuleSet
from knowledge.text import normalise

ELSEWHERE_FILE = Path(__file__).resolve().parent / "elsewhere.yaml"
_HANDLE = re.compile(r"(?<![\w@])@(\w{2,30})")


@dataclass(frozen=True)
class ElsewhereRules(RuleSet):
    """The rules of ``elsewhere.yaml``, read once: ``ours`` first, then the others in the order of their kinds."""

    ours: Rule
    handles: Rule
    operators: Rule
    lines: Rule
    places: Rule

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
        padded = f" {norm} "
        if self.ours.search(norm) or any(f" {name} " in padded for name in ours if name):
            return None
        for handle in _HANDLE.findall(text):
            if self.handles.search(handle.lower()):
                return Elsewhere(ElsewhereKind.OPERATOR, f"@{handle}")
        for rule, kind in ((self.operators, ElsewhereKind.OPERATOR), (self.lines, ElsewhereKind.LINE)):
            found = rule.search(norm)
            if found:
                return Elsewhere(kind, as_written(text, found.group(0)))
        place = self.places.search(norm)
        if place:
            return Elsewhere(ElsewhereKind.PLACE, as_written(text, place.group("place") or place.group("station")))
        return None


def as_written(text: str, words: str) -> str:
    """``words`` (normalised) as ``text`` writes them (``ATM Milano`` for ``atm milano``), else as given."""
    found = re.search(r"\W+".join(re.escape(word) for word in words.split()), text, re.IGNORECASE)
    return found.group(0) if found else words


ELSEWHERE = ElsewhereRules.load()
