"""The console's words: each said once per language, and in both languages."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.console import i18n
from bot.console.i18n import STRINGS, translator

SOURCE = Path(i18n.__file__)


def test_no_word_is_given_twice_in_a_language() -> None:
    """A key written twice silently keeps the last text: the case view once showed 'Argomento (FAQ)' over a line."""
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    repeated = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            repeated += [(node.lineno, k) for k in sorted(set(keys)) if keys.count(k) > 1]
    assert repeated == []


def test_every_word_exists_in_italian_and_english() -> None:
    assert set(STRINGS["it"]) == set(STRINGS["en"])


def test_the_problem_subject_and_the_faq_filter_have_their_own_words() -> None:
    it, en = translator("it"), translator("en")
    assert (it("subject"), en("subject")) == ("Oggetto", "Subject")
    assert (it("faq_topic"), en("faq_topic")) == ("Argomento (FAQ)", "Topic (FAQ)")
