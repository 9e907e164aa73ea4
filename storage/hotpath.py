"""The worker's writes on SQLAlchemy Core: a routed message and its outbox row in one transaction.

Each write is fenced by the lease in its own ``UPDATE ... WHERE`` (no row is read first): a
worker whose lease ran out changes nothing and gets :class:`~storage.queue.LeaseLost`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert

from bot.domain import BOT_ACTOR, TRANSITIONS, WORK_STATES, MessageState
from bot.errors import InvalidTransition
from storage import statements as sql
from storage.cases import follow_message
from storage.models import ProblemRecord
from storage.queue import Claim, LeaseLost

_NEW_PROBLEMS = insert(ProblemRecord.__table__)  # type: ignore[attr-defined]


def _check_path(message_id: int, start: MessageState, path: Sequence[MessageState]) -> None:
    current = start
    for to in path:
        if to not in TRANSITIONS[current]:
            msg = f"message {message_id}: cannot go from {current} to {to}"
            raise InvalidTransition(msg)
        current = to


def _move_fenced(
    conn: Connection,
    claim: Claim,
    start: MessageState,
    path: Sequence[MessageState],
    now: datetime,
    values: dict[str, Any],
    *,
    actor: str = BOT_ACTOR,
) -> None:
    """Move a held message along ``path`` from ``start``, recording each step, or raise LeaseLost."""
    _check_path(claim.message_id, start, path)
    final = path[-1]
    values = {**values, "state": str(final), "updated_at": now}
    if final not in WORK_STATES:
        values.update(lease_owner=None, lease_until=None, attempts=0)
    fence = {"b_id": claim.message_id, "b_state": str(start), "b_worker": claim.worker, "b_now": now}
    done = sql.run(conn, sql.FENCED_UPDATE, {**values, **fence})
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
    sql.run_many(conn, sql.NEW_TRANSITION, steps)


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
    """Write a routed message's decision, its moves, its problem records and (when it is to be
    posted) its outbox row, in one transaction; return the reply's id.

    A message that now waits for a person moves its case to *waiting*; ``also`` writes more in
    the same transaction (the notices of the emergency lane and the acknowledgement).
    With ``post`` (a channel whose posting is a write in this database) the reply is posted in
    the same transaction: ``post(reply_id)`` gives its external ids, and ``path`` must end in
    the sent state. A crash before the commit leaves nothing posted and nothing recorded.
    """
    with engine.begin() as conn:
        _move_fenced(conn, claim, MessageState.RECEIVED, path, now, values)
        if problems:
            sql.run_many(conn, _NEW_PROBLEMS, list(problems))
        if path[-1] != MessageState.ROUTED:
            follow_message(conn, claim.message_id, path[-1], actor=BOT_ACTOR, at=now)
        if also is not None:
            also(conn)
        if reply is None:
            return None
        reply_id = int(sql.run(conn, sql.NEW_REPLY, reply).scalar_one())
        if post is not None:
            external_ids = list(post(reply_id))
            sql.run(
                conn,
                sql.REPLY_UPDATE,
                {"b_id": reply_id, "status": "posted", "external_ids": external_ids, "posted_at": now},
            )
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
        follow_message(conn, claim.message_id, to, actor=BOT_ACTOR, at=now)
