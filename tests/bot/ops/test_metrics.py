"""/metrics, scraped and parsed: queue by lane, messages in and out, reply latency, leases, feeds, workers."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.channels.base import ChannelContext
from bot.channels.web import WebChannel
from bot.config import Settings
from bot.domain import InboundMessage, MessageState
from storage.followers import Chat, follow
from bot.follow.unknown import Decision, decide
from bot.ops.call_errors import CallErrors, CallFailure
from bot.ops.health import HealthCheck, Pulse
from bot.ops.metrics import metrics_registry
from bot.pipeline import RoutingPipeline
from bot.reading.router import Router
from bot.web.server import build_web_app
from bot.worker import Worker
from handlers import ReplyWriter
from knowledge.store import Knowledge
from storage.db import make_engine
from storage.queue import MessageQueue
from tests.bot.follow.conftest import unknown_notice
from tests.conftest import FixedClock

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(scope="module")
def knowledge_settings() -> Settings:
    return Settings(metrics={"enabled": True})


def _scrape(client: TestClient, **headers: str) -> Samples:
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    found: Samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


class _Service:
    """A worker, its queue and the web app of one process, on the test database."""

    def __init__(self, engine: Engine, clock: FixedClock, settings: Settings) -> None:
        self.clock = clock
        self.queue = MessageQueue(engine, clock=clock)
        knowledge = Knowledge.from_settings(settings.knowledge, engine=engine, clock=clock)
        pipeline = RoutingPipeline(Router(knowledge, settings=settings), ReplyWriter(knowledge, settings), clock=clock)
        web = WebChannel(ChannelContext(settings, self.queue, engine, clock))
        self.worker = Worker("host:1:0", self.queue, pipeline, {"web": web}, lease_seconds=30)
        check = HealthCheck(
            engine, clock, pulses=lambda: [Pulse("host:1:0", True, self.worker.beat_at)], channels=["web"],
            feeds=(knowledge.alert_feed, knowledge.trip_feed),
        )
        self.client = TestClient(build_web_app(settings, engine, self.queue, clock=clock, health_check=check))
        self.count = 0

    def ask(self, text: str) -> int:
        self.count += 1
        message = InboundMessage("web", str(self.count), f"web:c{self.count}", text, self.clock(),
                                 thread_id=f"c{self.count}")
        message_id = self.queue.enqueue(message)
        assert message_id is not None
        return message_id


@pytest.fixture
def service(engine: Engine, clock: FixedClock, knowledge_settings: Settings) -> Iterator[_Service]:
    yield _Service(engine, clock, knowledge_settings)


def test_the_queue_is_measured_by_lane(service: _Service) -> None:
    service.ask("autista maleducato sul 64, una vergogna")
    service.ask("aiuto, un uomo è svenuto sul binario a Termini")
    service.worker.run_once()
    service.worker.run_once()
    service.clock.advance(90)
    service.ask("il tram 8 funziona oggi?")  # not read yet: waits for a worker
    service.clock.advance(30)
    found = _scrape(service.client)
    assert found[("sportello_queue_depth", (("lane", "review"),))] == 1
    assert found[("sportello_queue_depth", (("lane", "emergency"),))] == 1
    assert found[("sportello_queue_depth", (("lane", "routing"),))] == 1
    assert found[("sportello_queue_depth", (("lane", "sending"),))] == 0
    assert found[("sportello_queue_oldest_seconds", (("lane", "review"),))] == 120
    assert found[("sportello_queue_oldest_seconds", (("lane", "routing"),))] == 30
    assert found[("sportello_database_up", ())] == 1
    assert found[("sportello_tally_behind", ())] == 0


def test_messages_in_and_out_and_the_reply_latency_are_counted(service: _Service) -> None:
    service.ask("il tram 8 funziona oggi?")
    complaint = service.ask("autista maleducato sul 64, una vergogna")
    service.worker.run_once()
    service.worker.run_once()
    service.clock.advance(600)  # an agent approves ten minutes later
    service.queue.transition(complaint, MessageState.APPROVED, actor="agent:giulia")
    assert service.worker.run_once()
    service.clock.advance(60)
    found = _scrape(service.client)
    assert found[("sportello_messages_in_total", (("channel", "web"), ("intent", "status")))] == 1
    assert found[("sportello_messages_in_total", (("channel", "web"), ("intent", "complaint")))] == 1
    assert found[("sportello_messages_out_total", (("by", "bot"), ("channel", "web"), ("intent", "status")))] == 1
    assert found[("sportello_messages_out_total", (("by", "agent"), ("channel", "web"), ("intent", "complaint")))] == 1
    bot = (("by", "bot"), ("channel", "web"))
    agent = (("by", "agent"), ("channel", "web"))
    assert found[("sportello_reply_latency_seconds_bucket", (*bot, ("le", "1.0")))] == 1
    assert found[("sportello_reply_latency_seconds_bucket", (*agent, ("le", "300.0")))] == 0
    assert found[("sportello_reply_latency_seconds_bucket", (*agent, ("le", "600.0")))] == 1
    assert found[("sportello_reply_latency_seconds_sum", agent)] == 600
    # A second scrape reads only what is new, and counts nothing twice.
    assert _scrape(service.client)[("sportello_messages_in_total", (("channel", "web"), ("intent", "status")))] == 1


def test_a_transition_younger_than_the_settling_time_waits_for_the_next_scrape(service: _Service) -> None:
    service.ask("il tram 8 funziona oggi?")
    service.worker.run_once()
    key = ("sportello_messages_in_total", (("channel", "web"), ("intent", "status")))
    assert key not in _scrape(service.client)
    service.clock.advance(11)
    assert _scrape(service.client)[key] == 1


def test_leases_feeds_and_workers_are_shown(service: _Service) -> None:
    service.ask("il tram 8 funziona oggi?")
    claim = service.queue.claim("host:2:0", 30)
    assert claim is not None
    found = _scrape(service.client)
    assert found[("sportello_worker_leases", (("worker", "host:2:0"),))] == 1
    assert found[("sportello_feed_fresh", (("feed", "alerts"),))] == 1
    assert ("sportello_feed_fresh", (("feed", "trip_updates"),)) not in found  # not configured
    assert found[("sportello_worker_alive", (("worker", "host:1:0"),))] == 1
    assert ("sportello_worker_heartbeat_age_seconds", (("worker", "host:1:0"),)) in found


def test_failed_platform_calls_are_counted_by_channel_and_kind(engine: Engine, clock: FixedClock) -> None:
    errors = CallErrors()
    errors.record("telegram", CallFailure.TIMEOUT)
    errors.record("telegram", CallFailure.TIMEOUT)
    errors.record("x", CallFailure.RATE_LIMITED)
    registry = metrics_registry(HealthCheck(engine, clock, call_errors=errors.counts))
    found = {(s.name, tuple(sorted(s.labels.items()))): s.value
             for family in text_string_to_metric_families(generate_latest(registry).decode()) for s in family.samples}
    assert found[("sportello_channel_call_errors_total", (("channel", "telegram"), ("kind", "timeout")))] == 2
    assert found[("sportello_channel_call_errors_total", (("channel", "x"), ("kind", "rate_limited")))] == 1


def test_with_the_database_unreachable_metrics_say_so_and_health_answers_503(clock: FixedClock) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = int(s.getsockname()[1])
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{closed}/test?connect_timeout=2")
    try:
        app = build_web_app(Settings(metrics={"enabled": True}), engine, MessageQueue(engine, clock=clock), clock=clock)
        client = TestClient(app)
        found = _scrape(client)
        health = client.get("/health")
    finally:
        engine.dispose()
    assert found[("sportello_database_up", ())] == 0
    assert not [key for key in found if key[0].startswith(("sportello_queue", "sportello_messages"))]
    assert health.status_code == 503 and health.json()["components"]["database"] == "down"


def test_a_token_protects_the_metrics(engine: Engine, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_METRICS__TOKEN", "scrape-token-0123")
    settings = Settings(metrics={"enabled": True})
    client = TestClient(build_web_app(settings, engine, MessageQueue(engine, clock=clock), clock=clock))
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert _scrape(client, Authorization="Bearer scrape-token-0123")[("sportello_database_up", ())] == 1


def test_metrics_are_not_served_unless_enabled(engine: Engine, clock: FixedClock) -> None:
    client = TestClient(build_web_app(Settings(), engine, MessageQueue(engine, clock=clock), clock=clock))
    assert client.get("/metrics").status_code == 404


def test_follower_notices_of_unknown_delivery_are_counted_until_a_supervisor_decides(service: _Service,
                                                                                    engine: Engine) -> None:
    first = unknown_notice(engine, service.clock() - timedelta(minutes=30), chat="5001")
    unknown_notice(engine, service.clock() - timedelta(minutes=5), chat="5002", alert_id="a2")
    found = _scrape(service.client)
    assert found[("sportello_follow_notices_unknown", (("channel", "telegram"), ("topic", "alert")))] == 2
    assert found[("sportello_follow_notices_unknown_oldest_seconds", ())] == 30 * 60
    decide(engine, first, Decision.LEAVE, by="sara", now=service.clock())
    found = _scrape(service.client)
    assert found[("sportello_follow_notices_unknown", (("channel", "telegram"), ("topic", "alert")))] == 1
    assert found[("sportello_follow_notices_unknown_oldest_seconds", ())] == 5 * 60


def test_place_followers_and_their_outage_notices_are_counted_beside_line_ones(service: _Service,
                                                                              engine: Engine) -> None:
    who = Chat("telegram", "5001")
    for kind, target in (("line", "64"), ("street", "072006:via sparano da bari"), ("district", "BA-MURAT")):
        follow(engine, who, kind, target, lang="it", now=service.clock(), limit=10)
    follow(engine, Chat("web", "web-1"), "street", "072006:via sparano da bari", lang="it", now=service.clock(), limit=10)
    unknown_notice(engine, service.clock() - timedelta(minutes=5), alert_id="water:murat-1", topic="outage")
    unknown_notice(engine, service.clock() - timedelta(minutes=3), chat="5002")
    found = _scrape(service.client)
    assert found[("sportello_followers", (("kind", "line"),))] == 1
    assert found[("sportello_followers", (("kind", "street"),))] == 2
    assert found[("sportello_followers", (("kind", "district"),))] == 1
    assert found[("sportello_follow_notices_unknown", (("channel", "telegram"), ("topic", "outage")))] == 1
    assert found[("sportello_follow_notices_unknown", (("channel", "telegram"), ("topic", "alert")))] == 1
