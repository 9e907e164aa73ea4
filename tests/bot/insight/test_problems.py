"""Problem-log reports: distinct messages per subject, line, stop, kind and hour; trends; hot spots."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from bot.insight.period import Period, day_period
from bot.insight.problem_rollup import refresh_problem_rollup
from bot.insight.problems import ProblemLog, hot_spots
from bot.insight.render import problem_tables
from bot.subjects import Subject, SubjectKind
from tests.bot.insight.scenario import NOW, T0, Writer, care_day

TZ = "Europe/Rome"
DAY = Period(T0 - timedelta(hours=1), NOW)


def counts(engine: Engine, dimension: str, route: str | None = None) -> dict[str, tuple[int, int]]:
    found = ProblemLog(engine, tz=TZ).counts_by(dimension, DAY, route)
    return {c.key: (c.reports, c.known) for c in found if c.reports}


def test_a_message_with_several_rows_counts_once_per_kind(engine: Engine) -> None:
    care_day(engine)
    assert counts(engine, "category") == {"delay": (3, 2), "crowding": (1, 0)}


def test_reports_per_line_count_each_line_a_message_names(engine: Engine) -> None:
    care_day(engine)
    assert counts(engine, "route") == {"64": (3, 1), "40": (2, 1)}


def test_reports_per_stop(engine: Engine) -> None:
    care_day(engine)
    assert counts(engine, "stop") == {"TERMINI": (2, 2), "LARGO ARGENTINA": (1, 0)}


def test_hours_are_local_and_all_24_are_listed(engine: Engine) -> None:
    care_day(engine)
    hours = ProblemLog(engine, tz=TZ).counts_by("hour", DAY)
    assert [c.key for c in hours] == [str(h) for h in range(24)]
    assert {c.key: c.reports for c in hours if c.reports} == {"10": 1, "11": 1, "12": 1, "13": 1}


def test_total_and_alert_share(engine: Engine) -> None:
    care_day(engine)
    total = ProblemLog(engine, tz=TZ).total(DAY)
    assert (total.reports, total.known, total.unknown, total.known_share) == (4, 2, 2, 0.5)


def test_route_filter_keeps_every_row_of_the_messages_naming_it(engine: Engine) -> None:
    care_day(engine)
    assert counts(engine, "stop", route="40") == {"TERMINI": (1, 1), "LARGO ARGENTINA": (1, 0)}


def test_period_bounds_are_half_open(engine: Engine) -> None:
    care_day(engine)
    only_first = Period(T0, T0 + timedelta(hours=1))
    assert ProblemLog(engine, tz=TZ).total(only_first).reports == 1


def test_this_week_against_last_week(engine: Engine) -> None:
    w = Writer(engine)
    for i, days_ago in enumerate([1, 2, 3, 9, 10]):
        at = NOW - timedelta(days=days_ago)
        w.case(i + 1, "web", at)
        w.message(i + 1, i + 1, "web", at, "auto_sent")
        w.problem(i + 1, "web", at, route="64", alert="A1" if i == 0 else None)
    w.case(9, "web", NOW - timedelta(days=8))
    w.message(9, 9, "web", NOW - timedelta(days=8), "auto_sent")
    w.problem(9, "web", NOW - timedelta(days=8), route="40")
    w.commit()
    trends = {t.key: t for t in ProblemLog(engine, tz=TZ).trend("route", NOW)}
    assert (trends["64"].this_week, trends["64"].last_week, trends["64"].change) == (3, 2, 1)
    assert trends["64"].known_share == 1 / 3
    assert (trends["40"].this_week, trends["40"].last_week) == (0, 1)


def test_heatmap_puts_reports_in_local_hours(engine: Engine) -> None:
    care_day(engine)
    grid = ProblemLog(engine, tz=TZ).heatmap(DAY, ["64", "40"])
    assert [h for h, n in enumerate(grid["64"]) if n] == [10, 11, 13]
    assert [h for h, n in enumerate(grid["40"]) if n] == [11, 12]


def test_new_hot_spot_needs_reports_on_the_day_and_none_the_week_before(engine: Engine) -> None:
    day = day_period(NOW.date() - timedelta(days=1), TZ)
    w = Writer(engine)
    for i in range(3):
        at = day.since + timedelta(hours=8 + i)
        w.case(i + 1, "web", at)
        w.message(i + 1, i + 1, "web", at, "auto_sent")
        w.problem(i + 1, "web", at, route="64", stop="TERMINI")
    old = day.since - timedelta(days=3)
    w.case(10, "web", old)
    w.message(10, 10, "web", old, "auto_sent")
    w.problem(10, "web", old, stop="TERMINI")
    w.commit()
    spots = hot_spots(ProblemLog(engine, tz=TZ), day, min_reports=3)
    assert [(s.kind, s.key, s.reports) for s in spots] == [("line", "64", 3)]


def test_top_lines_and_stops_honour_the_route(engine: Engine) -> None:
    w = Writer(engine)
    for i, (days_ago, route, stop) in enumerate([(1, "64", "TERMINI"), (2, "64", "TERMINI"), (9, "64", "VENEZIA"),
                                                 (1, "40", "TERMINI"), (2, "40", "CHIESA NUOVA")]):
        at = NOW - timedelta(days=days_ago)
        w.case(i + 1, "web", at)
        w.message(i + 1, i + 1, "web", at, "auto_sent")
        w.problem(i + 1, "web", at, route=route)
        w.problem(i + 1, "web", at, stop=stop)
    w.commit()
    report = ProblemLog(engine, tz=TZ).report(DAY, now=NOW, route="64")
    assert [(t.key, t.this_week, t.last_week) for t in report.top_routes] == [("64", 2, 1)]
    assert [(t.key, t.this_week, t.last_week) for t in report.top_stops] == [("TERMINI", 2, 0), ("VENEZIA", 0, 1)]
    everything = ProblemLog(engine, tz=TZ).report(DAY, now=NOW)
    assert {t.key for t in everything.top_routes} == {"64", "40"}


def test_reports_per_subject_count_lines_and_stops_as_subjects(engine: Engine) -> None:
    care_day(engine)
    assert counts(engine, "subject") == {"line:64": (3, 1), "line:40": (2, 1), "stop:TERMINI": (2, 2),
                                         "stop:LARGO ARGENTINA": (1, 0)}


def water_day(engine: Engine) -> None:
    """Three water reports: a street twice (one matched an outage), a fountain once; a bus report beside."""
    street = Subject(SubjectKind.STREET, "bari:via-sparano", "Via Sparano", "water")
    fountain = Subject(SubjectKind.SERVICE_POINT, "fontanella-12", "Fontanella di piazza Mazzini", "water")
    w = Writer(engine)
    for mid, subject, alert in ((1, street, "cap-1"), (2, street, None), (3, fountain, None)):
        at = T0 + timedelta(hours=mid)
        w.case(mid, "web", at)
        w.message(mid, mid, "web", at, "awaiting_review", intent="complaint")
        w.problem(mid, "web", at, subject=subject, category="outage", alert=alert, service="water")
    w.case(4, "web", T0)
    w.message(4, 4, "web", T0, "auto_sent")
    w.problem(4, "web", T0, route="64", category="delay")
    w.commit()


def test_streets_and_service_points_show_up_by_subject(engine: Engine) -> None:
    water_day(engine)
    assert counts(engine, "subject") == {"street:bari:via-sparano": (2, 1), "service_point:fontanella-12": (1, 0),
                                         "line:64": (1, 0)}


def test_the_report_names_subjects_by_their_label(engine: Engine) -> None:
    water_day(engine)
    report = ProblemLog(engine, tz=TZ).report(DAY, now=NOW)
    table = next(t for t in problem_tables(report, {"64": "Bus 64"}) if t.title == "By subject")
    assert [row[:3] for row in table.rows] == [("street", "Via Sparano", 2), ("line", "Bus 64", 1),
                                               ("service_point", "Fontanella di piazza Mazzini", 1)]


def test_a_street_reported_for_the_first_time_is_a_hot_spot(engine: Engine) -> None:
    water_day(engine)
    day = day_period(T0.date(), TZ)
    spots = hot_spots(ProblemLog(engine, tz=TZ), day, min_reports=2)
    assert [(s.kind, s.key, s.reports, s.label) for s in spots] == [("street", "bari:via-sparano", 2, "Via Sparano")]


def test_subject_reports_from_the_rollup_equal_those_from_the_records(engine: Engine) -> None:
    water_day(engine)
    log = ProblemLog(engine, tz=TZ)
    raw = log.counts_by("subject", DAY)
    refresh_problem_rollup(engine, now=NOW + timedelta(days=2), tz=TZ)
    assert log.counts_by("subject", DAY) == raw
