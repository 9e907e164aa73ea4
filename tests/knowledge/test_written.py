"""knowledge/written.py: text in any script, folded, and names found in it as written."""

from __future__ import annotations

import pytest

from knowledge.written import WrittenNames, fold, mostly_other_script, written_without_spaces


def test_folding_drops_case_and_accents_in_any_script() -> None:
    assert fold("Τέρμινι") == "τερμινι"
    assert fold("Colisée") == "colisee"
    assert fold("أوتافيانو") == "اوتافيانو"  # the hamza above the alif is a combining mark


@pytest.mark.parametrize(("text", "other"), [("metro A oggi?", False), ("è già chiusa, perché?", False),
                                              ("今天Ottaviano站开吗", True), ("трамвай 8 їде до Casaletto?", True)])
def test_a_text_is_mostly_in_another_script_by_its_letters(text: str, other: bool) -> None:
    assert mostly_other_script(text) is other


def test_han_kana_and_thai_run_words_together_and_cyrillic_does_not() -> None:
    assert [written_without_spaces(c) for c in "站テกж"] == [True, True, True, False]


@pytest.fixture()
def names() -> WrittenNames:
    entries = {fold(name): (stop, ()) for name, stop in
               [("テルミニ", "TERMINI"), ("Колизей", "COLOSSEO"), ("تيرميني", "TERMINI"), ("bus", "-")]}
    return WrittenNames(entries, stems=True, hangul_anywhere=False)


def _found(names: WrittenNames, text: str) -> list[str]:
    return [value[0] for _, value in names.find(fold(text))]


def test_a_name_in_a_script_without_spaces_is_found_inside_a_word(names: WrittenNames) -> None:
    assert _found(names, "テルミニ駅で") == ["TERMINI"]


def test_a_cyrillic_name_is_found_in_its_cases_but_not_inside_another_word(names: WrittenNames) -> None:
    assert _found(names, "мы у Колизея") == ["COLOSSEO"]
    assert _found(names, "суперколизей") == []


def test_a_latin_entry_is_a_whole_word(names: WrittenNames) -> None:
    assert _found(names, "the bus is late") == ["-"]
    assert _found(names, "business as usual") == []


def test_an_arabic_name_starts_a_word(names: WrittenNames) -> None:
    assert _found(names, "أنا في محطة تيرميني") == ["TERMINI"]


def test_hangul_may_be_found_anywhere_when_asked() -> None:
    words = WrittenNames({fold("역"): ("station", ())}, stems=False, hangul_anywhere=True)
    assert [v[0] for _, v in words.find(fold("레푸블리카역"))] == ["station"]
    assert WrittenNames({}, stems=False, hangul_anywhere=False).find("anything") == []
