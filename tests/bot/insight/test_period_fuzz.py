"""Property-based tests of the report filters: any --since/--until/--date is a period or a clear InsightError."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.insight.cli import parse_day
from bot.insight.errors import InsightError
from bot.insight.period import parse_period
from tests.conftest import EVAL_NOW
from tests.fuzzing import bounded, hostile_text

TZ = "Europe/Rome"
moments = st.one_of(
    hostile_text,
    st.builds(lambda n, unit: f"{n}{unit}", st.integers(min_value=0, max_value=10**12), st.sampled_from("dhwmy")),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["today", "yesterday", "now", "2026-02-30", "2026-13-01", "20261127", "T", "Z"]),
)


@bounded(300)
@given(since=st.none() | moments, until=st.none() | moments)
def test_any_period_is_parsed_or_refused_clearly(since: str | None, until: str | None) -> None:
    try:
        period = parse_period(since, until, tz=TZ, now=EVAL_NOW)
    except InsightError:
        return
    assert period.since < period.until
    period.before()


@bounded(200)
@given(value=moments)
def test_any_day_is_parsed_or_refused_clearly(value: str) -> None:
    try:
        parse_day(value, TZ, EVAL_NOW)
    except InsightError:
        pass
