"""A citizen's rights: everything held about them (access request), and its erasure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, MetaData, Table, delete, inspect, or_, select
from sqlmodel import Session, SQLModel

from bot.errors import PrivacyError
from bot.privacy.audit import AuditAction, about_messages, record
from bot.privacy.dbfiles import Compaction, compact_files
from bot.privacy.scrub import anonymise_cases, anonymise_messages, anonymise_replies, drop_corrections
from storage.db import session_scope
from storage.models import Case, CaseNote, CaseTransition, Correction, FollowNotice, Message, ProblemRecord, Reply, Transition

_CITIZEN = re.compile(r"^([a-z][a-z0-9_]{0,31}):([\w.@+\-]{1,255})$", re.ASCII)
#: A table other parts may add that names citizens; taken in when it exists.
SUBSCRIPTIONS = "followers"  # who follows a line or stop (bot.follow)
_WHO_COLUMNS = ("chat", "author", "citizen", "user_id", "chat_id")


@dataclass(frozen=True)
class Citizen:
    """A person as a channel knows them: ``telegram:5001``, ``x:1234``, ``web:<conversation>``."""

    channel: str
    id: str

    @classmethod
    def parse(cls, value: str) -> Citizen:
        """``CHANNEL:ID`` as typed by an admin; a clear error otherwise."""
        found = _CITIZEN.match(value.strip())
        if not found:
            msg = f"citizen {value!r}: expected CHANNEL:ID, e.g. telegram:5001 or web:3f9c…"
            raise PrivacyError(msg)
        return cls(found.group(1), found.group(2))

    def __str__(self) -> str:
        return f"{self.channel}:{self.id}"

    @property
    def authors(self) -> tuple[str, ...]:
        """How the channel stored them as author (the web chat prefixes its own name)."""
        return (self.id, f"{self.channel}:{self.id}")


@dataclass(frozen=True)
class Erasure:
    """What an erasure changed, and what it did to the database files."""

    messages: int
    replies: int
    cases: int
    corrections: int
    subscriptions: int
    files: Compaction


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value


def _row(model: SQLModel) -> dict[str, Any]:
    return {key: _plain(value) for key, value in model.model_dump().items()}


def _holdings(session: Session, citizen: Citizen) -> tuple[list[Message], list[Case]]:
    messages = list(session.execute(
        select(Message).where(Message.channel == citizen.channel, Message.author.in_(citizen.authors)).order_by(Message.id)  # type: ignore[attr-defined]
    ).scalars())
    case_ids = {m.case_id for m in messages if m.case_id is not None}
    cases = list(session.execute(
        select(Case).where(
            or_(Case.id.in_(case_ids), (Case.channel == citizen.channel) & Case.author.in_(citizen.authors))  # type: ignore[union-attr, attr-defined]
        ).order_by(Case.id)
    ).scalars())
    return messages, cases


def _subscriptions(engine: Engine) -> tuple[Table, Any] | None:
    if SUBSCRIPTIONS not in inspect(engine).get_table_names():
        return None
    table = Table(SUBSCRIPTIONS, MetaData(), autoload_with=engine)
    who = next((table.c[name] for name in _WHO_COLUMNS if name in table.c), None)
    return (table, who) if who is not None else None


def _subscription_filter(found: tuple[Table, Any], citizen: Citizen) -> Any:
    table, who = found
    condition = who.in_([*citizen.authors])
    if "channel" in table.c:
        condition = condition & (table.c.channel == citizen.channel)
    return condition


def export_citizen(engine: Engine, citizen: Citizen, *, actor: str, now: datetime) -> dict[str, Any]:
    """Everything held about ``citizen``, as plain JSON-ready data; the export is recorded."""
    with Session(engine) as session:
        messages, cases = _holdings(session, citizen)
        ids = [m.id for m in messages if m.id is not None]
        replies = list(session.execute(select(Reply).where(Reply.message_id.in_(ids)).order_by(Reply.id)).scalars())  # type: ignore[union-attr]
        transitions = list(session.execute(select(Transition).where(Transition.message_id.in_(ids)).order_by(Transition.id)).scalars())  # type: ignore[attr-defined]
        corrections = list(session.execute(select(Correction).where(Correction.message_id.in_(ids)).order_by(Correction.id)).scalars())  # type: ignore[attr-defined]
        case_ids = [c.id for c in cases if c.id is not None]
        case_moves = list(session.execute(select(CaseTransition).where(CaseTransition.case_id.in_(case_ids)).order_by(CaseTransition.id)).scalars())  # type: ignore[attr-defined]
        notes = list(session.execute(select(CaseNote).where(CaseNote.case_id.in_(case_ids)).order_by(CaseNote.id)).scalars())  # type: ignore[attr-defined]
        problems = list(session.execute(select(ProblemRecord).where(ProblemRecord.message_id.in_(ids)).order_by(ProblemRecord.id)).scalars())  # type: ignore[attr-defined]
    subscriptions: list[dict[str, Any]] = []
    found = _subscriptions(engine)
    if found is not None:
        with engine.connect() as conn:
            rows = conn.execute(select(found[0]).where(_subscription_filter(found, citizen))).mappings()
            subscriptions = [{k: _plain(v) for k, v in row.items()} for row in rows]
    reveals = [
        {"at": e.at.isoformat(), "by": e.actor, "message_id": e.message_id}
        for e in about_messages(engine, ids) if e.action is AuditAction.REVEAL
    ]
    record(engine, actor, AuditAction.EXPORT, at=now, citizen=str(citizen), detail=f"{len(messages)} messages")
    return {
        "citizen": str(citizen),
        "exported_at": now.isoformat(),
        "messages": [_row(m) for m in messages],
        "replies": [_row(r) for r in replies],
        "cases": [_row(c) for c in cases],
        "transitions": [_row(t) for t in transitions],
        "case_transitions": [_row(t) for t in case_moves],
        "corrections": [_row(c) for c in corrections],
        "case_notes": [_row(n) for n in notes],
        "problem_records": [_row(p) for p in problems],
        "subscriptions": subscriptions,
        "reveals": reveals,
    }


def erase_citizen(engine: Engine, citizen: Citizen, *, actor: str, now: datetime) -> Erasure:
    """Remove what identifies ``citizen`` or was written by them; counts and problem records stay.

    Then rewrite the database files so no copy is left in free pages or the write-ahead log.
    """
    with session_scope(engine) as session:
        messages, cases = _holdings(session, citizen)
        ids = [m.id for m in messages if m.id is not None]
        reply_ids = list(session.execute(select(Reply.id).where(Reply.message_id.in_(ids))).scalars())  # type: ignore[union-attr]
        counts = {
            "corrections": drop_corrections(session, ids),
            "messages": anonymise_messages(session, ids),
            "replies": anonymise_replies(session, reply_ids),
            "cases": anonymise_cases(session, [c.id for c in cases if c.id is not None]),
        }
        # Agents' notes on the citizen's cases go with them (they may repeat what the citizen said).
        session.execute(delete(CaseNote).where(CaseNote.case_id.in_([c.id for c in cases if c.id is not None])))  # type: ignore[attr-defined]
    counts["subscriptions"] = 0
    found = _subscriptions(engine)
    if found is not None:
        with engine.begin() as conn:
            counts["subscriptions"] = int(conn.execute(delete(found[0]).where(_subscription_filter(found, citizen))).rowcount or 0)
            notices = FollowNotice.__table__  # type: ignore[attr-defined]
            conn.execute(delete(notices).where(notices.c.channel == citizen.channel, notices.c.chat.in_(citizen.authors)))
    detail = ", ".join(f"{k} {v}" for k, v in counts.items())
    record(engine, actor, AuditAction.ERASE, at=now, citizen=str(citizen), detail=detail)
    files = compact_files(engine)
    return Erasure(**counts, files=files)
