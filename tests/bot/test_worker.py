"""The worker loop on SQLite and PostgreSQL: route, auto-send, hold for review, never twice."""

from __future__ import annotations

from sqlalchemy import Engine, event, select
from sqlmodel import Session

from bot.channels.base import ChannelContext
from bot.channels.web import WebChannel
from bot.config import Settings
from bot.domain import InboundMessage, MessageState, OutboundReply, PostResult
from bot.pipeline import RoutingPipeline
from bot.reading.router import Router
from bot.worker import Worker
from handlers import ReplyWriter
from knowledge.store import Knowledge
from storage.models import Message, ProblemRecord, Reply
from storage.queue import MessageQueue
from tests.conftest import FixedClock


def _worker(engine: Engine, clock: FixedClock, channel: WebChannel | None = None) -> tuple[Worker, MessageQueue]:
    settings = Settings()
    queue = MessageQueue(engine, clock=clock)
    knowledge = Knowledge.from_settings(settings.knowledge, engine=engine, clock=clock)
    pipeline = RoutingPipeline(Router(knowledge, settings=settings), ReplyWriter(knowledge, settings), clock=clock)
    web = channel or WebChannel(ChannelContext(settings, queue, engine, clock))
    return Worker("w-test", queue, pipeline, {"web": web}, lease_seconds=30), queue


def _ask(queue: MessageQueue, text: str, external_id: str = "1") -> int:
    message = InboundMessage("web", external_id, "web:c", text, queue.clock(), thread_id="c")
    message_id = queue.enqueue(message)
    assert message_id is not None
    return message_id


def test_a_status_question_is_answered_automatically(engine: Engine, clock: FixedClock) -> None:
    worker, queue = _worker(engine, clock)
    message_id = _ask(queue, "il tram 8 funziona oggi?")
    assert worker.run_once()
    row = queue.get(message_id)
    replies = queue.replies_for(message_id)
    assert row.state == MessageState.AUTO_SENT
    assert [r.status for r in replies] == ["posted"]
    assert "8BUS" in replies[0].text


def test_a_complaint_waits_for_a_person_with_a_draft(engine: Engine, clock: FixedClock) -> None:
    worker, queue = _worker(engine, clock)
    message_id = _ask(queue, "autista maleducato sul 64, una vergogna")
    worker.run_once()
    row = queue.get(message_id)
    assert row.state == MessageState.AWAITING_REVIEW
    assert row.draft and "pratica" in row.draft
    assert queue.replies_for(message_id) == []


def test_an_emergency_is_escalated_at_once(engine: Engine, clock: FixedClock) -> None:
    worker, queue = _worker(engine, clock)
    message_id = _ask(queue, "aiuto, un uomo è svenuto sul binario a Termini")
    worker.run_once()
    row = queue.get(message_id)
    assert row.state == MessageState.ESCALATED
    assert row.draft and "112" in row.draft


def test_an_approved_draft_is_posted_by_the_next_worker_run(engine: Engine, clock: FixedClock) -> None:
    worker, queue = _worker(engine, clock)
    message_id = _ask(queue, "autista maleducato sul 64, una vergogna")
    worker.run_once()
    queue.transition(message_id, MessageState.APPROVED, actor="agent:giulia")
    assert worker.run_once()
    assert queue.get(message_id).state == MessageState.SENT
    assert len(queue.replies_for(message_id)) == 1


def test_routing_leaves_problem_records(engine: Engine, clock: FixedClock) -> None:
    worker, queue = _worker(engine, clock)
    message_id = _ask(queue, "autista maleducato sul 64, una vergogna")
    worker.run_once()
    with Session(engine) as session:
        rows = session.execute(select(ProblemRecord).where(ProblemRecord.message_id == message_id)).scalars().all()
    assert [(r.route_id, r.category, r.intent, r.channel) for r in rows] == [
        ("64", "staff", "complaint", "web")
    ]


class _FlakyWeb(WebChannel):
    """A web channel whose post fails the first time, after the outbox row exists."""

    calls: int
    posts_in_database = False  # it calls out (and fails), so it goes through the outbox

    def post(self, reply: OutboundReply) -> PostResult:
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls == 1:
            raise ConnectionError("network down")
        return super().post(reply)


def test_a_failed_post_is_retried_without_a_second_reply(engine: Engine, clock: FixedClock) -> None:
    settings = Settings()
    queue = MessageQueue(engine, clock=clock)
    flaky = _FlakyWeb(ChannelContext(settings, queue, engine, clock))
    worker, queue = _worker(engine, clock, flaky)
    message_id = _ask(queue, "il tram 8 funziona oggi?")
    worker.run_once()
    assert queue.get(message_id).state == MessageState.ROUTED
    assert worker.run_once() is False  # backing off: nobody takes it again at once
    clock.advance(3)
    assert worker.run_once()
    replies = queue.replies_for(message_id)
    assert queue.get(message_id).state == MessageState.AUTO_SENT
    assert [(r.status, r.attempts) for r in replies] == [("posted", 2)]


class _FlakyInDatabase(WebChannel):
    """The web chat itself, failing once while the reply is being posted."""

    calls: int

    def post(self, reply: OutboundReply) -> PostResult:
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls == 1:
            raise RuntimeError("disk full")
        return super().post(reply)


def test_a_web_reply_is_posted_with_its_decision_or_not_at_all(engine: Engine, clock: FixedClock) -> None:
    flaky = _FlakyInDatabase(ChannelContext(Settings(), MessageQueue(engine, clock=clock), engine, clock))
    worker, queue = _worker(engine, clock, flaky)
    message_id = _ask(queue, "il tram 8 funziona oggi?")
    worker.run_once()
    assert queue.get(message_id).state == MessageState.RECEIVED  # nothing half done
    assert queue.replies_for(message_id) == []
    clock.advance(3)
    assert worker.run_once()
    assert queue.get(message_id).state == MessageState.AUTO_SENT
    assert [(r.status, r.external_ids) for r in queue.replies_for(message_id)] == [
        ("posted", [f"web-reply-{queue.replies_for(message_id)[0].id}"])
    ]
    assert [t.to_state for t in queue.history(message_id)] == ["received", "routed", "auto_sent"]


def test_nothing_to_do_returns_false(engine: Engine, clock: FixedClock) -> None:
    worker, _ = _worker(engine, clock)
    assert worker.run_once() is False


def test_reply_rows_are_one_per_message(engine: Engine, clock: FixedClock) -> None:
    worker, queue = _worker(engine, clock)
    for i in range(5):
        _ask(queue, "il tram 8 funziona oggi?", external_id=f"m{i}")
    while worker.run_once():
        pass
    with Session(engine) as session:
        replies = session.execute(select(Reply)).scalars().all()
    assert sorted(r.message_id for r in replies) == [1, 2, 3, 4, 5]


class _BrokenPipeline:
    """A router that fails on every message, as a bug in a rule would."""

    def decide(self, message: object) -> tuple[object, object]:
        raise RuntimeError("rule exploded")


def test_a_message_that_keeps_failing_goes_to_a_person_and_is_never_lost(engine: Engine, clock: FixedClock) -> None:
    worker, queue = _worker(engine, clock)
    worker.pipeline = _BrokenPipeline()  # type: ignore[assignment]
    message_id = _ask(queue, "il tram 8 funziona oggi?")
    for _ in range(worker.max_attempts):
        assert worker.run_once()
        clock.advance(400)
    row = queue.get(message_id)
    assert row.state == MessageState.AWAITING_REVIEW
    assert row.last_error and "rule exploded" in row.last_error
    assert worker.run_once() is False


class _CountingPipeline:
    """The routing pipeline, counting how it is asked; ``fails_on`` makes one text fail."""

    def __init__(self, inner: RoutingPipeline, fails_on: str | None = None) -> None:
        self.inner = inner
        self.fails_on = fails_on
        self.batches: list[int] = []
        self.alone = 0

    def decide(self, message: Message) -> tuple[object, object]:
        self.alone += 1
        if message.text == self.fails_on:
            raise RuntimeError("rule exploded")
        return self.inner.decide(message)

    def decide_many(self, messages: list[Message]) -> list[tuple[object, object]]:
        self.batches.append(len(messages))
        if any(m.text == self.fails_on for m in messages):
            raise RuntimeError("rule exploded")
        return self.inner.decide_many(messages)  # type: ignore[return-value]


def test_a_claimed_batch_is_read_in_one_call(engine: Engine, clock: FixedClock) -> None:
    worker, queue = _worker(engine, clock)
    worker.claim_batch = 4
    counting = _CountingPipeline(worker.pipeline)  # type: ignore[arg-type]
    worker.pipeline = counting  # type: ignore[assignment]
    ids = [_ask(queue, "il tram 8 funziona oggi?", external_id=f"m{i}") for i in range(4)]
    assert worker.run_once()
    assert counting.batches == [4] and counting.alone == 0
    assert [queue.get(i).state for i in ids] == [MessageState.AUTO_SENT] * 4


def test_when_a_batch_cannot_be_read_only_the_message_that_fails_alone_is_retried(engine: Engine, clock: FixedClock) -> None:
    worker, queue = _worker(engine, clock)
    worker.claim_batch = 4
    counting = _CountingPipeline(worker.pipeline, fails_on="boom")  # type: ignore[arg-type]
    worker.pipeline = counting  # type: ignore[assignment]
    ids = [_ask(queue, text, external_id=f"m{i}") for i, text in enumerate(["il tram 8 funziona oggi?", "boom", "il tram 8 funziona oggi?"])]
    assert worker.run_once()
    assert counting.batches == [3] and counting.alone == 3
    states = [queue.get(i).state for i in ids]
    assert states == [MessageState.AUTO_SENT, MessageState.RECEIVED, MessageState.AUTO_SENT]
    failed = queue.get(ids[1])
    assert failed.last_error and "rule exploded" in failed.last_error and failed.lease_owner is None


def test_a_claimed_batch_is_written_in_one_transaction(engine: Engine, clock: FixedClock) -> None:
    worker, queue = _worker(engine, clock)
    worker.claim_batch = 4
    ids = [_ask(queue, "il tram 8 funziona oggi?", external_id=f"m{i}") for i in range(4)]
    commits: list[int] = []
    event.listen(engine, "commit", lambda _conn: commits.append(1))
    assert worker.run_once()
    assert len(commits) == 2  # the claim, then the four routed messages with their replies
    assert [queue.get(i).state for i in ids] == [MessageState.AUTO_SENT] * 4
    assert all(len(queue.history(i)) == 3 for i in ids)  # received, routed, auto_sent


def test_a_lease_lost_inside_a_batch_keeps_the_others_and_writes_nothing_for_it(engine: Engine, clock: FixedClock) -> None:
    worker, queue = _worker(engine, clock)
    ids = [_ask(queue, "il tram 8 funziona oggi?", external_id=f"m{i}") for i in range(3)]
    claims = queue.claim_many(worker.name, 30, limit=3, channels=["web"])
    with Session(engine) as session:  # the second message's lease ran out and another worker took it
        row = session.get(Message, ids[1])
        assert row is not None
        row.lease_owner = "other"
        session.add(row)
        session.commit()
    worker.work(claims)
    assert [queue.get(i).state for i in ids] == [MessageState.AUTO_SENT, MessageState.RECEIVED, MessageState.AUTO_SENT]
    assert queue.replies_for(ids[1]) == [] and queue.get(ids[1]).lease_owner == "other"
    assert [t.to_state for t in queue.history(ids[1])] == ["received"]


def test_a_batch_moves_its_cases_as_messages_taken_one_at_a_time(engine: Engine, clock: FixedClock) -> None:
    from storage.cases import case_history

    worker, queue = _worker(engine, clock)
    question, complaint = "il tram 8 funziona oggi?", "autista maleducato sul 64, una vergogna"

    def send(prefix: str, thread: str, text: str, n: int) -> int:
        message = InboundMessage("web", f"{prefix}{n}", f"web:{prefix}{thread}", text, clock(), thread_id=f"{prefix}{thread}")
        message_id = queue.enqueue(message)
        assert message_id is not None
        return message_id

    def cases_after(prefix: str, batch: int) -> list[list[tuple[str | None, str]]]:
        worker.claim_batch = 1
        send(prefix, "a", complaint, 0)  # a message already waiting for a person in case a
        assert worker.run_once()
        ids = [send(prefix, t, text, n) for n, (t, text) in
               enumerate([("a", question), ("b", question), ("c", complaint), ("d", complaint), ("d", question)], 1)]
        worker.claim_batch = batch
        while worker.run_once():
            pass
        case_ids = sorted({queue.get(i).case_id for i in ids})
        return [[(t.from_status, t.to_status) for t in case_history(engine, c)] for c in case_ids]

    assert cases_after("batch-", 8) == cases_after("alone-", 1)
