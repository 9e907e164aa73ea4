"""An outage source keeps its last good data, knows its age, and believes a disappearance only when confirmed."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.config import AlertFeedSettings
from bot.domain import DataState
from knowledge.outage_feed import OutageFeed

FIXTURES = Path(__file__).parent / "fixtures" / "outages"
NOW = datetime.fromisoformat("2026-12-03T07:10:00+01:00")  # the feed says it was updated at 07:05
ATOM = (FIXTURES / "atom-puglia.xml").read_bytes()
MURAT, MODUGNO, TRIGGIANO = (f"it.acquedotto-esempio.2026.1203.000{n}" for n in (1, 4, 5))


def _without(data: bytes, *ids: str) -> bytes:
    """The Atom feed with the entries of ``ids`` left out."""
    for outage_id in ids:
        start = data.index(f"<entry>\n    <id>{outage_id}</id>".encode())
        end = data.index(b"</entry>", start) + len(b"</entry>")
        data = data[:start] + data[end:]
    return data


class Source:
    """A file the test rewrites, with the file time set to the test's clock."""

    def __init__(self, tmp_path: Path, name: str = "avvisi.xml") -> None:
        self.path = tmp_path / name
        self.now = NOW

    def write(self, data: bytes) -> None:
        self.path.write_bytes(data)
        os.utime(self.path, (self.now.timestamp(), self.now.timestamp()))


@pytest.fixture
def source(tmp_path: Path) -> Source:
    return Source(tmp_path)


def _feed(source: Source, engine: Engine | None) -> OutageFeed:
    settings = AlertFeedSettings(source=str(source.path), max_age_seconds=900)
    return OutageFeed("outages", settings, engine=engine, clock=lambda: source.now)


def test_a_good_fetch_is_believed_and_fresh(source: Source, engine: Engine) -> None:
    source.write(ATOM)
    feed = _feed(source, engine)
    assert feed.refresh()
    assert set(feed.outages) == {MURAT, MODUGNO, TRIGGIANO}
    assert feed.source_age(NOW).state is DataState.FRESH


def test_another_process_sees_the_stored_outages(source: Source, engine: Engine) -> None:
    source.write(ATOM)
    _feed(source, engine).refresh()
    other = _feed(source, engine)
    other.sync()
    assert set(other.outages) == {MURAT, MODUGNO, TRIGGIANO}


def test_an_outage_missing_once_is_held_until_the_next_fetch_agrees(source: Source, engine: Engine) -> None:
    source.write(ATOM)
    feed = _feed(source, engine)
    feed.refresh()
    source.write(_without(ATOM, MODUGNO))
    feed.refresh()
    assert MODUGNO in feed.outages
    feed.refresh()
    assert MODUGNO not in feed.outages


def test_a_sharp_shrink_is_suspect_until_confirmed(source: Source, engine: Engine) -> None:
    source.write(ATOM)
    feed = _feed(source, engine)
    feed.refresh()
    source.write(_without(ATOM, MODUGNO, TRIGGIANO))
    feed.refresh()
    assert feed.source_age(NOW).state is DataState.SUSPECT
    feed.refresh()
    assert feed.source_age(NOW).state is DataState.FRESH
    assert set(feed.outages) == {MURAT}


def test_a_broken_fetch_keeps_the_last_good_data(source: Source, engine: Engine) -> None:
    source.write(ATOM)
    feed = _feed(source, engine)
    feed.refresh()
    source.write(ATOM[: len(ATOM) // 2])
    assert not feed.refresh()
    assert set(feed.outages) == {MURAT, MODUGNO, TRIGGIANO}
    assert feed.error is not None and "well-formed" in feed.error


def test_old_data_is_stale(source: Source) -> None:
    source.write(ATOM)
    feed = _feed(source, None)
    feed.refresh()
    assert feed.source_age(NOW + timedelta(minutes=16)).state is DataState.STALE


def test_the_data_time_is_the_feed_own_time_not_the_fetch(source: Source) -> None:
    source.now = NOW + timedelta(hours=1)
    source.write(ATOM)  # the file is new, but the feed says it was updated at 07:05
    feed = _feed(source, None)
    feed.refresh()
    assert feed.data_at == datetime.fromisoformat("2026-12-03T07:05:00+01:00")


def test_no_data_is_unknown(source: Source) -> None:
    feed = _feed(source, None)
    assert not feed.refresh()
    assert feed.source_age(NOW).state is DataState.UNKNOWN


def test_a_cancelled_outage_is_gone_at_once(tmp_path: Path) -> None:
    source = Source(tmp_path, "murat.xml")
    source.write((FIXTURES / "acqua-bari-murat.xml").read_bytes())
    feed = _feed(source, None)
    feed.refresh()
    update = (FIXTURES / "acqua-bari-murat-update.xml").read_bytes()
    source.write(update.replace(b"<msgType>Update</msgType>", b"<msgType>Cancel</msgType>"))
    feed.refresh()
    assert feed.outages == {}
