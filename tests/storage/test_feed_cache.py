"""The shared feed_cache rows: an error keeps the last good data; only newer data is handed back."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine
from sqlmodel import Session

from storage.feed_cache import record_feed_error, stored_feed
from storage.models import FeedCache

T0 = datetime(2026, 11, 27, 7, 30, tzinfo=timezone.utc)


def _store(engine: Engine, fetched_at: datetime) -> None:
    with Session(engine) as session:
        session.add(FeedCache(name="alerts", payload=b"good", fetched_at=fetched_at, data_at=fetched_at))
        session.commit()


def test_nothing_stored_is_none(engine: Engine) -> None:
    assert stored_feed(engine, "alerts", newer_than=None) is None


def test_an_error_is_kept_beside_the_last_good_data(engine: Engine) -> None:
    _store(engine, T0)
    record_feed_error(engine, "alerts", "x" * 5000, T0 + timedelta(minutes=1))
    stored = stored_feed(engine, "alerts", newer_than=None)
    assert stored is not None and stored.newer is not None
    assert stored.newer.payload == b"good"
    assert stored.error == "x" * 4000


def test_an_error_alone_is_reported_with_no_data(engine: Engine) -> None:
    record_feed_error(engine, "alerts", "timeout", T0)
    stored = stored_feed(engine, "alerts", newer_than=None)
    assert stored is not None and stored.error == "timeout" and stored.newer is None


def test_data_no_newer_than_ours_is_not_handed_back(engine: Engine) -> None:
    _store(engine, T0)
    assert stored_feed(engine, "alerts", newer_than=T0).newer is None  # type: ignore[union-attr]
    assert stored_feed(engine, "alerts", newer_than=T0 - timedelta(seconds=1)).newer is not None  # type: ignore[union-attr]


def test_two_processes_storing_their_first_fetch_together_both_succeed(engine: Engine) -> None:
    import threading

    from storage.feed_cache import locked_row

    first = Session(engine)
    row = locked_row(first, "alerts")  # made and locked, not yet committed
    row.payload = b"first"
    failed: list[BaseException] = []

    def second() -> None:  # another process: finds no committed row either
        try:
            with Session(engine) as session:
                other = locked_row(session, "alerts")  # waits for the first to commit
                other.etag = "second"
                session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failed.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    first.commit()
    first.close()
    thread.join()
    assert failed == []
    with Session(engine) as session:
        stored = session.get(FeedCache, "alerts")
        assert stored is not None and (stored.payload, stored.etag) == (b"first", "second")
