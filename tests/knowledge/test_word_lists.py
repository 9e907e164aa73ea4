"""knowledge/word_lists.py: a dataclass of word lists filled from a YAML file, every list checked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from knowledge.errors import KnowledgeError
from knowledge.word_lists import load_word_lists


class _Broken(KnowledgeError):
    pass


@dataclass(frozen=True)
class _Lists:
    ordered: tuple[str, ...]
    plain: frozenset[str]
    pairs: dict[str, str]


def _load(tmp_path: Path, text: str) -> _Lists:
    path = tmp_path / "words.yaml"
    path.write_text(text, encoding="utf-8")
    return load_word_lists(_Lists, path, _Broken, "the test's words", "this test",
                           {"pairs": lambda _path, value: dict(value or {})})


def test_a_tuple_keeps_the_file_s_order_and_a_set_does_not_need_to(tmp_path: Path) -> None:
    lists = _load(tmp_path, "ordered: [b, a]\nplain: [x, y]\npairs: {p: piazza}\n")
    assert lists == _Lists(("b", "a"), frozenset({"x", "y"}), {"p": "piazza"})


def test_a_field_with_its_own_reader_is_read_by_it(tmp_path: Path) -> None:
    assert _load(tmp_path, "ordered: [a]\nplain: [x]\n").pairs == {}


@pytest.mark.parametrize(("text", "error"), [
    ("ordered: [a]\nplain: [x]\nextra: [y]\n", r"unknown key 'extra': remove it, or read it in this test"),
    ("ordered: [a]\n", r"'plain' missing: add it.*this test reads it"),
    ("- a\n- b\n", r"expected one list of words per key"),
])
def test_a_broken_file_is_refused_with_the_project_s_error(tmp_path: Path, text: str, error: str) -> None:
    with pytest.raises(_Broken, match=error):
        _load(tmp_path, text)
