"""The problem log: which records a routed message leaves."""

from __future__ import annotations

from bot.domain import Category, Decision, Intent
from bot.subjects import Subject, SubjectKind
from storage.models import Message
from storage.problems import problem_rows, problem_values
from tests.conftest import EVAL_NOW


def _message() -> Message:
    return Message(id=7, channel="x", external_id="1", author="a", text="t", received_at=EVAL_NOW, updated_at=EVAL_NOW)


def _rows(**decision: object) -> list[tuple[object, ...]]:
    d = Decision(lang="it", intent=Intent.COMPLAINT, **decision)  # type: ignore[arg-type]
    return [(r.route_id, r.stop_name, r.category, r.alert_id) for r in problem_rows(_message(), d, at=EVAL_NOW)]


def test_one_line_at_one_stop_leaves_a_record_for_each() -> None:
    rows = _rows(routes=("64",), stops=("TERMINI",), stop_ids=("05000",), category=Category.DELAY)
    assert rows == [("64", None, "delay", None), (None, "TERMINI", "delay", None)]


def test_several_lines_leave_one_record_each() -> None:
    rows = _rows(routes=("64", "40"), alert_ids=("a1",))
    assert rows == [("64", None, None, "a1"), ("40", None, None, "a1")]


def test_lines_and_stops_are_recorded_separately_when_several() -> None:
    rows = _rows(routes=("64", "40"), stops=("TERMINI",))
    assert rows == [("64", None, None, None), ("40", None, None, None), (None, "TERMINI", None, None)]


def test_a_category_alone_still_leaves_a_record() -> None:
    assert _rows(category=Category.CLEANLINESS) == [(None, None, "cleanliness", None)]


def test_nothing_named_leaves_nothing() -> None:
    assert _rows() == []


def _subjects(d: Decision, service: str = "transit") -> list[tuple[object, ...]]:
    message = _message()
    message.service = service
    return [(r.service, r.subject_kind, r.subject_id, r.subject_label, r.route_id, r.stop_id, r.stop_name)
            for r in problem_rows(message, d, at=EVAL_NOW)]


def test_lines_and_stops_are_recorded_as_subjects() -> None:
    d = Decision(lang="it", intent=Intent.COMPLAINT, routes=("64",), stops=("TERMINI", "VENEZIA"), stop_ids=("05000",))
    assert _subjects(d) == [
        ("transit", "line", "64", None, "64", None, None),
        ("transit", "stop", "05000", "TERMINI", None, "05000", "TERMINI"),
        ("transit", "stop", "VENEZIA", "VENEZIA", None, None, "VENEZIA"),  # known by its name alone
    ]


def test_a_water_subject_is_recorded_with_its_service_and_no_line() -> None:
    fountain = Subject(SubjectKind.SERVICE_POINT, "fontanella-12", "Fontanella di piazza Mazzini")
    street = Subject(SubjectKind.STREET, "bari:via-sparano", "Via Sparano", service="water")
    d = Decision(lang="it", intent=Intent.COMPLAINT, subjects=(fountain, street))
    assert _subjects(d, service="water") == [
        ("water", "service_point", "fontanella-12", "Fontanella di piazza Mazzini", None, None, None),
        ("water", "street", "bari:via-sparano", "Via Sparano", None, None, None),
    ]


def test_a_record_gives_back_its_typed_subject() -> None:
    street = Subject(SubjectKind.STREET, "bari:via-sparano", "Via Sparano", service="water")
    d = Decision(lang="it", intent=Intent.COMPLAINT, subjects=(street,), category=Category.OTHER)
    (record,) = problem_rows(_message(), d, at=EVAL_NOW)
    assert record.subject == street


def test_every_record_has_the_same_columns() -> None:
    d = Decision(lang="it", intent=Intent.COMPLAINT, routes=("64",), stops=("TERMINI",), category=Category.DELAY)
    assert len({frozenset(v) for v in problem_values(_message(), d, at=EVAL_NOW)}) == 1
