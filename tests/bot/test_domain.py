"""Domain types: a decision keeps the typed age of its sources through storage."""

from __future__ import annotations

from bot.domain import DangerCause, DataState, Decision, Intent, Priority, SourceAge, SourceKind
from tests.conftest import EVAL_NOW


def test_a_decision_round_trips_its_source_ages() -> None:
    age = SourceAge(SourceKind.ALERTS, DataState.SUSPECT, EVAL_NOW, EVAL_NOW, 900.0)
    decision = Decision("it", Intent.STATUS, routes=("64",), sources=(age,))
    again = Decision.from_dict(decision.as_dict())
    assert (again.sources, again.source(SourceKind.ALERTS), again.source(SourceKind.FAQ)) == ((age,), age, None)


def test_a_source_age_is_counted_from_the_data_own_time() -> None:
    age = SourceAge(SourceKind.ALERTS, DataState.FRESH, EVAL_NOW, None, 900.0)
    assert (age.age_seconds(EVAL_NOW.replace(minute=40)), age.usable) == (600.0, True)


def test_a_decision_round_trips_its_watch_priority() -> None:
    decision = Decision(lang="it", intent=Intent.COMPLAINT, priority=Priority.WATCH)
    assert Decision.from_dict(decision.as_dict()).priority == Priority.WATCH
    assert "priority" not in Decision(lang="it", intent=Intent.COMPLAINT).as_dict()


def test_a_decision_round_trips_its_danger_cause() -> None:
    decision = Decision(lang="en", intent=Intent.EMERGENCY, danger_cause=DangerCause.UNREAD_SCRIPT)
    assert Decision.from_dict(decision.as_dict()).danger_cause == DangerCause.UNREAD_SCRIPT
    assert "danger_cause" not in Decision(lang="it", intent=Intent.EMERGENCY).as_dict()


def test_the_time_asked_is_kept_through_storage() -> None:
    from datetime import datetime, timezone

    from bot.domain import TimeAsked

    asked = TimeAsked(datetime(2026, 11, 28, 23, tzinfo=timezone.utc), datetime(2026, 11, 29, 23, tzinfo=timezone.utc),
                      "domenica")
    decision = Decision("it", Intent.STATUS, routes=("64",), time_asked=asked)
    assert decision.as_dict()["time_asked"] == {"start": "2026-11-28T23:00:00+00:00",
                                                "end": "2026-11-29T23:00:00+00:00", "label": "domenica"}
    assert Decision.from_dict(decision.as_dict()).time_asked == asked
    assert "time_asked" not in Decision("it", Intent.STATUS).as_dict()
