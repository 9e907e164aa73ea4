"""Which service a case belongs to on a desk of several: the service of its latest message a service took.

A case follows its messages: a later message of the same conversation decided for another service moves the
case to that service (and back again), unless a message after it was already decided.

A message routed to no service (``undecided``, a person decides) marks its case undecided only while no other
routed message of the case has a service; it never takes a decided case away from its service.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, exists, select, update

from bot.errors import StorageError
from storage.db import session_scope
from storage.models import Case, Message, ProblemRecord

#: The service of a message no service claimed (``bot.services.UNDECIDED``).
UNDECIDED = "undecided"


def set_case_service(conn: Connection, case_id: int, message_id: int, service: str) -> None:
    """Give case ``case_id`` the service its message ``message_id`` was routed to, in the routing's transaction."""
    statement = update(Case).where(Case.id == case_id, Case.service != service).values(service=service)
    if service == UNDECIDED:
        decided = exists(select(Message.id).where(
            Message.case_id == case_id, Message.id != message_id, Message.state != "received",
            Message.service != UNDECIDED,
        ))
    else:  # a later message already decided for a service (routed before this one) keeps the case
        decided = exists(select(Message.id).where(
            Message.case_id == case_id, Message.id > message_id, Message.state != "received",
            Message.service != UNDECIDED,
        ))
    conn.execute(statement.where(~decided))


def decide_service(engine: Engine, message_id: int, service: str, agent: str, *, at: datetime) -> None:
    """A person decides a message's service (the desk could not): the message, its case and its problem
    records take it; the decision keeps who decided and when."""
    with session_scope(engine) as session:
        row = session.get(Message, message_id, with_for_update=True)
        if row is None:
            msg = f"message {message_id} does not exist"
            raise StorageError(msg)
        row.service = service
        row.decision = {**(row.decision or {}), "service": service, "service_by": agent, "service_at": at.isoformat()}
        session.add(row)
        if row.case_id is not None:
            session.execute(update(Case).where(Case.id == row.case_id).values(service=service))
        session.execute(update(ProblemRecord).where(ProblemRecord.message_id == message_id).values(service=service))
