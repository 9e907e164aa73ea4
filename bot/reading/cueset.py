"""A set of weighted, word-bounded cue patterns, the unit the intent reader scores messages with."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

N = r"\d+"  # a number, in cue patterns


@dataclass(frozen=True)
class CueSet:
    """Named cues with weights; ``score`` sums the weights of the distinct cues found."""

    name: str
    patterns: tuple[tuple[re.Pattern[str], float], ...]

    @classmethod
    def build(cls, name: str, groups: Iterable[tuple[float, str]]) -> CueSet:
        """Compile ``(weight, "alt1|alt2|...")`` groups into word-bounded patterns."""
        return cls(name, tuple((re.compile(rf"\b(?:{alts})\b"), weight) for weight, alts in groups))

    def score(self, text: str) -> tuple[float, list[str]]:
        """The summed weight of the cues in ``text`` and the cues found (each counted once)."""
        total = 0.0
        found: list[str] = []
        for pattern, weight in self.patterns:
            for hit in {m.group(0) for m in pattern.finditer(text)}:
                total += weight
                found.append(hit)
        return total, found
