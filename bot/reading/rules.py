"""The rules the reader keeps (times, counts, shuttle codes, rail words), read from ``rules.yaml``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import yaml

from bot.errors import SportelloError
from knowledge.text import normalise

RULES_FILE = Path(__file__).resolve().parent / "rules.yaml"


class RuleError(SportelloError):
    """The rules file is missing a rule or holds one that does not compile."""


@dataclass(frozen=True)
class Rule:
    """One named pattern, with the messages it must and must not match (its test)."""

    name: str
    help: str
    pattern: re.Pattern[str]
    raw: bool
    matches: tuple[str, ...]
    misses: tuple[str, ...]

    def search(self, text: str) -> re.Match[str] | None:
        """The first match in ``text`` (normalised text unless the rule reads the raw one)."""
        return self.pattern.search(text)

    def findall(self, text: str) -> list[str]:
        """Every match in ``text``."""
        return self.pattern.findall(text)

    def wrong_examples(self, read: Callable[[str], str] = normalise) -> list[str]:
        """The examples the rule gets wrong: those of ``matches`` it does not match, then those of ``misses`` it
        does; each example is first made by ``read`` into the text the rule is given in use (normalised by default)."""
        return ([text for text in self.matches if not self.search(read(text))]
                + [text for text in self.misses if self.search(read(text))])


class RuleSet:
    """A frozen dataclass whose fields are the rules of one YAML file, by name (:func:`read_rules`)."""

    @classmethod
    def read(cls, path: Path) -> Self:
        """The set of rules stored in ``path``; a missing or broken rule is an error naming it."""
        return cls(**read_rules(path, tuple(cls.__dataclass_fields__)))  # type: ignore[attr-defined]

    def all(self) -> tuple[Rule, ...]:
        """Every rule, in file order."""
        return tuple(getattr(self, name) for name in self.__dataclass_fields__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Rules(RuleSet):
    """Every rule of ``rules.yaml``, by name."""

    service_count: Rule
    how_to: Rule
    strike: Rule
    ahead: Rule
    service_name: Rule
    rail_words: Rule
    follow: Rule
    bare_follow: Rule
    unfollow: Rule

    @classmethod
    def load(cls, path: Path = RULES_FILE) -> Rules:
        """The rules stored in ``path``; a missing or broken rule is an error naming it."""
        return cls.read(path)


def read_rules(path: Path, names: tuple[str, ...]) -> dict[str, Rule]:
    """The rules ``names`` of the YAML file ``path``, each compiled; a missing or broken rule is an error naming it."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rules = {}
    for name in names:
        spec = data.get(name)
        if not isinstance(spec, dict) or "pattern" not in spec:
            msg = f"{path}: rule {name!r} missing (needs pattern, help, matches, misses)"
            raise RuleError(msg)
        source = re.sub(r"\s*\n\s*", "", str(spec["pattern"]).strip())
        try:
            pattern = re.compile(source)
        except re.error as exc:
            msg = f"{path}: rule {name!r} does not compile: {exc}"
            raise RuleError(msg) from exc
        rules[name] = Rule(name, str(spec.get("help", "")), pattern, spec.get("flags") == "raw",
                           tuple(spec.get("matches") or ()), tuple(spec.get("misses") or ()))
    return rules


RULES = Rules.load()
