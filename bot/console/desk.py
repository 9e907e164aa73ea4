"""What an agent does to a message: claim it, approve, edit, escalate, close, assign."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlmodel import Session

from bot.domain import MessageState, agent_actor, as_utc
from bot.errors import InvalidTransition, SportelloError
from bot.privacy.audience import public_thread
from bot.privacy.pii import without_echo
from storage.db import session_scope
from storage.models import Case, Message, User
from storage.queue import MessageQueue

#: States an agent can answer from.
ANSWERABLE = frozenset({MessageState.AWAITING_REVIEW, MessageState.ESCALATED})
#: States an agent can close from.
CLOSABLE = frozenset(
    {MessageState.AWAITING_REVIEW, MessageState.ESCALATED, MessageState.AUTO_SENT, MessageState.SENT}
)
#: States from which an agent can take a message back to answer it again.
REOPENABLE = frozenset({MessageState.AUTO_SENT, MessageState.SENT, MessageState.CLOSED})
NO_REPLY_NOTE = "no reply needed"


class DeskError(SportelloError):
    """An agent's action on a message cannot be done."""


class ClaimedByOther(DeskError):
    """Another agent holds the message."""

    def __init__(self, message_id: int, holder: str) -> None:
        super().__init__(f"message {message_id} is being handled by {holder}")
        self.holder = holder


class Desk:
    """Agents' actions, each in one transaction on the locked message row."""

    def __init__(self, queue: MessageQueue, *, claim_minutes: float) -> None:
        self.queue = queue
        self.claim_for = timedelta(minutes=claim_minutes)

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.queue.clock

    def holder(self, row: Message) -> str | None:
        """Who holds ``row`` now (None when nobody does or the claim ran out)."""
        if row.claimed_by is None or row.claimed_at is None:
            return None
        if as_utc(row.claimed_at) + self.claim_for < self.clock():
            return None
        return row.claimed_by

    # -- claims -----------------------------------------------------------------------
    def claim(self, message_id: int, agent: str) -> str | None:
        """Take the message if it is free, expired or already ours; return who holds it after."""
        now = self.clock()
        cutoff = now - self.claim_for
        with session_scope(self.queue.engine) as session:
            done = session.execute(
                update(Message)
                .where(
                    Message.id == message_id,
                    Message.state.in_([str(s) for s in ANSWERABLE]),  # type: ignore[attr-defined]
                    or_(
                        Message.claimed_by.is_(None),  # type: ignore[union-attr]
                        Message.claimed_by == agent,
                        Message.claimed_at.is_(None),  # type: ignore[union-attr]
                        Message.claimed_at < cutoff,  # type: ignore[operator]
                    ),
                )
                .values(claimed_by=agent, claimed_at=now)
            )
            if done.rowcount == 1:  # type: ignore[attr-defined]
                return agent
            row = self.queue.load(session, message_id)
            return self.holder(row)

    def current_holder(self, message_id: int) -> str | None:
        """Who holds the message now, without taking it (:class:`StorageError` when it does not exist)."""
        with Session(self.queue.engine) as session:
            return self.holder(self.queue.load(session, message_id))

    def check_not_held(self, message_id: int, agent: str) -> None:
        """:class:`ClaimedByOther` when another agent holds the message now."""
        holder = self.current_holder(message_id)
        if holder is not None and holder != agent:
            raise ClaimedByOther(message_id, holder)

    def release(self, message_id: int, agent: str) -> bool:
        """Give up our claim on a message; False when we did not hold it (nothing changed)."""
        cutoff = self.clock() - self.claim_for
        with session_scope(self.queue.engine) as session:
            done = session.execute(
                update(Message)
                .where(
                    Message.id == message_id,
                    Message.claimed_by == agent,
                    Message.claimed_at >= cutoff,  # type: ignore[operator]
                )
                .values(claimed_by=None, claimed_at=None)
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def assign(self, message_id: int, supervisor: str, to: str) -> None:
        """Give a message (and its case) to another agent, whoever held it."""
        with session_scope(self.queue.engine) as session:
            user = session.execute(
                select(User).where(User.username == to, User.active.is_(True))  # type: ignore[attr-defined]
            ).scalars().first()
            if user is None:
                msg = f"{to!r} is not an active console user"
                raise DeskError(msg)
            row = self.queue.load(session, message_id, lock=True)
            row.claimed_by = to
            row.claimed_at = self.clock()
            session.add(row)
            if row.case_id is not None:
                case = session.get(Case, row.case_id)
                if case is not None:
                    case.assigned_to = to
                    session.add(case)
            if MessageState(row.state) == MessageState.AWAITING_REVIEW:
                # A recorded self-move keeps who assigned what in the message's history.
                self.queue.move(
                    session,
                    row,
                    MessageState.AWAITING_REVIEW,
                    actor=agent_actor(supervisor),
                    note=f"assigned to {to}",
                )

    def assign_self(self, message_id: int, agent: str) -> None:
        """Take a waiting message and its case for oneself (refused while another agent holds it)."""

        def act(session: Session, row: Message) -> None:
            self._expect(row, ANSWERABLE)
            if row.case_id is not None:
                case = session.get(Case, row.case_id)
                if case is not None:
                    case.assigned_to = agent
                    session.add(case)
            if MessageState(row.state) == MessageState.AWAITING_REVIEW:
                self.queue.move(
                    session, row, MessageState.AWAITING_REVIEW, actor=agent_actor(agent), note=f"assigned to {agent}"
                )

        self._act(message_id, agent, act)

    # -- answers ----------------------------------------------------------------------
    def approve(self, message_id: int, agent: str) -> None:
        """Send the drafted reply as it is."""

        def act(session: Session, row: Message) -> None:
            self._expect(row, ANSWERABLE)
            if not (row.draft or "").strip():
                msg = f"message {message_id} has no draft to approve; write a reply"
                raise DeskError(msg)
            self.queue.move(session, row, MessageState.APPROVED, actor=agent_actor(agent))

        self._act(message_id, agent, act)

    def send(self, message_id: int, agent: str, text: str) -> None:
        """Send ``text`` (an edited draft, a canned reply or a new reply) instead of the draft."""
        text = text.strip()
        if not text:
            msg = "the reply is empty"
            raise DeskError(msg)

        def act(session: Session, row: Message) -> None:
            self._expect(row, ANSWERABLE)
            # In a public thread an agent's reply never repeats what the citizen wrote of themselves.
            row.draft = without_echo(text, row.text) if public_thread(row.channel, row.extras) else text
            self.queue.move(session, row, MessageState.EDITED, actor=agent_actor(agent))

        self._act(message_id, agent, act)

    def escalate(self, message_id: int, agent: str, note: str | None = None) -> None:
        """Hand the message to a supervisor; the claim is let go so one can take it."""

        def act(session: Session, row: Message) -> None:
            self._expect(row, {MessageState.AWAITING_REVIEW})
            self.queue.move(
                session, row, MessageState.ESCALATED, actor=agent_actor(agent), note=note or None
            )
            row.claimed_by = None
            row.claimed_at = None

        self._act(message_id, agent, act)

    def close(self, message_id: int, agent: str, note: str | None = None) -> None:
        """Close without (further) reply; ``note`` says why (e.g. "no reply needed")."""

        def act(session: Session, row: Message) -> None:
            self._expect(row, CLOSABLE)
            self.queue.move(session, row, MessageState.CLOSED, actor=agent_actor(agent), note=note or None)
            row.claimed_by = None
            row.claimed_at = None

        self._act(message_id, agent, act)

    def take_over(self, message_id: int, agent: str) -> None:
        """Bring an answered or closed message back for a person to reply."""

        def act(session: Session, row: Message) -> None:
            self._expect(row, REOPENABLE)
            self.queue.move(
                session, row, MessageState.AWAITING_REVIEW, actor=agent_actor(agent), note="taken over"
            )

        self._act(message_id, agent, act)

    # -- plumbing ---------------------------------------------------------------------
    def _act(self, message_id: int, agent: str, act: Callable[[Session, Message], None]) -> None:
        with session_scope(self.queue.engine) as session:
            row = self.queue.load(session, message_id, lock=True)
            holder = self.holder(row)
            if holder is not None and holder != agent:
                raise ClaimedByOther(message_id, holder)
            row.claimed_by = agent
            row.claimed_at = self.clock()
            act(session, row)
            session.add(row)

    @staticmethod
    def _expect(row: Message, states: frozenset[MessageState] | set[MessageState]) -> None:
        if MessageState(row.state) not in states:
            msg = f"message {row.id} is {row.state} now; this action is not possible any more"
            raise InvalidTransition(msg)
