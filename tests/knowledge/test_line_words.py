"""The line finder's words (knowledge/line_words.yaml): each list said, read and non-empty; a broken file refused."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
import yaml

import knowledge.lines
import knowledge.stops
from knowledge.line_words import WORDS, WORDS_FILE, LineWords, LineWordsError
from tests.knowledge.word_list_checks import broken_copy, lists_read, uncommented_keys

KEYS = [f.name for f in fields(LineWords)]


def test_the_file_holds_exactly_the_lists_the_finder_knows() -> None:
    data = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    assert sorted(data) == sorted(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_each_list_is_read_by_the_finder_and_not_empty(key: str) -> None:
    assert key in lists_read((knowledge.lines, knowledge.stops), "WORDS"), f"{key}: no code reads it; remove it from line_words.yaml and LineWords"
    assert len(getattr(WORDS, key)) > 0


def test_each_list_has_a_comment_saying_what_it_is_for() -> None:
    assert uncommented_keys(WORDS_FILE) == []


@pytest.mark.parametrize(("old", "new", "error"), [
    ('number_word: ["n", "no",', 'number_word: ["n", no,', r"'number_word' holds False.*quote it"),
    ("metro: [metro,", "metros: [metro,", r"unknown key 'metros': remove it"),
    ("months: [gennaio,", "months: [Gennaio,", r"'months' holds 'Gennaio': write it in lower case"),
    ("count_word: [two,", "count_word: [two, two,", r"'count_word' lists 'two' twice: remove one"),
    ("copula: [is, am, m, s, was, ist]", "copula: []", r"'copula' must be a non-empty list"),
    ("call: [chiamato,", "call: [[chiamato,", r"cannot read the line finder's words"),
])
def test_a_broken_file_is_refused_naming_the_key_and_the_fix(tmp_path: Path, old: str, new: str, error: str) -> None:
    with pytest.raises(LineWordsError, match=error):
        LineWords.load(broken_copy(tmp_path, WORDS_FILE, old, new))


def test_a_missing_list_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "line_words.yaml"
    path.write_text("vehicle: [bus, tram]\n", encoding="utf-8")
    with pytest.raises(LineWordsError, match=r"'line_word' missing: add it"):
        LineWords.load(path)
