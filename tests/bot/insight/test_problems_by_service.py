"""One service's reports on a desk of several: every figure of the problems report counted from its records."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from bot.insight.errors import InsightError
from bot.insight.cli import known_service
from bot.insight.problem_rollup import refresh_problem_rollup
from bot.insight.problems import ProblemLog
from tests.bot.insight.scenario import NOW
from tests.bot.insight.test_problems import DAY, TZ, water_day


def test_a_services_report_counts_only_its_records(engine: Engine) -> None:
    water_day(engine)
    refresh_problem_rollup(engine, now=NOW, tz=TZ)
    water = ProblemLog(engine, tz=TZ, service="water").report(DAY, now=NOW)
    everyone = ProblemLog(engine, tz=TZ).report(DAY, now=NOW)
    assert (water.total.reports, everyone.total.reports) == (3, 4)
    assert {c.key for c in water.by["subject"]} == {"street:bari:via-sparano", "service_point:fontanella-12"}
    assert [c.key for c in water.by["category"]] == ["outage"]


def test_the_transit_services_report_keeps_its_lines(engine: Engine) -> None:
    water_day(engine)
    transit = ProblemLog(engine, tz=TZ, service="transit").report(DAY, now=NOW)
    assert (transit.total.reports, [c.key for c in transit.by["route"]]) == (1, ["64"])
    assert sum(transit.heatmap["64"]) == 1


def test_an_unknown_service_is_refused_naming_the_known_ones() -> None:
    settings = Settings(services={"water": {"knowledge": {"domain": "water"}}, "waste": {"knowledge": {"domain": "waste"}}})
    assert known_service(settings, "water") == "water"
    with pytest.raises(InsightError, match=r"^--service gas: no such service; known services: water, waste$"):
        known_service(settings, "gas")
