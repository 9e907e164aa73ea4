"""The durable shared queue: messages in, leases for workers, recorded state transitions.

A message is stored (and deduplicated on channel + external id) before a channel cursor
moves on. Workers claim work with a lease; a worker that dies leaves its message to be
taken again once the lease runs out. Every state change is recorded with time and actor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.domain import (
    BOT_ACTOR,
    TRANSITIONS,
    WORK_STATES,
    InboundMessage,
    MessageState,
    as_utc,
    utcnow,
)
from bot.errors import InvalidTransition, StorageError
from storage.db import session_scope
from storage.models import Case, Message, Reply, Transition

Clock = Callable[[], datetime]


class LeaseLost(StorageError):
    """The worker's lease on a message expired and another worker may hold it now."""


@dataclass(frozen=True)
class Claim:
    """A message a worker holds under lease."""

    message_id: int
    state: MessageState
    worker: str
    lease_until: datetime
    channel: str = ""


class MessageQueue:
    """Operations on the shared queue, safe across threads and processes."""

    def __init__(self, engine: Engine, *, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.clock = clock

    # -- intake -----------------------------------------------------------------------
    def enqueue(self, message: InboundMessage) -> int | None:
        """Store a message; return its id, or None when it was already stored."""
        return self.enqueue_many([message])[0]

    def enqueue_many(self, messages: Sequence[InboundMessage]) -> list[int | None]:
        """Store messages in one transaction each; duplicates give None in their place."""
        ids: list[int | None] = []
        for message in messages:
            ids.append(self._store(message))
        return ids

    def _store(self, message: InboundMessage) -> int | None:
        now = self.clock()
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                existing = session.execute(
                    select(Message.id).where(
                        Message.channel == message.channel,
                        Message.external_id == message.external_id,
                    )
                ).first()
                if existing is not None:
                    session.rollback()
                    return None
                case = self._case_for(session, message, now)
                row = Message(
                    channel=message.channel,
                    external_id=message.external_id,
                    case_id=case.id,
                    author=message.author,
                    author_name=message.author_name,
                    text=message.text,
                    thread_id=message.thread_id,
                    reply_to=message.reply_to,
                    received_at=message.received_at,
                    extras=dict(message.extras),
                    state=MessageState.RECEIVED,
                    updated_at=now,
                )
                session.add(row)
                session.flush()
                assert row.id is not None
                session.add(
                    Transition(
                        message_id=row.id,
                        from_state=None,
                        to_state=MessageState.RECEIVED,
                        actor=f"channel:{message.channel}",
                        at=now,
                    )
                )
                session.commit()
                return row.id
            except IntegrityError:
                # Another process stored the same message between our check and insert.
                session.rollback()
                return None

    def _case_for(self, session: Session, message: InboundMessage, now: datetime) -> Case:
        thread_key = message.thread_id or message.author
        case = session.execute(
            select(Case)
            .where(
                Case.channel == message.channel,
                Case.thread_key == thread_key,
                Case.status == "open",
            )
            .order_by(Case.id.desc())  # type: ignore[union-attr]
        ).scalars().first()
        if case is None:
            case = Case(
                channel=message.channel,
                thread_key=thread_key,
                author=message.author,
                status="open",
                opened_at=now,
            )
            session.add(case)
            session.flush()
        return case

    # -- leases -----------------------------------------------------------------------
    def claim(
        self,
        worker: str,
        lease_seconds: float,
        *,
        states: Iterable[MessageState] = WORK_STATES,
        channels: Iterable[str] | None = None,
    ) -> Claim | None:
        """Take the oldest message with work to do whose lease is free, or None.

        ``channels`` limits the claim to messages this worker can answer.
        """
        now = self.clock()
        wanted = [str(s) for s in states]
        with session_scope(self.engine) as session:
            query = select(Message).where(
                Message.state.in_(wanted),  # type: ignore[attr-defined]
                or_(Message.lease_until.is_(None), Message.lease_until < now),  # type: ignore[union-attr]
            )
            if channels is not None:
                query = query.where(Message.channel.in_(list(channels)))  # type: ignore[attr-defined]
            query = (
                query.order_by(Message.id)  # type: ignore[arg-type]
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            row = session.execute(query).scalars().first()
            if row is None:
                return None
            until = now + timedelta(seconds=lease_seconds)
            row.lease_owner = worker
            row.lease_until = until
            row.attempts += 1
            session.add(row)
            assert row.id is not None
            return Claim(row.id, MessageState(row.state), worker, until, row.channel)

    def extend(self, claim: Claim, lease_seconds: float) -> Claim:
        """Renew a lease still held; raise :class:`LeaseLost` if another worker has it."""
        now = self.clock()
        until = now + timedelta(seconds=lease_seconds)
        with session_scope(self.engine) as session:
            done = session.execute(
                update(Message)
                .where(
                    Message.id == claim.message_id,
                    Message.lease_owner == claim.worker,
                    Message.lease_until >= now,  # type: ignore[operator]
                )
                .values(lease_until=until)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                msg = f"message {claim.message_id}: lease of {claim.worker} was lost"
                raise LeaseLost(msg)
        return Claim(claim.message_id, claim.state, claim.worker, until, claim.channel)

    def release(self, claim: Claim, *, error: str | None = None, retry_in: float = 0.0) -> None:
        """Give a message back to the queue without changing its state.

        With ``retry_in`` no worker takes it again before that many seconds have passed.
        """
        until = self.clock() + timedelta(seconds=retry_in) if retry_in > 0 else None
        with session_scope(self.engine) as session:
            values: dict[str, object] = {"lease_owner": None, "lease_until": until}
            if error is not None:
                values["last_error"] = error[:4000]
            session.execute(
                update(Message)
                .where(Message.id == claim.message_id, Message.lease_owner == claim.worker)
                .values(**values)
            )

    # -- state ------------------------------------------------------------------------
    def load(self, session: Session, message_id: int, *, lock: bool = False) -> Message:
        """The message row, optionally locked for update."""
        query = select(Message).where(Message.id == message_id)
        if lock:
            query = query.with_for_update()
        row = session.execute(query).scalars().first()
        if row is None:
            msg = f"message {message_id} does not exist"
            raise StorageError(msg)
        return row

    def move(
        self,
        session: Session,
        row: Message,
        to: MessageState,
        *,
        actor: str = BOT_ACTOR,
        note: str | None = None,
    ) -> None:
        """Move a loaded message to ``to`` within ``session``, recording the transition."""
        current = MessageState(row.state)
        if to not in TRANSITIONS[current]:
            msg = f"message {row.id}: cannot go from {current} to {to}"
            raise InvalidTransition(msg)
        now = self.clock()
        row.state = str(to)
        row.updated_at = now
        if to not in WORK_STATES:
            row.lease_owner = None
            row.lease_until = None
            row.attempts = 0
        session.add(row)
        assert row.id is not None
        session.add(
            Transition(
                message_id=row.id,
                from_state=str(current),
                to_state=str(to),
                actor=actor,
                at=now,
                note=note,
            )
        )

    def held(self, session: Session, claim: Claim) -> Message:
        """Load a claimed message, checking the lease is still ours (fencing)."""
        row = self.load(session, claim.message_id, lock=True)
        lease_until = as_utc(row.lease_until) if row.lease_until else None
        if row.lease_owner != claim.worker or lease_until is None or lease_until < self.clock():
            msg = f"message {claim.message_id}: lease of {claim.worker} was lost"
            raise LeaseLost(msg)
        return row

    def transition(
        self,
        message_id: int,
        to: MessageState,
        *,
        actor: str,
        note: str | None = None,
        expect: Iterable[MessageState] | None = None,
    ) -> None:
        """Move a message in its own transaction (used by agents and the console)."""
        with session_scope(self.engine) as session:
            row = self.load(session, message_id, lock=True)
            if expect is not None and MessageState(row.state) not in set(expect):
                msg = f"message {message_id} is {row.state}, not {', '.join(map(str, expect))}"
                raise InvalidTransition(msg)
            self.move(session, row, to, actor=actor, note=note)

    def history(self, message_id: int) -> list[Transition]:
        """Every recorded transition of a message, oldest first."""
        with Session(self.engine) as session:
            rows = session.execute(
                select(Transition).where(Transition.message_id == message_id).order_by(Transition.id)
            ).scalars()
            return list(rows)

    def get(self, message_id: int) -> Message:
        """A detached copy of the message row."""
        with Session(self.engine, expire_on_commit=False) as session:
            return self.load(session, message_id)

    def replies_for(self, message_id: int) -> list[Reply]:
        """Every reply row of a message, oldest first."""
        with Session(self.engine, expire_on_commit=False) as session:
            rows = session.execute(
                select(Reply).where(Reply.message_id == message_id).order_by(Reply.id)
            ).scalars()
            return list(rows)
