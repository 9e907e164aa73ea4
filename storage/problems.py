"""The problem log: each routed message's report against lines, stops and kinds of problem."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain import Decision
from storage.models import Message, ProblemRecord


def problem_rows(message: Message, decision: Decision, *, at: datetime) -> list[ProblemRecord]:
    """The records a routed message leaves: one per line and one per stop it names.

    A message about one line at one stop leaves a single record with both; a message
    that names no line or stop but a kind of problem leaves one record with the category.
    Reports count distinct messages, so the split never double counts.
    """

    assert message.id is not None
    alert = decision.alert_ids[0] if decision.alert_ids else None
    category = str(decision.category) if decision.category else None
    base = {
        "message_id": message.id,
        "channel": message.channel,
        "intent": str(decision.intent),
        "category": category,
        "alert_id": alert,
        "at": at,
    }
    stops = list(zip(decision.stops, decision.stop_ids or [None] * len(decision.stops), strict=False))
    rows: list[ProblemRecord] = []
    if len(decision.routes) <= 1 and len(stops) <= 1 and (decision.routes or stops):
        route = decision.routes[0] if decision.routes else None
        stop_name, stop_id = stops[0] if stops else (None, None)
        rows.append(ProblemRecord(route_id=route, stop_name=stop_name, stop_id=stop_id, **base))
        return rows
    for route in decision.routes:
        rows.append(ProblemRecord(route_id=route, **base))
    for stop_name, stop_id in stops:
        rows.append(ProblemRecord(stop_name=stop_name, stop_id=stop_id, **base))
    if not rows and category:
        rows.append(ProblemRecord(**base))
    return rows


def record_problems(session: Session, message: Message, decision: Decision, *, at: datetime) -> int:
    """Add the message's problem records to ``session``; return how many."""
    rows = problem_rows(message, decision, at=at)
    session.add_all(rows)
    return len(rows)
