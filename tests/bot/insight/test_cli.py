"""``sportello report ...`` end to end: table, CSV, JSON and PNG from a real database."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.cli import main
from tests.bot.insight.generated_day import DAY, TZ, at, feed, write_static
from tests.bot.insight.scenario import care_day

PERIOD = ["--since", "2026-11-23", "--until", "2026-11-23"]


@pytest.fixture
def config(db_url: str, tmp_path: Path) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(f"storage:\n  url: {db_url}\nknowledge:\n  gtfs: {write_static(tmp_path / 'gtfs')}\n"
                    "console:\n  response_target_minutes: 5\n", encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_problems_table_names_lines(engine: Engine, config: str, capsys: pytest.CaptureFixture[str]) -> None:
    care_day(engine)
    out = run(capsys, "report", "problems", "--config", config, *PERIOD)
    assert "By line" in out and "By hour of day (local)" in out
    assert any(line.split()[:2] == ["all", "4"] for line in out.splitlines())


def test_problems_csv_is_tidy(engine: Engine, config: str, capsys: pytest.CaptureFixture[str]) -> None:
    care_day(engine)
    rows = list(csv.DictReader(io.StringIO(run(capsys, "report", "problems", "--config", config, "--format", "csv",
                                               *PERIOD))))
    by_category = {r["key"]: r["value"] for r in rows
                   if r["section"] == "By kind of problem" and r["column"] == "reports"}
    assert by_category == {"delay": "3", "crowding": "1"}


def test_problems_json_for_one_route(engine: Engine, config: str, capsys: pytest.CaptureFixture[str]) -> None:
    care_day(engine)
    data = json.loads(run(capsys, "report", "problems", "--config", config, "--format", "json", "--route", "40",
                          *PERIOD))
    assert data["route"] == "40" and data["total"]["reports"] == 2 and data["total"]["known_share"] == 0.5


def test_problems_png_writes_both_charts(engine: Engine, config: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    care_day(engine)
    target = tmp_path / "out" / "lines.png"
    run(capsys, "report", "problems", "--config", config, "--format", "png", "--output", str(target), *PERIOD)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "out" / "lines-heatmap.png").read_bytes()[:4] == b"\x89PNG"


def test_response_json(engine: Engine, config: str, capsys: pytest.CaptureFixture[str]) -> None:
    care_day(engine)
    data = json.loads(run(capsys, "report", "response", "--config", config, "--format", "json", *PERIOD))
    assert data["overall"]["first_reply"]["median_s"] == 120.0 and data["reference_minutes"] == 8.0
    assert data["overall"]["hit_rate"] == 0.4 and data["overall"]["first_hit_rate"] == 0.5


def test_response_table_shows_the_reference(engine: Engine, config: str, capsys: pytest.CaptureFixture[str]) -> None:
    care_day(engine)
    out = run(capsys, "report", "response", "--config", config, *PERIOD)
    assert "reference: large operator, mean" in out and "8.0 min" in out


def test_service_for_a_route_to_a_file(engine: Engine, config: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from bot.insight.snapshots import SnapshotStore
    from knowledge.gtfs import GtfsIndex

    gtfs = GtfsIndex.load(tmp_path / "gtfs")
    SnapshotStore(engine, tz=TZ, gtfs=gtfs).store(feed(at("07:20")), at("07:20"))
    target = tmp_path / "service.txt"
    run(capsys, "report", "service", "--config", config, "--date", DAY.isoformat(), "--route", "64",
        "--output", str(target))
    text = target.read_text(encoding="utf-8")
    assert "Gaps and recovery" in text and "06:45" in text
    assert "not recorded (scheduled in a recording gap)" in text  # one snapshot at 07:20: T3 is not counted
    assert "07:20-07:20" in text and "Recording of the trip updates" in text


def test_bad_date_is_a_clear_error(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "service", "--config", config, "--date", "yesterdayish"]) == 2
    assert "--date" in capsys.readouterr().err


def test_png_is_not_written_to_a_terminal(engine: Engine, config: str, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    screen = Terminal(io.BytesIO(), encoding="utf-8")
    monkeypatch.setattr("sys.stdout", screen)
    care_day(engine)
    assert main(["report", "problems", "--config", config, "--format", "png", *PERIOD]) == 2
    assert "--output" in capsys.readouterr().err
    assert screen.buffer.getvalue() == b""  # type: ignore[attr-defined]


def test_png_goes_to_standard_output_sent_to_a_file(engine: Engine, config: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    target = (tmp_path / "piped.png").open("w", encoding="utf-8")
    monkeypatch.setattr("sys.stdout", target)
    care_day(engine)
    assert main(["report", "problems", "--config", config, "--format", "png", *PERIOD]) == 0
    target.close()
    assert (tmp_path / "piped.png").read_bytes()[:4] == b"\x89PNG"


def test_an_unknown_line_is_an_error_naming_it(engine: Engine, config: str, capsys: pytest.CaptureFixture[str]) -> None:
    care_day(engine)
    assert main(["report", "problems", "--config", config, "--route", "999", *PERIOD]) == 2
    err = capsys.readouterr().err
    assert "--route 999: no such line" in err and "e.g." in err
    assert main(["report", "service", "--config", config, "--date", DAY.isoformat(), "--route", "999"]) == 2


def test_top_lines_follow_the_route(engine: Engine, config: str) -> None:
    from argparse import Namespace

    from bot.config import load_settings
    from bot.insight.cli import report_command
    from tests.bot.insight.scenario import NOW

    care_day(engine)
    found = {}
    for route in (None, "40"):
        out = io.StringIO()
        args = Namespace(since="2026-11-23", until="2026-11-23", route=route, format="json", output=None)
        assert report_command("problems", args, load_settings(config), out, now=NOW) == 0
        found[route] = {t["key"] for t in json.loads(out.getvalue())["top_routes"]}
    assert found == {None: {"64", "40"}, "40": {"40"}}


def test_service_says_why_it_is_blank_without_trip_updates(engine: Engine, config: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "report", "service", "--config", config, "--date", DAY.isoformat())
    assert "knowledge.trip_updates.source is not set" in out
