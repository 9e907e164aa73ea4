"""The queue as agents see it: what waits for a person, most urgent first (emergencies, then possible danger), oldest
first within."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session

from bot.domain import Intent, MessageState, Priority, as_utc
from bot.privacy.pii import mask
from knowledge.streetnames import fold
from storage.models import Case, Message

#: Urgency ranks, most urgent first. Who the citizen is (followers, verified) plays no part.
EMERGENCY, ESCALATED, REVIEW, SENDING, ANSWERED = range(5)
URGENCY_NAMES = {
    EMERGENCY: "emergency",
    ESCALATED: "escalated",
    REVIEW: "review",
    SENDING: "sending",
    ANSWERED: "answered",
}
WAITING_STATES = (MessageState.AWAITING_REVIEW, MessageState.ESCALATED)
SENDING_STATES = (MessageState.APPROVED, MessageState.EDITED)
ORDERS = ("urgency", "newest")
#: How many automatic answers the queue shows at most.
RECENT_LIMIT = 50


@dataclass(frozen=True)
class QueueItem:
    """One message as a line of the queue."""

    id: int
    case_id: int | None
    channel: str
    author: str
    author_name: str | None
    text: str
    state: str
    lang: str | None
    intent: str | None
    routes: list[str]
    stops: list[str]
    alert_ids: list[str]
    faq_id: str | None
    category: str | None
    confidence: float | None
    draft: str | None
    received_at: str
    waited_seconds: int
    wait_level: str
    urgency: str
    claimed_by: str | None
    case_status: str | None = None
    assigned_to: str | None = None
    service: str | None = None  # the service a desk of several routed it to (bot.services)
    places: tuple[str, ...] = ()  # the ids and labels of the streets, areas and service points it names
    place_names: tuple[str, ...] = ()  # what people call them (the label, else the id), for the queue's chips
    #: possible danger held for a person at once (the reader's watch band, ``Decision.priority``): listed right after
    #: the emergencies
    watched: bool = False

    def as_json(self) -> dict[str, Any]:
        """The item as JSON-ready data for the live queue."""
        return asdict(self)


@dataclass(frozen=True)
class QueueView:
    """The parameters of what the queue shows."""

    target_minutes: float
    claim_minutes: float
    recent_hours: float
    emergency_target_minutes: float = 1.0

    def wait_level(self, waited: timedelta, *, emergency: bool = False) -> str:
        """``ok`` under half the target, ``near`` under the target, ``late`` beyond it.

        An emergency has its own, shorter target (``console.emergency_target_minutes``).
        """
        target = timedelta(minutes=self.emergency_target_minutes if emergency else self.target_minutes)
        if waited < target / 2:
            return "ok"
        if waited < target:
            return "near"
        return "late"

    def urgency(self, row: Message) -> int:
        """The message's urgency rank (see the module constants)."""
        state = MessageState(row.state)
        if row.intent == Intent.EMERGENCY and state in WAITING_STATES:
            return EMERGENCY
        if state == MessageState.ESCALATED:
            return ESCALATED
        if state == MessageState.AWAITING_REVIEW:
            return REVIEW
        if state in SENDING_STATES:
            return SENDING
        return ANSWERED

    def watched(self, row: Message) -> bool:
        """Whether ``row`` waits for a person as possible danger (its decision's priority is the watch band)."""
        decision = row.decision or {}
        return (decision.get("priority") == str(Priority.WATCH) and row.intent != Intent.EMERGENCY
                and MessageState(row.state) in WAITING_STATES)

    def item(
        self, row: Message, now: datetime, case_status: str | None = None, assigned_to: str | None = None
    ) -> QueueItem:
        """A queue line for ``row`` as of ``now``."""
        assert row.id is not None
        decision = row.decision or {}
        received = as_utc(row.received_at)
        waited = max(now - received, timedelta(0))
        claimed_at = as_utc(row.claimed_at) if row.claimed_at else None
        holder = row.claimed_by
        if claimed_at is None or claimed_at + timedelta(minutes=self.claim_minutes) < now:
            holder = None
        rank = self.urgency(row)
        watched = self.watched(row)
        return QueueItem(
            id=row.id,
            case_id=row.case_id,
            channel=row.channel,
            author=row.author,
            author_name=row.author_name,
            text=mask(row.text),  # shown unmasked only in the case view, after a recorded reveal
            state=row.state,
            lang=row.lang,
            intent=row.intent,
            routes=list(decision.get("routes") or []),
            places=places_of(decision),
            place_names=place_names(decision),
            stops=list(decision.get("stops") or []),
            alert_ids=list(decision.get("alert_ids") or []),
            faq_id=row.faq_id,
            category=row.category,
            confidence=row.confidence,
            draft=row.draft,
            received_at=received.isoformat(),
            waited_seconds=int(waited.total_seconds()),
            # possible danger is looked at once: its wait is coloured against the emergencies' target
            wait_level=self.wait_level(waited, emergency=rank == EMERGENCY or watched) if rank <= REVIEW else "done",
            urgency=URGENCY_NAMES[rank],
            claimed_by=holder,
            case_status=case_status,
            assigned_to=assigned_to,
            service=row.service,
            watched=watched,
        )

    def load(self, engine: Engine, now: datetime, *, order: str = "urgency", limit: int = 500) -> list[QueueItem]:
        """Waiting messages (emergencies first), those being sent, and recent automatic answers.

        ``order="urgency"`` puts the most urgent first and, within one urgency, the citizen
        who has waited longest first; ``order="newest"`` keeps emergencies on top and shows
        the rest newest first. Either way the watched messages (possible danger) come right after the emergencies,
        oldest first.
        """
        since = now - timedelta(hours=self.recent_hours)
        waiting = [str(s) for s in (*WAITING_STATES, *SENDING_STATES)]
        with Session(engine) as session:
            rows = list(
                session.execute(
                    select(Message)
                    .where(Message.state.in_(waiting))  # type: ignore[attr-defined]
                    .order_by(Message.received_at, Message.id)  # type: ignore[arg-type]
                    .limit(limit)
                ).scalars()
            )
            rows += session.execute(
                select(Message)
                .where(Message.state == str(MessageState.AUTO_SENT), Message.updated_at >= since)
                .order_by(Message.updated_at.desc())  # type: ignore[attr-defined]
                .limit(RECENT_LIMIT)
            ).scalars()
            case_ids = {row.case_id for row in rows if row.case_id is not None}
            cases = {
                found[0]: (found[1], found[2])
                for found in session.execute(
                    select(Case.id, Case.status, Case.assigned_to).where(Case.id.in_(case_ids))  # type: ignore[union-attr]
                ).all()
            } if case_ids else {}

        def key(row: Message) -> tuple[int, bool, float, int]:
            rank = self.urgency(row)
            stamp = as_utc(row.received_at).timestamp()
            watched = self.watched(row)
            if watched:  # between the emergencies and everything else
                return (EMERGENCY, True, stamp, row.id or 0)
            newest_first = order == "newest" or rank == ANSWERED
            if order == "newest" and rank != EMERGENCY:
                rank = REVIEW
            return (rank, False, -stamp if newest_first else stamp, row.id or 0)

        return [self.item(row, now, *cases.get(row.case_id, (None, None))) for row in sorted(rows, key=key)]


def places_of(decision: dict[str, Any]) -> tuple[str, ...]:
    """The ids and labels of the subjects a stored decision names other than lines and stops."""
    out: list[str] = []
    for subject in decision.get("subjects") or ():
        if isinstance(subject, dict) and subject.get("kind") not in ("line", "stop"):
            out += [str(v) for v in (subject.get("id"), subject.get("label")) if v]
    return tuple(out)


def place_names(decision: dict[str, Any]) -> tuple[str, ...]:
    """What people call the streets, areas and service points a stored decision names."""
    return tuple(str(s.get("label") or s.get("id")) for s in decision.get("subjects") or ()
                 if isinstance(s, dict) and s.get("kind") not in ("line", "stop") and (s.get("label") or s.get("id")))


def place_keys(decision: dict[str, Any]) -> tuple[str, ...]:
    """The subject keys (``kind:id``) of the places a stored decision names: the correction form's value."""
    return tuple(f"{s['kind']}:{s['id']}" for s in decision.get("subjects") or ()
                 if isinstance(s, dict) and s.get("kind") not in ("line", "stop") and s.get("kind") and s.get("id"))


def names_place(wanted: str, routes: Iterable[str], places: Iterable[str]) -> bool:
    """Whether a line-or-place filter fits a message: a line it names exactly, or a street, area or service
    point whose id or label holds the words ('argiro' fits 'Via Argiro, Bari'), case and accents aside."""
    folded = wanted.casefold().strip()
    if folded in (str(r).casefold() for r in routes):
        return True
    key = fold(wanted).split()
    return bool(key) and any(" ".join(key) in " ".join(fold(p).split()) for p in places)
