"""The case view: everything sportello knows of one citizen around one message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, or_, select
from sqlmodel import Session

from bot.domain import ReplyKind, as_utc
from bot.errors import StorageError
from storage.models import Case, CaseNote, CaseTransition, Correction, Message, ProblemRecord, Reply, Transition

#: How much of a citizen's history the case view shows.
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class TimelineEntry:
    """A citizen's message or a reply to it, in the conversation."""

    at: datetime
    role: str  # "citizen", "bot" or "agent"
    who: str
    text: str
    channel: str
    message_id: int
    state: str | None = None
    current: bool = False


@dataclass
class CaseFile:
    """One message with its conversation, the citizen's cases and problem records."""

    message: Message
    case: Case | None
    timeline: list[TimelineEntry] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    problems: list[ProblemRecord] = field(default_factory=list)
    history: list[Transition] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    unsent: list[Reply] = field(default_factory=list)
    case_history: list[CaseTransition] = field(default_factory=list)
    notes: list[CaseNote] = field(default_factory=list)


def load_case_file(engine: Engine, message_id: int) -> CaseFile:
    """The case file of message ``message_id``: by author across channels, and by case."""
    with Session(engine, expire_on_commit=False) as session:
        message = session.get(Message, message_id)
        if message is None:
            msg = f"message {message_id} does not exist"
            raise StorageError(msg)
        case = session.get(Case, message.case_id) if message.case_id else None
        messages = list(
            session.execute(
                select(Message)
                .where(or_(Message.author == message.author, Message.case_id == message.case_id))
                .order_by(Message.received_at.desc(), Message.id.desc())  # type: ignore[attr-defined]
                .limit(HISTORY_LIMIT)
            ).scalars()
        )
        ids = [m.id for m in messages]
        replies = list(
            session.execute(
                select(Reply).where(Reply.message_id.in_(ids)).order_by(Reply.id)  # type: ignore[attr-defined]
            ).scalars()
        )
        case_ids = {m.case_id for m in messages if m.case_id is not None}
        cases = list(
            session.execute(
                select(Case)
                .where(or_(Case.author == message.author, Case.id.in_(case_ids)))  # type: ignore[union-attr]
                .order_by(Case.opened_at.desc(), Case.id.desc())  # type: ignore[attr-defined]
            ).scalars()
        )
        problems = list(
            session.execute(
                select(ProblemRecord)
                .where(ProblemRecord.message_id.in_(ids))  # type: ignore[attr-defined]
                .order_by(ProblemRecord.at.desc(), ProblemRecord.id)  # type: ignore[attr-defined]
            ).scalars()
        )
        history = list(
            session.execute(
                select(Transition).where(Transition.message_id == message_id).order_by(Transition.id)
            ).scalars()
        )
        case_history = list(
            session.execute(
                select(CaseTransition).where(CaseTransition.case_id == message.case_id).order_by(CaseTransition.id)  # type: ignore[arg-type]
            ).scalars()
        ) if message.case_id else []
        notes = list(
            session.execute(
                select(CaseNote).where(CaseNote.case_id == message.case_id).order_by(CaseNote.at, CaseNote.id)  # type: ignore[arg-type]
            ).scalars()
        ) if message.case_id else []
        corrections = list(
            session.execute(
                select(Correction).where(Correction.message_id == message_id).order_by(Correction.id)
            ).scalars()
        )
    timeline = [
        TimelineEntry(
            at=as_utc(m.received_at),
            role="citizen",
            who=m.author_name or m.author,
            text=m.text,
            channel=m.channel,
            message_id=m.id or 0,
            state=m.state,
            current=m.id == message_id,
        )
        for m in messages
    ]
    for reply in replies:
        if reply.status != "posted" or reply.kind == str(ReplyKind.OPS):
            continue
        role = "bot" if reply.author == "bot" else "agent"
        timeline.append(
            TimelineEntry(
                at=as_utc(reply.posted_at or reply.created_at),
                role=role,
                who=reply.author,
                text=reply.text,
                channel=reply.channel,
                message_id=reply.message_id,
            )
        )
    timeline.sort(key=lambda entry: (entry.at, entry.role != "citizen", entry.message_id))
    return CaseFile(
        message=message,
        case=case,
        timeline=timeline,
        cases=cases,
        problems=problems,
        history=history,
        corrections=corrections,
        unsent=[r for r in replies if r.message_id == message_id and _unsent(r)],
        case_history=case_history,
        notes=notes,
    )


def _unsent(reply: Reply) -> bool:
    """A reply that did not go out: an answer not posted, or a notice that failed or may not have."""
    if reply.kind == str(ReplyKind.ANSWER):
        return reply.status != "posted"
    return reply.status in ("failed", "unknown")
