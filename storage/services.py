"""Which service a case belongs to on a desk of several: the service of its latest message a service took.

A message routed to no service (``undecided``, a person decides) marks its case undecided only while no other
routed message of the case has a service; it never takes a decided case away from its service.
"""

from __future__ import annotations

from sqlalchemy import Connection, exists, select, update

from storage.models import Case, Message

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
        statement = statement.where(~decided)
    conn.execute(statement)
