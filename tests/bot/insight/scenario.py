"""A small day of care work with figures worked out by hand, written straight into the tables."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, insert

from bot.subjects import Subject, transit_subjects
from storage.models import Case, Message, ProblemRecord, Reply, Transition
from storage.problems import subject_values

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # a Monday, 10:00 in Rome
NOW = T0 + timedelta(days=1)


def s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


class Writer:
    """Inserts cases, messages, replies, transitions and problems with chosen ids and times."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rows: dict[type, list[dict]] = {Case: [], Message: [], Reply: [], Transition: [], ProblemRecord: []}

    def case(self, case_id: int, channel: str, opened: datetime, closed: datetime | None = None) -> None:
        self.rows[Case].append(dict(id=case_id, channel=channel, thread_key=f"t{case_id}", author=f"a{case_id}",
                                    status="closed" if closed else "open", opened_at=opened, closed_at=closed))

    def message(self, mid: int, case_id: int, channel: str, at: datetime, state: str,
                intent: str = "status", updated: datetime | None = None, service: str = "transit") -> None:
        self.rows[Message].append(dict(id=mid, channel=channel, external_id=f"e{mid}", case_id=case_id,
                                       author=f"a{case_id}", text="...", received_at=at, extras={},
                                       state=state, attempts=0, intent=intent, updated_at=updated or at,
                                       service=service))
        self.move(mid, None, "received", f"channel:{channel}", at)

    def move(self, mid: int, before: str | None, after: str, actor: str, at: datetime) -> None:
        self.rows[Transition].append(dict(message_id=mid, from_state=before, to_state=after, actor=actor, at=at))

    def reply(self, mid: int, case_id: int, channel: str, author: str, at: datetime | None,
              status: str = "posted") -> None:
        self.rows[Reply].append(dict(message_id=mid, case_id=case_id, channel=channel, text="ok", lang="it",
                                     author=author, status=status, external_ids=[], attempts=1,
                                     created_at=at or NOW, posted_at=at))

    def problem(self, mid: int, channel: str, at: datetime, *, route: str | None = None,
                stop: str | None = None, category: str | None = None, alert: str | None = None,
                intent: str = "complaint", subject: Subject | None = None, service: str = "transit") -> None:
        """The records the worker leaves: one per subject (the line, the stop, ``subject``), or one without."""
        base = dict(message_id=mid, channel=channel, intent=intent, category=category, alert_id=alert, at=at)
        named = [*transit_subjects([route] if route else [], [stop] if stop else []), *([subject] if subject else [])]
        for one in named or [None]:
            self.rows[ProblemRecord].append({**base, **subject_values(one, service)})

    def commit(self) -> None:
        with self.engine.begin() as conn:
            for model in (Case, Message, Reply, Transition, ProblemRecord):
                if self.rows[model]:
                    conn.execute(insert(model.__table__), self.rows[model])
                self.rows[model] = []


def care_day(engine: Engine) -> None:
    """Four cases: the bot alone (30 s); an agent after review (10 min); one still waiting;
    a two-message case answered by the bot then an agent and closed after 30 minutes."""
    w = Writer(engine)
    w.case(1, "web", T0)
    w.message(1, 1, "web", T0, "auto_sent", updated=T0 + s(30))
    w.move(1, "received", "routed", "bot", T0 + s(1))
    w.move(1, "routed", "auto_sent", "bot", T0 + s(30))
    w.reply(1, 1, "web", "bot", T0 + s(30))

    t2 = T0 + timedelta(hours=1)
    w.case(2, "x", t2)
    w.message(2, 2, "x", t2, "sent", intent="complaint", updated=t2 + s(600))
    w.move(2, "received", "routed", "bot", t2 + s(1))
    w.move(2, "routed", "awaiting_review", "bot", t2 + s(5))
    w.move(2, "awaiting_review", "approved", "agent:anna", t2 + s(590))
    w.move(2, "approved", "sent", "bot", t2 + s(600))
    w.reply(2, 2, "x", "agent:anna", t2 + s(600))

    t3 = T0 + timedelta(hours=2)
    w.case(3, "x", t3)
    w.message(3, 3, "x", t3, "awaiting_review", intent="complaint", updated=t3 + s(5))
    w.move(3, "received", "routed", "bot", t3 + s(1))
    w.move(3, "routed", "awaiting_review", "bot", t3 + s(5))
    w.reply(3, 3, "x", "bot", None, status="failed")

    t4 = T0 + timedelta(hours=3)
    w.case(4, "telegram", t4, closed=t4 + s(1800))
    w.message(4, 4, "telegram", t4, "auto_sent", updated=t4 + s(120))
    w.move(4, "received", "routed", "bot", t4 + s(1))
    w.move(4, "routed", "auto_sent", "bot", t4 + s(120))
    w.reply(4, 4, "telegram", "bot", t4 + s(120))
    w.message(5, 4, "telegram", t4 + s(300), "sent", intent="complaint", updated=t4 + s(1500))
    w.move(5, "received", "routed", "bot", t4 + s(301))
    w.move(5, "routed", "escalated", "bot", t4 + s(302))
    w.move(5, "escalated", "edited", "agent:bruno", t4 + s(1490))
    w.move(5, "edited", "sent", "bot", t4 + s(1500))
    w.reply(5, 4, "telegram", "agent:bruno", t4 + s(1500))

    w.problem(1, "web", T0, route="64", stop="TERMINI", category="delay", alert="A1", intent="status")
    w.problem(2, "x", t2, route="64", category="crowding")
    w.problem(2, "x", t2, route="40", category="crowding")
    w.problem(2, "x", t2, stop="LARGO ARGENTINA", category="crowding")
    w.problem(3, "x", t3, route="40", stop="TERMINI", category="delay", alert="A2")
    w.problem(5, "telegram", t4 + s(300), route="64", category="delay")
    w.commit()
