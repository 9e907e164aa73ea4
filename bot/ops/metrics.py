"""``/metrics`` in Prometheus' text format: the queue, messages and replies, channels, feeds, workers.

Figures about the whole service (queue depth and age, messages in and out, reply latency,
channel states, leases, follower notices of unknown delivery) are read from the database at each scrape, so every process answers
the same whichever handled the work; the message counters are kept in the database as they
grow (``bot.ops.tally``), so a scrape reads only what is new. Figures about this process (its workers' heartbeats, the
age of the feeds it routes on, its channels' failed platform calls) are its own.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from bot.domain import WORK_STATES, as_utc
from bot.follow.unknown import count_unknown, unknown_by_topic
from storage.followers import followers_by_kind
from bot.ops.backlog import lane_backlog
from bot.ops.health import HealthCheck
from bot.ops.tally import TallySnapshot, TransitionTally
from storage.db import reading
from storage.models import ChannelStatus, JobLease, Message, Reply


class ServiceCollector(Collector):
    """Collects every sportello metric at scrape time."""

    def __init__(self, check: HealthCheck) -> None:
        self.check = check
        self.tally = TransitionTally(check.engine, check.clock)

    def collect(self) -> Iterator[Metric]:
        """The database's figures (when it answers), then this process's own."""
        up = GaugeMetricFamily("sportello_database_up", "1 when the database answered this scrape, else 0")
        try:
            database = list(self._database(self.check.engine, as_utc(self.check.clock())))
        except SQLAlchemyError:
            database = []
        up.add_metric([], 1 if database else 0)
        yield up
        yield from database
        yield from self._process()

    def _database(self, engine: Engine, now: datetime) -> Iterator[Metric]:
        found: list[Metric] = []
        depth = GaugeMetricFamily("sportello_queue_depth", "Messages waiting, by lane", labels=["lane"])
        oldest = GaugeMetricFamily(
            "sportello_queue_oldest_seconds", "How long the oldest waiting message has waited, by lane", labels=["lane"]
        )
        for lane in lane_backlog(engine, now):
            depth.add_metric([str(lane.lane)], lane.depth)
            oldest.add_metric([str(lane.lane)], lane.oldest_seconds)
        found += [depth, oldest]
        found += self._messages(self.tally.read())
        found += self._channels(engine)
        found += self._leases(engine, now)
        found += self._unknown_notices(engine, now)
        yield from found

    @staticmethod
    def _messages(tally: TallySnapshot) -> list[Metric]:
        """Messages in and out and the reply latency, withheld while a long history is first counted."""
        behind = GaugeMetricFamily(
            "sportello_tally_behind", "Transitions recorded but not yet counted into the message counters "
            "(over 0 only while a long history is first counted; the counters are withheld until then)"
        )
        behind.add_metric([], tally.behind)
        if not tally.caught_up:
            return [behind]
        came = CounterMetricFamily(
            "sportello_messages_in", "Messages read by a worker, by channel and intent", labels=["channel", "intent"]
        )
        for (channel, intent), count in sorted(tally.messages_in.items()):
            came.add_metric([channel, intent], count)
        went = CounterMetricFamily(
            "sportello_messages_out", "Messages answered, by channel, intent and who let the reply go (bot or agent)",
            labels=["channel", "intent", "by"],
        )
        for (channel, intent, by), count in sorted(tally.messages_out.items()):
            went.add_metric([channel, intent, by], count)
        latency = HistogramMetricFamily(
            "sportello_reply_latency_seconds", "From a message's arrival to its reply going out, by channel and by whom",
            labels=["channel", "by"],
        )
        for (channel, by), histogram in sorted(tally.latency.items()):
            latency.add_metric([channel, by], histogram.cumulative(), histogram.total)
        return [behind, came, went, latency]

    @staticmethod
    def _channels(engine: Engine) -> list[Metric]:
        state = GaugeMetricFamily(
            "sportello_channel_state", "1 for each channel's recorded state (running, degraded, capped, stopped)",
            labels=["channel", "state"],
        )
        failed = GaugeMetricFamily(
            "sportello_channel_failed_replies", "Replies a channel refused for good, as stored", labels=["channel"]
        )
        with reading(engine).connect() as conn:
            for channel, value in conn.execute(select(ChannelStatus.channel, ChannelStatus.state)):
                state.add_metric([channel, value], 1)
            query = select(Reply.channel, func.count()).where(Reply.status == "failed").group_by(Reply.channel)
            for channel, count in conn.execute(query):
                failed.add_metric([channel], int(count))
        return [state, failed]

    @staticmethod
    def _leases(engine: Engine, now: datetime) -> list[Metric]:
        held = GaugeMetricFamily(
            "sportello_worker_leases", "Messages a worker holds under a lease now, by worker", labels=["worker"]
        )
        jobs = GaugeMetricFamily(
            "sportello_job_lease_seconds", "Seconds left on a scheduled job's lease, by job and holder",
            labels=["job", "holder"],
        )
        with reading(engine).connect() as conn:
            query = (
                select(Message.lease_owner, func.count())
                .where(Message.state.in_([str(s) for s in WORK_STATES]), Message.lease_until > now,
                       Message.lease_owner.is_not(None))
                .group_by(Message.lease_owner)
            )
            for owner, count in conn.execute(query):
                held.add_metric([owner], int(count))
            for name, owner, until in conn.execute(select(JobLease.name, JobLease.owner, JobLease.until)):
                left = (as_utc(until) - now).total_seconds()
                if left > 0:
                    jobs.add_metric([name, owner], left)
        return [held, jobs]

    @staticmethod
    def _unknown_notices(engine: Engine, now: datetime) -> list[Metric]:
        """Follower notices that may or may not have arrived, until a supervisor decides on each."""
        count = GaugeMetricFamily(
            "sportello_follow_notices_unknown", "Follower notices whose delivery is unknown (the sender died mid-call "
            "or the call timed out) awaiting a supervisor's decision on /console/team, by channel and topic (alert: a "
            "line's or stop's alert, outage: a place's outage)", labels=["channel", "topic"],
        )
        followers = GaugeMetricFamily(
            "sportello_followers", "Follows stored, by what is followed (line, stop, street, district, zone, "
            "municipality, service_point)", labels=["kind"],
        )
        oldest = GaugeMetricFamily(
            "sportello_follow_notices_unknown_oldest_seconds",
            "How long the oldest follower notice of unknown delivery has awaited a decision (0: none)",
        )
        _by_channel, since = count_unknown(reading(engine))
        for (channel, topic), n in sorted(unknown_by_topic(reading(engine)).items()):
            count.add_metric([channel, str(topic)], n)
        oldest.add_metric([], max(0.0, (now - since).total_seconds()) if since is not None else 0.0)
        for kind, n in sorted(followers_by_kind(reading(engine)).items()):
            followers.add_metric([kind], n)
        return [count, oldest, followers]

    def _process(self) -> Iterator[Metric]:
        now = self.check.clock()
        beat = GaugeMetricFamily(
            "sportello_worker_heartbeat_age_seconds", "Seconds since each worker of this process last came round",
            labels=["worker"],
        )
        alive = GaugeMetricFamily("sportello_worker_alive", "1 while a worker thread of this process runs",
                                  labels=["worker"])
        moment = self.check.monotonic()
        for pulse in self.check.pulses():
            beat.add_metric([pulse.name], max(0.0, moment - pulse.beat_at))
            alive.add_metric([pulse.name], 1 if pulse.alive else 0)
        yield from (beat, alive)
        age = GaugeMetricFamily("sportello_feed_age_seconds", "Age of a live feed's data as this process holds it",
                                labels=["feed"])
        fresh = GaugeMetricFamily("sportello_feed_fresh", "1 when a feed's data may be presented as live",
                                  labels=["feed"])
        for feed in self.check.feeds:
            if not feed.configured:
                continue
            source = feed.source_age(now)
            if source.data_time is not None:
                age.add_metric([feed.name], max(0.0, (as_utc(now) - as_utc(source.data_time)).total_seconds()))
            fresh.add_metric([feed.name], 1 if source.usable else 0)
        yield from (age, fresh)
        errors = CounterMetricFamily(
            "sportello_channel_call_errors", "Platform calls that failed in this process and its worker processes, by channel and kind "
            "(auth, rate_limited, timeout, unavailable, refused, failed), each retry counted", labels=["channel", "kind"]
        )
        for (channel, kind), count in sorted(self.check.call_errors().items()):
            errors.add_metric([channel, str(kind)], count)
        yield errors


def metrics_registry(check: HealthCheck) -> CollectorRegistry:
    """A registry of its own (never the global one) with sportello's and the process's figures."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ServiceCollector(check))
    ProcessCollector(registry=registry)
    return registry


def _allowed(request: Request, token: str | None) -> bool:
    if not token:
        return True
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


async def metrics_page(request: Request) -> Response:
    """``GET /metrics``: Prometheus' text format (a bearer token when ``metrics.token`` is set)."""
    settings = request.app.state.settings
    if not _allowed(request, settings.metrics.token):
        return Response("bearer token required\n", status_code=401, headers={"WWW-Authenticate": "Bearer"},
                        media_type="text/plain")
    body = await run_in_threadpool(generate_latest, request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
