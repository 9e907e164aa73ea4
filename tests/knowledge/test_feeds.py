"""Tests for knowledge.feeds against a real HTTP server on 127.0.0.1 serving recorded feeds."""

from __future__ import annotations

import logging
import os
import random
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from knowledge.feeds import FeedSource

SHARED = Path(os.environ.get("SPORTELLO_SHARED", Path(__file__).resolve().parents[3] / "shared"))
ALERTS = SHARED / "eval" / "alerts.pb"
TRIP_UPDATES = SHARED / "fixtures" / "gtfsrt" / "rome-trip-updates" / "rome_trip_updates_20241121.pb"
VEHICLES = SHARED / "fixtures" / "gtfsrt" / "caltrain" / "ct-vehicle-positions.pb"
T0 = datetime(2026, 11, 27, 7, 30, tzinfo=timezone.utc)


class Clock:
    """A clock that only moves when a test moves it."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class FeedServer:
    """Serves one payload with an ETag and answers 304 to a matching If-None-Match."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.etag = '"v1"'
        self.requests: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.requests.append(dict(self.headers))
                if self.headers.get("If-None-Match") == server.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("ETag", server.etag)
                self.send_header("Content-Length", str(len(server.payload)))
                self.end_headers()
                self.wfile.write(server.payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/feed.pb"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    srv = FeedServer(ALERTS.read_bytes())
    yield srv
    if srv.thread.is_alive():
        srv.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def source(url: str, clock: Clock, **options: object) -> FeedSource:
    return FeedSource(url, clock=clock, timeout=2.0, jitter=0.0, **options)


def test_first_refresh_loads_the_feed(server: FeedServer, clock: Clock) -> None:
    feed = source(server.url, clock)
    assert feed.refresh() and len(feed.feed.entity) == 8 and feed.fetched_at == T0


def test_etag_is_sent_back_and_304_keeps_data(server: FeedServer, clock: Clock) -> None:
    feed = source(server.url, clock)
    feed.refresh()
    clock.advance(seconds=30)
    changed = feed.refresh()
    assert (changed, server.requests[-1].get("If-None-Match"), len(feed.feed.entity)) == (False, '"v1"', 8)


def test_304_counts_as_fresh_data(server: FeedServer, clock: Clock) -> None:
    feed = source(server.url, clock)
    feed.refresh()
    clock.advance(minutes=4)
    feed.refresh()
    assert feed.fetched_at == T0 + timedelta(minutes=4)


def test_corrupt_payload_keeps_last_good_data(server: FeedServer, clock: Clock) -> None:
    feed = source(server.url, clock)
    feed.refresh()
    server.payload, server.etag = b"<html>502 Bad Gateway</html>", '"v2"'
    clock.advance(seconds=30)
    assert not feed.refresh() and len(feed.feed.entity) == 8 and "FeedMessage" in feed.last_error


def test_server_down_keeps_data_and_reports_its_age(server: FeedServer, clock: Clock) -> None:
    feed = source(server.url, clock)
    feed.refresh()
    server.stop()
    clock.advance(minutes=3)
    feed.refresh()
    published = feed.snapshot.published_at
    assert (len(feed.feed.entity), feed.age(), feed.failures) == (8, clock.now - published, 1)


def test_age_runs_from_the_feed_header_not_from_the_fetch(server: FeedServer, clock: Clock) -> None:
    feed = source(server.url, clock)
    feed.refresh()
    header = datetime.fromtimestamp(feed.feed.header.timestamp, tz=timezone.utc)
    assert (feed.snapshot.data_time, feed.age()) == (header, T0 - header)


def test_a_304_does_not_make_old_data_young(server: FeedServer, clock: Clock) -> None:
    feed = source(server.url, clock, max_age=timedelta(minutes=15))
    feed.refresh()
    clock.advance(minutes=20)
    feed.refresh()
    assert (feed.fetched_at, feed.is_fresh()) == (clock.now, False)


def test_an_unchanged_file_ages_from_its_modification_time(tmp_path: Path, clock: Clock) -> None:
    from google.transit import gtfs_realtime_pb2

    message = gtfs_realtime_pb2.FeedMessage()
    message.ParseFromString(ALERTS.read_bytes())
    message.header.ClearField("timestamp")
    path = tmp_path / "alerts.pb"
    path.write_bytes(message.SerializeToString())
    written = T0 - timedelta(minutes=10)
    os.utime(path, (written.timestamp(), written.timestamp()))
    feed = source(str(path), clock, max_age=timedelta(minutes=15))
    feed.refresh()
    clock.advance(minutes=10)
    feed.refresh()
    assert (feed.fetched_at, feed.snapshot.data_time, feed.is_fresh()) == (clock.now, written, False)


def test_data_older_than_the_limit_is_not_fresh(server: FeedServer, clock: Clock) -> None:
    feed = source(server.url, clock, max_age=timedelta(minutes=5))
    feed.refresh()
    server.stop()
    clock.advance(minutes=6)
    feed.refresh()
    assert feed.feed is not None and not feed.is_fresh()


def test_no_data_is_never_fresh(clock: Clock) -> None:
    feed = source("http://127.0.0.1:9/none.pb", clock)
    assert (feed.age(), feed.is_fresh()) == (None, False)


def test_backoff_grows_after_each_failure(server: FeedServer, clock: Clock) -> None:
    feed = source(server.url, clock, backoff_base=timedelta(seconds=10))
    server.stop()
    waits = []
    for _ in range(4):
        assert feed.due()
        feed.refresh()
        waits.append(feed.next_attempt_at - clock.now)
        clock.now = feed.next_attempt_at
    assert waits == [timedelta(seconds=s) for s in (10, 20, 40, 80)]


def test_backoff_skips_attempts_until_due(server: FeedServer, clock: Clock) -> None:
    feed = source(server.url, clock, backoff_base=timedelta(seconds=10))
    server.stop()
    feed.refresh()
    clock.advance(seconds=5)
    feed.refresh()
    assert feed.failures == 1


def test_backoff_is_capped(clock: Clock) -> None:
    feed = source("http://127.0.0.1:9/x", clock, backoff_base=timedelta(seconds=10), backoff_max=timedelta(minutes=1))
    assert feed.retry_delay(20) == timedelta(minutes=1)


def test_jitter_stays_within_its_fraction(clock: Clock) -> None:
    feed = FeedSource("http://127.0.0.1:9/x", clock=clock, jitter=0.2, rng=random.Random(7),
                      backoff_base=timedelta(seconds=100))
    delays = [feed.retry_delay(1).total_seconds() for _ in range(50)]
    assert all(80 <= d <= 120 for d in delays) and len(set(delays)) > 1


def test_recovery_resets_failures_and_backoff(server: FeedServer, clock: Clock) -> None:
    feed = source(server.url, clock)
    server.payload, server.etag = b"garbage", '"bad"'
    feed.refresh()
    server.payload, server.etag = ALERTS.read_bytes(), '"v3"'
    clock.now = feed.next_attempt_at
    assert feed.refresh() and (feed.failures, feed.last_error, feed.next_attempt_at) == (0, None, None)


def test_logs_once_when_failing_and_once_when_recovering(
        server: FeedServer, clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    feed = source(server.url, clock)
    server.payload, server.etag = b"garbage", '"bad"'
    with caplog.at_level(logging.INFO, logger="knowledge.feeds"):
        for _ in range(3):
            feed.refresh(force=True)
        server.payload, server.etag = ALERTS.read_bytes(), '"v4"'
        feed.refresh(force=True)
    assert [r.levelname for r in caplog.records if r.name == "knowledge.feeds"] == ["WARNING", "INFO"]


def test_file_source_reads_trip_updates(clock: Clock) -> None:
    feed = source(str(TRIP_UPDATES), clock)
    assert feed.refresh() and feed.feed.entity[0].HasField("trip_update")


def test_file_source_reads_vehicle_positions(clock: Clock) -> None:
    feed = source(str(VEHICLES), clock)
    assert feed.refresh() and feed.feed.entity[0].HasField("vehicle")


def test_unchanged_file_is_not_parsed_again_and_keeps_aging(clock: Clock) -> None:
    feed = source(str(ALERTS), clock)
    feed.refresh()
    clock.advance(minutes=2)
    header = datetime.fromtimestamp(feed.feed.header.timestamp, tz=timezone.utc)
    assert not feed.refresh() and (feed.fetched_at, feed.age()) == (clock.now, clock.now - header)


def test_missing_file_records_the_error(tmp_path: Path, clock: Clock) -> None:
    feed = source(str(tmp_path / "absent.pb"), clock)
    assert not feed.refresh() and "cannot read" in feed.last_error


def test_published_time_comes_from_the_feed_header(clock: Clock) -> None:
    feed = source(str(ALERTS), clock)
    feed.refresh()
    assert feed.snapshot.published_at == datetime.fromtimestamp(1795764300, tz=timezone.utc)


def test_file_source_reads_text_format(clock: Clock) -> None:
    feed = source(str(SHARED / "eval" / "alerts.textproto"), clock)
    assert feed.refresh() and len(feed.feed.entity) == 8


def test_malformed_url_is_recorded_not_raised(clock: Clock) -> None:
    feed = source("http://[::1", clock)
    assert not feed.refresh() and feed.failures == 1
