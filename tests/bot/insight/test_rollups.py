"""Rolled-up days and months give the reports the raw rows give, and follow later changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bot.insight.facts import refresh_facts
from bot.insight.period import Period
from bot.insight.problem_rollup import NAME, refresh_problem_rollup
from bot.insight.problems import ProblemLog, hot_spots
from bot.insight.response import ResponseReport, ResponseTimes
from bot.insight.response_rollup import refresh_response_rollup
from bot.insight.rollup_state import covered_until
from storage.models import Cursor
from tests.bot.insight.scenario import Writer, s

TZ = "Europe/Rome"
FIRST = datetime(2026, 9, 20, 7, 0, tzinfo=UTC)
DAYS = 60
NOW = FIRST + timedelta(days=DAYS + 1)
#: One duration per bucket, so rolled-up medians are exact.
DURATIONS = (30, 120, 600, 1200, 4000)
LONG = Period(FIRST + timedelta(days=2, hours=3), NOW - timedelta(days=1, hours=2))


def weeks_of_care(engine: Engine) -> None:
    """Three single-message cases a day, answered after one of DURATIONS, each naming lines."""
    w = Writer(engine)
    n = 0
    for day in range(DAYS):
        for k in range(3):
            n += 1
            at = FIRST + timedelta(days=day, hours=4 * k, minutes=7 * (n % 5))
            took = DURATIONS[n % len(DURATIONS)]
            person = n % 4 == 0
            channel = ("web", "x", "telegram")[n % 3]
            w.case(n, channel, at)
            w.message(n, n, channel, at, "sent" if person else "auto_sent", updated=at + s(took))
            w.move(n, "received", "routed", "bot", at + s(1))
            w.move(n, "routed", "sent" if person else "auto_sent", "agent:anna" if person else "bot", at + s(took))
            w.reply(n, n, channel, "agent:anna" if person else "bot", at + s(took))
            route = ("64", "40", "8", "64")[n % 4]
            w.problem(n, channel, at, route=route, stop=("TERMINI", None, "COLOSSEO")[n % 3],
                      category=("delay", "crowding")[n % 2], alert="A1" if n % 3 == 0 else None)
            if n % 5 == 0:
                w.problem(n, channel, at, route="40" if route != "40" else "8")
    w.commit()


def test_problem_reports_from_the_rollup_equal_those_from_the_records(engine: Engine) -> None:
    weeks_of_care(engine)
    log = ProblemLog(engine, tz=TZ)
    day = Period(FIRST + timedelta(days=30), FIRST + timedelta(days=31))
    raw = (log.report(LONG, now=NOW), log.report(LONG, now=NOW, route="40"), hot_spots(log, day, min_reports=1))
    assert refresh_problem_rollup(engine, now=NOW, tz=TZ) == DAYS + 1
    assert covered_until(engine, NAME, TZ) is not None
    rolled = (log.report(LONG, now=NOW), log.report(LONG, now=NOW, route="40"), hot_spots(log, day, min_reports=1))
    assert rolled == raw
    assert raw[0].total.reports == 2 + 3 * 57  # the period starts after the first message of day 2


def test_records_added_to_a_rolled_up_day_count_after_the_next_refresh(engine: Engine) -> None:
    weeks_of_care(engine)
    refresh_problem_rollup(engine, now=NOW, tz=TZ)
    log = ProblemLog(engine, tz=TZ)
    before = log.counts_by("route", LONG)
    w = Writer(engine)
    w.problem(10, "web", FIRST + timedelta(days=10), route="999")
    w.commit()
    assert refresh_problem_rollup(engine, now=NOW, tz=TZ) == 1
    after = {c.key: c.reports for c in log.counts_by("route", LONG)}
    assert after == {**{c.key: c.reports for c in before}, "999": 1}


def _response(engine: Engine) -> ResponseReport:
    return ResponseTimes(engine, tz=TZ, target_minutes=5).report(LONG, now=NOW)


def test_response_figures_from_the_rollup_equal_those_from_the_facts(engine: Engine) -> None:
    weeks_of_care(engine)
    refresh_facts(engine, now=NOW)
    raw = _response(engine)
    assert refresh_response_rollup(engine, now=NOW, tz=TZ, target_s=300.0) == DAYS
    rolled = _response(engine)
    assert rolled == raw
    assert raw.overall.first_reply.count == 2 + 3 * 57


def test_a_later_message_rebuilds_the_day_and_month_of_its_case(engine: Engine) -> None:
    weeks_of_care(engine)
    refresh_facts(engine, now=NOW)
    refresh_response_rollup(engine, now=NOW, tz=TZ, target_s=300.0)
    w = Writer(engine)
    later = FIRST + timedelta(days=15, hours=9)  # in October, read from the month's rows
    w.message(1000, 46, "web", later, "auto_sent", updated=NOW)
    w.reply(1000, 46, "web", "bot", later + s(45))
    w.commit()
    refresh_facts(engine, now=NOW)
    assert refresh_response_rollup(engine, now=NOW, tz=TZ, target_s=300.0) >= 1
    rolled = _response(engine)
    with engine.begin() as conn:  # forget the rollup: the report reads the facts alone
        conn.execute(Cursor.__table__.delete().where(Cursor.__table__.c.name == "response_rollup"))
    assert rolled == _response(engine)
    assert rolled.overall.messages == 2 + 3 * 57 + 1
