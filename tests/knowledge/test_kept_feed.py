"""What a source keeps of its last good data: its times, its age and its last error."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import FeedSettings
from bot.domain import SourceKind
from knowledge.kept_feed import KeptFeed

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def _feed() -> KeptFeed:
    return KeptFeed("alerts", FeedSettings(max_age_seconds=900), kind=SourceKind.ALERTS, engine=None, clock=lambda: NOW)


def test_a_source_with_no_data_has_no_age() -> None:
    status = _feed().status(NOW)
    assert (status["data_at"], status["age_seconds"], status["error"]) == (None, None, None)


def test_data_said_to_be_newer_than_its_fetch_is_as_old_as_the_fetch() -> None:
    feed = _feed()
    feed._set_times(NOW - timedelta(minutes=5), NOW, None)
    assert feed.age(NOW) == timedelta(minutes=5)
    assert list(feed.status(NOW)) == ["fetched_at", "data_at", "age_seconds", "state", "error"]


def test_an_error_is_logged_once_while_it_lasts_and_kept(caplog: pytest.LogCaptureFixture) -> None:
    feed = _feed()
    with caplog.at_level(logging.WARNING, logger="knowledge.kept_feed"):
        feed._record_error("timeout")
        feed._record_error("timeout")
    assert [r.getMessage() for r in caplog.records] == ["feed alerts: timeout (keeping data from None)"]
    assert feed.status(NOW)["error"] == "timeout"
