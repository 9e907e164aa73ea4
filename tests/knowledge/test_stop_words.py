"""The stop finder's words (knowledge/stop_words.yaml): each list said, read and non-empty; a broken file refused."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
import yaml

import knowledge.stops
from knowledge.stop_words import WORDS, WORDS_FILE, StopWords, StopWordsError
from tests.knowledge.word_list_checks import broken_copy, lists_read, uncommented_keys

KEYS = [f.name for f in fields(StopWords)]


def test_the_file_holds_exactly_the_lists_the_finder_knows() -> None:
    data = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    assert sorted(data) == sorted(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_each_list_is_read_by_the_finder_and_not_empty(key: str) -> None:
    assert key in lists_read((knowledge.stops,), "STOP_WORDS"), f"{key}: no code reads it; remove it from stop_words.yaml and StopWords"
    assert len(getattr(WORDS, key)) > 0


def test_each_list_has_a_comment_saying_what_it_is_for() -> None:
    assert uncommented_keys(WORDS_FILE) == []


def test_an_abbreviation_stands_for_its_words() -> None:
    assert WORDS.abbreviations["p.za"] == "piazza"
    assert knowledge.stops.normalize("P.ZA VENEZIA") == ["piazza", "venezia"]


def test_longer_place_prefixes_are_tried_first() -> None:
    assert WORDS.place_prefix.index("stazione metro") < WORDS.place_prefix.index("stazione")


@pytest.mark.parametrize(("old", "new", "error"), [
    ("direction: [direzione,", "direction: [no, direzione,", r"'direction' holds False.*quote it"),
    ("streetlike: [via,", "streetlikes: [via,", r"unknown key 'streetlikes': remove it"),
    ("everyday_words: [manca,", "everyday_words: [Manca,", r"'everyday_words' holds 'Manca': write it in lower case"),
    ("stop_code_cue: [fermata,", "stop_code_cue: [fermata, fermata,", r"'stop_code_cue' lists 'fermata' twice"),
    ("articles_only: [il, lo, la, i, gli, le, er, the, un, una, uno]", "articles_only: []",
     r"'articles_only' must be a non-empty list"),
    ("abbreviations: {p.za: piazza,", "abbreviations: {P.ZA: piazza,", r"'abbreviations' holds 'P.ZA'.*lower case"),
    ("abbreviations: {p.za: piazza,", "abbreviations: {p.za: 12,", r"'abbreviations' holds 'p.za': 12: both must be"),
    ("connectors: [di,", "connectors: [[di,", r"cannot read the stop finder's words"),
])
def test_a_broken_file_is_refused_naming_the_key_and_the_fix(tmp_path: Path, old: str, new: str, error: str) -> None:
    with pytest.raises(StopWordsError, match=error):
        StopWords.load(broken_copy(tmp_path, WORDS_FILE, old, new))


def test_a_missing_list_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "stop_words.yaml"
    path.write_text("abbreviations: {p.za: piazza}\nplace_prefix: [piazza]\n", encoding="utf-8")
    with pytest.raises(StopWordsError, match=r"'streetlike' missing: add it"):
        StopWords.load(path)
