"""Subjects: typed, keyed, and transit's lines and stops as views of them on a decision."""

from __future__ import annotations

import pytest

from bot.domain import Decision, Intent
from bot.subjects import Subject, SubjectKind, split_key, transit_subjects


def test_a_subject_key_names_its_kind_and_id() -> None:
    street = Subject(SubjectKind.STREET, "bari:via-sparano", "Via Sparano")
    assert (street.key, split_key(street.key), street.name) == (
        "street:bari:via-sparano", (SubjectKind.STREET, "bari:via-sparano"), "Via Sparano")


def test_a_subject_without_an_id_is_refused() -> None:
    with pytest.raises(ValueError, match="needs an id"):
        Subject(SubjectKind.LINE, "")


def test_a_text_that_is_no_key_is_refused() -> None:
    with pytest.raises(ValueError, match="not a subject key"):
        split_key("64")


def test_areas_are_the_territorial_kinds() -> None:
    assert {k for k in SubjectKind if k.is_area} == {SubjectKind.MUNICIPALITY, SubjectKind.DISTRICT, SubjectKind.ZONE}


def test_stops_without_an_id_are_named_by_their_name() -> None:
    assert transit_subjects(("64",), ("TERMINI", "VENEZIA"), ("05000",)) == (
        Subject(SubjectKind.LINE, "64", service="transit"),
        Subject(SubjectKind.STOP, "05000", "TERMINI", service="transit"),
        Subject(SubjectKind.STOP, "VENEZIA", "VENEZIA", service="transit"),
    )


def test_a_decision_with_lines_and_stops_has_them_as_subjects() -> None:
    d = Decision("it", Intent.STATUS, routes=("64",), stops=("TERMINI",), stop_ids=("05000",))
    assert [s.key for s in d.subjects] == ["line:64", "stop:05000"]


def test_a_decision_with_subjects_shows_its_lines_and_stops() -> None:
    d = Decision("it", Intent.STATUS, subjects=(Subject(SubjectKind.LINE, "8"), Subject(SubjectKind.STOP, "70001", "ARGENTINA"),
                                                Subject(SubjectKind.STREET, "via-roma", "Via Roma")))
    assert (d.routes, d.stops, d.stop_ids) == (("8",), ("ARGENTINA",), ("70001",))


def test_a_water_decision_has_no_lines() -> None:
    d = Decision("it", Intent.COMPLAINT, subjects=(Subject(SubjectKind.MUNICIPALITY, "072006", "Bari", "water"),))
    assert (d.routes, d.stops) == ((), ())


def test_subjects_round_trip_through_storage() -> None:
    d = Decision("it", Intent.COMPLAINT, routes=("64",), subjects=(
        Subject(SubjectKind.LINE, "64"), Subject(SubjectKind.ADDRESS, "via-sparano-10", "Via Sparano 10", "water")))
    again = Decision.from_dict(d.as_dict())
    assert again.subjects == d.subjects


def test_a_decision_stored_before_subjects_gets_them_from_its_lines() -> None:
    stored = {"lang": "it", "intent": "status", "routes": ["64"], "stops": ["TERMINI"], "stop_ids": ["05000"]}
    assert [s.key for s in Decision.from_dict(stored).subjects] == ["line:64", "stop:05000"]
