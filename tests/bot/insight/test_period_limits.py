"""Report periods from hostile input: huge offsets and year 1 are clear errors, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.insight.errors import InsightError
from bot.insight.period import parse_period
from tests.conftest import EVAL_NOW

TZ = "Europe/Rome"


@pytest.mark.parametrize(
    "since", ["100000000d", "999999999w", "0001-01-01", "0001-01-01T00:00:00", "9999-12-31", "1" * 5000 + "d"]
)
def test_an_impossible_since_is_an_insight_error(since: str) -> None:
    with pytest.raises(InsightError, match="between 2000 and 2199|expected"):
        parse_period(since, None, tz=TZ, now=EVAL_NOW)


def test_the_longest_period_can_still_be_compared_with_the_one_before() -> None:
    period = parse_period("2000-01-01", "2199-12-31", tz=TZ, now=EVAL_NOW)
    assert period.before().until == period.since


@pytest.mark.parametrize("since", ["100000000d", "0001-01-01"])
def test_the_report_command_says_what_is_wrong(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], since: str
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"storage:\n  url: {db_url}\n", encoding="utf-8")
    assert main(["report", "problems", "--config", str(config), "--since", since]) == 2
    assert "between 2000 and 2199" in capsys.readouterr().err


def test_a_date_in_year_one_for_the_service_report_is_a_clear_error(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"storage:\n  url: {db_url}\n", encoding="utf-8")
    assert main(["report", "service", "--config", str(config), "--date", "0001-01-01"]) == 2
    assert "--date" in capsys.readouterr().err
