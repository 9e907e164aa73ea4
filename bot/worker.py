"""The worker loop: claim a message, route it, draft the reply, post or hand it to a person."""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Protocol

from bot.channels.base import Channel
from bot.delivery import Deliverer
from bot.domain import BOT_ACTOR, Action, Decision, DraftReply, Intent, MessageState
from storage.db import session_scope
from storage.models import Message
from storage.problems import record_problems
from storage.queue import Claim, LeaseLost, MessageQueue

log = logging.getLogger(__name__)


class Pipeline(Protocol):
    """Turns a stored message into a decision and a drafted reply."""

    def decide(self, message: Message) -> tuple[Decision, DraftReply]:
        """Route ``message`` and write its reply."""
        ...


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
        pause_after_claim: float = 0.0,
        pause_before_finalize: float = 0.0,
        announce: Callable[[str], None] | None = None,
    ) -> None:
        self.name = name
        self.queue = queue
        self.pipeline = pipeline
        self.channels = channels
        self.lease_seconds = lease_seconds
        self.idle_seconds = idle_seconds
        self.max_attempts = max_attempts
        self.pause_after_claim = pause_after_claim
        self.announce = announce or (lambda line: log.info("%s", line))
        self.deliverer = Deliverer(
            queue, pause_before_finalize=pause_before_finalize, on_pause=self.announce
        )
        self.stopping = threading.Event()

    def run(self) -> None:
        """Work until :meth:`stop` is called."""
        log.info("worker %s started", self.name)
        while not self.stopping.is_set():
            try:
                busy = self.run_once()
            except Exception:  # the loop boundary: log, keep the message safe, go on
                log.exception("worker %s: unexpected error", self.name)
                busy = False
            if not busy:
                self.stopping.wait(self.idle_seconds)
        log.info("worker %s stopped", self.name)

    def stop(self) -> None:
        """Ask the loop to end after the current message."""
        self.stopping.set()

    def run_once(self) -> bool:
        """Take and handle one message; False when there was nothing to do."""
        claim = self.queue.claim(self.name, self.lease_seconds, channels=list(self.channels))
        if claim is None:
            return False
        if self.pause_after_claim:
            self.announce(f"claimed message {claim.message_id}")
            time.sleep(self.pause_after_claim)
        try:
            self.handle(claim)
        except LeaseLost as exc:
            log.warning("%s", exc)
        except Exception as exc:  # keep the message: release it with the error for a retry
            log.exception("worker %s: message %s failed", self.name, claim.message_id)
            self._fail(claim, exc)
        return True

    def handle(self, claim: Claim) -> None:
        """Do what the message's state asks for."""
        state = claim.state
        if state == MessageState.RECEIVED:
            action = self._route(claim)
            if action == Action.AUTO:
                self.deliverer.deliver(claim, self.channels[claim.channel])
        elif state == MessageState.ROUTED:
            self._resume_routed(claim)
        elif state in (MessageState.APPROVED, MessageState.EDITED):
            self.deliverer.deliver(claim, self.channels[claim.channel])

    def _route(self, claim: Claim) -> Action:
        row = self.queue.get(claim.message_id)
        decision, draft = self.pipeline.decide(row)
        with session_scope(self.queue.engine) as session:
            held = self.queue.held(session, claim)
            held.lang = decision.lang
            held.intent = str(decision.intent)
            held.category = str(decision.category) if decision.category else None
            held.action = str(draft.action)
            held.confidence = decision.confidence
            held.faq_id = decision.faq_id
            held.decision = {
                **decision.as_dict(),
                "stop_ids": list(decision.stop_ids),
                "reasons": list(decision.reasons),
            }
            held.draft = draft.text
            self.queue.move(session, held, MessageState.ROUTED, actor=BOT_ACTOR)
            record_problems(session, held, decision, at=held.received_at)
            if draft.action == Action.ESCALATE or decision.intent == Intent.EMERGENCY:
                self.queue.move(session, held, MessageState.ESCALATED, actor=BOT_ACTOR)
            elif draft.action == Action.REVIEW:
                self.queue.move(session, held, MessageState.AWAITING_REVIEW, actor=BOT_ACTOR)
        return draft.action

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
