"""Is this process fit to serve? The database, its workers, each channel and each live feed, checked.

The public answer names each part and its status only; the reasons (which may name hosts or
errors) are for staff, at ``/console/api/health``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.domain import DataState, SourceAge
from bot.ops.call_errors import CALL_ERRORS, Counts
from storage.db import reading
from storage.models import ChannelStatus


class Status(StrEnum):
    """A part's state: working, working with a fault, not working yet, not working, or not in use here."""

    OK = "ok"
    DEGRADED = "degraded"
    STARTING = "starting"
    DOWN = "down"
    OFF = "off"


@dataclass(frozen=True)
class Component:
    """One checked part and its status; ``detail`` says why, for staff only."""

    name: str
    status: Status
    detail: str | None = None


@dataclass(frozen=True)
class HealthReport:
    """Every part's status; the whole is down when one part is down."""

    components: tuple[Component, ...]

    @property
    def status(self) -> Status:
        """``down`` if any part is down, else ``starting`` if any is, else ``degraded`` if any is, else ``ok``."""
        found = {c.status for c in self.components}
        for worst in (Status.DOWN, Status.STARTING, Status.DEGRADED):
            if worst in found:
                return worst
        return Status.OK

    @property
    def http_status(self) -> int:
        """503 when a part is down or still starting, else 200."""
        return 503 if self.status in (Status.DOWN, Status.STARTING) else 200

    def public(self) -> dict[str, Any]:
        """What anyone may read: the status of the whole and of each part, no reasons."""
        return {
            "ok": self.status not in (Status.DOWN, Status.STARTING),
            "status": str(self.status),
            "components": {c.name: str(c.status) for c in self.components},
        }

    def staff(self) -> dict[str, Any]:
        """What staff read: each part with its reason."""
        return {
            **self.public(),
            "details": {c.name: c.detail for c in self.components if c.detail},
        }


@dataclass(frozen=True)
class Pulse:
    """A worker thread as last seen: alive or not, and when its loop last came round (monotonic);
    ``starting`` while it loads what it routes with and has not come round yet."""

    name: str
    alive: bool
    beat_at: float
    starting: bool = False


class Feed(Protocol):
    """What health asks of a live feed."""

    name: str

    @property
    def configured(self) -> bool: ...

    def source_age(self, now: datetime) -> SourceAge: ...


#: Channel states (``channel_status.state``) and what they mean for health.
CHANNEL_STATES = {"running": Status.OK, "degraded": Status.DEGRADED, "capped": Status.DEGRADED,
                  "stopped": Status.DOWN}
FEED_STATES = {DataState.FRESH: Status.OK, DataState.SUSPECT: Status.DEGRADED}


def check_database(engine: Engine) -> Component:
    """Down when a connection cannot be had or a read of the schema fails."""
    try:
        with reading(engine).connect() as conn:
            conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError as exc:
        return Component("database", Status.DOWN, type(exc).__name__)
    return Component("database", Status.OK)


def check_workers(pulses: Sequence[Pulse], stall_seconds: float, now: float) -> Component:
    """Down when a worker thread has died or its loop has not come round within ``stall_seconds``."""
    if not pulses:
        return Component("workers", Status.OFF, "no worker threads in this process")
    dead = [p.name for p in pulses if not p.alive]
    stalled = [p.name for p in pulses if p.alive and not p.starting and now - p.beat_at > stall_seconds]
    if dead or stalled:
        parts = ([f"stopped: {', '.join(dead)}"] if dead else []) + (
            [f"silent over {stall_seconds:.0f} s: {', '.join(stalled)}"] if stalled else [])
        return Component("workers", Status.DOWN, "; ".join(parts))
    starting = [p.name for p in pulses if p.starting]
    if starting:
        return Component("workers", Status.STARTING, f"loading the reader: {', '.join(starting)}")
    return Component("workers", Status.OK, f"{len(pulses)} beating")


def check_channels(engine: Engine, names: Sequence[str]) -> list[Component]:
    """Each running channel by its recorded state: stopped is down; degraded or capped, degraded."""
    if not names:
        return []
    try:
        with Session(reading(engine)) as session:
            query = select(ChannelStatus).where(ChannelStatus.channel.in_(names))
            rows = {r.channel: r for r in session.execute(query).scalars()}
    except SQLAlchemyError:
        return [Component(f"channel:{n}", Status.DEGRADED, "status not readable") for n in names]
    found: list[Component] = []
    for name in names:
        row = rows.get(name)
        if row is None:
            found.append(Component(f"channel:{name}", Status.OK))
            continue
        status = CHANNEL_STATES.get(row.state, Status.DEGRADED)
        found.append(Component(f"channel:{name}", status, f"{row.state}: {row.detail}" if row.detail else row.state))
    return found


def check_feeds(feeds: Sequence[Feed], now: datetime) -> list[Component]:
    """Each live feed: fresh is ok, awaiting confirmation degraded, stale or never fetched down."""
    found: list[Component] = []
    for feed in feeds:
        if not feed.configured:
            found.append(Component(f"feed:{feed.name}", Status.OFF, "not configured"))
            continue
        age = feed.source_age(now)
        found.append(Component(f"feed:{feed.name}", FEED_STATES.get(age.state, Status.DOWN), str(age.state)))
    return found


class HealthCheck:
    """The checks of one process, run together."""

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime],
        *,
        pulses: Callable[[], Sequence[Pulse]] = tuple,
        channels: Sequence[str] = (),
        feeds: Sequence[Feed] = (),
        stall_seconds: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
        call_errors: Callable[[], Counts] = CALL_ERRORS.counts,
    ) -> None:
        """``pulses``, ``feeds`` and ``call_errors`` are this process's (and its worker processes')
        workers, live feeds and failed platform calls, which ``/metrics`` shows as well."""
        self.engine = engine
        self.call_errors = call_errors
        self.clock = clock
        self.pulses = pulses
        self.channels = tuple(channels)
        self.feeds = tuple(feeds)
        self.stall_seconds = stall_seconds
        self.monotonic = monotonic

    def __call__(self) -> HealthReport:
        """Check every part now (blocking: run it in a thread from async code)."""
        database = check_database(self.engine)
        parts = [database, check_workers(self.pulses(), self.stall_seconds, self.monotonic())]
        if database.status == Status.OK:
            parts += check_channels(self.engine, self.channels)
        else:
            parts += [Component(f"channel:{n}", Status.DEGRADED, "status not readable") for n in self.channels]
        parts += check_feeds(self.feeds, self.clock())
        return HealthReport(tuple(parts))
