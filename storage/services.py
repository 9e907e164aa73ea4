"""Which service a case belongs to on a desk of several: the service of its latest message a service took.

A case follows its messages: a later message of the same conversation decided for another service moves the
case to that service (and back again), unless a message after it was already decided.

A message routed to no service (``undecided``, a person decides) marks its case undecided only while no other
routed message of the case has a service; it never takes a decided case away from its service.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, Executable, bindparam, exists, select, update

from bot.errors import StorageError
from storage import statements as sql
from storage.db import session_scope
from storage.models import Case, Message, ProblemRecord

#: The service of a message no service claimed (``bot.services.UNDECIDED``).
UNDECIDED = "undecided"


def _case_service(*, undecided: bool) -> Executable:
    """The case takes the routed message's service unless another message decided it (see the module)."""
    messages, cases = Message.__table__.c, Case.__table__  # type: ignore[attr-defined]
    if undecided:  # any other routed message with a service keeps the case's
        other = messages.id != bindparam("b_message")
    else:  # a later message already decided for a service (routed before this one) keeps the case
        other = messages.id > bindparam("b_message")
    decided = exists(select(messages.id).where(
        messages.case_id == bindparam("b_case"), other, messages.state != "received", messages.service != UNDECIDED,
    ))
    return update(cases).where(cases.c.id == bindparam("b_case"), cases.c.service != bindparam("b_service"), ~decided)


#: Built once: the worker runs one of them for every routed message (``storage.statements``).
_TAKE_DECIDED = _case_service(undecided=False)
_TAKE_UNDECIDED = _case_service(undecided=True)


def set_case_service(conn: Connection, case_id: int, message_id: int, service: str) -> None:
    """Give case ``case_id`` the service its message ``message_id`` was routed to, in the routing's transaction."""
    statement = _TAKE_UNDECIDED if service == UNDECIDED else _TAKE_DECIDED
    sql.run(conn, statement, {"service": service, "b_case": case_id, "b_message": message_id, "b_service": service})


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
