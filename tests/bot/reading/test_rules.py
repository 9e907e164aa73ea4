"""Every rule the reader keeps (bot/reading/rules.yaml) matches its examples and misses its counter-examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.reading.rules import RULES, RULES_FILE, RuleError, Rules
from knowledge.text import normalise


@pytest.mark.parametrize("rule", RULES.all(), ids=lambda r: r.name)
def test_each_rule_matches_its_examples_and_misses_the_others(rule) -> None:  # noqa: ANN001
    assert rule.matches and rule.misses, f"{rule.name}: a rule needs examples both ways"
    prepared = (lambda t: t) if rule.raw else normalise
    assert [t for t in rule.matches if not rule.search(prepared(t))] == []
    assert [t for t in rule.misses if rule.search(prepared(t))] == []


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
