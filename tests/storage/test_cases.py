"""Which cases an agent holds, asked for a whole claimed batch at once (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from bot.domain import CaseStatus, MessageState
from storage.cases import agent_holds, held_by_agents
from storage.models import Case, Message, Reply
from tests.conftest import FixedClock

HOLD, CLAIM = 30.0, 15.0


def _case(session: Session, clock: FixedClock, name: str, **fields: object) -> int:
    case = Case(channel="web", thread_key=name, author=f"web:{name}", opened_at=clock(), **fields)
    session.add(case)
    session.flush()
    assert case.id is not None
    return case.id


def _message(session: Session, clock: FixedClock, case_id: int, name: str, **fields: object) -> int:
    values: dict[str, object] = {"state": str(MessageState.AWAITING_REVIEW), **fields}
    message = Message(channel="web", external_id=name, case_id=case_id, author="web:x", text="ciao",
                      received_at=clock(), updated_at=clock(), extras={}, **values)
    session.add(message)
    session.flush()
    assert message.id is not None
    return message.id


def _answered(session: Session, clock: FixedClock, case_id: int, at: object, author: str = "agent:anna") -> None:
    message_id = _message(session, clock, case_id, f"m{case_id}", state=str(MessageState.SENT))
    session.add(Reply(message_id=message_id, case_id=case_id, channel="web", text="ecco", lang="it",
                      author=author, status="posted", created_at=at, posted_at=at))


def test_the_cases_an_agent_holds_are_found_for_a_whole_batch(engine: Engine, clock: FixedClock) -> None:
    now = clock()
    with Session(engine) as session:
        assigned = _case(session, clock, "assigned", assigned_to="anna", status=str(CaseStatus.WAITING))
        assigned_answered = _case(session, clock, "assigned-answered", assigned_to="anna", status=str(CaseStatus.ANSWERED))
        replied = _case(session, clock, "replied")
        _answered(session, clock, replied, now - timedelta(minutes=HOLD - 1))
        replied_long_ago = _case(session, clock, "replied-long-ago")
        _answered(session, clock, replied_long_ago, now - timedelta(minutes=HOLD + 1))
        bot_replied = _case(session, clock, "bot-replied")
        _answered(session, clock, bot_replied, now, author="bot")
        taken_up = _case(session, clock, "taken-up")
        _message(session, clock, taken_up, "t1", claimed_by="anna", claimed_at=now - timedelta(minutes=CLAIM - 1))
        taken_up_long_ago = _case(session, clock, "taken-up-long-ago")
        _message(session, clock, taken_up_long_ago, "t2", claimed_by="anna", claimed_at=now - timedelta(minutes=CLAIM + 1))
        quiet = _case(session, clock, "quiet")
        _message(session, clock, quiet, "q1")
        session.commit()
    batch = [assigned, assigned_answered, replied, replied_long_ago, bot_replied, taken_up, taken_up_long_ago, quiet, None]
    with engine.connect() as conn:
        held = held_by_agents(conn, batch, now, hold_minutes=HOLD, claim_minutes=CLAIM)
        one_by_one = {c for c in batch if agent_holds(conn, c, now, hold_minutes=HOLD, claim_minutes=CLAIM)}
        nothing = held_by_agents(conn, [None], now, hold_minutes=HOLD, claim_minutes=CLAIM)
    assert held == {assigned, replied, taken_up}
    assert one_by_one == held
    assert nothing == set()
