"""A case's life: opened, waiting for a person, answered, resolved, closed after a quiet time, reopened.

Every change of a case's status is a row of ``case_transitions`` with its time and actor.
The status follows the messages of the case (see :func:`follow_message`); the closing job
(:func:`close_quiet_cases`) closes answered and resolved cases nobody wrote to for a while,
and a new message reopens the thread's case (:func:`case_for`). Written on SQLAlchemy Core
connections, so the queue's short transactions can call them (a Session passes
``session.connection()``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, Select, and_, bindparam, exists, func, insert, literal_column, or_, select, update
from sqlmodel import Session

from bot.domain import HUMAN_STATES, SCHEDULER_ACTOR, CaseStatus, InboundMessage, MessageState, ReplyKind, as_utc
from storage import statements as sql
from storage.models import Case, CaseTransition, Message, Reply

_CASES = Case.__table__  # type: ignore[attr-defined]
_CASE_TRANSITIONS = CaseTransition.__table__  # type: ignore[attr-defined]
_MESSAGES = Message.__table__  # type: ignore[attr-defined]
_REPLIES = Reply.__table__  # type: ignore[attr-defined]

#: Message states that mean a person still has to act on the case.
PENDING_FOR_PERSON = tuple(str(s) for s in (*HUMAN_STATES, MessageState.APPROVED, MessageState.EDITED))
#: Statuses from which a quiet case closes by itself.
CLOSABLE = (str(CaseStatus.ANSWERED), str(CaseStatus.RESOLVED))

# The statements every routed message runs, built once (building one costs more than running it).
_SET_STATUS = update(_CASES).where(_CASES.c.id == bindparam("b_case"))
_NEW_CASE_TRANSITION = insert(_CASE_TRANSITIONS)
_NEW_CASE = insert(_CASES).returning(_CASES.c.id)
_CASE_OF_MESSAGE = select(_MESSAGES.c.case_id).where(_MESSAGES.c.id == bindparam("b_message"))
_THREAD_CASE = (
    select(_CASES.c.id, _CASES.c.status)
    .where(_CASES.c.channel == bindparam("b_channel"), _CASES.c.thread_key == bindparam("b_thread"))
    .order_by(_CASES.c.id.desc())
    .limit(1)
)
_STATUS = select(_CASES.c.status, _CASES.c.service).where(_CASES.c.id == bindparam("b_case"))
#: The pending states as literal SQL (an expanding IN cannot be compiled once).
_PENDING_SQL = "messages.state IN ({})".format(", ".join(f"'{s}'" for s in PENDING_FOR_PERSON))
#: A case's status, and whether another of its messages still waits for a person.
_STATUS_AND_OTHERS = select(
    _CASES.c.status,
    _CASES.c.service,
    exists()
    .where(
        _MESSAGES.c.case_id == bindparam("b_case"),
        _MESSAGES.c.id != bindparam("b_message"),
        literal_column(_PENDING_SQL),  # literal, so the statement compiles once for the driver
    )
    .label("others"),
).where(_CASES.c.id == bindparam("b_case"))


@cache
def _statuses(size: int) -> Select[Any]:
    """:data:`_STATUS_AND_OTHERS` for ``size`` cases (``b_c0`` ...) at once, other than the
    messages ``b_m0`` ... (a padded list of ids: one statement per size, compiled once)."""
    return select(
        _CASES.c.id,
        _CASES.c.status,
        _CASES.c.service,
        exists()
        .where(
            _MESSAGES.c.case_id == _CASES.c.id,
            _MESSAGES.c.id.not_in([bindparam(f"b_m{i}") for i in range(size)]),
            literal_column(_PENDING_SQL),
        )
        .label("others"),
    ).where(_CASES.c.id.in_([bindparam(f"b_c{i}") for i in range(size)]))


def statuses(conn: Connection, cases: dict[int, int]) -> dict[int, tuple[str, str | None, bool]]:
    """For each case of ``{case: message}`` (each message the only one of its case to follow),
    its status, its service and whether another of its messages waits for a person, in one
    statement (what :func:`follow_message` reads for one case; give it as ``known``)."""
    if not cases:
        return {}
    pairs = sorted(cases.items())
    size = 1 << (len(pairs) - 1).bit_length()
    pairs += [pairs[0]] * (size - len(pairs))
    params: dict[str, Any] = {}
    for i, (case_id, message_id) in enumerate(pairs):
        params[f"b_c{i}"] = case_id
        params[f"b_m{i}"] = message_id
    return {int(row[0]): (row[1], row[2], bool(row[3])) for row in sql.run(conn, _statuses(size), params).rows}


@cache
def _held_by_agents(size: int) -> Select[Any]:
    """Of ``size`` cases (``b_c0`` ...), those an agent holds: assigned and waiting, answered by an
    agent since ``b_hold_since``, or with a message an agent took up since ``b_claim_since``.

    One statement per batch size (a padded list of ids), so it is compiled once and runs on the
    driver (indexes: replies.case_id, messages.case_id).
    """
    return select(_CASES.c.id).where(
        _CASES.c.id.in_([bindparam(f"b_c{i}") for i in range(size)]),
        or_(
            and_(_CASES.c.assigned_to != "", _CASES.c.status == str(CaseStatus.WAITING)),
            exists().where(
                _REPLIES.c.case_id == _CASES.c.id,
                _REPLIES.c.kind == str(ReplyKind.ANSWER),
                _REPLIES.c.author.like("agent:%"),
                func.coalesce(_REPLIES.c.posted_at, _REPLIES.c.created_at)
                > bindparam("b_hold_since", type_=_REPLIES.c.created_at.type),
            ),
            exists().where(
                _MESSAGES.c.case_id == _CASES.c.id,
                _MESSAGES.c.claimed_by.is_not(None),
                _MESSAGES.c.claimed_at >= bindparam("b_claim_since", type_=_MESSAGES.c.claimed_at.type),
                literal_column(_PENDING_SQL),
            ),
        ),
    )


def set_status(
    conn: Connection, case_id: int, current: str | None, to: CaseStatus, *, actor: str, at: datetime,
    note: str | None = None,
) -> bool:
    """Move case ``case_id`` from ``current`` to ``to`` and record it; False when it is there already."""
    if current == str(to):
        return False
    values: dict[str, object] = {"status": str(to), "status_at": at}
    if to == CaseStatus.CLOSED:
        values["closed_at"] = at
    elif current == str(CaseStatus.CLOSED):
        values["closed_at"] = None
    sql.run(conn, _SET_STATUS, {**values, "b_case": case_id})
    sql.run(
        conn,
        _NEW_CASE_TRANSITION,
        {"case_id": case_id, "from_status": current, "to_status": str(to), "actor": actor, "at": at, "note": note},
    )
    return True


def case_for(conn: Connection, message: InboundMessage, now: datetime) -> int:
    """The case a new message belongs to: the thread's latest case (reopened if closed), or a new one."""
    thread_key = message.thread_id or message.author
    actor = f"channel:{message.channel}"
    found = sql.run(conn, _THREAD_CASE, {"b_channel": message.channel, "b_thread": thread_key}).first()
    if found is None:
        values = {"channel": message.channel, "thread_key": thread_key, "author": message.author,
                  "status": str(CaseStatus.OPEN), "opened_at": now, "status_at": now}
        case_id = int(sql.run(conn, _NEW_CASE, values).scalar_one())
        sql.run(
            conn,
            _NEW_CASE_TRANSITION,
            {"case_id": case_id, "from_status": None, "to_status": str(CaseStatus.OPEN), "actor": actor, "at": now, "note": None},
        )
        return case_id
    case_id, status = int(found[0]), found[1]
    if status == str(CaseStatus.CLOSED):
        set_status(conn, case_id, status, CaseStatus.OPEN, actor=actor, at=now, note="reopened by a new message")
    elif status != str(CaseStatus.WAITING):
        set_status(conn, case_id, status, CaseStatus.OPEN, actor=actor, at=now, note="new message")
    return case_id


def follow_message(
    conn: Connection, message_id: int, to: MessageState, *, actor: str, at: datetime, case_id: int | None = None,
    known: tuple[str, str | None, bool] | None = None,
) -> tuple[int, str | None] | None:
    """Bring the case's status in line after message ``message_id`` moved to ``to``; return the case's id and
    service as read on the way (None when no case was read), so a caller need not read them again.

    ``case_id`` (the message's case, when the caller has it) saves reading it; ``known`` (with
    ``case_id``: its status, service and other waiting messages, read by :func:`statuses`) saves
    reading those.
    """
    if to in (MessageState.RECEIVED, MessageState.ROUTED):
        return None
    if case_id is None:
        found = sql.run(conn, _CASE_OF_MESSAGE, {"b_message": message_id}).first()
        if found is None or found[0] is None:
            return None
        case_id = int(found[0])
    if str(to) in PENDING_FOR_PERSON:
        row = known if known is not None else sql.run(conn, _STATUS, {"b_case": case_id}).first()
        if row is None:
            return None
        set_status(conn, case_id, row[0], CaseStatus.WAITING, actor=actor, at=at)
        return case_id, row[1]
    row = known if known is not None else sql.run(conn, _STATUS_AND_OTHERS, {"b_case": case_id, "b_message": message_id}).first()
    if row is None:
        return None
    status, service, others = row[0], row[1], bool(row[2])
    if others:
        target = CaseStatus.WAITING
    elif to == MessageState.CLOSED:
        target = CaseStatus.RESOLVED
    else:
        target = CaseStatus.ANSWERED
    set_status(conn, case_id, status, target, actor=actor, at=at)
    return case_id, service


def agent_holds(conn: Connection, case_id: int | None, now: datetime, *, hold_minutes: float, claim_minutes: float) -> bool:
    """Whether an agent holds the conversation: replied within the hand-back time, or is working on it."""
    if case_id is None:
        return False
    return bool(held_by_agents(conn, [case_id], now, hold_minutes=hold_minutes, claim_minutes=claim_minutes))


def held_by_agents(
    conn: Connection, case_ids: Iterable[int | None], now: datetime, *, hold_minutes: float, claim_minutes: float
) -> set[int]:
    """Of ``case_ids``, the cases an agent holds now (see :func:`agent_holds`), in one statement."""
    wanted = sorted({case_id for case_id in case_ids if case_id is not None})
    if not wanted:
        return set()
    size = 1 << (len(wanted) - 1).bit_length()  # 1, 2, 4, 8 ...: few statements to compile
    padded = wanted + [wanted[0]] * (size - len(wanted))
    params: dict[str, Any] = {f"b_c{i}": case_id for i, case_id in enumerate(padded)}
    params["b_hold_since"] = now - timedelta(minutes=hold_minutes)
    params["b_claim_since"] = now - timedelta(minutes=claim_minutes)
    return {int(row[0]) for row in sql.run(conn, _held_by_agents(size), params).rows}


def acknowledged(conn: Connection, case_id: int) -> bool:
    """Whether the case was already acknowledged since it was opened or last reopened."""
    t, r = _CASE_TRANSITIONS.c, _REPLIES.c
    since = conn.execute(
        select(func.max(t.at)).where(t.case_id == case_id, t.from_status == str(CaseStatus.CLOSED))
    ).scalar_one_or_none()
    query = select(r.id).where(r.case_id == case_id, r.kind == str(ReplyKind.ACK))
    if since is not None:
        query = query.where(r.created_at >= since)
    return conn.execute(query.limit(1)).first() is not None


def close_quiet_cases(engine: Engine, now: datetime, *, after_hours: float) -> int:
    """Close answered and resolved cases that have been quiet for ``after_hours``; return how many."""
    cutoff = now - timedelta(hours=after_hours)
    c, m = _CASES.c, _MESSAGES.c
    closed = 0
    with engine.begin() as conn:
        quiet = conn.execute(
            select(c.id, c.status)
            .where(c.status.in_(CLOSABLE), c.status_at < cutoff)
            .with_for_update(skip_locked=True)
        ).all()
        for case_id, status in quiet:
            latest = conn.execute(select(func.max(m.received_at)).where(m.case_id == case_id)).scalar_one_or_none()
            if latest is not None and as_utc(latest) >= cutoff:
                continue
            set_status(conn, int(case_id), status, CaseStatus.CLOSED, actor=SCHEDULER_ACTOR, at=now,
                       note=f"quiet for {after_hours:g} h")
            closed += 1
    return closed


def case_history(engine: Engine, case_id: int) -> list[CaseTransition]:
    """Every recorded status change of a case, oldest first."""
    with Session(engine, expire_on_commit=False) as session:
        return list(
            session.execute(
                select(CaseTransition).where(CaseTransition.case_id == case_id).order_by(CaseTransition.id)  # type: ignore[arg-type]
            ).scalars()
        )
