"""The worker loop: claim a message, route it, draft the reply, post or hand it to a person."""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sqlalchemy import Connection

from bot.channels.base import Channel
from bot.delivery import Deliverer
from bot.notice_delivery import NoticePoster
from bot.notices import NoticeDesk
from bot.ops.logs import log_ids
from bot.domain import BOT_ACTOR, Action, Decision, DraftReply, Intent, MessageState, OutboundReply
from storage.db import session_scope
from storage.hotpath import RouteWrite, record_routes
from storage.models import Message
from storage.problems import problem_values
from storage.queue import Claim, LeaseLost, MessageQueue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NoticeLane:
    """What writes notices beside the routing (the desk) and posts them (the poster)."""

    desk: NoticeDesk
    poster: NoticePoster


class Pipeline(Protocol):
    """Turns a stored message into a decision and a drafted reply."""

    def decide(self, message: Message) -> tuple[Decision, DraftReply]:
        """Route ``message`` and write its reply."""
        ...


@runtime_checkable
class BatchPipeline(Pipeline, Protocol):
    """A pipeline that reads a claimed batch in one go."""

    def decide_many(self, messages: Sequence[Message]) -> list[tuple[Decision, DraftReply]]:
        """:meth:`decide` for each of ``messages``, in order."""
        ...


@dataclass(frozen=True)
class _Routing:
    """A planned routing: its write, the notices it planned, and how its reply is posted."""

    write: RouteWrite
    planned: list[int]
    outbound: Callable[[int], OutboundReply]
    posted_inside: bool


def retry_delay(attempts: int) -> float:
    """Seconds before a failed message is tried again: 2, 4, 8 … up to five minutes, with jitter."""
    base = min(300.0, 2.0 ** max(1, attempts))
    return base * random.uniform(0.8, 1.2)


def worker_name(index: int = 0) -> str:
    """A name unique across machines and processes: host, pid and index."""
    return f"{socket.gethostname()}:{os.getpid()}:{index}"


class Worker:
    """One loop that takes work from the shared queue until told to stop."""

    def __init__(
        self,
        name: str,
        queue: MessageQueue,
        pipeline: Pipeline,
        channels: Mapping[str, Channel],
        *,
        lease_seconds: float = 60.0,
        idle_seconds: float = 0.2,
        max_attempts: int = 5,
        claim_batch: int = 1,
        pause_after_claim: float = 0.0,
        pause_before_finalize: float = 0.0,
        announce: Callable[[str], None] | None = None,
        notices: NoticeLane | None = None,
    ) -> None:
        self.name = name
        self.queue = queue
        self.pipeline = pipeline
        self.channels = channels
        self.lease_seconds = lease_seconds
        self.idle_seconds = idle_seconds
        self.max_attempts = max_attempts
        self.claim_batch = claim_batch
        self.pause_after_claim = pause_after_claim
        self.announce = announce or (lambda line: log.info("%s", line))
        self.deliverer = Deliverer(
            queue, pause_before_finalize=pause_before_finalize, on_pause=self.announce
        )
        self.notices = notices
        self.stopping = threading.Event()
        #: When the loop last came round (``time.monotonic``): /health and /metrics read it.
        self.beat_at = time.monotonic()

    def run(self) -> None:
        """Work until :meth:`stop` is called."""
        log.info("worker %s started", self.name)
        while not self.stopping.is_set():
            self.beat_at = time.monotonic()
            try:
                busy = self.run_once()
            except Exception:  # the loop boundary: log, keep the message safe, go on
                log.exception("worker %s: unexpected error", self.name)
                busy = False
            if not busy and not self.stopping.is_set():
                # Woken at once by a message stored in this process (or, on PostgreSQL, in
                # any); ``idle_seconds`` bounds the wait for the rest (SQLite, other processes).
                self.queue.wait_for_work(self.idle_seconds)
        log.info("worker %s stopped", self.name)

    def stop(self) -> None:
        """Ask the loop to end after the current message."""
        self.stopping.set()
        self.queue.arrived.set()

    def run_once(self) -> bool:
        """Take up to ``claim_batch`` messages in one statement, read them together, handle them in turn.

        False when there was nothing to do. Messages not yet started when the worker is told
        to stop are given back at once.
        """
        claims = self.queue.claim_many(
            self.name, self.lease_seconds, limit=self.claim_batch, channels=list(self.channels)
        )
        self.work(claims)
        if not claims and self.notices is not None:
            return self.notices.poster.sweep(self.name)
        return bool(claims)

    def work(self, claims: Sequence[Claim]) -> None:
        """Handle claimed messages: those to route are read together and written in one
        transaction, the rest (resumed or approved messages) in turn."""
        decided = self._decide_batch(claims)
        together = [c for c in claims if c.message_id in decided]
        alone = [c for c in claims if c.message_id not in decided]
        if together:
            self._route_together(together, decided)
        for index, claim in enumerate(alone):
            if self.stopping.is_set() and (index or together):
                for rest in alone[index:]:
                    self.queue.release(rest)
                break
            self._take(claim)

    def _route_together(self, claims: Sequence[Claim], decided: dict[int, tuple[Decision, DraftReply]]) -> None:
        """Write a read batch in one transaction, then post what goes out after it.

        If the transaction fails (a lease lost, one bad write), each message is written alone,
        so only the one at fault is retried.
        """
        for claim in claims:
            self._pause_after_claim(claim)
        try:
            routings = [self._plan(claim, decided[claim.message_id]) for claim in claims]
            reply_ids = record_routes(self.queue.engine, [r.write for r in routings])
        except Exception:  # noqa: BLE001 - each message is tried alone right below
            log.info("worker %s: writing a batch failed; writing its messages one by one", self.name, exc_info=True)
            for claim in claims:
                self._take(claim, decided[claim.message_id], paused=True)
            return
        for routing, reply_id in zip(routings, reply_ids):
            self._guarded(routing.write.claim, lambda r=routing, i=reply_id: self._after(r, i))  # type: ignore[misc]

    def _decide_batch(self, claims: Sequence[Claim]) -> dict[int, tuple[Decision, DraftReply]]:
        """The decisions of the claimed messages still to route, read in one batch (outside any
        transaction). If the batch fails, each message is read again alone, so only a message
        that fails by itself is retried."""
        fresh = [c for c in claims if c.state == MessageState.RECEIVED and c.message is not None]
        if len(fresh) < 2 or not isinstance(self.pipeline, BatchPipeline):
            return {}
        try:
            found = self.pipeline.decide_many([c.message for c in fresh])  # type: ignore[misc]
        except Exception:  # one bad message must not fail the others: they are read alone
            log.warning("worker %s: reading a batch failed; reading its messages one by one", self.name, exc_info=True)
            return {}
        return {c.message_id: pair for c, pair in zip(fresh, found)}

    def _take(self, claim: Claim, decided: tuple[Decision, DraftReply] | None = None, *, paused: bool = False) -> None:
        if not paused:
            self._pause_after_claim(claim)
        self._guarded(claim, lambda: self.handle(claim, decided))

    def _pause_after_claim(self, claim: Claim) -> None:
        if self.pause_after_claim:
            self.announce(f"claimed message {claim.message_id}")
            time.sleep(self.pause_after_claim)

    def _guarded(self, claim: Claim, step: Callable[[], None]) -> None:
        """Run a step of a claimed message; a failure releases the message for a retry.

        Every log line written meanwhile carries the message's and its case's ids.
        """
        case_id = claim.message.case_id if claim.message is not None else None
        with log_ids(message_id=claim.message_id, case_id=case_id):
            try:
                step()
            except LeaseLost as exc:
                log.warning("%s", exc)
            except Exception as exc:  # keep the message: release it with the error for a retry
                log.exception("worker %s: message %s failed", self.name, claim.message_id)
                self._fail(claim, exc)

    def handle(self, claim: Claim, decided: tuple[Decision, DraftReply] | None = None) -> None:
        """Do what the message's state asks for (``decided``: its decision, read with its batch)."""
        state = claim.state
        if state == MessageState.RECEIVED:
            self._route(claim, decided)
        elif state == MessageState.ROUTED:
            self._resume_routed(claim)
        elif state in (MessageState.APPROVED, MessageState.EDITED):
            self.deliverer.deliver(claim, self.channels[claim.channel])

    def _route(self, claim: Claim, decided: tuple[Decision, DraftReply] | None = None) -> None:
        """Route outside any transaction, then write everything the decision asks for at once.

        A reply to post alone gets its outbox row in the same transaction as the decision, so
        posting needs no further write before the channel is called.
        """
        routing = self._plan(claim, decided)
        [reply_id] = record_routes(self.queue.engine, [routing.write])
        self._after(routing, reply_id)

    def _plan(self, claim: Claim, decided: tuple[Decision, DraftReply] | None) -> _Routing:
        """What routing ``claim`` writes, and what is posted once it is written."""
        row = claim.message if claim.message is not None else self.queue.get(claim.message_id)
        decision, draft = decided if decided is not None else self.pipeline.decide(row)
        now = self.queue.clock()
        path = [MessageState.ROUTED]
        if draft.action == Action.ESCALATE or decision.intent == Intent.EMERGENCY:
            path.append(MessageState.ESCALATED)
        elif draft.action == Action.REVIEW:
            path.append(MessageState.AWAITING_REVIEW)
        lang = decision.lang
        values = {
            "lang": lang,
            "intent": str(decision.intent),
            "category": str(decision.category) if decision.category else None,
            "action": str(draft.action),
            "confidence": decision.confidence,
            "faq_id": decision.faq_id,
            "decision": {**decision.as_dict(), "stop_ids": list(decision.stop_ids), "reasons": list(decision.reasons)},
            "draft": draft.text,
        }
        if decision.service and decision.service != row.service:  # a desk's service (bot.services), kept with the row
            values["service"] = decision.service
        problems = problem_values(row, decision, at=row.received_at)
        auto = len(path) == 1 and draft.action == Action.AUTO
        channel = self.channels[claim.channel]
        reply = None
        if auto:
            reply = {
                "message_id": claim.message_id, "case_id": row.case_id, "channel": row.channel,
                "text": draft.text or "", "lang": lang or "it", "author": BOT_ACTOR, "status": "pending",
                "external_ids": [], "attempts": 1, "created_at": now,
            }
        planned: list[int] = []
        lane = self.notices

        def notices(conn: Connection) -> None:
            if lane is not None:
                planned[:] = lane.desk.plan(conn, row, decision, draft.action, worker=self.name, lease_seconds=self.lease_seconds)

        def outbound(reply_id: int) -> OutboundReply:
            return OutboundReply(
                reply_id=reply_id, channel=row.channel, text=draft.text or "",
                lang=lang or "it", thread_id=row.thread_id, in_reply_to=row.external_id,
                author=row.author, extras=dict(row.extras or {}),
            )

        def post_inside(reply_id: int) -> tuple[str, ...]:
            result = channel.post(outbound(reply_id))
            self.deliverer.paused(claim)
            return result.external_ids

        inside = auto and channel.posts_in_database
        if inside:
            path.append(MessageState.AUTO_SENT)
        # the case takes the message's service, even when the message row already had it
        service = (row.case_id, decision.service) if decision.service and row.case_id is not None else None
        write = RouteWrite(
            claim, now, values=values, path=path, problems=problems, reply=reply,
            also=notices, post=post_inside if inside else None, case_service=service,
        )
        return _Routing(write, planned, outbound, posted_inside=inside)

    def _after(self, routing: _Routing, reply_id: int | None) -> None:
        """Once the routing is written: the notices go out now (not after a person), then a reply
        whose channel is outside the database."""
        values, path = routing.write.values, routing.write.path
        # One line a message, with its ids (``log_ids``): what it was read as and where it went. Never its text.
        log.info("message %s routed: intent %s, action %s, now %s", routing.write.claim.message_id,
                 values["intent"], values["action"], str(path[-1]),
                 extra={"intent": values["intent"], "action": values["action"], "state": str(path[-1])})
        for notice_id in routing.planned:
            self.notices.poster.post(notice_id, self.name)  # type: ignore[union-attr]
        if reply_id is not None and not routing.posted_inside:
            claim = routing.write.claim
            self.deliverer.post_new(claim, self.channels[claim.channel], routing.outbound(reply_id), MessageState.ROUTED)

    def _resume_routed(self, claim: Claim) -> None:
        """A worker died after routing: finish what the decision asked for."""
        row = self.queue.get(claim.message_id)
        if row.action == str(Action.AUTO):
            self.deliverer.deliver(claim, self.channels[row.channel])
            return
        target = (
            MessageState.ESCALATED if row.action == str(Action.ESCALATE) else MessageState.AWAITING_REVIEW
        )
        with session_scope(self.queue.engine) as session:
            held = self.queue.held(session, claim)
            self.queue.move(session, held, target, actor=BOT_ACTOR)

    def _fail(self, claim: Claim, exc: Exception) -> None:
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        row = self.queue.get(claim.message_id)
        if row.attempts < self.max_attempts:
            self.queue.release(claim, error=detail, retry_in=retry_delay(row.attempts))
            return
        # Tried too often: a person must look, and the message is never dropped.
        with session_scope(self.queue.engine) as session:
            held = self.queue.load(session, claim.message_id, lock=True)
            held.last_error = detail[:4000]
            state = MessageState(held.state)
            if state in (MessageState.RECEIVED,):
                self.queue.move(session, held, MessageState.ROUTED, actor=BOT_ACTOR, note=detail)
            self.queue.move(
                session, held, MessageState.AWAITING_REVIEW, actor=BOT_ACTOR, note=f"gave up: {detail}"
            )
