"""The problem log: each routed message's report against lines, stops and kinds of problem."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.domain import Decision
from storage.models import Message, ProblemRecord


def problem_rows(message: Message, decision: Decision, *, at: datetime) -> list[ProblemRecord]:
    """The records a routed message leaves: one per line and one per stop it names.

    A message about one line at one stop leaves a single record with both; a message
    that names no line or stop but a kind of problem leaves one record with the category.
    Reports count distinct messages, so the split never double counts.
    """
    return [ProblemRecord(**values) for values in problem_values(message, decision, at=at)]


def problem_values(message: Message, decision: Decision, *, at: datetime) -> list[dict[str, Any]]:
    """:func:`problem_rows` as column values, every row with the same keys (one ``executemany``)."""
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

    def row(route: str | None = None, stop_name: str | None = None, stop_id: str | None = None) -> dict[str, Any]:
        return {**base, "route_id": route, "stop_name": stop_name, "stop_id": stop_id}

    if len(decision.routes) <= 1 and len(stops) <= 1 and (decision.routes or stops):
        route = decision.routes[0] if decision.routes else None
        stop_name, stop_id = stops[0] if stops else (None, None)
        return [row(route, stop_name, stop_id)]
    rows = [row(route) for route in decision.routes]
    rows += [row(stop_name=stop_name, stop_id=stop_id) for stop_name, stop_id in stops]
    if not rows and category:
        rows.append(row())
    return rows


def record_problems(session: Session, message: Message, decision: Decision, *, at: datetime) -> int:
    """Add the message's problem records to ``session``; return how many."""
    rows = problem_rows(message, decision, at=at)
    session.add_all(rows)
    return len(rows)
