"""The response report narrowed to a service and a subject, and grouped by them, on the terminal and in the
console; an unknown service, kind or subject is an error naming the known ones."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.cli import main
from bot.config import PACKAGE_ROOT
from bot.insight.facts import refresh_facts
from bot.insight.period import day_period
from bot.insight.render import response_tables
from bot.insight.response import ResponseTimes
from bot.insight.response_rollup import refresh_response_rollup
from bot.subjects import Subject, SubjectKind
from storage.models import ResponseFact, ResponseScopedRollup
from tests.bot.insight.generated_day import write_static
from tests.bot.insight.scenario import NOW, T0, Writer, s

TZ = "Europe/Rome"
DAY = day_period(T0.date(), TZ)
PERIOD = ["--since", "2026-11-23", "--until", "2026-11-23"]
WATER = PACKAGE_ROOT / "examples" / "water"
STREET = Subject(SubjectKind.STREET, "bari:via-sparano", "Via Sparano", "water")
TOWN = Subject(SubjectKind.MUNICIPALITY, "072006", "Bari", "water")
FOUNTAIN = Subject(SubjectKind.SERVICE_POINT, "fontanella-12", "Fontanella di piazza Mazzini", "water")


def water_care_day(engine: Engine) -> None:
    """Two water cases (a street in Bari answered by the bot in 1 minute; a fountain answered by a person in 15)
    and a bus case answered in 30 seconds."""
    w = Writer(engine)
    for mid, service, answer, author, named in (
        (1, "water", 60, "bot", (STREET, TOWN)),
        (2, "water", 900, "agent:anna", (FOUNTAIN,)),
        (3, "transit", 30, "bot", ()),
    ):
        at = T0 + timedelta(hours=mid)
        w.case(mid, "web", at)
        w.message(mid, mid, "web", at, "sent", intent="complaint", updated=at + s(answer), service=service)
        w.move(mid, "received", "sent", author, at + s(answer))
        w.reply(mid, mid, "web", author, at + s(answer))
        for subject in named:
            w.problem(mid, "web", at, subject=subject, category="outage", service=service)
        if not named:
            w.problem(mid, "web", at, route="R64", category="delay")
    w.commit()
    refresh_facts(engine, now=NOW)


def times(engine: Engine, **narrow: object) -> ResponseTimes:
    return ResponseTimes(engine, tz=TZ, target_minutes=5, **narrow)  # type: ignore[arg-type]


def test_a_service_narrows_every_figure(engine: Engine) -> None:
    water_care_day(engine)
    report = times(engine, service="water").report(DAY, now=NOW)
    assert (report.overall.cases, report.overall.first_reply.median_s, report.overall.replies_met) == (2, 480.0, 1)
    assert report.service == "water"


def test_a_subject_counts_the_messages_naming_it_first_or_not(engine: Engine) -> None:
    water_care_day(engine)
    street = times(engine, subject=(SubjectKind.STREET, "bari:via-sparano")).report(DAY, now=NOW)
    town = times(engine, subject=(SubjectKind.MUNICIPALITY, "072006")).report(DAY, now=NOW)
    assert (street.overall.cases, street.overall.first_reply.mean_s) == (1, 60.0)
    assert town.overall == street.overall and town.subject == "municipality:072006"


def test_a_line_is_a_subject_too(engine: Engine) -> None:
    water_care_day(engine)
    report = times(engine, subject=(SubjectKind.LINE, "R64")).report(DAY, now=NOW)
    assert (report.overall.cases, report.overall.first_reply.mean_s) == (1, 30.0)


def test_groups_by_service_and_by_first_subject(engine: Engine) -> None:
    water_care_day(engine)
    report = times(engine).report(DAY, now=NOW)
    assert {g.key: g.cases for g in report.by["service"]} == {"water": 2, "transit": 1}
    assert {g.key: g.cases for g in report.by["subject"]} == {
        "street:bari:via-sparano": 1, "service_point:fontanella-12": 1, "line:R64": 1}
    table = next(t for t in response_tables(report) if t.title.startswith("By subject"))
    assert {row[0] for row in table.rows} == {"Via Sparano", "Fontanella di piazza Mazzini", "line:R64"}


def test_service_and_subject_groups_from_the_rollup_equal_those_from_the_facts(engine: Engine) -> None:
    water_care_day(engine)
    raw = times(engine).report(DAY, now=NOW)
    refresh_response_rollup(engine, now=NOW, tz=TZ, target_s=300)
    rolled = times(engine).report(DAY, now=NOW)
    assert rolled.by["service"] == raw.by["service"] and rolled.by["subject"] == raw.by["subject"]


NARROWED = [{"service": "water"}, {"service": "transit"}, {"subject": (SubjectKind.STREET, "bari:via-sparano")},
            {"subject": (SubjectKind.MUNICIPALITY, "072006")}, {"subject": (SubjectKind.LINE, "R64")},
            {"service": "water", "subject": (SubjectKind.STREET, "bari:via-sparano")}]


def test_narrowed_reports_read_whole_days_from_the_scoped_rollup_and_equal_the_facts(engine: Engine) -> None:
    water_care_day(engine)
    raw = [times(engine, **narrow).report(DAY, now=NOW) for narrow in NARROWED]
    refresh_response_rollup(engine, now=NOW, tz=TZ, target_s=300)
    assert [times(engine, **narrow).report(DAY, now=NOW) for narrow in NARROWED] == raw
    with engine.begin() as conn:  # the facts gone: what is still counted came from the scoped rollup
        conn.execute(ResponseFact.__table__.delete())  # type: ignore[attr-defined]
    water, town = (times(engine, **narrow).report(DAY, now=NOW) for narrow in NARROWED[0:4:3])
    assert (water.overall.cases, water.overall.first_reply.median_s) == (2, 480.0)
    assert {g.key: g.cases for g in water.by["subject"]} == {"street:bari:via-sparano": 1,
                                                              "service_point:fontanella-12": 1}
    assert (town.overall.cases, town.overall.first_reply.mean_s) == (1, 60.0)  # an area: kept per subject
    street, line, both = (times(engine, **narrow).report(DAY, now=NOW) for narrow in NARROWED[2:5:2] + NARROWED[-1:])
    assert (street.overall.cases, line.overall.cases, both.overall.cases) == (0, 0, 0)  # read from the facts alone


def test_the_scoped_rollup_keeps_services_and_areas_only(engine: Engine) -> None:
    water_care_day(engine)
    refresh_response_rollup(engine, now=NOW, tz=TZ, target_s=300)
    with engine.connect() as conn:
        scopes = set(conn.execute(select(ResponseScopedRollup.scope).distinct()).scalars())
    assert scopes == {"service:water", "service:transit", "subject:municipality:072006"}


def test_a_case_touched_after_the_rollup_moves_its_scopes_figures(engine: Engine) -> None:
    water_care_day(engine)
    refresh_response_rollup(engine, now=NOW, tz=TZ, target_s=300)
    w = Writer(engine)
    at = T0 + timedelta(hours=5)
    w.case(4, "web", at)
    w.message(4, 4, "web", at, "sent", intent="complaint", updated=NOW, service="water")
    w.move(4, "received", "sent", "bot", at + s(120))
    w.reply(4, 4, "web", "bot", at + s(120))
    w.problem(4, "web", at, subject=STREET, category="outage", service="water")
    w.commit()
    refresh_facts(engine, now=NOW + timedelta(minutes=1))
    refresh_response_rollup(engine, now=NOW + timedelta(minutes=1), tz=TZ, target_s=300)
    street = (SubjectKind.STREET, "bari:via-sparano")
    rolled = [times(engine, service="water").report(DAY, now=NOW), times(engine, subject=street).report(DAY, now=NOW)]
    assert [(r.overall.cases, r.overall.first_reply.mean_s) for r in rolled] == [(3, 360.0), (2, 90.0)]
    month = day_period(T0.date().replace(day=1), TZ).since, DAY.until + timedelta(days=40)
    from bot.insight.period import Period

    whole = times(engine, subject=street).report(Period(*month), now=NOW + timedelta(days=40))
    assert whole.overall.cases == 2  # the month's rows too


@pytest.fixture
def config(db_url: str, tmp_path: Path) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"storage:\n  url: {db_url}\nconsole:\n  response_target_minutes: 5\nservices:\n"
        f"  transit:\n    knowledge:\n      domain: transit\n      gtfs: {write_static(tmp_path / 'gtfs')}\n"
        f"  water:\n    knowledge:\n      domain: water\n      gazetteer:\n        - {WATER / 'stradario.csv'}\n"
        f"        - {WATER / 'luoghi.geojson'}\n", encoding="utf-8")
    return str(path)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["report", "response", *argv, *PERIOD]) == 0
    return capsys.readouterr().out


def test_the_terminal_narrows_by_service_and_subject(engine: Engine, config: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    water_care_day(engine)
    data = json.loads(_run(capsys, "--config", config, "--format", "json", "--service", "water",
                           "--subject", "street:via sparano"))
    assert (data["service"], data["subject"], data["overall"]["cases"]) == ("water", "street:bari:via-sparano", 1)
    out = _run(capsys, "--config", config, "--service", "water", "--subject", "street:bari:via-sparano")
    assert "Service: water" in out and "Messages naming Via Sparano (street:bari:via-sparano)" in out


def test_the_route_flag_is_a_line_subject(engine: Engine, config: str, capsys: pytest.CaptureFixture[str]) -> None:
    water_care_day(engine)
    by_route = json.loads(_run(capsys, "--config", config, "--format", "json", "--route", "64"))
    assert (by_route["subject"], by_route["overall"]["cases"]) == ("line:R64", 1)


def test_an_unknown_subject_is_an_error_naming_known_ones(engine: Engine, config: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    water_care_day(engine)
    assert main(["report", "response", "--config", config, "--subject", "street:via-inesistente", *PERIOD]) == 2
    err = capsys.readouterr().err
    assert "--subject street:via-inesistente: no report names it" in err and "street:bari:via-sparano" in err


def test_an_unknown_kind_or_service_is_an_error_naming_the_known_ones(config: str,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "response", "--config", config, "--subject", "fountain:12", *PERIOD]) == 2
    assert "kinds: line, stop, municipality, district, zone, street, address, service_point" in capsys.readouterr().err
    assert main(["report", "response", "--config", config, "--service", "gas", *PERIOD]) == 2
    assert "known services: transit, water" in capsys.readouterr().err
