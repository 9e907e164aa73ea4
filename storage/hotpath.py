"""The worker's writes on SQLAlchemy Core: routed messages and their outbox rows, a claimed batch in one transaction.

Each write is fenced by the lease in its own ``UPDATE ... WHERE`` (no row is read first): a
worker whose lease ran out changes nothing and gets :class:`~storage.queue.LeaseLost`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert

from bot.domain import BOT_ACTOR, TRANSITIONS, WORK_STATES, MessageState
from bot.errors import InvalidTransition
from storage import statements as sql
from storage.cases import follow_message, statuses
from storage.models import ProblemRecord
from storage.queue import Claim, LeaseLost
from storage.services import set_case_service

_NEW_PROBLEMS = insert(ProblemRecord.__table__)  # type: ignore[attr-defined]


def _case_of(claim: Claim) -> int | None:
    """The claimed message's case, as claimed (None: read it)."""
    return claim.message.case_id if claim.message is not None else None


def _check_path(message_id: int, start: MessageState, path: Sequence[MessageState]) -> None:
    current = start
    for to in path:
        if to not in TRANSITIONS[current]:
            msg = f"message {message_id}: cannot go from {current} to {to}"
            raise InvalidTransition(msg)
        current = to


@dataclass
class _Later:
    """Rows of a batch's transaction that nothing in it reads back: written at its end, one
    ``executemany`` of each kind, instead of a round trip to the database per message."""

    transitions: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    posted: list[dict[str, Any]] = field(default_factory=list)

    def write(self, conn: Connection) -> None:
        sql.run_many(conn, sql.NEW_TRANSITION, self.transitions)
        for keys in {tuple(sorted(row)) for row in self.problems}:  # one statement per set of columns
            sql.run_many(conn, _NEW_PROBLEMS, [row for row in self.problems if tuple(sorted(row)) == keys])
        sql.run_many(conn, sql.REPLY_UPDATE, self.posted)


def _fenced_values(
    claim: Claim, start: MessageState, path: Sequence[MessageState], now: datetime, values: dict[str, Any]
) -> dict[str, Any]:
    """The parameters of the fenced update moving ``claim`` along ``path`` (checked) from ``start``."""
    _check_path(claim.message_id, start, path)
    final = path[-1]
    values = {**values, "state": str(final), "updated_at": now}
    if final not in WORK_STATES:
        values.update(lease_owner=None, lease_until=None, attempts=0)
    return {**values, "b_id": claim.message_id, "b_state": str(start), "b_worker": claim.worker, "b_now": now}


def _move_together(conn: Connection, writes: Sequence[RouteWrite]) -> None:
    """The fenced updates of routed messages in one ``executemany`` per set of columns (one round
    trip each on PostgreSQL, where psycopg pipelines it), or LeaseLost if any lease was lost."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for write in writes:
        row = _fenced_values(write.claim, MessageState.RECEIVED, write.path, write.now, write.values)
        groups.setdefault(tuple(sorted(row)), []).append(row)
    done = sum(sql.run_many(conn, sql.FENCED_UPDATE, rows) for rows in groups.values())
    if done != len(writes):
        msg = f"messages {[w.claim.message_id for w in writes]}: a lease of {writes[0].claim.worker} was lost"
        raise LeaseLost(msg)


def _move_fenced(
    conn: Connection,
    claim: Claim,
    start: MessageState,
    path: Sequence[MessageState],
    now: datetime,
    values: dict[str, Any],
    *,
    actor: str = BOT_ACTOR,
    later: _Later | None = None,
    moved: bool = False,
) -> None:
    """Move a held message along ``path`` from ``start``, recording each step (with ``later``,
    at the end of the transaction), or raise LeaseLost. ``moved``: the fenced update was run
    already (:func:`_move_together`); only the steps are recorded."""
    if not moved:
        done = sql.run(conn, sql.FENCED_UPDATE, _fenced_values(claim, start, path, now, values))
        if done.rowcount != 1:
            msg = f"message {claim.message_id}: lease of {claim.worker} was lost"
            raise LeaseLost(msg)
    steps = []
    current = start
    for to in path:
        steps.append(
            {"message_id": claim.message_id, "from_state": str(current), "to_state": str(to),
             "actor": actor, "at": now, "note": None}
        )
        current = to
    if later is not None:
        later.transitions.extend(steps)
        return
    sql.run_many(conn, sql.NEW_TRANSITION, steps)


@dataclass(frozen=True)
class RouteWrite:
    """What routing one claimed message writes (see :func:`record_routes`).

    ``also`` writes more in the same transaction (the notices of the emergency lane and the
    acknowledgement). With ``post`` (a channel whose posting is a write in this database) the
    reply is posted in the same transaction: ``post(reply_id)`` gives its external ids, and
    ``path`` must end in the sent state.
    """

    claim: Claim
    now: datetime
    values: dict[str, Any]
    path: Sequence[MessageState]
    problems: Sequence[dict[str, Any]]
    reply: dict[str, Any] | None
    also: Callable[[Connection], None] | None = None
    post: Callable[[int], Sequence[str]] | None = None
    case_service: tuple[int, str] | None = None  # (case, service): the case takes the routed message's service


def record_routes(engine: Engine, writes: Sequence[RouteWrite]) -> list[int | None]:
    """Write routed messages' decisions, moves, problem records and outbox rows in one
    transaction; return each reply's id (None: nothing to post), in the order given.

    A message that now waits for a person moves its case to *waiting*. A crash before the
    commit leaves nothing posted and nothing recorded; a lease lost on any message raises
    :class:`~storage.queue.LeaseLost` and writes nothing (write the others alone then).
    Cases are written in id order, so two workers' batches never wait on each other in a cycle.
    """
    order = sorted(range(len(writes)), key=lambda i: (_case_of(writes[i].claim) or 0, writes[i].claim.message_id))
    # A message alone of its case in the batch is moved before the loop, with the others alone
    # of theirs: nothing written for another case reads it. Messages sharing a case are moved in
    # turn, as each one's case reads the others' states.
    per_case = Counter(_case_of(write.claim) for write in writes)
    early = {i for i in order if len(writes) > 1 and _case_of(writes[i].claim) is not None
             and per_case[_case_of(writes[i].claim)] == 1}
    found: list[int | None] = [None] * len(writes)
    later = _Later()
    with engine.begin() as conn:
        known: dict[int, tuple[str, str | None, bool]] = {}
        if early:
            _move_together(conn, [writes[i] for i in order if i in early])
            known = statuses(conn, {
                _case_of(writes[i].claim): writes[i].claim.message_id  # type: ignore[misc]
                for i in early if writes[i].path[-1] != MessageState.ROUTED
            })
        for i in order:
            found[i] = _write_route(conn, writes[i], later, moved=i in early, known=known)
        later.write(conn)
    return found


def record_route(
    engine: Engine,
    claim: Claim,
    now: datetime,
    *,
    values: dict[str, Any],
    path: Sequence[MessageState],
    problems: Sequence[dict[str, Any]],
    reply: dict[str, Any] | None,
    also: Callable[[Connection], None] | None = None,
    post: Callable[[int], Sequence[str]] | None = None,
) -> int | None:
    """:func:`record_routes` for one message; return the reply's id."""
    write = RouteWrite(claim, now, values, path, problems, reply, also, post)
    return record_routes(engine, [write])[0]


def _write_route(
    conn: Connection, write: RouteWrite, later: _Later, *, moved: bool = False,
    known: dict[int, tuple[str, str | None, bool]] | None = None,
) -> int | None:
    claim, now, path = write.claim, write.now, write.path
    _move_fenced(conn, claim, MessageState.RECEIVED, path, now, write.values, later=later, moved=moved)
    later.problems.extend(write.problems)
    seen = None
    if path[-1] != MessageState.ROUTED:
        case_id = _case_of(claim)
        read = known.get(case_id) if moved and known and case_id is not None else None  # read with the batch's
        seen = follow_message(conn, claim.message_id, path[-1], actor=BOT_ACTOR, at=now, case_id=case_id, known=read)
    if write.case_service is not None and seen != write.case_service:  # equal: the update would change nothing
        case_id, service = write.case_service
        set_case_service(conn, case_id, claim.message_id, service)
    if write.also is not None:
        write.also(conn)
    if write.reply is None:
        return None
    reply_id = int(sql.run(conn, sql.NEW_REPLY, write.reply).scalar_one())
    if write.post is not None:
        external_ids = list(write.post(reply_id))
        later.posted.append({"b_id": reply_id, "status": "posted", "external_ids": external_ids, "posted_at": now})
    return reply_id


def record_posted(
    engine: Engine,
    claim: Claim,
    now: datetime,
    *,
    reply_id: int,
    external_ids: Sequence[str],
    start: MessageState,
    to: MessageState,
) -> None:
    """The channel took the reply: mark the outbox row posted and move the message, at once."""
    with engine.begin() as conn:
        _move_fenced(conn, claim, start, [to], now, {})
        sql.run(
            conn,
            sql.REPLY_UPDATE,
            {"b_id": reply_id, "status": "posted", "external_ids": list(external_ids), "posted_at": now},
        )
        follow_message(conn, claim.message_id, to, actor=BOT_ACTOR, at=now, case_id=_case_of(claim))
