"""/health: the database, the workers' heartbeats, each channel and each feed; 503 naming what is down."""

from __future__ import annotations

import socket
from pathlib import Path

from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.channels.ledger import ChannelLedger
from bot.config import Settings
from bot.domain import DataState, SourceAge, SourceKind
from bot.ops.health import HealthCheck, Pulse, Status, check_feeds, check_workers
from bot.web.server import build_web_app
from storage.db import make_engine
from storage.queue import MessageQueue
from tests.conftest import FixedClock


def _client(engine: Engine, clock: FixedClock, check: HealthCheck | None = None) -> TestClient:
    app = build_web_app(Settings(), engine, MessageQueue(engine, clock=clock), clock=clock, health_check=check)
    return TestClient(app)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_healthy_process_answers_200_with_each_part(engine: Engine, clock: FixedClock) -> None:
    check = HealthCheck(engine, clock, pulses=lambda: [Pulse("w0", True, 100.0)], channels=["web"],
                        monotonic=lambda: 101.0)
    answer = _client(engine, clock, check).get("/health")
    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "status": "ok",
                             "components": {"database": "ok", "workers": "ok", "channel:web": "ok"}}


def test_an_unreachable_postgresql_answers_503_naming_the_database(clock: FixedClock) -> None:
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/test?connect_timeout=2")
    try:
        answer = _client(engine, clock).get("/health")
    finally:
        engine.dispose()
    assert answer.status_code == 503
    assert answer.json() == {"ok": False, "status": "down", "components": {"database": "down", "workers": "off"}}


def test_an_unreadable_sqlite_file_answers_503(tmp_path: Path, clock: FixedClock) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sportello.db'}")  # never migrated: no schema to read
    (tmp_path / "sportello.db").write_bytes(b"not a database at all" * 100)
    try:
        answer = _client(engine, clock).get("/health")
    finally:
        engine.dispose()
    assert answer.status_code == 503
    assert answer.json()["components"]["database"] == "down"


def test_a_stopped_channel_is_down_and_a_degraded_one_is_not(engine: Engine, clock: FixedClock) -> None:
    ChannelLedger(engine, "telegram", clock).set_status("stopped", "token refused: 123456:SECRET")
    ChannelLedger(engine, "x", clock).set_status("degraded", "timeout")
    check = HealthCheck(engine, clock, channels=["telegram", "x"])
    answer = _client(engine, clock, check).get("/health")
    assert answer.status_code == 503
    assert answer.json()["components"] == {
        "database": "ok", "workers": "off", "channel:telegram": "down", "channel:x": "degraded"
    }
    assert "SECRET" not in answer.text and "token" not in answer.text  # reasons are for staff only
    assert check().staff()["details"]["channel:telegram"].startswith("stopped")


def test_a_silent_or_dead_worker_is_down() -> None:
    assert check_workers([Pulse("w0", True, 100.0)], 60, now=159.0).status == Status.OK
    assert check_workers([Pulse("w0", True, 100.0)], 60, now=161.0).status == Status.DOWN
    assert check_workers([Pulse("w0", False, 100.0)], 60, now=101.0).status == Status.DOWN
    assert check_workers([], 60, now=0.0).status == Status.OFF


class _Feed:
    def __init__(self, name: str, state: DataState | None) -> None:
        self.name = name
        self.state = state

    @property
    def configured(self) -> bool:
        return self.state is not None

    def source_age(self, now: object) -> SourceAge:
        assert self.state is not None
        return SourceAge(SourceKind.ALERTS, self.state)


def test_a_stale_feed_is_down_a_suspect_one_degraded_an_unset_one_off(engine: Engine, clock: FixedClock) -> None:
    feeds = [_Feed("alerts", DataState.STALE), _Feed("suspect", DataState.SUSPECT), _Feed("trip_updates", None)]
    assert [c.status for c in check_feeds(feeds, clock())] == [Status.DOWN, Status.DEGRADED, Status.OFF]
    answer = _client(engine, clock, HealthCheck(engine, clock, feeds=feeds)).get("/health")
    assert answer.status_code == 503
    assert answer.json()["components"]["feed:alerts"] == "down"


def test_workers_loading_the_reader_answer_503_starting(engine: Engine, clock: FixedClock) -> None:
    check = HealthCheck(engine, clock, pulses=lambda: [Pulse("w0", True, 100.0), Pulse("w1", True, 0.0, starting=True)],
                        monotonic=lambda: 101.0)
    answer = _client(engine, clock, check).get("/health")
    assert answer.status_code == 503
    assert answer.json() == {"ok": False, "status": "starting", "components": {"database": "ok", "workers": "starting"}}


def test_a_dead_worker_is_down_even_while_another_starts() -> None:
    pulses = [Pulse("w0", False, 100.0), Pulse("w1", True, 0.0, starting=True)]
    assert check_workers(pulses, 60.0, 101.0).status == Status.DOWN
