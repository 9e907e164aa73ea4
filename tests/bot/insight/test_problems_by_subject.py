"""The problems report narrowed to one subject (``--subject KIND:ID``, ``--route`` its shorthand for a line) and
one service, on the terminal and in the console; an unknown service or subject is an error naming the known ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.cli import main
from bot.config import PACKAGE_ROOT
from bot.insight.problems import ProblemLog
from bot.subjects import SubjectKind
from tests.bot.insight.generated_day import write_static
from tests.bot.insight.test_problems import DAY, NOW, TZ, water_day

PERIOD = ["--since", "2026-11-23", "--until", "2026-11-23"]
WATER = PACKAGE_ROOT / "examples" / "water"


@pytest.fixture
def config(db_url: str, tmp_path: Path) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"storage:\n  url: {db_url}\nservices:\n"
        f"  transit:\n    knowledge:\n      domain: transit\n      gtfs: {write_static(tmp_path / 'gtfs')}\n"
        f"  water:\n    knowledge:\n      domain: water\n      gazetteer:\n        - {WATER / 'stradario.csv'}\n"
        f"        - {WATER / 'luoghi.geojson'}\n", encoding="utf-8")
    return str(path)


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["report", "problems", "--format", "json", *argv, *PERIOD]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_subject_report_counts_the_messages_naming_it(engine: Engine) -> None:
    water_day(engine)
    log = ProblemLog(engine, tz=TZ, subject=(SubjectKind.STREET, "bari:via-sparano"))
    report = log.report(DAY, now=NOW)
    assert (report.total.reports, report.total.known) == (2, 1)
    assert [c.key for c in report.by["subject"]] == ["street:bari:via-sparano"]
    assert report.subject == "street:bari:via-sparano"


def test_a_subject_and_a_service_narrow_together(engine: Engine) -> None:
    water_day(engine)
    transit = ProblemLog(engine, tz=TZ, service="transit", subject=(SubjectKind.SERVICE_POINT, "fontanella-12"))
    assert transit.report(DAY, now=NOW).total.reports == 0
    water = ProblemLog(engine, tz=TZ, service="water", subject=(SubjectKind.SERVICE_POINT, "fontanella-12"))
    assert water.report(DAY, now=NOW).total.reports == 1


def test_subject_flag_on_the_terminal(engine: Engine, config: str, capsys: pytest.CaptureFixture[str]) -> None:
    water_day(engine)
    data = _json(capsys, "--config", config, "--subject", "service_point:fontanella-12")
    assert (data["subject"], data["total"]["reports"]) == ("service_point:fontanella-12", 1)


def test_a_subject_is_found_by_the_label_people_read(engine: Engine, config: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    water_day(engine)
    data = _json(capsys, "--config", config, "--subject", "street:via sparano")
    assert (data["subject"], data["total"]["reports"]) == ("street:bari:via-sparano", 2)


def test_the_table_says_what_it_is_narrowed_to(engine: Engine, config: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    water_day(engine)
    assert main(["report", "problems", "--config", config, "--service", "water", "--subject",
                 "street:bari:via-sparano", *PERIOD]) == 0
    out = capsys.readouterr().out
    assert "Service: water" in out and "Reports naming Via Sparano (street:bari:via-sparano)" in out


def test_a_subject_of_the_gazetteer_with_no_report_is_an_empty_report(engine: Engine, config: str,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    water_day(engine)
    data = _json(capsys, "--config", config, "--subject", "district:BA-MURAT")
    assert data["total"]["reports"] == 0


def test_a_line_subject_is_the_route_flag(engine: Engine, config: str, capsys: pytest.CaptureFixture[str]) -> None:
    water_day(engine)
    by_subject = _json(capsys, "--config", config, "--subject", "line:64")
    by_route = _json(capsys, "--config", config, "--route", "64")
    assert by_subject == by_route and by_route["route"] == "R64"  # the short name read as the network's route id


def test_an_unknown_subject_is_an_error_naming_known_ones(engine: Engine, config: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    water_day(engine)
    assert main(["report", "problems", "--config", config, "--subject", "street:via-inesistente", *PERIOD]) == 2
    err = capsys.readouterr().err
    assert "--subject street:via-inesistente: no report names it and no gazetteer has it" in err
    assert "street:bari:via-sparano (Via Sparano)" in err


def test_an_unknown_kind_is_an_error_naming_the_kinds(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "problems", "--config", config, "--subject", "fountain:12", *PERIOD]) == 2
    assert "kinds: line, stop, municipality, district, zone, street, address, service_point" in capsys.readouterr().err


def test_a_subject_without_a_kind_is_an_error(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "problems", "--config", config, "--subject", "via sparano", *PERIOD]) == 2
    assert "expected KIND:ID" in capsys.readouterr().err


def test_route_and_subject_together_are_refused(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "problems", "--config", config, "--route", "64", "--subject", "line:64", *PERIOD]) == 2
    assert "give --route or --subject, not both" in capsys.readouterr().err


def test_an_unknown_service_is_an_error_naming_the_known_ones(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "problems", "--config", config, "--service", "gas", *PERIOD]) == 2
    assert "--service gas: no such service; known services: transit, water" in capsys.readouterr().err


@pytest.fixture
def water_config(db_url: str, tmp_path: Path) -> str:
    """A water utility alone: the default knowledge.gtfs (the shipped sample) is not its network."""
    path = tmp_path / "water.yaml"
    path.write_text(f"storage:\n  url: {db_url}\nknowledge:\n  domain: water\n  gazetteer:\n"
                    f"    - {WATER / 'stradario.csv'}\n", encoding="utf-8")
    return str(path)


def test_a_line_where_no_service_runs_lines_is_refused(water_config: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "problems", "--config", water_config, "--route", "64", *PERIOD]) == 2
    err = capsys.readouterr().err
    assert "--route 64: no service here runs lines" in err and "--subject KIND:ID instead" in err


def test_a_line_of_a_service_without_lines_is_refused(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "problems", "--config", config, "--service", "water", "--subject", "line:64", *PERIOD]) == 2
    assert "--subject line:64: service water runs no lines" in capsys.readouterr().err


def test_trips_delivered_are_refused_where_no_service_runs_lines(water_config: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "service", "--config", water_config, "--date", "2026-11-23"]) == 2
    assert "no service here runs lines" in capsys.readouterr().err
