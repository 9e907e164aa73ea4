"""Property-based tests of the GTFS-Realtime alert parser: any bytes or text give alerts or a FeedError."""

from __future__ import annotations

import contextlib

from google.transit import gtfs_realtime_pb2
from hypothesis import given
from hypothesis import strategies as st

from knowledge.alerts import alerts_from_feed, parse_feed
from knowledge.errors import FeedError
from tests.fuzzing import bounded, hostile_text

uint64 = st.integers(min_value=0, max_value=2**64 - 1)
enum_values = st.integers(min_value=-5, max_value=50)


def _feed(alerts: list[tuple[str, list[tuple[int, int]], list[tuple[str, str, int]], str, int, int, int]]) -> bytes:
    feed = gtfs_realtime_pb2.FeedMessage()
    feed.header.gtfs_realtime_version = "2.0"
    for alert_id, periods, informed, text, cause, effect, severity in alerts:
        entity = feed.entity.add(id=alert_id)
        alert = entity.alert
        for start, end in periods:
            alert.active_period.add(start=start, end=end)
        for route, stop, route_type in informed:
            alert.informed_entity.add(route_id=route, stop_id=stop, route_type=route_type)
        alert.header_text.translation.add(text=text, language="it")
        with contextlib.suppress(ValueError):
            alert.cause = cause
            alert.effect = effect
            alert.severity_level = severity
    return feed.SerializeToString()


safe_text = st.text(max_size=40)
alerts = st.lists(
    st.tuples(safe_text, st.lists(st.tuples(uint64, uint64), max_size=3),
              st.lists(st.tuples(safe_text, safe_text, st.integers(min_value=-(2**31), max_value=2**31 - 1)), max_size=3),
              safe_text, enum_values, enum_values, enum_values),
    max_size=4,
)


@bounded(150)
@given(data=st.one_of(st.binary(max_size=400), hostile_text, alerts.map(_feed)))
def test_any_feed_gives_alerts_or_a_feed_error(data: bytes | str) -> None:
    try:
        feed = parse_feed(data)
    except FeedError:
        return
    for alert in alerts_from_feed(feed):
        assert isinstance(alert.id, str)


def test_a_time_beyond_year_9999_is_read_as_far_future() -> None:
    from knowledge.alerts import FAR_FUTURE

    data = _feed([("a1", [(1_795_700_000, 2**63)], [("64", "", 3)], "deviazione", 1, 1, 1)])
    [alert] = alerts_from_feed(parse_feed(data))
    assert alert.periods[0].end == FAR_FUTURE
