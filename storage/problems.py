"""The problem log: each routed message's report against its subjects and kinds of problem."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.domain import Decision
from bot.subjects import DEFAULT_SERVICE, Subject, SubjectKind
from storage.models import Message, ProblemRecord


def problem_rows(message: Message, decision: Decision, *, at: datetime) -> list[ProblemRecord]:
    """The records a routed message leaves: one per subject it names (a line, a stop, a street, ...).

    A message that names no subject but a kind of problem leaves one record with the category.
    Reports count distinct messages, so the split never double counts.
    """
    return [ProblemRecord(**values) for values in problem_values(message, decision, at=at)]


def problem_values(message: Message, decision: Decision, *, at: datetime) -> list[dict[str, Any]]:
    """:func:`problem_rows` as column values, every row with the same keys (one ``executemany``)."""
    assert message.id is not None
    category = str(decision.category) if decision.category else None
    service = decision.service or getattr(message, "service", None) or DEFAULT_SERVICE
    base = {
        "message_id": message.id,
        "channel": message.channel,
        "intent": str(decision.intent),
        "category": category,
        "alert_id": decision.alert_ids[0] if decision.alert_ids else None,
        "at": at,
    }
    rows = [{**base, **subject_values(subject, service)} for subject in decision.subjects]
    if not rows and category:
        rows.append({**base, **subject_values(None, service)})
    return rows


def subject_values(subject: Subject | None, service: str = DEFAULT_SERVICE) -> dict[str, Any]:
    """A record's subject columns, with transit's view of them (``route_id``, ``stop_id``, ``stop_name``).

    A stop known only by its name (its id is its name) leaves ``stop_id`` empty, as before subjects.
    """
    if subject is None:
        return {"service": service, "subject_kind": None, "subject_id": None, "subject_label": None,
                "route_id": None, "stop_id": None, "stop_name": None}
    line, stop = subject.kind == SubjectKind.LINE, subject.kind == SubjectKind.STOP
    return {
        "service": subject.service or service,
        "subject_kind": str(subject.kind),
        "subject_id": subject.id,
        "subject_label": subject.label,
        "route_id": subject.id if line else None,
        "stop_id": subject.id if stop and subject.id != subject.name else None,
        "stop_name": subject.name if stop else None,
    }


def record_problems(session: Session, message: Message, decision: Decision, *, at: datetime) -> int:
    """Add the message's problem records to ``session``; return how many."""
    rows = problem_rows(message, decision, at=at)
    session.add_all(rows)
    return len(rows)
