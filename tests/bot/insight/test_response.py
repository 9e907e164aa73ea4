"""Response figures on a day worked out by hand, equal on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from bot.insight.facts import refresh_facts
from bot.insight.period import Period
from bot.insight.render import response_tables
from bot.insight.response import ResponseTimes
from tests.bot.insight.scenario import NOW, T0, Writer, care_day, s

PERIOD = Period(T0 - timedelta(hours=1), NOW)


def report(engine: Engine):  # noqa: ANN201
    refresh_facts(engine, now=NOW)
    return ResponseTimes(engine, tz="Europe/Rome", target_minutes=5).report(PERIOD, now=NOW)


def test_first_response_of_any_kind(engine: Engine) -> None:
    care_day(engine)
    m = report(engine).overall.first_reply
    assert (m.count, m.mean_s, m.median_s, m.p90_s, m.buckets) == (3, 250.0, 120.0, 504.0, (1, 1, 1, 0, 0))


def test_first_response_by_a_person(engine: Engine) -> None:
    care_day(engine)
    m = report(engine).overall.first_human
    assert (m.count, m.median_s, m.p90_s, m.buckets) == (2, 1050.0, 1410.0, (0, 0, 1, 1, 0))


def test_next_reply_counts_each_citizen_message(engine: Engine) -> None:
    care_day(engine)
    m = report(engine).overall.next_reply
    assert (m.count, m.median_s, m.p90_s) == (4, 360.0, 1020.0)


def test_resolution_uses_closing_time_else_last_sent(engine: Engine) -> None:
    care_day(engine)
    m = report(engine).overall.resolution
    assert (m.count, m.median_s, m.mean_s) == (3, 600.0, 810.0)


def test_bot_alone_handed_and_hit_rate(engine: Engine) -> None:
    care_day(engine)
    g = report(engine).overall
    assert (g.cases, g.messages, g.resolved, g.bot_alone, g.handed) == (4, 5, 3, 1, 3)
    assert (g.target_met, g.target_due, g.first_hit_rate) == (2, 4, 0.5)
    assert (g.replies_met, g.replies_due, g.hit_rate) == (2, 5, 0.4)  # messages 2 and 5 late, 3 never answered


def test_figures_by_channel_and_local_hour(engine: Engine) -> None:
    care_day(engine)
    r = report(engine)
    by_channel = {g.key: (g.cases, g.first_reply.median_s) for g in r.by["channel"]}
    assert by_channel == {"x": (2, 600.0), "web": (1, 30.0), "telegram": (1, 120.0)}
    assert {g.key: g.messages for g in r.by["hour"] if g.messages} == {"10": 1, "11": 1, "12": 1, "13": 2}


def test_figures_by_line_come_from_the_problem_log(engine: Engine) -> None:
    care_day(engine)
    assert {g.key: g.messages for g in report(engine).by["line"]} == {"64": 3, "40": 1}


def test_backlog_and_its_oldest_item(engine: Engine) -> None:
    care_day(engine)
    backlog = report(engine).backlog
    assert (backlog.count, backlog.by_state, backlog.oldest_id) == (1, {"awaiting_review": 1}, 3)
    assert backlog.oldest_age_s == (NOW - (T0 + timedelta(hours=2))).total_seconds()


def test_refresh_picks_up_a_reply_posted_later(engine: Engine) -> None:
    care_day(engine)
    refresh_facts(engine, now=NOW)
    w = Writer(engine)
    answered = T0 + timedelta(hours=2) + s(900)
    w.reply(3, 3, "x", "agent:anna", answered)
    w.commit()
    with engine.begin() as conn:
        from storage.models import Message

        table = Message.__table__
        conn.execute(table.update().where(table.c.id == 3).values(state="sent", updated_at=NOW))
    g = report(engine).overall
    assert (g.first_reply.count, g.first_human.count, g.resolved) == (4, 3, 4)


def test_refresh_rewrites_only_cases_touched_near_the_watermark(engine: Engine) -> None:
    care_day(engine)
    assert refresh_facts(engine, now=NOW) == 5
    # nothing changed: only the last case (within the 10-minute safety margin) is rebuilt
    assert refresh_facts(engine, now=NOW + timedelta(hours=1)) == 2


def test_empty_database_gives_empty_figures(engine: Engine) -> None:
    r = report(engine)
    assert r.overall.cases == 0 and r.overall.first_reply.median_s is None and r.backlog.count == 0


def sixteen_waiting(engine: Engine) -> None:
    """The care day plus 16 single-message cases nobody has answered, 20 to 35 minutes old at NOW."""
    care_day(engine)
    w = Writer(engine)
    for k in range(16):
        at = NOW - timedelta(minutes=20 + k)
        w.case(100 + k, "telegram", at)
        w.message(100 + k, 100 + k, "telegram", at, "awaiting_review", updated=at + s(2))
    w.commit()


def test_sixteen_waiting_past_the_target_are_misses(engine: Engine) -> None:
    sixteen_waiting(engine)
    g = report(engine).overall
    assert (g.replies_met, g.replies_due) == (2, 21) and g.hit_rate == 2 / 21
    assert (g.target_met, g.target_due) == (2, 20)
    assert (g.waiting, g.waiting_past_target) == (17, 17)  # the 16 and case 3, waiting since the day before


def test_first_response_counts_the_waiting_as_censored_times(engine: Engine) -> None:
    sixteen_waiting(engine)
    g = report(engine).overall
    assert g.first_reply.count == 3 and g.first_reply.median_s == 120.0  # the answered alone look fast
    assert g.first_wait.count == 20 and g.first_wait_is_bound
    assert g.first_wait.median_s == pytest.approx((26 * 60 + 27 * 60) / 2)  # 10th and 11th of 20
    assert g.first_wait.mean_s > g.first_reply.mean_s


def test_waiting_not_yet_past_the_target_is_not_due(engine: Engine) -> None:
    care_day(engine)
    w = Writer(engine)
    w.case(50, "web", NOW - timedelta(minutes=2))
    w.message(50, 50, "web", NOW - timedelta(minutes=2), "routed")
    w.commit()
    g = report(engine).overall
    assert (g.replies_due, g.target_due, g.waiting, g.waiting_past_target) == (5, 4, 2, 1)


def test_the_oldest_waiting_stands_beside_every_average(engine: Engine) -> None:
    sixteen_waiting(engine)
    tables = {t.title: t for t in response_tables(report(engine))}
    assert "oldest waiting now" in tables["Overall"].columns
    assert all(row[-1] == "22.0 h" for row in tables["Overall"].rows)  # message 3, since 12:00 the day before
    rows = dict(tables["Against the reference and the target"].rows)
    assert rows["hit rate: messages answered within the target (late, or waiting past it: a miss)"] == "10%"
    assert rows["response target"] == "5 min"
    assert rows["still waiting for a first answer (past the target)"] == "17 (17)"
