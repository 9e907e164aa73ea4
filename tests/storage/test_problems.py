"""The problem log: which records a routed message leaves."""

from __future__ import annotations

from bot.domain import Category, Decision, Intent
from storage.models import Message
from storage.problems import problem_rows
from tests.conftest import EVAL_NOW


def _message() -> Message:
    return Message(id=7, channel="x", external_id="1", author="a", text="t", received_at=EVAL_NOW, updated_at=EVAL_NOW)


def _rows(**decision: object) -> list[tuple[object, ...]]:
    d = Decision(lang="it", intent=Intent.COMPLAINT, **decision)  # type: ignore[arg-type]
    return [(r.route_id, r.stop_name, r.category, r.alert_id) for r in problem_rows(_message(), d, at=EVAL_NOW)]


def test_one_line_at_one_stop_leaves_one_record() -> None:
    rows = _rows(routes=("64",), stops=("TERMINI",), stop_ids=("05000",), category=Category.DELAY)
    assert rows == [("64", "TERMINI", "delay", None)]


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
