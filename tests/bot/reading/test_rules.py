"""Every rule the reader keeps (bot/reading/rules.yaml) matches its examples and misses its counter-examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.reading.rules import RULES, RULES_FILE, Rule, RuleError, Rules
from knowledge.text import normalise


@pytest.mark.parametrize("rule", RULES.all(), ids=lambda r: r.name)
def test_each_rule_matches_its_examples_and_misses_the_others(rule) -> None:  # noqa: ANN001
    assert rule.matches and rule.misses, f"{rule.name}: a rule needs examples both ways"
    assert rule.wrong_examples((lambda t: t) if rule.raw else normalise) == []


def _rule(pattern: str, matches: tuple[str, ...], misses: tuple[str, ...]) -> Rule:
    return Rule("test", "", re.compile(pattern), False, matches, misses)


def test_a_rule_right_on_every_example_gets_none_wrong() -> None:
    assert _rule(r"\bsciopero\b", ("c'è sciopero?",), ("il 64 passa?",)).wrong_examples() == []


def test_a_rule_names_the_examples_it_gets_wrong_both_ways() -> None:
    rule = _rule(r"\bsciopero\b", ("c'è sciopero?", "scioperi domani?"), ("il 64 passa?", "niente sciopero"))
    assert rule.wrong_examples() == ["scioperi domani?", "niente sciopero"]


def test_a_rule_reads_its_examples_normalised_unless_told_otherwise() -> None:
    rule = _rule(r"\bcitta\b", ("Città chiusa?",), ())
    assert rule.wrong_examples() == []
    assert rule.wrong_examples(lambda text: text) == ["Città chiusa?"]


def test_a_missing_rule_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("strike:\n  pattern: x\n", encoding="utf-8")
    with pytest.raises(RuleError, match="service_count"):
        Rules.load(path)


def test_a_pattern_that_does_not_compile_is_an_error_naming_it(tmp_path: Path) -> None:
    text = RULES_FILE.read_text(encoding="utf-8")
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace(r"\b(?:sciopero", r"\b(?:sciopero(", 1), encoding="utf-8")
    with pytest.raises(RuleError, match="strike"):
        Rules.load(path)
