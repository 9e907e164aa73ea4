"""The database tables, as SQLModel classes (the schema itself is owned by Alembic)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bot.subjects import DEFAULT_SERVICE, Subject, SubjectKind


def _service() -> Any:
    """The service a row belongs to (``transit`` unless a domain says otherwise; migration 0012)."""
    return Field(default=DEFAULT_SERVICE, max_length=32, sa_column_kwargs={"server_default": DEFAULT_SERVICE})


def _ts(**kwargs: Any) -> Any:
    """A timezone-aware timestamp column."""
    nullable = kwargs.pop("nullable", True)
    index = kwargs.pop("index", False)
    return Field(sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index), **kwargs)


class Case(SQLModel, table=True):
    """A citizen's conversation on one channel thread, possibly many messages long."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_thread_status", "channel", "thread_key", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    thread_key: str = Field(max_length=255)
    author: str = Field(max_length=255, index=True)
    status: str = Field(default="open", max_length=16, index=True)
    assigned_to: str | None = Field(default=None, max_length=64)
    opened_at: datetime = _ts(nullable=False)
    closed_at: datetime | None = _ts()
    #: When ``status`` last changed (a quiet answered case closes some hours after it).
    status_at: datetime | None = _ts()
    service: str = _service()


class CaseTransition(SQLModel, table=True):
    """One recorded change of a case's status, with time and actor."""

    __tablename__ = "case_transitions"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    actor: str = Field(max_length=80)
    at: datetime = _ts(nullable=False)
    note: str | None = Field(default=None, sa_column=Column(Text))


#: The states with work for a worker, as SQL: the condition of the partial index the claim walks
#: (a partial index serves only queries that repeat its literal condition; a test checks this
#: against ``bot.domain.WORK_STATES``).
WORK_STATES_SQL = "state IN ('approved', 'edited', 'received', 'routed')"


class Message(SQLModel, table=True):
    """A citizen's message, its routing decision and its place in the queue."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_messages_channel_external"),
        Index("ix_messages_state_lease", "state", "lease_until"),
        Index("ix_messages_received_at", "received_at"),
        Index("ix_messages_channel_thread", "channel", "thread_id"),
        Index("ix_messages_work", "id", sqlite_where=text(WORK_STATES_SQL), postgresql_where=text(WORK_STATES_SQL)),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    external_id: str = Field(max_length=128)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    author: str = Field(max_length=255)
    author_name: str | None = Field(default=None, max_length=255)
    text: str = Field(sa_column=Column(Text, nullable=False))
    thread_id: str | None = Field(default=None, max_length=128)
    reply_to: str | None = Field(default=None, max_length=128)
    received_at: datetime = _ts(nullable=False)
    extras: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: str = Field(default="received", max_length=24)
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_until: datetime | None = _ts()
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    lang: str | None = Field(default=None, max_length=8)
    intent: str | None = Field(default=None, max_length=16, index=True)
    category: str | None = Field(default=None, max_length=24)
    action: str | None = Field(default=None, max_length=16)
    confidence: float | None = None
    faq_id: str | None = Field(default=None, max_length=128)
    decision: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    draft: str | None = Field(default=None, sa_column=Column(Text))
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = _ts()
    updated_at: datetime = _ts(nullable=False)
    service: str = _service()


class Reply(SQLModel, table=True):
    """A reply to a message, and the outcome of posting it (the outbox).

    ``status`` is ``pending`` before the channel is called, ``posted`` after it answered,
    ``unknown`` when a worker died mid-call (reconciled before any retry), ``failed``.
    ``kind`` says what it is (:class:`bot.domain.ReplyKind`): the answer to the message, or a
    notice sent without waiting for anyone (safety reply, acknowledgement, ops-room alert),
    which a worker posts under its own lease (``lease_owner``, ``lease_until``).
    """

    __tablename__ = "replies"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="messages.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    channel: str = Field(max_length=32)
    text: str = Field(sa_column=Column(Text, nullable=False))
    lang: str = Field(default="it", max_length=8)
    author: str = Field(max_length=80)
    status: str = Field(default="pending", max_length=16, index=True)
    external_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    attempts: int = 0
    created_at: datetime = _ts(nullable=False)
    posted_at: datetime | None = _ts()
    error: str | None = Field(default=None, sa_column=Column(Text))
    kind: str = Field(default="answer", max_length=16)
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_until: datetime | None = _ts()


class Transition(SQLModel, table=True):
    """One recorded move of a message from a state to another."""

    __tablename__ = "transitions"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="messages.id", index=True)
    from_state: str | None = Field(default=None, max_length=24)
    to_state: str = Field(max_length=24)
    actor: str = Field(max_length=80)
    at: datetime = _ts(nullable=False)
    note: str | None = Field(default=None, sa_column=Column(Text))


class ProblemRecord(SQLModel, table=True):
    """A routed message's report against one subject (a line, a stop, a street, ...) and a kind of problem.

    ``route_id``, ``stop_id`` and ``stop_name`` are transit's view of the subject, kept filled
    for the readers that still use them: a line's record has ``route_id``, a stop's the other two.
    A record without a subject names only a kind of problem.
    """

    __tablename__ = "problems"
    __table_args__ = (
        Index("ix_problems_at", "at"),
        Index("ix_problems_route_at", "route_id", "at"),
        Index("ix_problems_stop_at", "stop_name", "at"),
        Index("ix_problems_subject_at", "subject_kind", "subject_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="messages.id", index=True)
    channel: str = Field(max_length=32)
    intent: str = Field(max_length=16)
    category: str | None = Field(default=None, max_length=24)
    route_id: str | None = Field(default=None, max_length=64)
    stop_id: str | None = Field(default=None, max_length=64)
    stop_name: str | None = Field(default=None, max_length=255)
    alert_id: str | None = Field(default=None, max_length=128)
    at: datetime = _ts(nullable=False)
    service: str = _service()
    subject_kind: str | None = Field(default=None, max_length=16)  # bot.subjects.SubjectKind
    subject_id: str | None = Field(default=None, max_length=128)
    subject_label: str | None = Field(default=None, max_length=255)

    @property
    def subject(self) -> Subject | None:
        """What the record is about, typed (None: a kind of problem alone)."""
        if self.subject_kind is None or not self.subject_id:
            return None
        return Subject(SubjectKind(self.subject_kind), self.subject_id, self.subject_label, self.service)


class Cursor(SQLModel, table=True):
    """How far a channel has read its platform (since_id, update offset, ...)."""

    __tablename__ = "cursors"

    channel: str = Field(primary_key=True, max_length=32)
    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=255)
    updated_at: datetime = _ts(nullable=False)


class JobLease(SQLModel, table=True):
    """Which process runs a scheduled job now, and until when."""

    __tablename__ = "job_leases"

    name: str = Field(primary_key=True, max_length=64)
    owner: str = Field(max_length=128)
    until: datetime = _ts(nullable=False)


class ChannelStatus(SQLModel, table=True):
    """A channel's health as last seen: running, stopped (and why)."""

    __tablename__ = "channel_status"

    channel: str = Field(primary_key=True, max_length=32)
    state: str = Field(max_length=16)
    detail: str | None = Field(default=None, sa_column=Column(Text))
    updated_at: datetime = _ts(nullable=False)


class ApiUsage(SQLModel, table=True):
    """Calls made to a paid platform API and posts sent, per day."""

    __tablename__ = "api_usage"

    channel: str = Field(primary_key=True, max_length=32)
    day: str = Field(primary_key=True, max_length=10)
    calls: int = 0
    posts: int = 0


class MetricTally(SQLModel, table=True):
    """Service-wide counts kept for ``/metrics``: everything recorded up to ``last_id``, as JSON."""

    __tablename__ = "metric_tallies"

    name: str = Field(primary_key=True, max_length=32)
    last_id: int = 0
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _ts(nullable=False)


class User(SQLModel, table=True):
    """A care agent, supervisor or admin of the console."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16)
    language: str = Field(default="it", max_length=8)
    active: bool = True
    created_at: datetime = _ts(nullable=False)


class ConsoleSession(SQLModel, table=True):
    """A signed-in console session; deleting the row ends it wherever its cookie was copied."""

    __tablename__ = "console_sessions"

    id: str = Field(primary_key=True, max_length=64)  # sha256 of the secret in the cookie
    username: str = Field(max_length=64, index=True)
    created_at: datetime = _ts(nullable=False)
    seen_at: datetime = _ts(nullable=False)


class CannedReply(SQLModel, table=True):
    """A reusable reply text, per language."""

    __tablename__ = "canned_replies"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    lang: str = Field(max_length=8)
    text: str = Field(sa_column=Column(Text, nullable=False))
    updated_by: str | None = Field(default=None, max_length=64)
    updated_at: datetime = _ts(nullable=False)


class CaseNote(SQLModel, table=True):
    """An agent's internal note on a case: never sent to the citizen; who wrote it and when stay with it."""

    __tablename__ = "case_notes"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    message_id: int | None = None
    author: str = Field(max_length=64)
    at: datetime = _ts(nullable=False)
    text: str = Field(sa_column=Column(Text, nullable=False))


class Correction(SQLModel, table=True):
    """An agent's correction of the router: a labelled example for evaluation."""

    __tablename__ = "corrections"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="messages.id", index=True)
    agent: str = Field(max_length=64)
    label: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = _ts(nullable=False)


class TripUpdateSnapshot(SQLModel, table=True):
    """One trip's realtime state as observed in a GTFS-RT trip-updates feed."""

    __tablename__ = "trip_snapshots"
    __table_args__ = (
        UniqueConstraint("service_date", "trip_id", name="uq_trip_snapshots_day_trip"),
        Index("ix_trip_snapshots_route_day", "route_id", "service_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    service_date: str = Field(max_length=8)
    trip_id: str = Field(max_length=128)
    route_id: str | None = Field(default=None, max_length=64)
    relationship: str = Field(default="SCHEDULED", max_length=16)
    start_time: str | None = Field(default=None, max_length=8)
    max_delay_s: int | None = None
    last_delay_s: int | None = None
    stops_seen: int = 0
    first_seen: datetime = _ts(nullable=False)
    last_seen: datetime = _ts(nullable=False)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class RecordingSpan(SQLModel, table=True):
    """A stretch of time over which a live feed was recorded without a gap (snapshots at most
    ``reports.recording_gap_seconds`` apart); a single snapshot is a span of no length."""

    __tablename__ = "recording_spans"
    __table_args__ = (Index("ix_recording_spans_feed_end", "feed", "ended_at"),)

    id: int | None = Field(default=None, primary_key=True)
    feed: str = Field(max_length=32)
    started_at: datetime = _ts(nullable=False)
    ended_at: datetime = _ts(nullable=False)
    snapshots: int = 1


class FeedCache(SQLModel, table=True):
    """The last good payload of a live feed, shared by every process."""

    __tablename__ = "feed_cache"

    name: str = Field(primary_key=True, max_length=64)
    payload: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    fetched_at: datetime | None = _ts()
    etag: str | None = Field(default=None, max_length=255)
    last_modified: str | None = Field(default=None, max_length=64)
    error: str | None = Field(default=None, sa_column=Column(Text))
    error_at: datetime | None = _ts()
    data_at: datetime | None = _ts()  # the data's own time: header timestamp or file time, never after the fetch
    belief: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))  # knowledge.belief.Belief


class ResponseFact(SQLModel, table=True):
    """One citizen message's response figures, rebuilt from messages, replies and transitions.

    Case-wide figures (first reply, first reply by a person, resolution, hand-over) sit on the
    row of the message that opened the case and are NULL on the others.
    """

    __tablename__ = "response_facts"
    __table_args__ = (
        Index("ix_response_facts_received_at", "received_at"),
        Index("ix_response_facts_case_id", "case_id"),
        Index("ix_response_facts_service_at", "service", "received_at"),
    )

    message_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    case_id: int | None = None
    channel: str = Field(max_length=32)
    intent: str | None = Field(default=None, max_length=16)
    route_id: str | None = Field(default=None, max_length=64)
    service: str = _service()
    subject_kind: str | None = Field(default=None, max_length=16)  # the message's first subject (bot.subjects)
    subject_id: str | None = Field(default=None, max_length=128)
    received_at: datetime = _ts(nullable=False)
    opens_case: bool = False
    next_reply_s: float | None = None
    first_reply_s: float | None = None
    first_human_s: float | None = None
    resolution_s: float | None = None
    resolved: bool = False
    handed: bool = False


# Indexes the insight reports need on the backbone's tables (migration 0002).
Index("ix_messages_updated_at", Message.__table__.c.updated_at)
Index("ix_messages_state_received", Message.__table__.c.state, Message.__table__.c.received_at)
Index("ix_cases_closed_at", Case.__table__.c.closed_at)
Index("ix_cases_status_at", Case.__table__.c.status, Case.__table__.c.status_at)
Index("ix_replies_kind_status", Reply.__table__.c.kind, Reply.__table__.c.status)
Index(
    "ix_problems_at_message",
    ProblemRecord.__table__.c.at,
    ProblemRecord.__table__.c.message_id,
    ProblemRecord.__table__.c.alert_id,
)


class ProblemRollup(SQLModel, table=True):
    """Distinct reports per local day (grain ``d``) or month (``m``) and dimension, kept by
    :mod:`bot.insight.rollup` so long periods are summed from a few rows (``hour`` is the local
    hour for the line-by-hour heat map, -1 elsewhere)."""

    __tablename__ = "problem_rollup"
    __table_args__ = {"sqlite_with_rowid": False}

    dimension: str = Field(primary_key=True, max_length=8)
    grain: str = Field(primary_key=True, max_length=1)
    day: date = Field(primary_key=True)
    key: str = Field(primary_key=True, max_length=255)
    hour: int = Field(primary_key=True)
    reports: int = 0
    known: int = 0


class ResponseRollup(SQLModel, table=True):
    """Response counts per local day or month and dimension, summed from ``response_facts``."""

    __tablename__ = "response_rollup"
    __table_args__ = {"sqlite_with_rowid": False}

    dimension: str = Field(primary_key=True, max_length=8)
    grain: str = Field(primary_key=True, max_length=1)
    day: date = Field(primary_key=True)
    key: str = Field(primary_key=True, max_length=255)
    messages: int = 0
    cases: int = 0
    resolved: int = 0
    bot_alone: int = 0
    handed: int = 0
    target_met: int = 0
    replies_met: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # messages answered in time


class ResponseHistogram(SQLModel, table=True):
    """How many durations of a measure fell in each fixed bucket (``low`` is its lower edge),
    per local day or month and dimension: medians and 90th percentiles of long periods."""

    __tablename__ = "response_histogram"
    __table_args__ = {"sqlite_with_rowid": False}

    dimension: str = Field(primary_key=True, max_length=8)
    grain: str = Field(primary_key=True, max_length=1)
    day: date = Field(primary_key=True)
    key: str = Field(primary_key=True, max_length=255)
    measure: str = Field(primary_key=True, max_length=12)
    low: float = Field(primary_key=True)
    n: int = 0
    total_s: float = 0.0


class ResponseScopedRollup(SQLModel, table=True):
    """:class:`ResponseRollup`'s counts per ``scope``: ``service:<name>`` or ``subject:<kind>:<id>`` (the messages
    any of whose problem records name it), so a report narrowed to one reads whole days from here."""

    __tablename__ = "response_scoped_rollup"
    __table_args__ = (Index("ix_response_scoped_rollup_scope", "scope", "dimension", "grain", "day"),
                      {"sqlite_with_rowid": False})

    dimension: str = Field(primary_key=True, max_length=8)
    grain: str = Field(primary_key=True, max_length=1)
    day: date = Field(primary_key=True)
    scope: str = Field(primary_key=True, max_length=160)
    key: str = Field(primary_key=True, max_length=255)
    messages: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    cases: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    resolved: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    bot_alone: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    handed: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    target_met: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    replies_met: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class ResponseScopedHistogram(SQLModel, table=True):
    """:class:`ResponseHistogram`'s buckets per ``scope`` (as :class:`ResponseScopedRollup`)."""

    __tablename__ = "response_scoped_histogram"
    __table_args__ = (Index("ix_response_scoped_histogram_scope", "scope", "dimension", "grain", "day"),
                      {"sqlite_with_rowid": False})

    dimension: str = Field(primary_key=True, max_length=8)
    grain: str = Field(primary_key=True, max_length=1)
    day: date = Field(primary_key=True)
    scope: str = Field(primary_key=True, max_length=160)
    key: str = Field(primary_key=True, max_length=255)
    measure: str = Field(primary_key=True, max_length=12)
    low: float = Field(primary_key=True)
    n: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    total_s: float = Field(default=0.0, sa_column_kwargs={"server_default": "0"})


class PrivacyAudit(SQLModel, table=True):
    """Who saw or handled a citizen's personal data: a reveal in the console, an export, an erasure.

    ``subject`` is a hash of ``channel:id`` (never the id itself), so the log names nobody.
    """

    __tablename__ = "privacy_audit"
    __table_args__ = (Index("ix_privacy_audit_at", "at"), Index("ix_privacy_audit_message", "message_id"))

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(nullable=False)
    actor: str = Field(max_length=80)
    action: str = Field(max_length=16)
    message_id: int | None = None
    subject: str | None = Field(default=None, max_length=64)
    detail: str | None = Field(default=None, sa_column=Column(Text))


#: The follower notices still to send, as SQL: the condition of the partial index the sender claims from.
PENDING_NOTICES_SQL = "status = 'pending'"
#: ... and those whose call is under way (a dead sender's are found there).
SENDING_NOTICES_SQL = "status = 'sending'"
#: Follower notices whose delivery is unknown and that no person has decided on yet.
UNCHECKED_NOTICES_SQL = "status = 'unknown' AND checked_at IS NULL"


class Follower(SQLModel, table=True):
    """A citizen following a line or a stop on one channel (``chat``: where their alerts go)."""

    __tablename__ = "followers"
    __table_args__ = (
        UniqueConstraint("channel", "chat", "kind", "target", name="uq_followers_chat_target"),
        Index("ix_followers_kind_target", "kind", "target"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    chat: str = Field(max_length=128)
    kind: str = Field(max_length=16)  # bot.follow.targets.TargetKind, or a place's bot.subjects.SubjectKind
    target: str = Field(max_length=128)  # a route_id, a stop_id, or a place's subject id
    lang: str = Field(default="it", max_length=8)
    #: The message that asked to follow: web-chat notices are shown in its conversation.
    message_id: int | None = None
    created_at: datetime = _ts(nullable=False)


class FollowedAlert(SQLModel, table=True):
    """What followers were last told about an alert or an outage (``topic``; an outage's ``service``): its
    fingerprint, what it touched (lines, stops, or the followed ``places`` it covers), when it ended."""

    __tablename__ = "followed_alerts"
    __table_args__ = (Index("ix_followed_alerts_topic", "topic", "service"),)

    alert_id: str = Field(primary_key=True, max_length=128)
    fingerprint: str = Field(max_length=64)
    routes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    stops: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    texts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    started_at: datetime = _ts(nullable=False)
    changed_at: datetime = _ts(nullable=False)
    ended_at: datetime | None = _ts()
    topic: str = Field(default="alert", max_length=8, sa_column_kwargs={"server_default": "alert"})  # bot.follow.events.Topic
    service: str | None = Field(default=None, max_length=32)
    #: The followed places (``kind:id``) an outage covers, kept up to date while it lasts.
    places: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class AlertEvent(SQLModel, table=True):
    """An alert started, changed or ended (``kind``), with the texts its followers get, per language."""

    __tablename__ = "alert_events"
    __table_args__ = (Index("ix_alert_events_alert", "alert_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    alert_id: str = Field(max_length=128)
    kind: str = Field(max_length=8)  # bot.follow.events.EventKind
    at: datetime = _ts(nullable=False)
    texts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    followers: int = 0
    #: The operator's own X timeline: pending, posted, skipped (not wanted or over the cap), failed.
    x_status: str | None = Field(default=None, max_length=16)
    x_post_id: str | None = Field(default=None, max_length=64)
    topic: str = Field(default="alert", max_length=8, sa_column_kwargs={"server_default": "alert"})  # bot.follow.events.Topic
    service: str | None = Field(default=None, max_length=32)  # an outage's service


class FollowNotice(SQLModel, table=True):
    """One alert event for one follower: the outbox row the sender posts exactly once.

    ``status``: ``pending`` (to send), ``sending`` (the call is under way; a crash leaves it
    to become ``unknown``, never sent again), ``posted``, ``skipped`` (superseded during quiet
    hours), ``capped`` (over the daily cap), ``blocked`` (the person blocked the bot), ``failed``,
    ``unknown`` (the sender died mid-call, or the call timed out: it may or may not have arrived;
    since ``unknown_at``). A supervisor decides on an unknown notice (``bot.follow.unknown``):
    ``decision`` ``resend`` (back to ``pending``) or ``leave``, by ``checked_by`` at ``checked_at``.
    """

    __tablename__ = "follow_notices"
    __table_args__ = (
        UniqueConstraint("event_id", "channel", "chat", name="uq_follow_notices_event_chat"),
        Index("ix_follow_notices_pending", "id", sqlite_where=text(PENDING_NOTICES_SQL),
              postgresql_where=text(PENDING_NOTICES_SQL)),
        Index("ix_follow_notices_chat", "channel", "chat", "posted_at"),
        Index("ix_follow_notices_sending", "lease_until", sqlite_where=text(SENDING_NOTICES_SQL),
              postgresql_where=text(SENDING_NOTICES_SQL)),
        Index("ix_follow_notices_unchecked", "unknown_at", sqlite_where=text(UNCHECKED_NOTICES_SQL),
              postgresql_where=text(UNCHECKED_NOTICES_SQL)),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="alert_events.id")
    alert_id: str = Field(max_length=128)
    channel: str = Field(max_length=32)
    chat: str = Field(max_length=128)
    lang: str = Field(default="it", max_length=8)
    message_id: int | None = None
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_until: datetime | None = _ts()
    created_at: datetime = _ts(nullable=False)
    posted_at: datetime | None = _ts()
    external_id: str | None = Field(default=None, max_length=128)
    error: str | None = Field(default=None, sa_column=Column(Text))
    unknown_at: datetime | None = _ts()
    decision: str | None = Field(default=None, max_length=8)  # bot.follow.unknown.Decision
    checked_by: str | None = Field(default=None, max_length=64)
    checked_at: datetime | None = _ts()


class PublicDay(SQLModel, table=True):
    """The published figures of a service day that is over, for one line (or, with ``kind``
    ``network`` and no route, every line's counts), kept by a shared job so that a public page
    reads them instead of counting again (``bot/public/rollup.py``); ``version`` is the format."""

    __tablename__ = "public_days"
    __table_args__ = {"sqlite_with_rowid": False}

    kind: str = Field(primary_key=True, max_length=16)
    route: str = Field(primary_key=True, max_length=128)
    day: date = Field(primary_key=True)
    version: int = 1
    value: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    computed_at: datetime = _ts(nullable=False)
