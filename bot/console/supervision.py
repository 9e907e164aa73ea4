"""The supervisor's view: workload per agent, queue age by lane, the response-target breaches now,
the follower notices whose delivery is unknown.

Also the breach watch: a shared scheduled job that tells supervisors (e-mail through
``reports.smtp_*``, or a Telegram chat) when the oldest waiting message passes its target,
once per breach. A breach lasts until nothing waiting is past its target any more; its start
is kept in the ``cursors`` table, so a restart or a second process does not tell them again.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from bot.config import Settings
from bot.console.queueview import QueueItem, QueueView
from bot.domain import CaseStatus, as_utc
from bot.errors import SportelloError
from bot.follow.unknown import UnknownNotices, unknown_notices
from storage.db import read_session, session_scope
from storage.models import Case, Cursor, Transition

log = logging.getLogger(__name__)

#: The lanes of the queue that wait for a person, most urgent first.
LANES = ("emergency", "escalated", "review")
#: Where the breach watch keeps the start of the breach it has told supervisors of.
BREACH_CURSOR = ("console", "sla_breach")


@dataclass(frozen=True)
class LaneAge:
    """How one lane of the queue stands: how many wait, the longest wait, how many are past target."""

    lane: str
    waiting: int
    oldest_seconds: int | None
    late: int
    target_minutes: float


@dataclass
class AgentLoad:
    """One agent's work: messages held now, open cases assigned, actions today by resulting state."""

    agent: str
    holding: int = 0
    cases: int = 0
    actions: dict[str, int] = field(default_factory=dict)

    @property
    def total_actions(self) -> int:
        """Every action today."""
        return sum(self.actions.values())


@dataclass(frozen=True)
class Supervision:
    """The supervisor's page, as of ``now``."""

    now: datetime
    lanes: list[LaneAge]
    agents: list[AgentLoad]
    breaches: list[QueueItem]
    notices: UnknownNotices


def target_of(view: QueueView, lane: str) -> float:
    """The response target of a lane, in minutes (emergencies have their own)."""
    return view.emergency_target_minutes if lane == "emergency" else view.target_minutes


def is_late(view: QueueView, item: QueueItem) -> bool:
    """Whether a waiting message is past its lane's target."""
    return item.urgency in LANES and item.waited_seconds >= target_of(view, item.urgency) * 60


def supervision(engine: Engine, view: QueueView, now: datetime, zone: ZoneInfo) -> Supervision:
    """Lanes, agents and breaches now."""
    items = [i for i in view.load(engine, now) if i.urgency in LANES]
    lanes = []
    for lane in LANES:
        waiting = [i for i in items if i.urgency == lane]
        lanes.append(
            LaneAge(
                lane=lane,
                waiting=len(waiting),
                oldest_seconds=max((i.waited_seconds for i in waiting), default=None),
                late=sum(1 for i in waiting if is_late(view, i)),
                target_minutes=target_of(view, lane),
            )
        )
    loads: defaultdict[str, AgentLoad] = defaultdict(lambda: AgentLoad(""))
    for agent, count in Counter(i.claimed_by for i in items if i.claimed_by).items():
        loads[agent].holding = count
    midnight = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    with read_session(engine) as session:
        assigned = session.execute(
            select(Case.assigned_to, func.count())
            .where(Case.assigned_to.is_not(None), Case.status != str(CaseStatus.CLOSED))  # type: ignore[union-attr]
            .group_by(Case.assigned_to)
        ).all()
        actions = session.execute(
            select(Transition.actor, Transition.to_state, func.count())
            .where(Transition.at >= midnight, Transition.actor.like("agent:%"))  # type: ignore[attr-defined]
            .group_by(Transition.actor, Transition.to_state)
        ).all()
    for agent, count in assigned:
        loads[agent].cases = count
    for actor, state, count in actions:
        loads[actor.removeprefix("agent:")].actions[state] = count
    agents = []
    for name, load in sorted(loads.items()):
        load.agent = name
        agents.append(load)
    breaches = sorted((i for i in items if is_late(view, i)), key=lambda i: -i.waited_seconds)
    notices = unknown_notices(engine)
    return Supervision(now=now, lanes=lanes, agents=agents, breaches=breaches, notices=notices)


class NotifyError(SportelloError):
    """Supervisors could not be told of a breach."""


Send = Callable[[str, str], None]


class BreachWatch:
    """The scheduled check: tell supervisors once when the backlog's oldest message passes its target."""

    def __init__(self, engine: Engine, view: QueueView, settings: Settings, *, clock: Callable[[], datetime],
                 send: Send | None = None) -> None:
        self.engine = engine
        self.view = view
        self.settings = settings
        self.clock = clock
        self.send = send or self._send

    def __call__(self) -> bool:
        """Check now; True when supervisors were told of a new breach."""
        now = self.clock()
        late = [i for i in self.view.load(self.engine, now) if is_late(self.view, i)]
        told = self._told()
        if not late:
            if told is not None:
                log.info("response target met again (breach since %s is over)", told.isoformat())
                self._remember(None, now)
            return False
        if told is not None:
            return False  # the same breach: told once already
        oldest = max(late, key=lambda i: i.waited_seconds)
        start = as_utc(datetime.fromisoformat(oldest.received_at)) + timedelta(minutes=target_of(self.view, oldest.urgency))
        subject, text = self.message(late, oldest)
        try:
            self.send(subject, text)
        except NotifyError as exc:
            log.error("response-target breach not notified (will try again): %s", exc)
            return False
        self._remember(start, now)
        return True

    def message(self, late: list[QueueItem], oldest: QueueItem) -> tuple[str, str]:
        """The notification's subject and text (Italian first, English second, like the operator's staff)."""
        minutes = oldest.waited_seconds // 60
        name = self.settings.operator.name
        subject = f"{name}: risposte in ritardo / replies late"
        text = (
            f"{len(late)} messaggi oltre l'obiettivo di risposta; il più vecchio aspetta da {minutes} min "
            f"(messaggio {oldest.id}, {oldest.channel}).\n"
            f"{len(late)} messages past the response target; the oldest has waited {minutes} min "
            f"(message {oldest.id}, {oldest.channel}).\n"
            "/console/team"
        )
        return subject, text

    def _send(self, subject: str, text: str) -> None:
        from bot.insight.digest import DigestError, mail_text, telegram_text

        reports = self.settings.reports
        sent = 0
        try:
            if reports.sla_notify_email:
                mail_text(self.settings, reports.sla_notify_email, subject, text)
                sent += 1
            if reports.sla_notify_telegram_chat:
                telegram_text(self.settings, reports.sla_notify_telegram_chat, text)
                sent += 1
        except DigestError as exc:
            raise NotifyError(str(exc)) from exc
        if not sent:
            msg = "set reports.sla_notify_email or reports.sla_notify_telegram_chat to be told of breaches"
            raise NotifyError(msg)

    def _told(self) -> datetime | None:
        channel, name = BREACH_CURSOR
        with read_session(self.engine) as session:
            row = session.get(Cursor, (channel, name))
        return as_utc(datetime.fromisoformat(row.value)) if row is not None and row.value else None

    def _remember(self, start: datetime | None, now: datetime) -> None:
        channel, name = BREACH_CURSOR
        with session_scope(self.engine) as session:
            row = session.get(Cursor, (channel, name)) or Cursor(channel=channel, name=name, value="", updated_at=now)
            row.value = start.isoformat() if start else ""
            row.updated_at = now
            session.add(row)


class Every(Protocol):
    def every(self, name: str, seconds: float, job: Callable[[], object], *, shared: bool) -> None: ...


def schedule_breach_watch(scheduler: Every, settings: Settings, engine: Engine, *, clock: Callable[[], datetime]) -> bool:
    """Run the breach watch every ``reports.sla_check_seconds`` when someone is to be told; True if scheduled."""
    reports = settings.reports
    if not (reports.sla_notify_email or reports.sla_notify_telegram_chat):
        return False
    console = settings.console
    view = QueueView(
        target_minutes=console.response_target_minutes, claim_minutes=console.claim_minutes,
        recent_hours=console.recent_auto_hours, emergency_target_minutes=console.emergency_target_minutes,
    )
    watch = BreachWatch(engine, view, settings, clock=clock)
    scheduler.every("console:breach-watch", reports.sla_check_seconds, watch, shared=True)
    return True
