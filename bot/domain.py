"""The domain types every part of sportello speaks: message, decision, reply, states."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any

from bot.subjects import Subject, SubjectKind, of_kind, transit_subjects


class Intent(StrEnum):
    """What the citizen wants."""

    STATUS = "status"
    FAQ = "faq"
    COMPLAINT = "complaint"
    EMERGENCY = "emergency"
    FEEDBACK = "feedback"
    OTHER = "other"


class Action(StrEnum):
    """What happens to the drafted reply."""

    AUTO = "auto"
    REVIEW = "review"
    ESCALATE = "escalate"


class Category(StrEnum):
    """Kind of problem a complaint reports (transit's kinds: other services bring their own)."""

    DELAY = "delay"
    CROWDING = "crowding"
    SKIPPED_STOP = "skipped_stop"
    CLEANLINESS = "cleanliness"
    CLIMATE = "climate"
    STAFF = "staff"
    ACCESSIBILITY = "accessibility"
    SAFETY = "safety"
    TICKETING = "ticketing"
    INFORMATION = "information"
    OTHER = "other"


#: The complaint categories of every domain (``knowledge.domains``); transit's first.
CATEGORY_TYPES: list[type[StrEnum]] = [Category]


def register_categories(kind: type[StrEnum]) -> None:
    """Make a domain's complaint categories known, so a stored decision naming one is read back typed."""
    if kind not in CATEGORY_TYPES:
        CATEGORY_TYPES.append(kind)


def category_named(code: str) -> StrEnum:
    """The complaint category whose value is ``code``, in the first domain that has one (ValueError if none)."""
    for kind in CATEGORY_TYPES:
        try:
            return kind(code)
        except ValueError:
            continue
    msg = f"unknown complaint category {code!r}"
    raise ValueError(msg)


class MessageState(StrEnum):
    """Where a citizen's message stands in the queue."""

    RECEIVED = "received"
    ROUTED = "routed"
    AUTO_SENT = "auto_sent"
    AWAITING_REVIEW = "awaiting_review"
    APPROVED = "approved"
    EDITED = "edited"
    SENT = "sent"
    ESCALATED = "escalated"
    CLOSED = "closed"


class CaseStatus(StrEnum):
    """Where a citizen's case stands: opened, waiting for a person, answered, resolved, closed."""

    OPEN = "open"
    WAITING = "waiting"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    CLOSED = "closed"


class ReplyKind(StrEnum):
    """What a row of the outbox is: the answer, a safety reply, an acknowledgement, an ops-room alert,
    or an alert told to a web-chat follower (``bot.follow``)."""

    ANSWER = "answer"
    SAFETY = "safety"
    ACK = "ack"
    OPS = "ops"
    FOLLOW = "follow"


#: The moves the queue allows, and nothing else.
TRANSITIONS: dict[MessageState, frozenset[MessageState]] = {
    MessageState.RECEIVED: frozenset({MessageState.ROUTED, MessageState.CLOSED}),
    MessageState.ROUTED: frozenset(
        {
            MessageState.AUTO_SENT,
            MessageState.AWAITING_REVIEW,
            MessageState.ESCALATED,
            MessageState.CLOSED,
        }
    ),
    MessageState.AWAITING_REVIEW: frozenset(
        {
            MessageState.APPROVED,
            MessageState.EDITED,
            MessageState.ESCALATED,
            MessageState.CLOSED,
            MessageState.AWAITING_REVIEW,
        }
    ),
    MessageState.APPROVED: frozenset({MessageState.SENT, MessageState.AWAITING_REVIEW}),
    MessageState.EDITED: frozenset({MessageState.SENT, MessageState.AWAITING_REVIEW}),
    MessageState.ESCALATED: frozenset(
        {
            MessageState.APPROVED,
            MessageState.EDITED,
            MessageState.CLOSED,
            MessageState.AWAITING_REVIEW,
        }
    ),
    MessageState.AUTO_SENT: frozenset({MessageState.CLOSED, MessageState.AWAITING_REVIEW}),
    MessageState.SENT: frozenset({MessageState.CLOSED, MessageState.AWAITING_REVIEW}),
    MessageState.CLOSED: frozenset({MessageState.AWAITING_REVIEW}),
}

#: States in which a worker has something to do with the message.
WORK_STATES: frozenset[MessageState] = frozenset(
    {MessageState.RECEIVED, MessageState.ROUTED, MessageState.APPROVED, MessageState.EDITED}
)

#: States that wait for a person.
HUMAN_STATES: frozenset[MessageState] = frozenset(
    {MessageState.AWAITING_REVIEW, MessageState.ESCALATED}
)

BOT_ACTOR = "bot"
SCHEDULER_ACTOR = "scheduler"


def agent_actor(username: str) -> str:
    """The actor string recorded for a care agent."""
    return f"agent:{username}"


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """The same instant as an aware UTC datetime (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


@dataclass(frozen=True)
class InboundMessage:
    """One citizen message, normalised from whatever channel brought it.

    ``thread_id`` groups a conversation on its channel (an X conversation id, a Telegram
    chat, a web-chat conversation); ``reply_to`` is the external id it answers, if any.
    """

    channel: str
    external_id: str
    author: str
    text: str
    received_at: datetime
    thread_id: str | None = None
    reply_to: str | None = None
    author_name: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "received_at", as_utc(self.received_at))


class SourceKind(StrEnum):
    """A body of data a reply can draw on."""

    ALERTS = "alerts"
    TRIP_UPDATES = "trip_updates"
    SERVICE_COUNTS = "service_counts"
    FAQ = "faq"
    OUTAGES = "outages"  # CAP alerts and planned-interruption tables of a utility


class DataState(StrEnum):
    """How far a source's data can be vouched for at the moment of a reply."""

    FRESH = "fresh"  # younger than its limit, and confirmed
    STALE = "stale"  # older than its limit: never presented as live
    SUSPECT = "suspect"  # the last fetch shrank sharply: waiting for the next fetch to confirm it
    UNKNOWN = "unknown"  # no data at all, or no way to tell its age


@dataclass(frozen=True)
class SourceAge:
    """The age of one source a reply used: the data's own time, when it was fetched, its state."""

    kind: SourceKind
    state: DataState
    data_time: datetime | None = None  # the feed's header time (or file time), never later than the fetch
    fetched_at: datetime | None = None
    limit_seconds: float | None = None

    @property
    def usable(self) -> bool:
        """Whether a reply built on this source may go out without a person."""
        return self.state == DataState.FRESH

    def age_seconds(self, now: datetime) -> float | None:
        """How old the data is at ``now`` (None when its time is unknown)."""
        return None if self.data_time is None else (now - self.data_time).total_seconds()

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "kind": str(self.kind),
            "state": str(self.state),
            "data_time": self.data_time.isoformat() if self.data_time else None,
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
            "limit_seconds": self.limit_seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceAge:
        """Rebuild a source age stored with :meth:`as_dict`."""
        return cls(
            kind=SourceKind(data["kind"]),
            state=DataState(data.get("state") or "unknown"),
            data_time=_moment(data.get("data_time")),
            fetched_at=_moment(data.get("fetched_at")),
            limit_seconds=data.get("limit_seconds"),
        )


def _moment(value: str | None) -> datetime | None:
    return as_utc(datetime.fromisoformat(value)) if value else None


class Asked(StrEnum):
    """A particular question the reader recognised, beyond its intent (handlers branch on it)."""

    SERVICE_COUNTS = "service_counts"  # how many trips of a line ran or were missed today


class DangerCause(StrEnum):
    """Why the router treats a message as possible danger whatever its reader read (agents see it; notices branch on it)."""

    UNREAD_SCRIPT = "unread_script"  # written mostly in a script the reader cannot read: its calm is no evidence


class Held(StrEnum):
    """Why the router keeps a message for a person whatever its confidence (:mod:`bot.reading.held`, and the FAQ's
    unmet topics): a rule saw a likely wrong answer that the learned reader is sure of. Never answered alone."""

    IRONY = "irony"  # praise or thanks beside a service failure, read as feedback: likely sarcasm, a complaint
    OUTSIDE_SERVICE = "outside_service"  # the writer's own file, the operator as employer, or business with it
    FAQ_OFF_SUBJECT = "faq_off_subject"  # the FAQ entry chosen says nothing of a topic the message asks about


class ElsewhereKind(StrEnum):
    """What told that a message is about another operator's network (:mod:`bot.reading.elsewhere`)."""

    OPERATOR = "operator"  # another operator, or its care account, named (LNER, @ScotRail, Trenord, ATM Milano)
    LINE = "line"  # a line of another network named (the Northern line, the Overground, the DART)
    PLACE = "place"  # another city, station or airport named as where the service is (between Leeds and York)


@dataclass(frozen=True)
class Elsewhere:
    """The other network a message is about: how it was told, and the words that told it (as the message has them)."""

    kind: ElsewhereKind
    name: str

    def as_dict(self) -> dict[str, str]:
        """As JSON-ready data."""
        return {"kind": str(self.kind), "name": self.name}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Elsewhere:
        """Rebuild one stored with :meth:`as_dict`."""
        return cls(ElsewhereKind(data["kind"]), str(data.get("name") or ""))


@dataclass(frozen=True)
class TimeAsked:
    """The window of time a message asks about when it is not the present moment («domenica», «stasera»): [start,
    end) in UTC, and the words that named it (for people)."""

    start: datetime
    end: datetime
    label: str

    def as_dict(self) -> dict[str, str]:
        """As JSON-ready data (ISO 8601 times)."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimeAsked:
        """Rebuild one stored with :meth:`as_dict`."""
        start, end = datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"])
        return cls(start, end, str(data.get("label") or ""))


class Priority(StrEnum):
    """How soon a person must look at a message held for one, beyond its action (None: in its turn)."""

    #: possible danger: its danger score is under the emergency lane's threshold but in the watch band just below it
    #: (``ReaderModel.watch_thresholds``). Never answered alone, not an emergency: held for a person, first in the queue
    WATCH = "watch"


@dataclass(frozen=True)
class Decision:
    """What the router understood of a message, and what should happen to it."""

    lang: str
    intent: Intent
    routes: tuple[str, ...] = ()
    stops: tuple[str, ...] = ()
    stop_ids: tuple[str, ...] = ()
    faq_id: str | None = None
    alert_ids: tuple[str, ...] = ()
    category: StrEnum | None = None  # a Category for transit; another domain's own enum otherwise
    action: Action = Action.REVIEW
    confidence: float = 0.0
    reasons: tuple[str, ...] = ()
    written_lang: str | None = None  # the language written in, when it is not the reply's (e.g. "es")
    sources: tuple[SourceAge, ...] = ()  # the data the reply drew on, each with its age
    asked: Asked | None = None  # a particular question recognised (the reasons say it for people)
    service: str | None = None  # the service of a multi-service desk it was routed to (None: one service, or undecided)
    #: What the message is about (:mod:`bot.subjects`). ``routes``, ``stops`` and ``stop_ids`` are
    #: transit's view of them: give either, the other is derived (both given: kept as given).
    subjects: tuple[Subject, ...] = ()
    #: Why the message is treated as possible danger whatever the reader read (None: the reader's reading stands).
    danger_cause: DangerCause | None = None
    #: How soon a person must look (None: in its turn); :attr:`Priority.WATCH` is never answered alone.
    priority: Priority | None = None
    #: The other operator's network the message is about, with no line or stop of ours named (None: ours, or
    #: not told). Such a message cites none of our alerts and is never answered alone.
    elsewhere: Elsewhere | None = None
    #: Why a rule keeps the message for a person whatever the reader's confidence (None: the reader's reading stands).
    held: Held | None = None
    #: The time the message asks about when it is not now (None: the present moment); a status reply names it.
    time_asked: TimeAsked | None = None

    def __post_init__(self) -> None:
        if not self.subjects and (self.routes or self.stops):
            object.__setattr__(self, "subjects", transit_subjects(self.routes, self.stops, self.stop_ids))
        elif self.subjects and not (self.routes or self.stops):
            lines, stops = of_kind(self.subjects, SubjectKind.LINE), of_kind(self.subjects, SubjectKind.STOP)
            object.__setattr__(self, "routes", tuple(s.id for s in lines))
            object.__setattr__(self, "stops", tuple(s.name for s in stops))
            object.__setattr__(self, "stop_ids", tuple(s.id for s in stops))

    def source(self, kind: SourceKind) -> SourceAge | None:
        """The age of one source the reply used, or None when it did not use it."""
        return next((s for s in self.sources if s.kind == kind), None)

    def as_dict(self) -> dict[str, Any]:
        """The decision as plain JSON-ready data (the routing contract's keys)."""
        return {
            "lang": self.lang,
            "intent": str(self.intent),
            "routes": list(self.routes),
            "stops": list(self.stops),
            "faq_id": self.faq_id,
            "alert_ids": list(self.alert_ids),
            "category": str(self.category) if self.category else None,
            "action": str(self.action),
            "confidence": round(self.confidence, 3),
            "sources": [s.as_dict() for s in self.sources],
            "subjects": [s.as_dict() for s in self.subjects],
            **({"written_lang": self.written_lang} if self.written_lang and self.written_lang != self.lang else {}),
            **({"asked": str(self.asked)} if self.asked else {}),
            **({"service": self.service} if self.service else {}),
            **({"danger_cause": str(self.danger_cause)} if self.danger_cause else {}),
            **({"priority": str(self.priority)} if self.priority else {}),
            **({"elsewhere": self.elsewhere.as_dict()} if self.elsewhere else {}),
            **({"held": str(self.held)} if self.held else {}),
            **({"time_asked": self.time_asked.as_dict()} if self.time_asked else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        """Rebuild a decision stored with :meth:`as_dict` (plus optional extras)."""
        return cls(
            lang=data.get("lang") or "it",
            intent=Intent(data.get("intent") or "other"),
            routes=tuple(data.get("routes") or ()),
            stops=tuple(data.get("stops") or ()),
            stop_ids=tuple(data.get("stop_ids") or ()),
            faq_id=data.get("faq_id"),
            alert_ids=tuple(data.get("alert_ids") or ()),
            category=category_named(data["category"]) if data.get("category") else None,
            action=Action(data.get("action") or "review"),
            confidence=float(data.get("confidence") or 0.0),
            reasons=tuple(data.get("reasons") or ()),
            sources=tuple(SourceAge.from_dict(s) for s in data.get("sources") or ()),
            written_lang=data.get("written_lang"),
            asked=Asked(data["asked"]) if data.get("asked") else None,
            service=data.get("service"),
            subjects=tuple(Subject.from_dict(s) for s in data.get("subjects") or ()),
            danger_cause=DangerCause(data["danger_cause"]) if data.get("danger_cause") else None,
            priority=Priority(data["priority"]) if data.get("priority") else None,
            elsewhere=Elsewhere.from_dict(data["elsewhere"]) if isinstance(data.get("elsewhere"), dict) else None,
            held=Held(data["held"]) if data.get("held") else None,
            time_asked=TimeAsked.from_dict(data["time_asked"]) if isinstance(data.get("time_asked"), dict) else None,
        )


def is_watched(decision: Decision) -> bool:
    """Whether the reader saw possible danger under the emergency lane (:attr:`Priority.WATCH`): a person looks at
    once."""
    return decision.priority == Priority.WATCH and not is_emergency(decision)


def is_emergency(decision: Decision) -> bool:
    """Whether the router flagged someone as possibly in danger (when unsure, it says yes).

    Today that is the emergency intent; a boolean ``danger`` flag on the decision, if the
    reader adds one, counts too.
    """
    return decision.intent == Intent.EMERGENCY or getattr(decision, "danger", None) is True


@dataclass(frozen=True)
class DraftReply:
    """A reply written by a handler, before anyone decides to post it."""

    text: str
    lang: str
    action: Action
    sources: tuple[SourceAge, ...] = ()  # the data the reply drew on, each with its age


@dataclass(frozen=True)
class OutboundReply:
    """A reply on its way to a channel: everything an adapter needs to post it."""

    reply_id: int
    channel: str
    text: str
    lang: str
    thread_id: str | None
    in_reply_to: str | None
    author: str
    extras: dict[str, Any] = field(default_factory=dict)
    #: Send it to the citizen alone where the channel can (a DM for a public X mention, the
    #: user's private chat for a Telegram group); never echo their words in public.
    private: bool = False


@dataclass(frozen=True)
class PostResult:
    """What a channel says after posting: the platform ids of what it created."""

    external_ids: tuple[str, ...]
