"""Retention: past ``privacy.retain_days`` texts are anonymised; problem records and statistics stay."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine, delete, select

from bot.config import RetainDays, Settings
from bot.domain import MessageState, as_utc
from bot.privacy.audit import AuditAction, record
from bot.privacy.scrub import ANON, ANONYMOUS, anonymise_cases, anonymise_messages, anonymise_replies, drop_corrections
from storage.db import session_scope
from storage.models import Case, Correction, Message, PrivacyAudit, Reply

log = logging.getLogger(__name__)

#: Only messages whose handling is over lose their text; one still waiting keeps it.
FINAL_STATES = (str(MessageState.AUTO_SENT), str(MessageState.SENT), str(MessageState.CLOSED))
BATCH = 500
ACTOR = "system:retention"


@dataclass(frozen=True)
class RetentionResult:
    """How many rows one run anonymised or deleted."""

    messages: int = 0
    masked: int = 0
    replies: int = 0
    cases: int = 0
    corrections: int = 0
    audit: int = 0

    @property
    def total(self) -> int:
        """Rows touched in all."""
        return sum(asdict(self).values())


def apply_retention(engine: Engine, days: RetainDays, *, now: datetime) -> RetentionResult:
    """Anonymise what is older than its kind's limit; return how much."""
    message_cut = now - timedelta(days=days.messages)
    # A corrected message keeps its masked text for evaluation, never less long than any message.
    correction_cut = now - timedelta(days=max(days.corrections, days.messages))
    found = dict(messages=0, masked=0, replies=0, cases=0, corrections=0, audit=0)
    while True:
        with session_scope(engine) as session:
            rows = session.execute(
                select(Message.id, Message.received_at)
                .where(Message.received_at < message_cut, Message.state.in_(FINAL_STATES), ~Message.author.startswith(ANON))  # type: ignore[attr-defined]
                .order_by(Message.id).limit(BATCH)
            ).all()
            if not rows:
                break
            ids = [r[0] for r in rows]
            corrected = set(session.execute(
                select(Correction.message_id).where(Correction.message_id.in_(ids))  # type: ignore[attr-defined]
            ).scalars())
            keep = [r[0] for r in rows if r[0] in corrected and as_utc(r[1]) >= correction_cut]
            full = [i for i in ids if i not in keep]
            found["messages"] += anonymise_messages(session, full)
            found["masked"] += anonymise_messages(session, keep, keep_masked_text=True)
            found["corrections"] += drop_corrections(session, [i for i in full if i in corrected])
    while True:
        with session_scope(engine) as session:
            ids = list(session.execute(
                select(Message.id)
                .where(Message.received_at < correction_cut, Message.author.startswith(ANON), Message.text != ANONYMOUS)  # type: ignore[attr-defined]
                .order_by(Message.id).limit(BATCH)
            ).scalars())
            if not ids:
                break
            found["messages"] += anonymise_messages(session, ids)
            found["corrections"] += drop_corrections(session, ids)
    reply_cut = now - timedelta(days=days.replies)
    while True:
        with session_scope(engine) as session:
            ids = list(session.execute(
                select(Reply.id)
                .where(Reply.created_at < reply_cut, Reply.status != "pending", Reply.text != ANONYMOUS)
                .order_by(Reply.id).limit(BATCH)
            ).scalars())
            if not ids:
                break
            found["replies"] += anonymise_replies(session, ids)
    with session_scope(engine) as session:
        case_ids = list(session.execute(
            select(Case.id).where(Case.status != "open", Case.opened_at < message_cut, ~Case.author.startswith(ANON))  # type: ignore[attr-defined]
        ).scalars())
        found["cases"] += anonymise_cases(session, case_ids)
        result = session.execute(delete(PrivacyAudit).where(PrivacyAudit.at < now - timedelta(days=days.audit)))
        found["audit"] += int(result.rowcount or 0)
    outcome = RetentionResult(**found)
    if outcome.total:
        detail = ", ".join(f"{k} {v}" for k, v in asdict(outcome).items() if v)
        record(engine, ACTOR, AuditAction.RETENTION, at=now, detail=detail)
        log.info("privacy retention: %s", detail)
    return outcome


class RetentionJob:
    """The daily job: apply the retention limits as of the clock's now."""

    def __init__(self, engine: Engine, days: RetainDays, *, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.days = days
        self.clock = clock

    def __call__(self) -> RetentionResult:
        return apply_retention(self.engine, self.days, now=self.clock())



class DailySchedule(Protocol):
    """The part of :class:`bot.scheduler.Scheduler` retention needs."""

    def daily(self, name: str, hour: int, job: Callable[[], object], *, timezone: str) -> None: ...


def schedule_privacy(scheduler: DailySchedule, settings: Settings, engine: Engine, *, clock: Callable[[], datetime]) -> list[str]:
    """Register the daily retention job (one process runs it); returns its name."""
    job = RetentionJob(engine, settings.privacy.retain_days, clock=clock)
    scheduler.daily("privacy:retention", settings.privacy.retention_hour, job, timezone=settings.operator.timezone)
    return ["privacy:retention"]
